#!/bin/sh
# t4352: a re-publish asks the token service once.  The build reads the
# base image and the previous image (from the repository it is about to
# push to), the prepush thread uploads the changed layer there, and the
# push sends the config, the manifest and the tag: the base's token
# request asks for repository:NAME:pull,push too (the run's push
# repositories on that registry ride along, registry.h
# registry_client_push_to), and that one token serves the rest, the
# thread's client sharing the build's tokens.  A run that reuses from
# another repository asks that one for pull only.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

REPO=octo-org/video-streaming
# tokens SCOPE: the token requests of the last run naming exactly SCOPE
tokens() { cut -f3 "$TOKEN_LOG" | grep -c "^$1\$" || :; }

test_expect_success 'setup: a first run pushes :main' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws &&
	run_action images="$ACTION_IMAGE" tags=type=raw,value=main build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
'

test_expect_success 'a commit changing one line of src/, checked out again' '
	sed "s/^# /# (changed) /" up/src/handle.sh >h && cat h >up/src/handle.sh &&
	git -C up commit -q -am "handle: one line" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 're-publish: one token request, for the base and the repository pushed to' '
	: >"$TOKEN_LOG" &&
	run_action images="$ACTION_IMAGE" tags=type=raw,value=main build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
	grep "reusing unchanged layers from .$ACTION_IMAGE@sha256:" action.err &&
	action_output metadata >metadata &&
	jq -e ".layers.pushed == 1" metadata &&
	cat "$TOKEN_LOG" &&
	test "$(tokens "repository:busybox:pull repository:$REPO:pull,push")" = 1 &&
	test "$(grep -c . "$TOKEN_LOG")" = 1
'

test_expect_success 'reuse from another repository: pull there, pull,push where it goes' '
	: >"$TOKEN_LOG" &&
	run_action images="$REGISTRY/third/video-streaming" tags=type=raw,value=main \
		reuse-from="$ACTION_IMAGE:main" build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
	grep "reusing unchanged layers from .$ACTION_IMAGE@sha256:" action.err &&
	cat "$TOKEN_LOG" &&
	test "$(tokens "repository:$REPO:pull")" = 1 &&
	grep "	repository:busybox:pull repository:third/video-streaming:pull,push	200$" "$TOKEN_LOG" &&
	! grep "repository:$REPO:pull,push" "$TOKEN_LOG"
'

test_done
