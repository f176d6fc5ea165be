#!/bin/sh
# bench/meta.sh: how long `publish meta` takes as a whole process (start,
# read the event, derive, write the outputs), against node's bare start-up
# (`node -e 0`, what docker/metadata-action pays before any work) on the
# same machine.  Target: under 20 ms.
#
#   sh bench/meta.sh [path/to/publish]
#
# Uses hyperfine when installed, else a loop of runs timed with date.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PUBLISH=${1:-$ROOT/build/publish}
RUNS=${RUNS:-200}
[ -x "$PUBLISH" ] || { echo "bench/meta.sh: build first (make)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/event.json" <<'JSON'
{"ref": "refs/tags/v1.2.3", "head_commit": {"id": "860c1904a1ce19322e91ac35af1ab07466440c37",
 "timestamp": "2020-01-10T00:30:00Z"}, "repository": {"name": "app", "description": "An app",
 "html_url": "https://github.com/acme/app", "default_branch": "main", "license": {"spdx_id": "MIT"}}}
JSON
export GITHUB_EVENT_NAME=push GITHUB_REF=refs/tags/v1.2.3 GITHUB_REPOSITORY=acme/app
export GITHUB_SHA=860c1904a1ce19322e91ac35af1ab07466440c37 GITHUB_EVENT_PATH=$TMP/event.json
export GITHUB_OUTPUT=$TMP/output GITHUB_ENV=$TMP/env
export INPUT_IMAGES="ghcr.io/acme/app
docker.io/acme/app"
export INPUT_TAGS="type=schedule
type=ref,event=branch
type=ref,event=pr
type=semver,pattern={{version}}
type=semver,pattern={{major}}.{{minor}}
type=match,pattern=v(\d+),group=1
type=sha
type=raw,value={{date 'YYYYMMDD' tz='Europe/Paris'}}"
unset GITHUB_API_URL
cd "$TMP"

CMD="$PUBLISH meta"
if command -v hyperfine >/dev/null 2>&1; then
	if command -v node >/dev/null 2>&1; then
		hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$TMP/h.json" "$CMD" "node -e 0" >&2
	else
		hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$TMP/h.json" "$CMD" >&2
	fi
	python3 - "$TMP/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
meta = r[0]["mean"] * 1000
print("publish meta: %.2f ms (mean of %d runs)" % (meta, len(r[0]["times"])))
if len(r) > 1:
    node = r[1]["mean"] * 1000
    print("node -e 0:    %.2f ms" % node)
    print("ratio:        publish meta takes %.2fx node's start-up" % (meta / node))
print("target:       < 20 ms: %s" % ("met" if meta < 20 else "NOT met"))
PY
	exit 0
fi

time_ms() {	# time_ms CMD...: mean wall time of RUNS runs, in ms
	_start=$(date +%s%N)
	_i=0
	while [ $_i -lt "$RUNS" ]; do
		: >"$GITHUB_OUTPUT"
		"$@" >/dev/null 2>&1
		_i=$((_i + 1))
	done
	_end=$(date +%s%N)
	echo $(( (_end - _start) / RUNS / 1000 ))
}
META_US=$(time_ms $CMD)
printf 'publish meta: %d.%03d ms (mean of %d runs)\n' $((META_US / 1000)) $((META_US % 1000)) "$RUNS"
if command -v node >/dev/null 2>&1; then
	NODE_US=$(time_ms node -e 0)
	printf 'node -e 0:    %d.%03d ms\n' $((NODE_US / 1000)) $((NODE_US % 1000))
	awk -v a="$META_US" -v b="$NODE_US" 'BEGIN { printf "ratio:        publish meta takes %.2fx node'"'"'s start-up\n", a / b }'
fi
[ "$META_US" -lt 20000 ] && echo "target:       < 20 ms: met" || echo "target:       < 20 ms: NOT met"
