#!/bin/sh
# t4401: publish changed reads the push event's before from the payload
# as the rest of publish reads a payload: 64 MiB at most (exit 3, one
# line naming it), and before taken only when it is a commit id (40 or
# 64 hex digits), not any revision a payload may carry.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_have_prereq GIT || test_skip_all "git is needed to make the test repository"

test_expect_success 'a repository of two services, one changed since its release' '
	git init -q Mono && cd Mono &&
	hist_commit "base" services/a/Dockerfile &&
	hist_commit "base" services/b/Dockerfile &&
	hist_tag a/v1.0.0 &&
	hist_tag b/v1.0.0 &&
	hist_commit "a" services/a/main.c &&
	cd ..
'

test_expect_success 'a before that is a revision, not a commit id, is not taken: the release tags' '
	printf "{\"before\": \"HEAD\"}\n" >event.json &&
	(cd Mono && env GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$TRASH/event.json publish changed) >out &&
	echo a >want && test_cmp want out
'

test_expect_success 'a payload over 64 MiB is refused, one line naming it, exit 3' '
	{ printf "{\"before\": \"%s\", \"x\": \"" $(git -C Mono rev-parse HEAD~1) &&
	  head -c 67200000 /dev/zero | tr "\0" "a" && printf "\"}\n"; } >big.json &&
	(cd Mono && test_exit_code 3 env GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$TRASH/big.json \
		publish changed) >out 2>err &&
	cat err && test_line_count err = 1 &&
	grep "^error: event payload .*big.json. (GITHUB_EVENT_PATH) is larger than 64 MiB" err &&
	test ! -s out &&
	rm -f big.json
'

test_done
