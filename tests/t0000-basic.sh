#!/bin/sh
# t0000: the command table, usage, version and exit codes.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'publish is built' '
	test -x "$PUBLISH"
'

test_expect_success '--help lists every command' '
	publish --help >out &&
	for c in meta build push copy inspect action; do
		grep "^  $c " out || return 1
	done
'

test_expect_success '--version prints a version' '
	publish --version >out &&
	grep "^publish [0-9]" out
'

test_expect_code 2 'no command is a usage error (exit 2)' '
	publish
'

test_expect_success 'an unknown command names itself and exits 2' '
	test_exit_code 2 publish frobnicate 2>err &&
	grep "unknown command .frobnicate." err
'

test_done
