#!/bin/sh
# t4321: the action's changed: true on actions/checkout's default depth-1
# checkout, which lacks the push event's before commit: the changed files
# come from the GitHub API's comparison (a fixture on 127.0.0.1 answering
# from the whole repository with git) with the token input, so the
# services output is the whole clone's; without an API, a warning and
# every service listed, never an empty matrix by mistake.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-action.sh"
. "$TEST_DIR/lib-history.sh"

test_require ROOT
test_have_prereq GIT || test_skip_all "git is needed"
test_require PYTHON
command -v jq >/dev/null || test_skip_all "jq is needed"

# push_event BEFORE: the runner's files for a push to main from BEFORE to mono's HEAD
push_event() { action_push_main "$1" mono; }

test_expect_success 'setup: a monorepo of three services, checked out at depth 1' '
	git init -q mono && (cd mono &&
	hist_commit "base" services/history/Dockerfile &&
	hist_commit "base" services/video-streaming/Dockerfile &&
	hist_commit "base" services/metadata/Dockerfile &&
	git tag start &&
	hist_commit "video" services/video-streaming/main.c &&
	hist_commit "lib" libs/common/a.c &&
	hist_commit "history" services/history/main.c) &&
	git clone -q --depth 1 "file://$TRASH/mono" ws && test -f ws/.git/shallow &&
	chown -R "$RUNNER_UID:$RUNNER_UID" ws
'

start_git_api mono octo-org/video-streaming || test_skip_all "fixture server did not start"

test_expect_success 'a push whose before the checkout lacks: the API compares, with the token input' '
	push_event $(git -C mono rev-parse start) &&
	ACTION_API_URL=http://127.0.0.1:$GIT_API_PORT REG_PASS=t0ken run_action changed=true ||
		{ cat action.out action.err; false; } &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history video-streaming >want && test_cmp want names &&
	grep "^/repos/Octo-Org/Video-Streaming/compare/$(git -C mono rev-parse start)\.\.\.$(git -C mono rev-parse HEAD)?per_page=100&page=1 Bearer t0ken$" requests.log &&
	! grep "warning" action.err
'

test_expect_success 'the token of another registry never goes to the GitHub API' '
	push_event $(git -C mono rev-parse start) &&
	: >requests.log &&
	ACTION_API_URL=http://127.0.0.1:$GIT_API_PORT REG_PASS=t0ken run_action changed=true registry=docker.io ||
		{ cat action.err; false; } &&
	test ! -s requests.log &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want names
'

test_expect_success 'no API to ask: a warning, every service in the output' '
	push_event $(git -C mono rev-parse start) &&
	REG_PASS=t0ken run_action changed=true || { cat action.err; false; } &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want names &&
	grep "::warning.*cannot tell which services changed since the push event.s before commit" action.out action.err
'

test_done
