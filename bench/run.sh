#!/bin/sh
# bench/run.sh: run every benchmark in bench/ and print its figures.
#
# Benchmarks print figures and ratios against docker, buildah, skopeo or
# node on the same machine; they never fail a build (targets are stated,
# not asserted: timing belongs here, not in tests).
cd "$(dirname "$0")/.." || exit 1
rc=0
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $b"
	sh "$b" || { echo "   ($b failed)"; rc=1; }
done
exit $rc
