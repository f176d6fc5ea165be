#!/bin/sh
# t4130: an error in the user's Dockerfile fails the step with exit 4, one
# error line, an ::error file=...,line=N:: annotation on that line (the
# path relative to the workspace, as GitHub shows it on the diff), a
# summary saying why, and nothing published.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

test_expect_success 'setup: a service whose Dockerfile has RUN on line 4' '
	make_upstream up &&
	mkdir -p up/services/api &&
	cp -R up/src up/services/api/src &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "# the API" "COPY src /srv/" \
		"RUN chmod +x /srv/server.sh" "CMD [\"/srv/server.sh\"]" >up/services/api/Dockerfile &&
	mkdir -p up/services/web &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY . /srv/" >up/services/web/Dockerfile &&
	printf "%s\n" "# generated files" "*.tmp" "[" >up/services/web/.dockerignore &&
	git -C up add services && git -C up commit -q -m "api service" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'the step fails with exit 4 and one error line' '
	test_exit_code 4 run_action images="$ACTION_IMAGE" working-directory=services/api &&
	grep "^error: " action.err >errors &&
	test_line_count errors = 1 &&
	grep "RUN" errors
'

test_expect_success 'the annotation points at services/api/Dockerfile line 4' '
	grep "^::error file=services/api/Dockerfile,line=4,title=Dockerfile::" action.out
'

test_expect_success 'the summary says why; nothing was pushed' '
	grep "publish failed" "$ACTION_SUMMARY" &&
	grep "RUN" "$ACTION_SUMMARY" &&
	! grep "^::group::push" action.out &&
	tok=$(registry_token -u "$REG_USER:$REG_PASS" "registry:catalog:*") &&
	reg_curl -H "Authorization: Bearer $tok" "https://$REGISTRY/v2/_catalog" >catalog &&
	jq -e ".repositories == [\"busybox\"]" catalog
'

test_expect_success 'a bad .dockerignore pattern: exit 5, annotated on its line' '
	action_event push-tag ws &&
	test_exit_code 5 run_action images="$ACTION_IMAGE" working-directory=services/web &&
	grep "^::error file=services/web/.dockerignore,line=3,title=.dockerignore::" action.out
'

test_expect_success 'a missing Dockerfile is a context error (exit 5) naming it' '
	action_event push-tag ws &&
	test_exit_code 5 run_action images="$ACTION_IMAGE" file=Dockerfile.prod &&
	grep "Dockerfile.prod" action.err &&
	grep "^::error::" action.out
'

test_expect_success 'nothing is left in the temporary directory' '
	ls -A "$TRASH/tmp" >left && test_must_fail test -s left
'

test_done
