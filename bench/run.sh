#!/bin/sh
# bench/run.sh: run bench/run (the figures of issue 10), then every other
# benchmark in bench/, and print their figures.
#
# Benchmarks print figures and ratios against docker, buildah, skopeo or
# node on the same machine; they never fail a build (targets are stated,
# not asserted: timing belongs here, not in tests).
cd "$(dirname "$0")/.." || exit 1
rc=0
echo "== bench/run"
sh bench/run || { echo "   (bench/run failed)"; rc=1; }
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $b"
	sh "$b" || { echo "   ($b failed)"; rc=1; }
done
exit $rc
