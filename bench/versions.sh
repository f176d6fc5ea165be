#!/bin/sh
# bench/versions.sh: `publish meta` with type=describe and type=conventional
# on a repository of 100,000 commits and 10,000 tags (made with git
# fast-import: a main line with a merge every 100 commits, a version tag
# every 10 commits up to 7 commits before the end), beside
# `git describe --tags` on the same repository.  Target: under 150 ms for
# describe and conventional together.
#
# The tags are first loose files, one a tag, as `git fetch` writes them
# (actions/checkout with fetch-depth: 0; git 2.39 packs none), then packed
# (`git pack-refs`, as `git clone` writes them); ANNOTATED=1 makes them
# annotated tags (their objects in the pack, as a fetch brings them).
# Each figure is the median wall time of RUNS runs and the mean CPU time
# (user + system) of the same runs: on a loaded machine the wall time is
# mostly waiting for a CPU, the CPU time is what the run costs.
#
#   sh bench/versions.sh [path/to/publish]      (COMMITS=, TAGEVERY=, RUNS=, ANNOTATED=1)
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PUBLISH=${1:-$ROOT/build/publish}
COMMITS=${COMMITS:-100000}
TAGEVERY=${TAGEVERY:-10}
RUNS=${RUNS:-10}
[ -x "$PUBLISH" ] || { echo "bench/versions.sh: build first (make)" >&2; exit 1; }

TMP=$(mktemp -d)
trap '[ -n "$KEEP" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT
git init -q "$TMP/repo"
# the stream: blobs inline, one file changed a commit, a side commit merged every 100
awk -v n="$COMMITS" -v every="$TAGEVERY" -v annotated="${ANNOTATED:-0}" 'BEGIN {
	t = 1577836800; tags = 0
	for (i = 1; i <= n; i++) {
		msg = (i % 7 == 0) ? "feat: feature " i : (i % 3 == 0) ? "docs: words " i : "fix: bug " i
		if (i % 100 == 50) {
			printf "commit refs/heads/side\nmark :%d\ncommitter B <b@example.com> %d +0000\n", 1000000 + i, t + i * 60 - 30
			printf "data <<EOM\nfeat(side): side %d\nEOM\nfrom :%d\n", i, i - 1
			printf "M 100644 inline side/s\ndata <<EOM\n%d\nEOM\n\n", i
		}
		printf "commit refs/heads/main\nmark :%d\ncommitter A <a@example.com> %d +0000\n", i, t + i * 60
		printf "data <<EOM\n%s\nEOM\n", msg
		if (i > 1) printf "from :%d\n", i - 1
		if (i % 100 == 50) printf "merge :%d\n", 1000000 + i
		printf "M 100644 inline %s\ndata <<EOM\n%d\nEOM\n\n", (i % 5 == 0) ? "services/a/f" : "f", i
		if (i % every == 0 && i + 7 <= n) {
			tags++
			if (annotated)
				printf "tag v%d.%d.0\nfrom :%d\ntagger A <a@example.com> %d +0000\ndata <<EOM\nrelease\nEOM\n\n", int(tags / 100) + 1, tags % 100, i, t + i * 60
			else
				printf "reset refs/tags/v%d.%d.0\nfrom :%d\n\n", int(tags / 100) + 1, tags % 100, i
		}
	}
}' | git -C "$TMP/repo" fast-import --quiet
git -C "$TMP/repo" reset -q --hard main
cd "$TMP/repo"
echo "repository: $(git rev-list --count HEAD) commits, $(git tag | wc -l) tags; git describe: $(git describe --tags)"

time_ms() {	# "W ms wall, C ms CPU": median wall time and mean CPU time of RUNS runs of "$@"
	i=0
	while [ $i -lt "$RUNS" ]; do
		start=$(date +%s%N)
		"$@" >/dev/null 2>&1
		echo $(( ($(date +%s%N) - start) / 1000000 ))
		i=$((i + 1))
	done >"$TMP/wall"
	# the CPU time: RUNS more runs in a subshell that runs nothing else, its
	# children's user and system time (the times builtin, written to a file:
	# in a pipeline it would count another process's children)
	(
		i=0
		while [ $i -lt "$RUNS" ]; do
			"$@" >/dev/null 2>&1
			i=$((i + 1))
		done
		times >"$TMP/times"
	)
	sort -n "$TMP/wall" | awk -v runs="$RUNS" -v tf="$TMP/times" '{ t[NR] = $1 } END {
		getline line <tf; getline line <tf
		n = split(line, f, /[ms]+/); cpu = 0
		for (i = 1; i + 1 <= n; i += 2) cpu += f[i] * 60000 + f[i + 1] * 1000
		printf "%d ms wall, %d ms CPU", (NR % 2) ? t[(NR + 1) / 2] : int((t[NR / 2] + t[NR / 2 + 1]) / 2), cpu / runs }'
}

echo "medians of $RUNS runs, loose tags:"
for rule in "type=describe" "type=conventional" "type=describe,paths=services/a" \
	"type=conventional,paths=services/a" "type=describe --tags type=conventional"; do
	# shellcheck disable=SC2086 # $rule may hold two --tags
	echo "publish meta --tags $rule: $(time_ms "$PUBLISH" meta --tags $rule) ($("$PUBLISH" meta --tags $rule 2>/dev/null | sed -n 's/^version: //p'))"
done
echo "git describe --tags: $(time_ms git describe --tags)"
git checkout -q --detach "$(git rev-list -n 1 --skip=3 HEAD)"
echo "describe far (HEAD~3): publish $(time_ms "$PUBLISH" meta --tags type=describe); git $(time_ms git describe --tags)"
git checkout -q main
git pack-refs --all
echo "after git pack-refs (as a clone has them): publish meta describe + conventional $(time_ms "$PUBLISH" meta --tags type=describe --tags type=conventional); git describe --tags $(time_ms git describe --tags)"
