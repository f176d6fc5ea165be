#!/bin/sh
# bench/build-memory.sh: peak memory of `publish build` stays flat as the
# context grows (a layer is streamed, never held in memory).
#
# Builds a 1 GiB context (a few large incompressible files, a tree of 20000
# small ones) with FROM scratch and COPY . /ctx/, gzip and zstd, and prints
# the peak RSS (/usr/bin/time -v) next to that of a tiny context.
# Target: under 64 MiB for the 1 GiB context.  SIZE_MIB overrides 1024.
#
#   sh bench/build-memory.sh            (or: make bench)
cd "$(dirname "$0")/.." || exit 1
PUBLISH=${PUBLISH:-$PWD/build/publish}
SIZE_MIB=${SIZE_MIB:-1024}
[ -x "$PUBLISH" ] || { echo "build/publish missing: run make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/publish-bench-mem.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM

# peak_kib CONTEXT [OPTIONS]: the build's maximum resident set size in KiB
peak_kib() {
	_ctx=$1; shift
	SOURCE_DATE_EPOCH=0 /usr/bin/time -v "$PUBLISH" build --quiet --context "$_ctx" \
		--output "oci:$work/out" "$@" 2>"$work/time.txt" >/dev/null ||
		{ cat "$work/time.txt" >&2; return 1; }
	rm -rf "$work/out"
	sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time.txt"
}

mkdir -p "$work/tiny" && echo hi >"$work/tiny/hi" &&
printf "FROM scratch\nCOPY . /ctx/\n" >"$work/tiny/Dockerfile" || exit 1

mkdir -p "$work/big/tree" || exit 1
printf "FROM scratch\nCOPY . /ctx/\n" >"$work/big/Dockerfile"
files=4
per=$((SIZE_MIB / files))
i=0
while [ $i -lt $files ]; do
	head -c "$((per * 1024 * 1024))" /dev/urandom >"$work/big/blob$i" || exit 1
	i=$((i + 1))
done
# 20000 small files in 200 directories
i=0
while [ $i -lt 200 ]; do
	mkdir "$work/big/tree/d$i" &&
	(cd "$work/big/tree/d$i" && seq 1 100 | xargs touch) || exit 1
	i=$((i + 1))
done

tiny=$(peak_kib "$work/tiny") || exit 1
start=$(date +%s)
gz=$(peak_kib "$work/big") || exit 1
mid=$(date +%s)
zs=$(peak_kib "$work/big" --compression zstd) || exit 1
end=$(date +%s)

echo "context: $SIZE_MIB MiB in $files files + 20000 small files"
echo "peak RSS, tiny context:        $((tiny / 1024)) MiB"
echo "peak RSS, big context, gzip:   $((gz / 1024)) MiB ($((mid - start)) s)"
echo "peak RSS, big context, zstd:   $((zs / 1024)) MiB ($((end - mid)) s)"
if [ "$gz" -lt 65536 ] && [ "$zs" -lt 65536 ]; then
	echo "target (< 64 MiB): met"
else
	echo "target (< 64 MiB): MISSED"
fi
