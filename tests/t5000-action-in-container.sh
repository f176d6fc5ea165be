#!/bin/sh
# t5000: the whole path as a user meets it, the entrypoint inside its own
# container.  The action's image is made the way the release workflow
# makes it: action/rootfs.sh gathers build/publish, the libraries ldd
# lists, CA certificates and tzdata; `publish build` builds action/Dockerfile
# (FROM scratch, COPY rootfs/ /) and `publish push` pushes it.  Then, as the
# runner does for `runs: using: docker`, `docker run` of that image with
# the workspace (a shallow checkout owned by uid 1001) at /github/workspace,
# the file commands at /github/file_commands, the event at /github/workflow,
# GITHUB_* and INPUT_* passed with -e, against the TLS + token-auth
# registry.  The service it publishes is then pulled and run.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"
. "$TEST_DIR/lib-action.sh"

test_have_prereq ROOT || test_skip_all "needs root (dockerd, a checkout owned by another uid)"
action_require_pieces
command -v ldd >/dev/null || test_skip_all "no ldd to gather the action's libraries"
action_setup_registry
start_github_api || exit 1
start_dockerd || test_skip_all "no Docker engine here (see the reason above): the entrypoint cannot run in a container"

ACTION_REF=$REGISTRY/owner/publish-action:test

test_expect_success 'the action image: rootfs.sh, then publish build and publish push' '
	mkdir actimg &&
	cp "$ROOT/action/Dockerfile" actimg/ &&
	sh "$ROOT/action/rootfs.sh" "$PUBLISH" actimg/rootfs/amd64 &&
	test -x actimg/rootfs/amd64/usr/local/bin/publish &&
	test -s actimg/rootfs/amd64/etc/ssl/certs/ca-certificates.crt &&
	test -e actimg/rootfs/amd64/usr/share/zoneinfo/UTC &&
	publish build --context actimg --output oci:actimg.oci &&
	printf "%s\n" "$REG_PASS" |
		publish push --username "$REG_USER" --password-stdin oci:actimg.oci "$ACTION_REF"
'

test_expect_success 'it is FROM scratch: one layer, publish as the entrypoint' '
	registry_config owner/publish-action:test >config &&
	jq -e ".config.Entrypoint == [\"/usr/local/bin/publish\"]" config &&
	jq -e ".rootfs.diff_ids | length == 1" config
'

test_expect_success 'docker run of the action image runs publish (its libraries are all there)' '
	"$DOCKER" pull -q "$ACTION_REF" &&
	"$DOCKER" run --rm "$ACTION_REF" --version >version &&
	grep "^publish " version
'

test_expect_success 'setup: a tag push checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'the action runs in its container as the runner starts it (exit 0)' '
	run_action_container "$ACTION_REF" images="$ACTION_IMAGE" \
		build-args="BASE=$REGISTRY/busybox:1.35" tags="type=semver,pattern={{version}}
type=ref,event=tag" ||
	{ cat action.out action.err; false; }
'

test_expect_success 'the outputs file the runner reads: version, tags, digest, image' '
	action_output version >version && echo 1.2.3 >expect && test_cmp expect version &&
	action_output tags | sort >tags &&
	printf "%s\n" "$ACTION_IMAGE:1.2.3" "$ACTION_IMAGE:latest" "$ACTION_IMAGE:v1.2.3" | sort >expect &&
	test_cmp expect tags &&
	action_output digest >digest &&
	action_output image >image &&
	echo "$ACTION_IMAGE@$(cat digest)" >expect && test_cmp expect image
'

test_expect_success 'the registry has the tags on that digest' '
	registry_tags octo-org/video-streaming >have &&
	printf "%s\n" 1.2.3 latest v1.2.3 >expect && test_cmp expect have &&
	registry_digest octo-org/video-streaming:v1.2.3 >d && test_cmp digest d
'

test_expect_success 'summary, groups, masked token, the owner check lifted for the workspace' '
	grep "Image published" "$ACTION_SUMMARY" &&
	grep -F "| digest | \`$(cat digest)\` |" "$ACTION_SUMMARY" &&
	head -n 1 action.out | grep -x -F "::add-mask::$REG_PASS" &&
	! grep -F "$REG_PASS" action.err "$ACTION_OUTPUT" "$ACTION_SUMMARY" &&
	grep -c "^::group::" action.out | grep -x 3 &&
	grep "workspace ./github/workspace. belongs to uid 1001" action.err
'

test_expect_success 'the workspace is as the checkout left it' '
	find ws ! -user 1001 >foreign && test_must_fail test -s foreign &&
	GIT_OPTIONAL_LOCKS=0 git -c safe.directory="*" -C ws status --porcelain --ignored >status &&
	test_must_fail test -s status
'

test_expect_success 'docker pull + docker run of the published tag serves the video' '
	serve_and_fetch "$ACTION_IMAGE:1.2.3" &&
	grep -i "^content-type: video/mp4" headers &&
	cmp video.mp4 ws/videos/SampleVideo.mp4
'

test_done
