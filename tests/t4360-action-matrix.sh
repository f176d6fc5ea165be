#!/bin/sh
# t4360: a matrix of jobs, simulated.  Two runs of the action with
# push-by-digest: true, one platform each, push their image with no tag
# and output its digest; a third run with merge: true and their digests
# makes the index and moves meta's tags.  That index has the digest one
# two-platform run of the same commit gives.  Bad input to the merge (a
# digest the repository lacks, two images of one platform, no digests,
# merge and push-by-digest together): one error line naming the input,
# the documented exit code, no tag moved.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
command -v jq >/dev/null || test_skip_all "no jq"
action_require_pieces
action_setup_registry
make_multiplatform_base "$TRASH/multi" >/dev/null || exit 1
push_base "$TRASH/multi" busybox-multi:1 >/dev/null || exit 1
start_github_api || exit 1

BASE_ARG="BASE=$REGISTRY/busybox-multi:1"
RULES="type=semver,pattern={{version}}"

# tags REPO: the repository's tags, sorted, one a line (none: no line;
# the registry answers 404 NAME_UNKNOWN for a repository without a tag)
tags() {
	_tok=$(registry_token -u "$REG_USER:$REG_PASS" "repository:$1:pull") &&
	_code=$(reg_curl -o tags.json -w "%{http_code}" -H "Authorization: Bearer $_tok" \
		"https://$REGISTRY/v2/$1/tags/list") &&
	case $_code in
	200) jq -r ".tags // [] | .[]" tags.json | sort ;;
	404) jq -e ".errors[0].code == \"NAME_UNKNOWN\"" tags.json >/dev/null ;;
	*) cat tags.json >&2; return 1 ;;
	esac
}

# one_error: action.err holds exactly one error line, naming input $1
one_error() {
	grep "^error: " action.err >errors &&
	test_line_count errors = 1 &&
	grep "input '$1'" errors || { cat action.err; false; }
}

test_expect_success 'setup: the tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'one two-platform run (the reference digest)' '
	run_action images="$REGISTRY/octo-org/one-job" platforms="linux/amd64,linux/arm64" \
		build-args="$BASE_ARG" tags="$RULES" || { cat action.out action.err; false; }
	action_output digest >one.digest &&
	registry_digest octo-org/one-job:1.2.3 >d && test_cmp one.digest d
'

for arch in amd64 arm64; do
	test_expect_success "matrix job linux/$arch: push-by-digest outputs the digest, creates no tag" '
		run_action images="$ACTION_IMAGE" platforms=linux/'$arch' push-by-digest=true \
			build-args="$BASE_ARG" tags="$RULES" || { cat action.out action.err; false; }
		action_output digest >'$arch'.digest &&
		grep -q "^sha256:[0-9a-f]\{64\}$" '$arch'.digest &&
		skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
			"docker://$ACTION_IMAGE@$(cat '$arch'.digest)" >raw &&
		jq -e ".mediaType == \"application/vnd.oci.image.manifest.v1+json\"" raw &&
		tags octo-org/video-streaming >t && test_line_count t = 0 &&
		! grep "^tagged" action.err
	'
done

test_expect_success 'bad merge: merge without digests is exit 3 naming digests' '
	test_exit_code 3 run_action images="$ACTION_IMAGE" merge=true tags="$RULES" &&
	one_error digests &&
	tags octo-org/video-streaming >t && test_line_count t = 0
'

test_expect_success 'bad merge: merge and push-by-digest together is exit 3' '
	test_exit_code 3 run_action images="$ACTION_IMAGE" merge=true push-by-digest=true \
		digests="$(cat amd64.digest)" tags="$RULES" &&
	grep "^error: inputs .merge. and .push-by-digest. are both true" action.err
'

test_expect_success 'the merge job: the same index digest as the one two-platform run, tags moved' '
	run_action images="$ACTION_IMAGE" merge=true tags="$RULES" \
		digests="$(cat arm64.digest)
$(cat amd64.digest)" || { cat action.out action.err; false; }
	action_output digest >merged.digest &&
	test_cmp one.digest merged.digest &&
	registry_digest octo-org/video-streaming:1.2.3 >d && test_cmp merged.digest d &&
	registry_digest octo-org/video-streaming:latest >d && test_cmp merged.digest d &&
	printf "%s\n" 1.2.3 latest >expect && tags octo-org/video-streaming >t && test_cmp expect t &&
	action_output image >image &&
	echo "$ACTION_IMAGE@$(cat merged.digest)" >expect && test_cmp expect image
'

test_expect_success 'a third job of linux/amd64 with other labels (another amd64 digest)' '
	run_action images="$ACTION_IMAGE" platforms=linux/amd64 push-by-digest=true \
		labels=variant=two build-args="$BASE_ARG" tags="$RULES" || { cat action.out action.err; false; }
	action_output digest >amd64-2.digest &&
	! test_cmp amd64.digest amd64-2.digest
'

test_expect_success 'bad merge: two images of one platform is exit 3 naming digests, no tag moved' '
	test_exit_code 3 run_action images="$ACTION_IMAGE" merge=true tags="$RULES" \
		digests="$(cat amd64.digest),$(cat amd64-2.digest),$(cat arm64.digest)" &&
	one_error digests && grep "linux/amd64" errors &&
	registry_digest octo-org/video-streaming:1.2.3 >d && test_cmp merged.digest d &&
	registry_digest octo-org/video-streaming:latest >d && test_cmp merged.digest d
'

test_expect_success 'bad merge: a digest the repository lacks is exit 7 naming digests, no tag moved' '
	missing=sha256:$(echo nothing | sha256sum | cut -d" " -f1) &&
	test_exit_code 7 run_action images="$ACTION_IMAGE" merge=true tags="$RULES" \
		digests="$(cat amd64-2.digest)
$missing" &&
	one_error digests && grep "$missing" errors &&
	registry_digest octo-org/video-streaming:1.2.3 >d && test_cmp merged.digest d &&
	registry_digest octo-org/video-streaming:latest >d && test_cmp merged.digest d
'

test_expect_success 'bad merge: a malformed digest is exit 3 naming digests, before anything' '
	test_exit_code 3 run_action images="$ACTION_IMAGE" merge=true tags="$RULES" digests="sha256:abc" &&
	one_error digests && grep "sha256:abc" errors &&
	registry_digest octo-org/video-streaming:1.2.3 >d && test_cmp merged.digest d
'

test_done
