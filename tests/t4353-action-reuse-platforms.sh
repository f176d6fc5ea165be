#!/bin/sh
# t4353: reuse per platform.  Two runs of a two-platform build on two
# commits where one line of src/ changes: the second reads the previous
# index (each platform's manifest and keys, build/reuse.h), reuses each
# platform's unchanged layers from its own manifest, builds the changed
# one per platform, and pushes an index whose digest is that of a cold
# full build of that commit (reuse-layers: false).  The layers reused are
# in no layout: the push finds them in the repository (no upload, no
# HEAD).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
make_multiplatform_base "$TRASH/multi" >/dev/null || exit 1
push_base "$TRASH/multi" busybox-multi:1 >/dev/null || exit 1
start_github_api || exit 1

REPO=octo-org/video-streaming
uploads() { grep -c "\"PUT /v2/$1/blobs/uploads/" "$REGISTRY_LOG" || :; }
# reused: how many layers the last run's log notes as reused
reused() { grep -c "Dockerfile:[0-9]* [A-Z]*: .*, reused$" action.err || :; }
publish_platforms() {
	run_action platforms="linux/amd64, linux/arm64" build-args="BASE=$REGISTRY/busybox-multi:1" \
		tags=type=raw,value=main "$@" || { cat action.out action.err; false; }
}

test_expect_success 'setup: a first two-platform run pushes an index' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws &&
	publish_platforms images="$ACTION_IMAGE" &&
	# nothing to reuse from the registry; the second platform takes the
	# layers of the first (the same bytes: built once)
	! grep "reusing unchanged layers from .$ACTION_IMAGE@" action.err &&
	test "$(reused)" = 3 &&
	test "$(grep -c "Dockerfile:[0-9]* [A-Z]*: .*bytes$" action.err)" = 3
'

test_expect_success 'a commit changing one line of src/, checked out again' '
	retag_changed up ws changed
'

test_expect_success 'second run: each platform reuses from its manifest, the changed layer built once' '
	before=$(uploads $REPO) &&
	publish_platforms images="$ACTION_IMAGE" &&
	test "$(grep -c "reusing unchanged layers from .$ACTION_IMAGE@sha256:" action.err)" = 2 &&
	test "$(reused)" = 5 &&
	test "$(grep -c "Dockerfile:[0-9]* COPY: .*bytes$" action.err)" = 1 &&
	# the changed layer (the same bytes for both platforms) and two configs
	test "$(($(uploads $REPO) - before))" = 3 &&
	action_output digest >d2
'

test_expect_success 'the same index digest as a cold full build of that commit' '
	publish_platforms images="$REGISTRY/cold/video-streaming" reuse-layers=false &&
	! grep "reusing unchanged layers from .$REGISTRY" action.err &&
	action_output digest >cold &&
	test_cmp d2 cold
'

test_done
