#!/bin/sh
# t1190: a type=match pattern that backtracks without end is stopped by
# jsregex's step budget and reported as an error naming the rule, also
# when the ref is not UTF-8 (Node reads it with U+FFFD for the bad bytes).
. "$(dirname "$0")/test-lib.sh"
test_require PYTHON

# refs/tags/ + 273 "a" + one byte that is not UTF-8: 284 bytes
bad_ref() {
	python3 -c 'import os, sys; os.write(1, b"refs/tags/" + b"a" * 273 + b"\xff")'
}

test_expect_success 'a catastrophic pattern on a non-UTF-8 ref is an error, fast' '
	ref=$(bad_ref) &&
	test ${#ref} -ge 284 &&
	start=$(date +%s%N) &&
	test_exit_code 3 env GITHUB_REF="$ref" publish meta --images user/app \
		--tags "type=match,pattern=^(a+)+\$" >out 2>err &&
	end=$(date +%s%N) &&
	say "took $(( (end - start) / 1000000 )) ms" &&
	test $(( (end - start) / 1000000 )) -lt 4000 &&
	test_line_count err = 1 &&
	grep "^error: tags: regular expression ./^(a+)+\\$/. gave up on .a*" err &&
	grep "backtracking limit" err &&
	grep "(in .type=match,pattern=^(a+)+\\$.)\$" err &&
	! grep "user/app:" out
'

test_expect_success 'the same without an anchor (every start position counts)' '
	ref=$(bad_ref) &&
	test_exit_code 3 env GITHUB_REF="$ref" publish meta --images user/app \
		--tags "type=match,pattern=(a+)+\$" 2>err &&
	grep "backtracking limit" err
'

test_expect_success 'bad bytes are U+FFFD, as in JS: $ does not match before them' '
	ref=$(python3 -c "import os; os.write(1, b\"refs/tags/v1.2\\xff\")") &&
	env GITHUB_REF="$ref" publish meta --images user/app \
		--tags "type=match,pattern=^v(\\d+\\.\\d+)\$,group=1" >out 2>err &&
	! grep "user/app:1.2" out &&
	grep "does not match" err &&
	env GITHUB_REF="$ref" publish meta --images user/app \
		--tags "type=match,pattern=^v(.*)\$,group=1" >out &&
	grep "^  user/app:1.2-\$" out
'

test_expect_success 'a pattern that only needs many steps in total still works' '
	env GITHUB_REF=refs/tags/v$(python3 -c "print(\"1.\" * 100 + \"x\")") \
		publish meta --images user/app \
		--tags "type=match,pattern=^v((\\d+\\.)*)x\$,group=1" >out &&
	grep "^  user/app:1\\.1\\." out
'

test_done
