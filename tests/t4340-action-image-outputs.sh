#!/bin/sh
# t4340: the action's outputs input writes the image into the workspace
# for a later step, as build-push-action users write it: type=docker
# (a `docker load` archive that runs) and type=oci,tar=false (a complete
# OCI layout that skopeo and umoci read alone), with and without a push.
# What is not supported, and a path outside the workspace, is exit 3
# naming the input, before anything is built or pushed.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-docker.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1
start_dockerd || say "no Docker engine: the docker load + run test is skipped"
command -v umoci >/dev/null && test_set_prereq UMOCI

BASE="BASE=$REGISTRY/busybox:1.35"

test_expect_success 'setup: a tag checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'docker and oci outputs, pushed too' '
	run_action images="$ACTION_IMAGE" tags="type=semver,pattern={{version}}" build-args="$BASE" \
		outputs="type=docker,dest=out/image.tar
type=oci,dest=./out/layout,tar=false" || { cat action.out action.err; false; } &&
	test -f ws/out/image.tar && test -f ws/out/layout/index.json &&
	registry_digest octo-org/video-streaming:1.2.3 >pushed &&
	action_output digest >built && test_cmp pushed built
'

test_expect_success 'the oci output is complete: skopeo and umoci read it alone' '
	m=$(jq -r ".manifests[0].digest" ws/out/layout/index.json) &&
	echo "$m" >expect && test_cmp built expect &&
	jq -r ".config.digest, .layers[].digest" "$(oci_blob ws/out/layout "$m")" >blobs &&
	test_line_count blobs -ge 3 &&
	while read d; do test -f "$(oci_blob ws/out/layout "$d")" || return 1; done <blobs &&
	skopeo --policy "$(_img_policy)" copy --quiet "oci:ws/out/layout" docker-archive:copy.tar:x:1 &&
	{ ! test_have_prereq UMOCI ||
	  { r=$(jq -r ".manifests[0].annotations[\"org.opencontainers.image.ref.name\"]" ws/out/layout/index.json) &&
	    umoci unpack --rootless --image "ws/out/layout:$r" bundle >/dev/null &&
	    test -x bundle/rootfs/bin/busybox && test -f bundle/rootfs/srv/server.sh; }; }
'

test_expect_success DOCKER 'docker load of the docker output, then docker run' '
	"$DOCKER" load -i ws/out/image.tar >loaded &&
	grep -F "$ACTION_IMAGE:1.2.3" loaded &&
	container_run "$ACTION_IMAGE:1.2.3" cat /srv/server.sh >server.sh &&
	test_cmp up/src/server.sh server.sh
'

test_expect_success 'without a push (push: false): the outputs only' '
	run_action images="$ACTION_IMAGE-local" tags="type=semver,pattern={{version}}" build-args="$BASE" \
		push=false outputs="docker:local.tar" || { cat action.out action.err; false; } &&
	tar -xOf ws/local.tar manifest.json | jq -e ".[0].RepoTags | index(\"$ACTION_IMAGE-local:1.2.3\")" &&
	test_exit_code 1 registry_digest octo-org/video-streaming-local:1.2.3 2>/dev/null
'

# bad_output VALUE WANT: exit 3, one error line naming the input and WANT, nothing built or pushed
bad_output() {
	rm -rf ws/bad &&
	test_exit_code 3 run_action images="$ACTION_IMAGE-bad" tags="type=semver,pattern={{version}}" \
		build-args="$BASE" outputs="$1" &&
	grep "^error: " action.err >errors && test_line_count errors = 1 &&
	grep -F "input 'outputs'" errors && grep -F -e "$2" errors &&
	! grep "^digest: " action.out &&
	! test -e ws/bad
}

test_expect_success 'a path outside the workspace: exit 3 naming the input' '
	bad_output "type=docker,dest=../escape.tar" "is not a path inside the workspace" &&
	! test -e escape.tar &&
	bad_output "type=oci,dest=/tmp/t4340-elsewhere,tar=false" "is outside the workspace" &&
	! test -e /tmp/t4340-elsewhere &&
	bad_output "oci:bad/../../up" "is not a path inside the workspace"
'

test_expect_success 'a symbolic link in the repository does not carry an output out of the workspace' '
	mkdir -p outside &&
	ln -s "$TRASH/outside" ws/linked &&
	ln -s "$TRASH/outside/file.tar" ws/file-link.tar &&
	bad_output "type=docker,dest=linked/image.tar" "goes through the symbolic link '"'"'linked'"'"'" &&
	bad_output "type=oci,dest=linked/layout,tar=false" "goes through the symbolic link" &&
	bad_output "docker:file-link.tar" "goes through the symbolic link '"'"'file-link.tar'"'"'" &&
	! test -e outside/image.tar && ! test -e outside/layout && ! test -e outside/file.tar &&
	rm ws/linked ws/file-link.tar
'

test_expect_success 'what is not supported says so: exit 3 each' '
	bad_output "type=oci,dest=bad/img.tar" "an OCI tar archive is not supported: add tar=false" &&
	bad_output "type=local,dest=bad" "type=local is not supported" &&
	bad_output "type=registry" "the push input pushes to the tags" &&
	bad_output "type=docker,dest=bad/a.tar,compression=zstd" "compression" &&
	bad_output "type=docker,dest=bad/a.tar
type=docker,dest=bad/b.tar" "a second docker output"
'

test_expect_success 'a docker output of two platforms: exit 3' '
	rm -rf ws/bad &&
	test_exit_code 3 run_action images="$ACTION_IMAGE-bad" tags="type=semver,pattern={{version}}" \
		build-args="$BASE" platforms=linux/amd64,linux/arm64 outputs="type=docker,dest=bad/a.tar" &&
	grep "^error: input .outputs.: a docker archive holds one platform" action.err &&
	! test -e ws/bad
'

test_done
