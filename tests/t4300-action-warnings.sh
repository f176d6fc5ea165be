#!/bin/sh
# t4300: in action mode every warning is also a ::warning:: annotation
# (stdout, where the runner reads workflow commands), so it shows in the
# run's summary; stderr keeps the plain `warning:` line.  And the input
# insecure-registries: checked, one line and exit 3 when it is not a host.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1
BASE_ARG=BASE=$REGISTRY/busybox:1.35

test_expect_success 'setup: a tag checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'a build-arg no ARG uses: warning on stderr and an annotation on stdout' '
	run_action images="$ACTION_IMAGE" build-args="$BASE_ARG
UNUSED_ARG=1" push=false &&
	grep "^warning: .*--build-arg UNUSED_ARG is not used by any ARG$" action.err &&
	grep "^::warning::.*--build-arg UNUSED_ARG is not used by any ARG$" action.out &&
	test "$(grep -c "^warning: " action.err)" = "$(grep -c "^::warning" action.out)"
'

test_expect_success 'a run without warnings prints no annotation' '
	action_event push-tag ws &&
	run_action images="$ACTION_IMAGE" build-args="$BASE_ARG" push=false &&
	! grep "^warning: " action.err &&
	! grep "^::warning" action.out
'

test_expect_success 'a warning about the inputs: an annotation without a file' '
	action_event push-tag ws &&
	run_action images="$ACTION_IMAGE" build-args="$BASE_ARG" push=false tags="type=raw,value=x,enable=false" &&
	grep "^warning: no Docker image version has been generated" action.err &&
	grep "^::warning::no Docker image version has been generated, check the tags input$" action.out
'

test_expect_success 'insecure-registries: a URL instead of a host is refused, exit 3' '
	action_event push-tag ws &&
	test_exit_code 3 run_action images="$ACTION_IMAGE" push=false \
		insecure-registries="registry.local:5000, http://other.local" &&
	grep "^error: input .insecure-registries.: .http://other.local. is not a registry host\[:port\] (no scheme, no path)$" action.err &&
	test "$(grep -c "^error: " action.err)" = 1
'

test_done
