#!/bin/sh
# t4400: action/release.sh checks VERSION before it builds anything: a
# value of several lines (a tag name read with a trailing line, a
# variable that holds two) is refused in one line, exit 3, though its
# first line is X.Y.Z.  (t5100 runs the whole release.)
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'a version of two lines is refused, one line, exit 3' '
	mkdir repo && git -C repo init -q &&
	(cd repo && OWNER=acme test_exit_code 3 sh "$ROOT/action/release.sh" "$(printf "1.2.3\nfoo")") 2>err &&
	cat err &&
	test_line_count err = 1 &&
	grep "^release.sh: version .1.2.3 foo. is not MAJOR.MINOR.PATCH" err
'

test_expect_success 'a version of one line that is X.Y.Z passes the check (the tree is refused next)' '
	(cd repo && OWNER=acme test_exit_code 3 sh "$ROOT/action/release.sh" v1.2.3) 2>err &&
	cat err &&
	! grep "is not MAJOR.MINOR.PATCH" err
'

test_done
