#!/bin/sh
# t1170: the runner file-command format of the outputs: heredoc with a
# random delimiter, DOCKER_METADATA_OUTPUT_* exported through GITHUB_ENV.
. "$(dirname "$0")/test-lib.sh"

run_meta() {
	env GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main SOURCE_DATE_EPOCH=1578616200 \
		GITHUB_OUTPUT=$TRASH/output GITHUB_ENV=$TRASH/env "$@" \
		publish meta --images user/app --tags type=raw,value=a --tags type=raw,value=b
}

test_expect_success 'every output is written as name<<ghadelimiter_UUID' '
	: >output && : >env &&
	run_meta >out &&
	for n in version tags tag-names labels annotations json; do
		grep "^$n<<ghadelimiter_[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}$" output || return 1
	done
'

test_expect_success 'a multi-line value sits between the delimiters' '
	d=$(sed -n "s/^tags<<//p" output) &&
	sed -n "/^tags<<$d$/,/^$d$/p" output >tags &&
	printf "tags<<%s\nuser/app:a\nuser/app:b\n%s\n" "$d" "$d" >expect &&
	test_cmp expect tags
'

test_expect_success 'each value gets its own delimiter' '
	sed -n "s/^[a-z-]*<<//p" output | sort -u >delims &&
	test_line_count delims = 6
'

test_expect_success 'outputs are exported as DOCKER_METADATA_OUTPUT_* variables' '
	grep "^DOCKER_METADATA_OUTPUT_VERSION<<ghadelimiter_" env &&
	grep "^DOCKER_METADATA_OUTPUT_TAG_NAMES<<ghadelimiter_" env &&
	grep "^DOCKER_METADATA_OUTPUT_JSON<<ghadelimiter_" env
'

test_expect_success 'DOCKER_METADATA_SET_OUTPUT_ENV=false exports nothing' '
	: >output && : >env &&
	run_meta DOCKER_METADATA_SET_OUTPUT_ENV=false >out &&
	test -s output && ! test -s env
'

test_expect_success 'a DOCKER_METADATA_SET_OUTPUT_ENV that is not a boolean is exit 3' '
	test_exit_code 3 run_meta DOCKER_METADATA_SET_OUTPUT_ENV=perhaps 2>err &&
	grep "DOCKER_METADATA_SET_OUTPUT_ENV is not a boolean" err
'

test_expect_success 'outputs are appended, not replacing what earlier steps wrote' '
	echo "earlier=1" >output &&
	run_meta >out &&
	head -1 output | grep "^earlier=1$" &&
	grep "^version<<" output
'

test_expect_success 'outside Actions nothing is written, the summary is printed' '
	env GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main publish meta --images user/app >out &&
	grep "^version: main$" out && grep "^  user/app:main$" out
'

test_expect_success '--help prints the options and exits 0' '
	publish meta --help >out &&
	grep -- "--sep-annotations" out && grep "INPUT_SEP-TAGS" out
'

test_done
