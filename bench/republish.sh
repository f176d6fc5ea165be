#!/bin/sh
# bench/republish.sh: the action re-run after a one-line change of src/ in
# a Node.js service (a node_modules tree of NODE_FILES small files, a
# VIDEO_MIB MiB video, src/), pushed to a TLS + bearer-token registry on
# loopback (tests/lib-registry.sh), as in tests/t4350.  One cold run, then
# RUNS re-publishes, each after a commit changing one line of src/index.js
# checked out again like actions/checkout; prints each wall time of
# `publish action` (the process alone, not the harness) and the median.
# PROFILE="strace -f -c -o /tmp/x" (a command prefix) runs an extra re-publish
# under it, untimed; KEEP=DIR keeps the last run's action.out and action.err.
# Needs root (the checkout is owned by another uid, as on a runner).
#
#   sh bench/republish.sh           RUNS (5) NODE_FILES (2000) VIDEO_MIB (10)
cd "$(dirname "$0")/.." || exit 1
BENCH_ROOT=$PWD
RUNS=${RUNS:-5}
NODE_FILES=${NODE_FILES:-2000}
VIDEO_MIB=${VIDEO_MIB:-10}
[ -x "${PUBLISH_BIN:-build/publish}" ] || { echo "build/publish missing: run make" >&2; exit 1; }
TEST_DIR=$BENCH_ROOT/tests
. "$TEST_DIR/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"
PUBLISH=${PUBLISH_BIN:-$BENCH_ROOT/build/publish}
trap '_run_cleanups; cd / && rm -rf "$TRASH"' EXIT
trap 'exit 1' INT TERM HUP
test_have_prereq ROOT || { echo "bench/republish.sh: needs root"; exit 0; }
action_setup_registry
start_github_api || exit 1
cd "$TRASH" || exit 1

# the wrapper times publish alone (a python exec keeps the INPUT_ names
# with a hyphen, which a shell drops)
cat >timed <<PY
#!$(command -v python3)
import os, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(["$PUBLISH"] + sys.argv[1:])
with open("$TRASH/times", "a") as f:
    f.write("%.4f\n" % (time.monotonic() - t0))
sys.exit(rc)
PY
chmod +x timed
cat >profiled <<PY
#!$(command -v python3)
import os, sys
argv = "${PROFILE:-}".split() + ["$PUBLISH"] + sys.argv[1:]
os.execvp(argv[0], argv)
PY
chmod +x profiled

make_upstream up >/dev/null || exit 1
python3 - up "$NODE_FILES" "$VIDEO_MIB" <<'PY' || exit 1
import os, random, sys
root, nfiles, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20261128)
def text(n):
    return (" ".join(rnd.choice(("function", "return", "const", "module", "exports"))
                     for _ in range(n // 7 + 1))[:n] + "\n").encode()
for i in range(nfiles):
    p = os.path.join(root, "node_modules", "pkg-%03d" % (i // 10), "f%d.js" % (i % 10))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(text(int(rnd.lognormvariate(7.5, 1.0)) % 16384 + 100))
os.makedirs(os.path.join(root, "src"), exist_ok=True)
open(os.path.join(root, "src", "index.js"), "w").write("// line\nconsole.log('serve');\n")
open(os.path.join(root, "videos", "big.mp4"), "wb").write(rnd.randbytes(mib << 20))
open(os.path.join(root, "package.json"), "w").write('{"name": "service"}\n')
open(os.path.join(root, "Dockerfile"), "w").write("""ARG BASE
FROM ${BASE}
WORKDIR /app
COPY package.json /app/
COPY node_modules /app/node_modules
COPY videos /app/videos
COPY src /app/src
CMD ["/app/src/server.sh"]
""")
PY
commit() {	# commit MSG: commit up, move v1.2.3 there, check it out afresh
	git -C up add -A && git -C up commit -q -m "$1" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 >/dev/null &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws && action_event push-tag ws &&
	# as t4350: a checkout older than one clock tick (no racily clean file)
	sleep 1 && git -c safe.directory="*" -C ws update-index -q --refresh
}
run() {
	PUBLISH=$TRASH/timed run_action images="$ACTION_IMAGE" tags=type=raw,value=main \
		build-args="BASE=$REGISTRY/busybox:1.35" "$@" ||
	{ cat action.out action.err; exit 1; }
}
commit "node service" || exit 1
run
echo "cold: $(cat times)s"
: >times
i=1
while [ $i -le "$RUNS" ]; do
	echo "// change $i" >>up/src/index.js && commit "index: change $i" || exit 1
	run
	grep -c ", reused$" action.err | sed 's/^/  reused layers: /' | tr -d '\n'
	echo " pushed: $(action_output metadata | jq .layers.pushed)"
	i=$((i + 1))
done
[ -n "$KEEP" ] && cp action.out action.err "$KEEP/" && grep -h "\"[A-Z]* /v2/" "$REGISTRY_LOG" | tail -n 20 >"$KEEP/registry.log"
if [ -n "$PROFILE" ]; then
	echo "// profiled" >>up/src/index.js && commit "index: profiled" &&
	PUBLISH=$TRASH/profiled run_action images="$ACTION_IMAGE" tags=type=raw,value=main \
		build-args="BASE=$REGISTRY/busybox:1.35" || { cat action.out action.err; exit 1; }
fi
echo "re-publish: $(tr '\n' ' ' <times)"
echo "median: $(sort -n times | sed -n "$(((RUNS + 1) / 2))p")s"
