#!/bin/sh
# bench/untracked.sh: a re-publish whose node_modules is not tracked by
# git (installed by `npm ci` in the workflow, ignored by .gitignore, then
# COPY'd), after a one-line change of app/: with a previous image its
# files are read and hashed for the layer's key, and the layer reused when
# their bytes are the same (build.c blob_id).  Timed, median of five:
#   re-publish   publish build --reuse-from the previous layout
#   full build   the same build without a previous image: what every
#                re-publish paid before (the layer tarred and compressed)
# Files: FILES (20000) JavaScript-like text files, about 120 MiB.
#
#   sh bench/untracked.sh
cd "$(dirname "$0")/.." || exit 1
BENCH_ROOT=$PWD
FILES=${FILES:-20000}
[ -x "${PUBLISH_BIN:-build/publish}" ] || { echo "build/publish missing: run make" >&2; exit 1; }
PUBLISH=${PUBLISH_BIN:-$BENCH_ROOT/build/publish}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-untracked.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$W/ctx/app" && cd "$W/ctx" || exit 1
python3 - "$FILES" <<'PY' || exit 1
import os, random, sys
random.seed(1)
words = [w for w in open("/usr/share/dict/words").read().split()] if os.path.exists("/usr/share/dict/words") \
    else ["w%d" % i for i in range(5000)]
n = int(sys.argv[1])
for i in range(n):
    d = "node_modules/pkg%d/lib" % (i // 50)
    os.makedirs(d, exist_ok=True)
    size, out = random.randint(500, 8000), []
    while sum(len(w) + 1 for w in out) < size:
        out.append(random.choice(words))
    open("%s/f%d.js" % (d, i % 50), "w").write("module.exports = '" + " ".join(out) + "';\n")
PY
echo "main" >app/main.js
echo "node_modules/" >.gitignore
printf '%s\n' "FROM scratch" "COPY node_modules /app/node_modules/" "COPY app /app/" >Dockerfile
export GIT_AUTHOR_DATE=2020-01-01T00:00:00Z GIT_COMMITTER_DATE=2020-01-01T00:00:00Z
git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm one || exit 1
"$PUBLISH" build --quiet --context . --output "oci:$W/prev" >/dev/null || exit 1
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
re= full= reused=
for i in 1 2 3 4 5; do
	echo "main $i" >app/main.js
	git -c user.name=b -c user.email=b@b commit -qam "change $i" || exit 1
	rm -rf "$W/out"
	t0=$(date +%s%N)
	PUBLISH_REUSE_FROM=$W/prev "$PUBLISH" build --context . --output "oci:$W/out" >/dev/null 2>"$W/err" || exit 1
	t1=$(date +%s%N)
	re="$re $(secs "$t0" "$t1")"
	grep -q "Dockerfile:2 COPY: .*, reused$" "$W/err" && reused=$((reused + 1))
	rm -rf "$W/out"
	t0=$(date +%s%N)
	"$PUBLISH" build --quiet --context . --output "oci:$W/out" >/dev/null || exit 1
	t1=$(date +%s%N)
	full="$full $(secs "$t0" "$t1")"
done
echo "untracked node_modules: $FILES files, $(du -sm node_modules | cut -f1) MiB ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo "re-publish, --reuse-from the previous image   $(median5 $re) s  (node_modules layer reused in ${reused:-0} of 5)"
echo "the same build without a previous image       $(median5 $full) s"
