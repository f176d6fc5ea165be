#!/bin/sh
# bench/basetree.sh: what reading a base image's file tree costs
# (src/build/basetree.c): the tar headers of every layer, no contents kept, as
# `publish build` needs them to resolve destinations through the base's
# symlinks and keep its directories' owners.
#
# The base: a node-like image of three gzip layers made from this
# machine's /usr (about 50 MB compressed, tens of thousands of entries),
# on a plain-http registry on loopback.  Timed, median of five:
#   cold     publish inspect --files with an empty cache (downloads and
#            reads every layer once)
#   cached   the same again: the cache by layer digest answers, no layer
#            is downloaded
#   skopeo+tar  the same listing the usual way: skopeo copy to a dir,
#            then tar -tzvf of each layer (reference point)
# and the peak RSS of the cold run.  Then what a fresh runner (empty
# cache) pays to re-publish a service on that base after a one-line
# change (`publish build --push`, reusing from the tag it moves): the
# previous image's record of the base's tree answers, so no base layer is
# read; median of five re-publishes, and the base-layer GETs the registry
# logged over them (PUBLISH_BIN=... times another build of publish).
#
# Target: cold within 1.5x of skopeo+tar, cached under 0.3 s, peak RSS
# under 64 MiB.  Stated, not asserted.
#
#   sh bench/basetree.sh        LAYER_MIB (35) sizes each layer (uncompressed)
cd "$(dirname "$0")/.." || exit 1
BENCH_ROOT=$PWD
LAYER_MIB=${LAYER_MIB:-35}
[ -x build/publish ] || { echo "build/publish missing: run make" >&2; exit 1; }
[ "$(id -u)" = 0 ] && sh tests/helper/deps.sh time python3 docker-registry skopeo >/dev/null 2>&1
for t in /usr/bin/time /usr/bin/docker-registry skopeo python3; do
	command -v "$t" >/dev/null || { echo "bench/basetree.sh: $t missing, skipped"; exit 0; }
done
TEST_DIR=$BENCH_ROOT/tests
. "$TEST_DIR/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
trap '_run_cleanups; cd / && rm -rf "$TRASH"' EXIT
trap 'exit 1' INT TERM HUP
W=$TRASH
PUBLISH=${PUBLISH_BIN:-$BENCH_ROOT/build/publish}

start_http_registry src >/dev/null || { echo "bench/basetree.sh: cannot start docker-registry"; exit 0; }
REG=$REGISTRY

python3 - "$W/base" "$LAYER_MIB" <<'PY' || exit 1
import gzip, hashlib, io, json, os, sys, tarfile
out, budget = sys.argv[1], int(sys.argv[2]) << 20
os.makedirs(os.path.join(out, "blobs", "sha256"))
def put(b):
    h = hashlib.sha256(b).hexdigest()
    open(os.path.join(out, "blobs", "sha256", h), "wb").write(b)
    return {"digest": "sha256:" + h, "size": len(b)}
layers, diff_ids = [], []
for root in ("/usr/lib", "/usr/share", "/usr/bin"):
    raw = io.BytesIO()
    used = 0
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for n in [d] + [os.path.join(d, f) for f in sorted(files)]:
                try:
                    st = os.lstat(n)
                except OSError:
                    continue
                if used > budget:
                    break
                ti = tf.gettarinfo(n, arcname=n.lstrip("/"))
                if ti is None:
                    continue
                ti.mtime = 0
                if ti.isreg():
                    try:
                        with open(n, "rb") as f:
                            tf.addfile(ti, f)
                    except OSError:
                        continue
                    used += ti.size
                elif ti.isdir() or ti.issym():
                    tf.addfile(ti)
    tb = raw.getvalue()
    diff_ids.append("sha256:" + hashlib.sha256(tb).hexdigest())
    d = put(gzip.compress(tb, 6, mtime=0))
    d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    layers.append(d)
cfg = {"architecture": "amd64", "os": "linux", "config": {},
       "rootfs": {"type": "layers", "diff_ids": diff_ids}}
