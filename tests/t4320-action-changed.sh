#!/bin/sh
# t4320: the action's changed: true, the first job of a monorepo
# workflow: builds nothing, writes the output services (the changed
# services as a JSON list for a matrix job, as `publish changed --format
# json`), since the push event's before commit, changed-since, or each
# service's last NAME/v* tag; the services input; bad input.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-action.sh"
. "$TEST_DIR/lib-history.sh"

test_require ROOT
test_have_prereq GIT || test_skip_all "git is needed"
test_have_prereq JQ || command -v jq >/dev/null || test_skip_all "jq is needed"

# push_event BEFORE: the runner's files for a push to main from BEFORE to ws's HEAD
push_event() { action_push_main "$1" ws; }

test_expect_success 'setup: a monorepo of three services, checked out whole (fetch-depth: 0)' '
	git init -q mono && (cd mono &&
	hist_commit "base" services/history/Dockerfile &&
	hist_commit "base" services/video-streaming/Dockerfile &&
	hist_commit "base" services/metadata/Dockerfile &&
	hist_tag history/v0.3.1 && git tag start &&
	hist_commit "video" services/video-streaming/main.c &&
	hist_commit "lib" libs/common/a.c && hist_tag metadata/v1.0.0 &&
	hist_commit "history" services/history/main.c) &&
	git clone -q "file://$TRASH/mono" ws && chown -R "$RUNNER_UID:$RUNNER_UID" ws
'

test_expect_success 'on a push: the services changed since before, as the output services' '
	push_event $(git -C mono rev-parse start) &&
	run_action changed=true || { cat action.out action.err; false; } &&
	action_output services >services.json &&
	jq -r ".[].name" services.json >names &&
	printf "%s\n" history video-streaming >want && test_cmp want names &&
	jq -e ".[0].image == \"ghcr.io/octo-org/video-streaming/history\" and .[0].path == \"services/history\" and .[0].dockerfile == \"services/history/Dockerfile\"" services.json &&
	grep "changed services: history, video-streaming" action.err
'

test_expect_success 'the same list as publish changed --format json, and no other output' '
	(cd mono && GITHUB_REPOSITORY=Octo-Org/Video-Streaming publish changed --since $(git rev-parse start) --format json) >cli.json &&
	jq -S . cli.json >a && jq -S . services.json >b && test_cmp a b &&
	output_names >written && echo services >want && test_cmp want written &&
	test ! -s "$ACTION_SUMMARY"
'

test_expect_success 'changed-since and the services input' '
	push_event $(git -C mono rev-parse start) &&
	run_action changed=true changed-since=metadata/v1.0.0 services="lib=libs/common
history=services/history,libs/common
video=services/video-streaming" || { cat action.err; false; } &&
	action_output services | jq -r ".[].name" >names &&
	echo history >want && test_cmp want names
'

test_expect_success 'a first push (before is zeros): each service since its last release tag' '
	push_event 0000000000000000000000000000000000000000 &&
	run_action changed=true || { cat action.err; false; } &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history video-streaming >want && test_cmp want names
'

test_expect_success 'nothing changed: an empty list, for the matrix job'"'"'s if:' '
	push_event $(git -C mono rev-parse HEAD) &&
	run_action changed=true &&
	test "$(action_output services)" = "[]"
'

test_expect_success 'bad input: a malformed service, a since naming no commit, a non-boolean changed (exit 3)' '
	push_event $(git -C mono rev-parse start) &&
	test_exit_code 3 run_action changed=true services=justaname &&
	grep "^error: invalid --service .justaname." action.err &&
	test_exit_code 3 run_action changed=true changed-since=no-such-ref &&
	grep "no-such-ref" action.err &&
	test_exit_code 3 run_action changed=maybe &&
	grep "^error: input .changed.: .maybe. is not a boolean" action.err
'

test_done
