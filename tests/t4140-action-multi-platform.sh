#!/bin/sh
# t4140: `platforms: linux/amd64,linux/arm64` builds the image once per
# platform, each on its platform's base from the base image's index, and
# pushes an OCI index over both under every tag; the digest output is the
# index's, and `docker pull` picks the host's platform, which runs.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
make_multiplatform_base "$TRASH/multi" >/dev/null || exit 1
push_base "$TRASH/multi" busybox-multi:1 >/dev/null || exit 1
start_github_api || exit 1
start_dockerd || say "no Docker engine: the docker pull + run test is skipped"

test_expect_success 'setup: the tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'two platforms: the action builds both and pushes an index (exit 0)' '
	run_action images="$ACTION_IMAGE" platforms="linux/amd64, linux/arm64" \
		build-args="BASE=$REGISTRY/busybox-multi:1" tags="type=semver,pattern={{version}}" ||
	{ cat action.out action.err; false; }
'

test_expect_success 'the registry has an OCI index with both platforms under each tag' '
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$ACTION_IMAGE:1.2.3" >index &&
	jq -e ".mediaType == \"application/vnd.oci.image.index.v1+json\"" index &&
	jq -r ".manifests[] | .platform.os + \"/\" + .platform.architecture" index | sort >plats &&
	printf "%s\n" linux/amd64 linux/arm64 >expect && test_cmp expect plats &&
	registry_digest octo-org/video-streaming:latest >d &&
	action_output digest >digest && test_cmp digest d &&
	echo "sha256:$(sha256sum <index | cut -d" " -f1)" >d && test_cmp digest d
'

test_expect_success 'each platform image has its own config and the labels' '
	for arch in amd64 arm64; do
		skopeo inspect --config --override-arch $arch --cert-dir "$REGISTRY_CERT_DIR" \
			--creds "$REG_USER:$REG_PASS" "docker://$ACTION_IMAGE:1.2.3" >config-$arch &&
		jq -e ".architecture == \"$arch\"" config-$arch &&
		jq -e ".config.Labels[\"org.opencontainers.image.version\"] == \"1.2.3\"" config-$arch ||
		return 1
	done
'

test_expect_success 'metadata and summary describe the index' '
	action_output metadata >metadata &&
	jq -e ".\"containerimage.descriptor\".mediaType == \"application/vnd.oci.image.index.v1+json\"" metadata &&
	grep -F "| digest | \`$(cat digest)\` |" "$ACTION_SUMMARY" &&
	ls -A "$TRASH/tmp" >left && test_must_fail test -s left
'

test_expect_success DOCKER 'docker pull + docker run of the tag (the host platform) serves the video' '
	serve_and_fetch "$ACTION_IMAGE:1.2.3" &&
	grep -i "^content-type: video/mp4" headers &&
	cmp video.mp4 ws/videos/SampleVideo.mp4
'

test_done
