#!/bin/sh
# t4350: the action reuses the unchanged layers of the image it is about
# to replace.  Two runs on two commits where one line of src/ changes:
# the first (no image yet) is a notice and a full build; the second
# reads the previous :main (its manifest and config), builds the one
# changed layer without opening the unchanged files (strace), uploads one
# layer blob and the config, and gives the digest of a cold full build of
# that commit; on a fresh runner (no cache) the previous image's record
# of the base's tree answers, no base layer is read.  A release's new
# version tag reuses from the image's
# other tags (the first that exists).  cache-from in build-push-action's
# form is taken (other types are ignored with a warning); reuse-layers:
# false builds all.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
action_require_pieces
action_setup_registry
start_github_api || exit 1

REPO=octo-org/video-streaming
# uploads REPO: the blob upload PUTs the registry has logged for REPO
uploads() { grep -c "\"PUT /v2/$1/blobs/uploads/" "$REGISTRY_LOG" || :; }
# reused: the Dockerfile lines the last run's log notes as reused
reused() { sed -n 's/^.*Dockerfile:\([0-9]*\) [A-Z]*: .*, reused$/\1/p' action.err | tr '\n' ' '; }

test_expect_success 'setup: the tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'first run: no previous image is a notice, every layer built' '
	run_action images="$ACTION_IMAGE" tags=type=raw,value=main build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
	grep "^::notice::no previous image .$ACTION_IMAGE:main. to reuse layers from" action.out &&
	test "$(reused)" = "" &&
	action_output digest >d1
'

test_expect_success 'a commit changing one line of src/, checked out again' '
	retag_changed up ws changed &&
	! git -C up diff --quiet HEAD~1 -- src/handle.sh
'

test_expect_success STRACE 'second run: the changed layer alone built, one layer uploaded, no unchanged file opened' '
	before=$(uploads $REPO) &&
	# not a shell script: a shell drops the INPUT_* names with a hyphen from the environment
	printf "#!%s\nimport os, sys\nos.execv(\"%s\", [\"strace\", \"-f\", \"-qq\", \"-o\", \"%s\", \"-e\", \"trace=open,openat\", \"%s\"] + sys.argv[1:])\n" \
		"$(command -v python3)" "$(command -v strace)" "$TRASH/trace" "$PUBLISH" >traced && chmod +x traced &&
	PUBLISH=$TRASH/traced run_action images="$ACTION_IMAGE" tags=type=raw,value=main \
		build-args="BASE=$REGISTRY/busybox:1.35" || { cat action.out action.err; false; }
	grep "reusing unchanged layers from .$ACTION_IMAGE@sha256:" action.err &&
	grep "Dockerfile:[0-9]* COPY: .*, reused$" action.err | grep -c . >n && echo 1 >expect && test_cmp expect n &&
	grep "Dockerfile:[0-9]* COPY: .*bytes$" action.err | grep -c . >n && test_cmp expect n &&
	test "$(($(uploads $REPO) - before))" = 2 &&
	action_output metadata >metadata &&
	jq -e ".layers.pushed == 1" metadata &&
	grep "handle.sh" "$TRASH/trace" | grep -v ENOENT &&
	! grep "SampleVideo.mp4" "$TRASH/trace" | grep -v ENOENT &&
	action_output digest >d2 &&
	! test_cmp d1 d2 >/dev/null
'

test_expect_success 'the same digest as a cold full build of that commit' '
	run_action images="$REGISTRY/cold/video-streaming" tags=type=raw,value=main reuse-layers=false \
		build-args="BASE=$REGISTRY/busybox:1.35" || { cat action.out action.err; false; }
	test "$(reused)" = "" &&
	! grep "no previous image" action.out &&
	action_output digest >cold &&
	test_cmp d2 cold
'

test_expect_success 'a new version tag: reused from the next tag that exists, only the config uploaded' '
	before=$(uploads $REPO) &&
	run_action images="$ACTION_IMAGE" tags="type=raw,value=9.9.9
type=raw,value=main" build-args="BASE=$REGISTRY/busybox:1.35" || { cat action.out action.err; false; }
	! grep "no previous image" action.out &&
	grep "reusing unchanged layers from .$ACTION_IMAGE@sha256:$(cut -c8- d2)" action.err &&
	! grep "Dockerfile:[0-9]* COPY: .*bytes$" action.err &&
	# the config differs (its version label is 9.9.9): the one blob sent
	test "$(uploads $REPO)" = "$((before + 1))" &&
	action_output digest >d9 &&
	test "$(registry_digest "$REPO:9.9.9")" = "$(cat d9)"
'

test_expect_success 'cache-from: type=registry,ref= is taken, type=gha ignored with a warning; cache-to: a notice' '
	before=$(uploads third/video-streaming) &&
	{ run_action images="$REGISTRY/third/video-streaming" tags=type=raw,value=main \
		cache-from="type=gha
type=registry,ref=$ACTION_IMAGE:main" cache-to="type=gha,mode=max" build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }; } &&
	grep "input .cache-from.: .type=gha. is ignored" action.err &&
	grep "input .cache-to. is not needed" action.err &&
	grep "reusing unchanged layers from .$ACTION_IMAGE@sha256:" action.err &&
	test "$(reused)" != "" &&
	! grep "Dockerfile:[0-9]* COPY: .*bytes$" action.err &&
	test "$(uploads third/video-streaming)" = "$((before + 1))" &&
	action_output digest >d3 &&
	test_cmp d2 d3
'

test_expect_success 'a fresh runner (empty home: no cache): the base'\''s layers are not read, the record answers' '
	rm -rf "$ACTION_RUNNER/work/_temp/_github_home" && mkdir "$ACTION_RUNNER/work/_temp/_github_home" &&
	skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/busybox:1.35" | jq -r ".Layers[]" >base-layers &&
	test -s base-layers &&
	retag_changed up ws "fresh runner" &&
	: >"$REGISTRY_LOG" &&
	run_action images="$ACTION_IMAGE" tags=type=raw,value=main build-args="BASE=$REGISTRY/busybox:1.35" ||
	{ cat action.out action.err; false; }
	grep "reusing unchanged layers from .$ACTION_IMAGE@sha256:" action.err &&
	grep "Dockerfile:[0-9]* COPY: .*bytes$" action.err | grep -c . >n && echo 1 >expect && test_cmp expect n &&
	while read -r l; do
		! grep "GET /v2/busybox/blobs/$l" "$REGISTRY_LOG" || return 1
	done <base-layers &&
	action_output digest >df &&
	run_action images="$REGISTRY/cold2/video-streaming" tags=type=raw,value=main reuse-layers=false \
		build-args="BASE=$REGISTRY/busybox:1.35" || { cat action.out action.err; false; }
	action_output digest >cold2 &&
	test_cmp df cold2
'

test_done
