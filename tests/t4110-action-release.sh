#!/bin/sh
# t4110: a release published from the tag v1.2.3 (event "release"), as a
# release workflow runs the action: semver tags plus a raw one and
# latest=true, pushed to the TLS + token-auth registry.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1
start_dockerd || say "no Docker engine: the docker pull + run test is skipped"

test_expect_success 'setup: the release tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event release-published ws &&
	jq -e ".action == \"published\" and .release.tag_name == \"v1.2.3\"" \
		"$ACTION_RUNNER/work/_temp/_github_workflow/event.json"
'

test_expect_success 'the action publishes the release (exit 0)' '
	run_action images="$ACTION_IMAGE" build-args="BASE=$REGISTRY/busybox:1.35" \
		flavor="latest=true" tags="type=semver,pattern={{version}}
type=raw,value=stable" ||
	{ cat action.out action.err; false; }
'

test_expect_success 'outputs: version 1.2.3 and the three tags' '
	action_output version >version && echo 1.2.3 >expect && test_cmp expect version &&
	action_output tags | sort >tags &&
	printf "%s\n" "$ACTION_IMAGE:1.2.3" "$ACTION_IMAGE:latest" "$ACTION_IMAGE:stable" | sort >expect &&
	test_cmp expect tags
'

test_expect_success 'the registry has the three tags on the output digest' '
	registry_tags octo-org/video-streaming >have &&
	printf "%s\n" 1.2.3 latest stable >expect &&
	test_cmp expect have &&
	action_output digest >digest &&
	registry_digest octo-org/video-streaming:stable >d &&
	test_cmp digest d
'

test_expect_success 'the summary says published, the token is masked' '
	grep "Image published" "$ACTION_SUMMARY" &&
	grep -F "\`$ACTION_IMAGE:stable\`" "$ACTION_SUMMARY" &&
	head -n 1 action.out | grep -x -F "::add-mask::$REG_PASS" &&
	! grep -F "$REG_PASS" action.err "$ACTION_OUTPUT" "$ACTION_SUMMARY"
'

test_expect_success 'context: git reads the tag from the shallow checkout itself' '
	action_event release-published ws &&
	run_action images="$ACTION_IMAGE" build-args="BASE=$REGISTRY/busybox:1.35" \
		context=git push=false tags="type=semver,pattern={{version}}" &&
	action_output version >version && echo 1.2.3 >expect && test_cmp expect version &&
	action_output labels | grep "^org.opencontainers.image.revision=$(git -c safe.directory="*" -C ws rev-parse HEAD)$"
'

test_expect_success DOCKER 'docker pull + docker run of :stable serves the video' '
	serve_and_fetch "$ACTION_IMAGE:stable" &&
	grep -i "^content-type: video/mp4" headers &&
	cmp video.mp4 ws/videos/SampleVideo.mp4
'

test_done
