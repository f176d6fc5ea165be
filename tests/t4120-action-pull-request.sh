#!/bin/sh
# t4120: a pull request (event pull_request, the merge commit checked out
# like actions/checkout does) builds the image and reports it, and pushes
# nothing: push defaults to false there.  With no images input the image
# is ghcr.io/<owner>/<repo> lower-cased; metadata-action's default tags
# give pr-7.  Nothing may reach ghcr.io: a push attempt would fail the run.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

test_expect_success 'setup: the pull request merge commit checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up pr ws &&
	action_event pull-request ws &&
	git -c safe.directory="*" -C ws rev-parse HEAD >head &&
	upstream_load && echo "$UP_PR_MERGE_SHA" >expect && test_cmp expect head
'

test_expect_success 'the action builds and does not push (exit 0)' '
	run_action build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
'

test_expect_success 'the default image is ghcr.io/<owner>/<repo>, lower-cased; tag pr-7' '
	action_output tags >tags &&
	echo "ghcr.io/octo-org/video-streaming:pr-7" >expect &&
	test_cmp expect tags
'

test_expect_success 'the outputs give the digest built, and say it was not pushed' '
	action_output digest >digest &&
	grep -E "^sha256:[0-9a-f]{64}$" digest &&
	action_output metadata >metadata &&
	jq -e ".pushed == false and .layers.pushed == 0" metadata &&
	! grep "^::group::push" action.out &&
	grep "not pushing: pull requests build without pushing" action.err
'

test_expect_success 'the summary says built, not pushed' '
	grep "Image built, not pushed" "$ACTION_SUMMARY" &&
	grep "| layers | not pushed |" "$ACTION_SUMMARY" &&
	! grep -E "push [0-9.]+ s" "$ACTION_SUMMARY"
'

test_expect_success 'the registry got nothing: only the base is there' '
	tok=$(registry_token -u "$REG_USER:$REG_PASS" "registry:catalog:*") &&
	reg_curl -H "Authorization: Bearer $tok" "https://$REGISTRY/v2/_catalog" >catalog &&
	jq -e ".repositories == [\"busybox\"]" catalog
'

test_expect_success 'sep-tags is kept as given (a space is not trimmed away)' '
	action_event pull-request ws &&
	run_action build-args="BASE=$REGISTRY/busybox:1.35" "sep-tags= " tags="type=ref,event=pr
type=sha" &&
	upstream_load && short=$(echo "$UP_PR_MERGE_SHA" | cut -c1-7) &&
	action_output tags >tags &&
	echo "ghcr.io/octo-org/video-streaming:pr-7 ghcr.io/octo-org/video-streaming:sha-$short" >expect &&
	test_cmp expect tags
'

test_expect_success 'push: true on a pull request pushes (to the images given)' '
	action_event pull-request ws &&
	run_action images="$ACTION_IMAGE" push=true build-args="BASE=$REGISTRY/busybox:1.35" &&
	registry_tags octo-org/video-streaming >have &&
	echo pr-7 >expect && test_cmp expect have
'

test_done
