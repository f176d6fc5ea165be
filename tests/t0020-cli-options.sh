#!/bin/sh
# t0020: every command's options come from one table (src/cli/parse-options.c):
# its --help lists each of them, each is refused the same way without its
# value, and an unknown option is exit 2 naming it.  The commands and
# their options are read from publish itself (publish --help, the hidden
# --list-options), and checked against the option tables in src/cli.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'the commands, from publish --help' '
	publish --help >top &&
	sed -n "s/^  \([a-z][a-z]*\) .*/\1/p" top >commands &&
	test $(wc -l <commands) -ge 6
'

test_expect_success 'every command: --help and -h print the help on stdout, exit 0' '
	for c in $(cat commands); do
		publish $c --help >help.$c 2>err &&
		test ! -s err &&
		grep "^usage: publish $c" help.$c &&
		publish $c -h >h &&
		cmp help.$c h || return 1
	done
'

test_expect_success 'every command: --help lists every option of its table' '
	for c in $(cat commands); do
		publish $c --list-options >opts.$c &&
		for o in $(sed "s/=\$//" opts.$c); do
			grep -E -e "(^| )$o(,| |\$)" help.$c >/dev/null ||
				{ echo "publish $c --help lacks $o" >&2; return 1; }
		done || return 1
	done &&
	grep -x -e "--file=" opts.build && grep -x -e "-q" opts.push && grep -x -e "--raw" opts.inspect
'

test_expect_success 'every option in src/cli is in some command'"'"'s table' '
	cat opts.* | sed "s/=\$//" | sort -u >all-opts &&
	sed -n "s/.*OPT_[A-Z_]*([^,]*, \"\([a-z][a-z-]*\)\".*/--\1/p" "$ROOT"/src/cli/*.c "$ROOT"/src/cli/*.h |
		sort -u >source-opts &&
	test $(wc -l <source-opts) -ge 20 &&
	comm -23 source-opts all-opts >missing &&
	test ! -s missing
'

test_expect_success 'every command: an unknown option is exit 2, one line naming it' '
	for c in $(cat commands); do
		test_exit_code 2 publish $c --no-such-option=secret >out 2>err &&
		test ! -s out &&
		test $(wc -l <err) = 1 &&
		grep "^error: .*'"'"'--no-such-option'"'"'" err &&
		! grep secret err || return 1
	done
'

test_expect_success 'every option that takes a value: exit 2 without one, naming it' '
	for c in $(cat commands); do
		for o in $(sed -n "s/=\$//p" opts.$c); do
			test_exit_code 2 publish $c $o 2>err &&
			test $(wc -l <err) = 1 &&
			grep -x -e "error: option '"'"'$o'"'"' needs a value" err || return 1
		done
	done
'

test_expect_success 'every flag: exit 2 given a value, naming it' '
	for c in $(cat commands); do
		for o in $(grep -e "^--.*[^=]\$" opts.$c); do
			test_exit_code 2 publish $c $o=1 2>err &&
			grep -x -e "error: option '"'"'$o'"'"' takes no value" err || return 1
		done
	done
'

test_expect_success 'a bad number names the option and its range' '
	test_exit_code 2 publish inspect --retries=x example.com/a 2>err &&
	grep -x "error: --retries wants a number from 1 to 20, not .x." err &&
	test_exit_code 2 publish copy --jobs 33 oci:x example.com/a 2>err &&
	grep -x "error: --jobs wants a number from 1 to 32, not .33." err
'

test_expect_success '--name=value and --name value are the same' '
	SOURCE_DATE_EPOCH=1700000000 && export SOURCE_DATE_EPOCH &&
	env GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main \
		publish meta --images=user/app --tags "type=raw,value=one" --tags=type=ref,event=branch >a &&
	env GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main \
		publish meta --images user/app --tags=type=raw,value=one --tags type=ref,event=branch >b &&
	cmp a b &&
	grep "^  user/app:one$" a && grep "^  user/app:main$" a &&
	unset SOURCE_DATE_EPOCH
'

test_expect_success '-- ends the options' '
	test_exit_code 2 publish meta -- --images x 2>err &&
	grep "^error: unexpected argument .--images." err
'

test_expect_success 'missing arguments print the usage on stderr, exit 2' '
	for c in push copy inspect; do
		test_exit_code 2 publish $c --quiet >out 2>err &&
		test ! -s out &&
		grep "^usage: publish $c" err &&
		grep -e "--insecure-registry" err || return 1
	done
'

test_done
