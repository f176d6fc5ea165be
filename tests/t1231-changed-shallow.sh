#!/bin/sh
# t1231: publish changed in a depth-1 clone (actions/checkout's default),
# which lacks the commit to compare with: the GitHub API (a fixture on
# 127.0.0.1 that answers from the whole repository with git) gives the
# changed files (compare/BASE...HEAD) and the release tags, so the list is
# the whole clone's, for --since, the push event's before and the release
# tags; without a token, with a failing API or a cut list of files: a
# warning and every service listed, never a silently empty list.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-history.sh"
test_require GIT PYTHON
command -v jq >/dev/null || test_skip_all "jq is needed"

test_expect_success 'a repository of three services and a library' '
	git init -q full && cd full &&
	hist_commit "base" services/history/Dockerfile &&
	hist_commit "base" services/video-streaming/Dockerfile &&
	hist_commit "base" services/metadata/Dockerfile &&
	hist_commit "x" services/metadata/x.c &&
	git tag start &&
	hist_tag history/v0.3.1 -a &&
	hist_commit "video" services/video-streaming/main.c &&
	git tag mid &&
	hist_commit "lib" libs/common/a.c &&
	hist_tag metadata/v1.0.0 &&
	git mv services/metadata/x.c libs/common/x.c && hist_tick && git commit -q -m "move x" &&
	git tag moved &&
	hist_commit "readme" README &&
	cd .. &&
	git clone -q "file://$TRASH/full" whole &&
	git clone -q --depth 1 "file://$TRASH/full" shallow &&
	test -f shallow/.git/shallow &&
	test_must_fail git -C shallow rev-parse --verify -q start^{commit}
'

start_git_api full acme/shop || test_skip_all "fixture server did not start"

# changed DIR [args...]: publish changed --format json in DIR, with the API and a token
changed() {
	dir=$1 && shift &&
	(cd $dir && env GITHUB_REPOSITORY=acme/shop GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT GITHUB_TOKEN=t0ken \
		publish changed --format json --all "$@")
}

test_expect_success '--since a commit the clone lacks: the API compares, the whole clone'"'"'s list' '
	for since in start mid history/v0.3.1 metadata/v1.0.0 moved; do
		changed whole --since $(git -C full rev-parse $since) >want.json 2>err &&
		changed shallow --since $(git -C full rev-parse $since) >got.json 2>>err &&
		jq -c ".[] | [.name, .changed]" want.json >want &&
		jq -c ".[] | [.name, .changed]" got.json >got &&
		echo "$since: $(tr -d "\n" <got)" >>lists &&
		test_cmp want got || return 1
	done &&
	! grep -i warning err &&
	grep "^metadata/v1.0.0: .*\[\"metadata\",true\]" lists &&
	grep "^mid: .*\[\"video-streaming\",false\]" lists &&
	grep "^start: .*\[\"video-streaming\",true\]" lists
'

test_expect_success 'a rename out of a service changes it (the previous name counts)' '
	changed shallow --since metadata/v1.0.0 | jq -r ".[] | select(.changed) | .name" >names &&
	grep -x metadata names &&
	changed shallow --since moved | jq -r ".[] | select(.changed) | .name" >names &&
	test ! -s names
'

test_expect_success 'the token goes to the compare endpoint, pages of 100' '
	grep "^/repos/acme/shop/compare/[0-9a-f]*\.\.\.[0-9a-f]*?per_page=100&page=1 Bearer t0ken$" requests.log
'

test_expect_success 'a push event whose before the clone lacks: compared through the API' '
	printf "{\"before\": \"%s\"}\n" $(git -C full rev-parse mid) >event.json &&
	for d in whole shallow; do
		(cd $d && env GITHUB_REPOSITORY=acme/shop GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT GITHUB_TOKEN=t0ken \
			GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$TRASH/event.json publish changed) >$d.out 2>>err || return 1
	done &&
	test_cmp whole.out shallow.out &&
	echo metadata >want && test_cmp want shallow.out &&
	! grep -i warning err
'

test_expect_success 'no --since, no event: each service since its release tag, from the API' '
	changed whole >want.json &&
	: >requests.log &&
	changed shallow >got.json 2>err &&
	jq -c ".[] | [.name, .changed, .since]" want.json >want &&
	jq -c ".[] | [.name, .changed, .since]" got.json >got &&
	test_cmp want got &&
	grep -F "[\"history\",false,\"history/v0.3.1\"]" got &&
	grep -F "[\"metadata\",true,\"metadata/v1.0.0\"]" got &&
	grep -F "[\"video-streaming\",true,null]" got &&
	! grep -i warning err &&
	grep "^/repos/acme/shop/compare/[0-9a-f]*\.\.\." requests.log &&
	! grep "compare/[a-z]" requests.log
'

test_expect_success 'no token: a warning naming the base, every service listed' '
	(cd shallow && env GITHUB_REPOSITORY=acme/shop GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT \
		publish changed --since $(git -C ../full rev-parse moved)) >out 2>err &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want out &&
	grep "^warning: cannot tell which services changed since --since [0-9a-f]*: the checkout is shallow and there is no GitHub API URL or token.*fetch-depth: 0" err &&
	test_line_count err = 1
'

test_expect_success 'no token, release tags: a warning for each service, all listed' '
	(cd shallow && env GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT publish changed) >out 2>err &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want out &&
	test $(grep -c "^warning: cannot find the last release tag" err) = 3
'

test_expect_success 'a failing API: the reason in the warning, every service listed' '
	echo fail >mode &&
	changed shallow --since $(git -C full rev-parse moved) >got.json 2>err &&
	echo ok >mode &&
	jq -r ".[] | select(.changed) | .name" got.json >names &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want names &&
	grep "^warning: cannot tell which services changed.*answered HTTP 500" err
'

test_expect_success 'a cut list of files (300): a warning, every service listed' '
	echo many >mode &&
	changed shallow --since $(git -C full rev-parse moved) >got.json 2>err &&
	echo ok >mode &&
	jq -r ".[] | select(.changed) | .name" got.json >names &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want names &&
	grep "^warning: cannot tell.*at most 300 files" err
'

test_expect_success '--since naming no commit, not even for the API: exit 3, one line' '
	(cd shallow && GITHUB_REPOSITORY=acme/shop GITHUB_API_URL=http://127.0.0.1:$GIT_API_PORT GITHUB_TOKEN=t0ken &&
	 export GITHUB_REPOSITORY GITHUB_API_URL GITHUB_TOKEN &&
	 test_exit_code 3 publish changed --since nope) 2>err &&
	grep "^error: --since .nope. names no commit of the repository (this shallow checkout lacks it" err &&
	test_line_count err = 1
'

test_done
