#!/bin/sh
# t4351: the action uploads a layer while it builds the next one (its log
# says the first layer was pushed before the last one was written), the
# push then sends only the rest, and the report counts every layer.  A
# layer upload that fails stops the build: no manifest, no tag.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1
start_fault_proxy || exit 1

# line ERE: the number of the first line of action.err matching ERE
line() { grep -n -m1 -E "$1" action.err | cut -d: -f1; }

test_expect_success 'setup: a small first layer, a large compressible last one' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws &&
	mkdir -p ws/small ws/big &&
	echo "small" >ws/small/a &&
	i=0 && while [ $i -lt 6 ]; do
		head -c 6000000 /dev/urandom | base64 >ws/big/part$i || return 1
		i=$((i + 1))
	done &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY small /small/" "COPY big /big/" >ws/Dockerfile.overlap
'

test_expect_success 'the first layer is pushed before the last is written' '
	run_action images="$ACTION_IMAGE" tags=type=raw,value=overlap file=Dockerfile.overlap ||
	{ cat action.out action.err; false; }
	small=$(sed -n "s/^.*Dockerfile.overlap:2 COPY: \(sha256:[0-9a-f]*\),.*/\1/p" action.err) &&
	big=$(sed -n "s/^.*Dockerfile.overlap:3 COPY: \(sha256:[0-9a-f]*\),.*/\1/p" action.err) &&
	test -n "$small" && test -n "$big" &&
	test "$(line "^pushed  $small ")" -lt "$(line "Dockerfile.overlap:3 COPY: ")" &&
	test "$(line "Dockerfile.overlap:3 COPY: ")" -lt "$(line "^pushed  $big ")" &&
	test "$(grep -c "^pushed  $small " action.err)" = 1 &&
	test "$(grep -c "^pushed  $big " action.err)" = 1 &&
	action_output metadata >metadata &&
	jq -e ".layers.pushed == 2" metadata &&
	action_output digest >digest &&
	registry_digest octo-org/video-streaming:overlap >d && test_cmp digest d
'

test_expect_success 'a failed layer upload stops the build: no manifest, no tag' '
	fault_set "400,method=PUT,path=/blobs/uploads/" &&
	: >"$FAULT_LOG" &&
	test_must_fail run_action registry="$FAULT_PROXY" images="$FAULT_PROXY/octo-org/failed" \
		tags=type=raw,value=x file=Dockerfile.overlap &&
	grep "^::error::" action.out &&
	test "$(fault_log_count PUT "/blobs/uploads/" 400)" -ge 1 &&
	test "$(fault_log_count PUT "/manifests/")" = 0 &&
	! grep "Dockerfile.overlap:3 COPY: " action.err &&
	fault_set ""
'

test_done
