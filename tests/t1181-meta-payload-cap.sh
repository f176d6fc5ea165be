#!/bin/sh
# t1181: the event payload (GITHUB_EVENT_PATH) is capped at 64 MiB: a
# larger one is bad input (exit 3) naming the file, not a warning.
. "$(dirname "$0")/test-lib.sh"

run_meta() {
	env GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 \
		GITHUB_REPOSITORY=acme/app SOURCE_DATE_EPOCH=0 GITHUB_EVENT_PATH="$1" \
		publish meta --images user/app --tags type=ref,event=branch
}

test_expect_success 'a payload over 64 MiB: exit 3, the file named' '
	printf "{\"pad\": \"" >big.json &&
	head -c $((64 << 20)) /dev/zero | tr "\0" x >>big.json &&
	printf "\"}" >>big.json &&
	run_meta "$TRASH/big.json" >out 2>err; test $? = 3 &&
	test_line_count err = 1 &&
	grep "^error: event payload .$TRASH/big.json. (GITHUB_EVENT_PATH) is larger than 64 MiB$" err &&
	test_line_count out = 0
'

test_expect_success 'a payload just under the cap is read' '
	printf "{\"pad\": \"" >fits.json &&
	head -c $(((64 << 20) - 16)) /dev/zero | tr "\0" x >>fits.json &&
	printf "\"}" >>fits.json &&
	run_meta "$TRASH/fits.json" >out 2>err &&
	grep "user/app:main" out
'

test_expect_success 'a missing payload file is still only a warning' '
	run_meta "$TRASH/none.json" >out 2>err &&
	grep "^warning: GITHUB_EVENT_PATH .*none.json. cannot be read" err &&
	grep "user/app:main" out
'

test_done
