#!/bin/sh
# t1990: replay docker/metadata-action's own test cases (the shared
# conformance suite, when ../shared is there) against `publish meta`.
. "$(dirname "$0")/test-lib.sh"

RUNNER=$SHARED/conformance/metadata-action/run
[ -x "$RUNNER" ] || test_skip_all "no conformance suite at $RUNNER"
command -v python3 >/dev/null || test_skip_all "python3 is needed to replay the suite"

test_expect_success 'every metadata-action case passes' '
	"$RUNNER" -v -- "$PUBLISH" meta >out 2>&1
	rc=$?
	cat out
	test $rc = 0 && grep "^[0-9]* passed, 0 failed$" out
'

test_done
