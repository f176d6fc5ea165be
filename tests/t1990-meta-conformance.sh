#!/bin/sh
# t1990: replay docker/metadata-action's own test cases (the shared
# conformance suite, when ../shared is there) against `publish meta`.
# Every case must pass, except the documented deviations listed in
# tests/data/meta/conformance-known.txt, which must still fail.
. "$(dirname "$0")/test-lib.sh"

RUNNER=$SHARED/conformance/metadata-action/run
[ -x "$RUNNER" ] || test_skip_all "no conformance suite at $RUNNER"
command -v python3 >/dev/null || test_skip_all "python3 is needed to replay the suite"
KNOWN=$TEST_DIR/data/meta/conformance-known.txt

"$RUNNER" -v -- "$PUBLISH" meta >replay 2>&1
sed 's/^/# /' replay
sed -n 's/^FAIL \([^:]*\):.*/\1/p' replay | sort >failed
sed -n 's/^\([^# ][^ ]*\) .*/\1/p' "$KNOWN" | sort >known

test_expect_success 'the suite ran' '
	grep "^[0-9]* passed, [0-9]* failed$" replay
'

test_expect_success 'no case fails but the documented deviations' '
	comm -23 failed known >unexpected &&
	test_line_count unexpected = 0
'

test_expect_success 'every documented deviation still fails (else remove it from the list)' '
	comm -13 failed known >fixed &&
	test_line_count fixed = 0
'

test_done