c = put(json.dumps(cfg).encode()); c["mediaType"] = "application/vnd.oci.image.config.v1+json"
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c, "layers": layers}
md = put(json.dumps(m).encode()); md["mediaType"] = m["mediaType"]
md["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
json.dump({"schemaVersion": 2, "manifests": [md]}, open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
skopeo copy -q --dest-tls-verify=false "oci:$W/base:latest" "docker://$REG/node:1" || exit 1
MB=$(du -cb "$W"/base/blobs/sha256/* | tail -n 1 | awk '{ printf "%.1f", $1 / 1048576 }')

# timed CMD...: prints "SECONDS PEAK_KIB"
timed() {
	sync
	_t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$W/time" "$@" >"$W/out" 2>"$W/err" </dev/null || { cat "$W/err" >&2; return 1; }
	_t1=$(date +%s%N)
	echo "$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(tail -n 1 "$W/time")"
}
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
cold= cached= ref= rss=
for i in 1 2 3 4 5; do
	rm -rf "$W/cache"
	set -- $(PUBLISH_CACHE_DIR=$W/cache timed "$PUBLISH" inspect --insecure-registry "$REG" --files "$REG/node:1") || exit 1
	cold="$cold $1" rss="$rss $2"
	entries=$(wc -l <"$W/out")
	set -- $(PUBLISH_CACHE_DIR=$W/cache timed "$PUBLISH" inspect --insecure-registry "$REG" --files "$REG/node:1") || exit 1
	cached="$cached $1"
	rm -rf "$W/dir"
	set -- $(timed sh -c 'skopeo copy -q --src-tls-verify=false "docker://$1" "dir:$2" &&
		for l in $(python3 -c "import json,sys; [print(l[\"digest\"][7:]) for l in json.load(open(sys.argv[1]))[\"layers\"]]" "$2/manifest.json"); do
			tar -tzvf "$2/$l"; done' sh "$REG/node:1" "$W/dir") || exit 1
	ref="$ref $1"
done
C=$(median5 $cold) K=$(median5 $cached) R=$(median5 $ref) M=$(median5 $rss)
echo "base: 3 gzip layers, $MB MiB compressed, $entries entries ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo "publish inspect --files, cold    ${C} s  (peak RSS $((M / 1024)) MiB)"
echo "publish inspect --files, cached  ${K} s"
echo "skopeo copy + tar -tzvf          ${R} s  (ratio skopeo+tar / publish cold: $(awk -v a="$R" -v b="$C" 'BEGIN { printf "%.2f", a / b }'))"

# a re-publish on a fresh runner
mkdir -p "$W/svc/src" && cd "$W/svc" || exit 1
printf '%s\n' "FROM $REG/node:1" "COPY package.json /usr/src/app/" "COPY src /usr/src/app/src" \
	"WORKDIR /usr/src/app" >Dockerfile
echo '{"name":"svc"}' >package.json
echo 'console.log(0)' >src/index.js
export GIT_AUTHOR_DATE=2020-01-01T00:00:00Z GIT_COMMITTER_DATE=2020-01-01T00:00:00Z
git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm one || exit 1
pub() { timed env PUBLISH_CACHE_DIR="$1" "$PUBLISH" build --quiet --insecure-registry "$REG" --push \
	--tag "$REG/svc:main" --reuse-from "$REG/svc:main" --context .; }
set -- $(pub "$W/cache") || exit 1
layers=$(python3 -c "import json,sys; [print(l['digest']) for l in json.load(open(sys.argv[1]))['layers']]" \
	"$W/dir/manifest.json")
gets=0 repub=
for i in 1 2 3 4 5; do
	echo "console.log($i)" >src/index.js
	git -c user.name=b -c user.email=b@b commit -qam "change $i" || exit 1
	rm -rf "$W/cache-fresh"
	: >"$TRASH/registry-src/registry.log"
	set -- $(pub "$W/cache-fresh") || exit 1
	repub="$repub $1"
	for l in $layers; do
		gets=$((gets + $(grep -c "GET /v2/node/blobs/$l" "$TRASH/registry-src/registry.log")))
	done
done
echo "re-publish after a one-line change, empty cache  $(median5 $repub) s  (base layers read over 5: $gets)"
