#!/bin/sh
# t4100: `git push origin v1.2.3` in a user's repository runs the action
# as the runner would: a shallow checkout owned by uid 1001, the push
# event's payload, GITHUB_* and INPUT_*, against a TLS + token-auth
# registry.  The image is built, pushed under every tag, the outputs and
# the step summary say so, the token never shows, `docker pull` + `docker
# run` of the tag serves the video, and a second run gives the same digest
# and uploads nothing.
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

TAGS='type=semver,pattern={{version}}
type=semver,pattern={{major}}.{{minor}}
type=sha'

test_expect_success 'setup: the tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'the action builds and pushes (exit 0)' '
	run_action images="$ACTION_IMAGE" tags="$TAGS" build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
'

test_expect_success 'the token is masked first and appears nowhere else' '
	head -n 1 action.out >first &&
	echo "::add-mask::$REG_PASS" >expect &&
	test_cmp expect first &&
	test "$(cat action.out action.err "$ACTION_OUTPUT" "$ACTION_SUMMARY" | grep -c -F "$REG_PASS")" = 1
'

test_expect_success 'each phase is a group' '
	grep "^::group::" action.out | sed "s/:.*::\(.*\)/\1/; s/^::group:://" >groups &&
	grep -c "^::group::" action.out >n && echo 3 >expect && test_cmp expect n &&
	grep -c "^::endgroup::$" action.out >n && test_cmp expect n &&
	grep "^::group::meta" action.out && grep "^::group::build" action.out &&
	grep "^::group::push" action.out
'

test_expect_success 'every output action.yml declares is written, and no other' '
	action_yml outputs | grep -vx services >declared &&	# services: changed: true only (t4320)
	output_names >written &&
	test_cmp declared written
'

test_expect_success 'outputs: version and tags as metadata-action gives them' '
	action_output version >version && echo 1.2.3 >expect && test_cmp expect version &&
	upstream_load && short=$(echo "$UP_TAG_SHA" | cut -c1-7) &&
	action_output tags | sort >tags &&
	printf "%s\n" "$ACTION_IMAGE:1.2" "$ACTION_IMAGE:1.2.3" "$ACTION_IMAGE:latest" \
		"$ACTION_IMAGE:sha-$short" | sort >expect &&
	test_cmp expect tags
'

test_expect_success 'outputs: labels, annotations and json' '
	action_output labels >labels &&
	grep "^org.opencontainers.image.version=1.2.3$" labels &&
	upstream_load && grep "^org.opencontainers.image.revision=$UP_TAG_SHA$" labels &&
	grep "^org.opencontainers.image.source=https://github.com/Octo-Org/Video-Streaming$" labels &&
	action_output annotations >annotations &&
	grep "org.opencontainers.image.version=1.2.3" annotations &&
	action_output json >json &&
	jq -e ".tags | length == 4" json &&
	jq -e ".labels[\"org.opencontainers.image.version\"] == \"1.2.3\"" json
'

test_expect_success 'outputs: digest, image (digest-pinned) and metadata' '
	action_output digest >digest &&
	grep -E "^sha256:[0-9a-f]{64}$" digest &&
	action_output image >image &&
	echo "$ACTION_IMAGE@$(cat digest)" >expect && test_cmp expect image &&
	action_output metadata >metadata &&
	jq -e ".pushed == true and .\"containerimage.digest\" == \"$(cat digest)\"" metadata &&
	jq -e ".layers.pushed >= 1" metadata
'

test_expect_success 'the registry has every tag, all on the digest of the outputs' '
	registry_tags octo-org/video-streaming >have &&
	upstream_load && short=$(echo "$UP_TAG_SHA" | cut -c1-7) &&
	printf "%s\n" 1.2 1.2.3 latest "sha-$short" | sort >expect &&
	test_cmp expect have &&
	for t in 1.2 1.2.3 latest "sha-$short"; do
		registry_digest "octo-org/video-streaming:$t" >d &&
		test_cmp digest d || return 1
	done
'

test_expect_success 'the image carries the labels and runs the service' '
	registry_config octo-org/video-streaming:1.2.3 >config &&
	jq -e ".config.Labels[\"org.opencontainers.image.version\"] == \"1.2.3\"" config &&
	jq -e ".config.Cmd == [\"/srv/server.sh\"]" config &&
	jq -e ".config.ExposedPorts | has(\"3000/tcp\")" config
'

test_expect_success 'the step summary: image, tags, digest, size, layers, time per phase' '
	grep "Image published" "$ACTION_SUMMARY" &&
	grep -F "| image | \`$(cat image)\` |" "$ACTION_SUMMARY" &&
	grep -F "\`$ACTION_IMAGE:1.2.3\`" "$ACTION_SUMMARY" &&
	grep -F "| digest | \`$(cat digest)\` |" "$ACTION_SUMMARY" &&
	grep -E "^\| size \| [0-9.]+ (B|KiB|MiB) \|$" "$ACTION_SUMMARY" &&
	grep -E "^\| layers \| [0-9]+ pushed, [0-9]+ mounted, [0-9]+ skipped" "$ACTION_SUMMARY" &&
	grep -E "^\| time \| meta [0-9.]+ s, build [0-9.]+ s, push [0-9.]+ s \|$" "$ACTION_SUMMARY" &&
	grep "fetch-depth: 0" "$ACTION_SUMMARY"
'

test_expect_success 'the shallow clone is noted in the log' '
	grep "checkout is shallow" action.err
'

test_expect_success 'nothing is left in the workspace or the temporary directory' '
	find ws ! -user 1001 >foreign && test_must_fail test -s foreign &&
	GIT_OPTIONAL_LOCKS=0 git -c safe.directory="*" -C ws status --porcelain --ignored >status &&
	test_must_fail test -s status &&
	ls -A "$TRASH/tmp" >left && test_must_fail test -s left
'

test_expect_success DOCKER 'docker pull + docker run of the pushed tag serves the video' '
	serve_and_fetch "$ACTION_IMAGE:1.2.3" &&
	grep -i "^content-type: video/mp4" headers &&
	cmp video.mp4 ws/videos/SampleVideo.mp4
'

test_expect_success 'the same commit again: the same digest, nothing uploaded' '
	cp digest digest.first &&
	action_event push-tag ws &&
	run_action images="$ACTION_IMAGE" tags="$TAGS" build-args="BASE=$REGISTRY/busybox:1.35" &&
	action_output digest >digest &&
	test_cmp digest.first digest &&
	action_output metadata >metadata &&
	jq -e ".layers.pushed == 0 and .bytes_pushed == 0" metadata
'

test_done
