#!/bin/sh
# t4310: the tags input in build-push-action's meaning.  A line that is a
# full image reference (name:tag with a '/') is that tag; without an
# images input the images are the ones those tags name; metadata-action
# rules beside them apply to those images.  A reference for an image an
# explicit images input does not list is bad input (exit 3), and nothing
# is pushed.  Run as the runner runs the action, against the TLS +
# token-auth registry; the tags checked with skopeo.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

test_expect_success 'setup: the tag checked out like actions/checkout' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'full references only, no images input: exactly those tags are pushed' '
	run_action build-args="BASE=$REGISTRY/busybox:1.35" \
		tags="$REGISTRY/acme/app:1.2.3
$REGISTRY/acme/app:stable
$REGISTRY/acme/mirror:1.2.3" || { cat action.out action.err; false; }
	registry_tags acme/app >have &&
	printf "%s\n" 1.2.3 stable >expect && test_cmp expect have &&
	registry_tags acme/mirror >have &&
	echo 1.2.3 >expect && test_cmp expect have &&
	action_output digest >digest &&
	registry_digest acme/app:stable >d && test_cmp digest d &&
	registry_digest acme/mirror:1.2.3 >d && test_cmp digest d
'

test_expect_success 'the outputs: the tags as given, the version from the first' '
	action_output tags >tags &&
	printf "%s\n" "$REGISTRY/acme/app:1.2.3" "$REGISTRY/acme/app:stable" "$REGISTRY/acme/mirror:1.2.3" >expect &&
	test_cmp expect tags &&
	action_output version >version && echo 1.2.3 >expect && test_cmp expect version &&
	action_output json >json &&
	jq -e ".tags | length == 3" json &&
	jq -e ".labels[\"org.opencontainers.image.version\"] == \"1.2.3\"" json &&
	registry_config acme/app:stable >config &&
	jq -e ".config.Labels[\"org.opencontainers.image.version\"] == \"1.2.3\"" config &&
	! grep "no Docker image version" action.err
'

test_expect_success 'references and rules together: the rules tag the images the references name' '
	action_event push-tag ws &&
	run_action build-args="BASE=$REGISTRY/busybox:1.35" \
		tags="$REGISTRY/acme/both:edge
type=semver,pattern={{major}}.{{minor}}" || { cat action.out action.err; false; }
	registry_tags acme/both >have &&
	printf "%s\n" 1.2 edge latest | sort >expect && test_cmp expect have &&
	action_output version >version && echo 1.2 >expect && test_cmp expect version
'

test_expect_success 'a reference for an image the images input does not list: exit 3, one line, nothing pushed' '
	action_event push-tag ws &&
	test_exit_code 3 run_action images="$REGISTRY/acme/listed" build-args="BASE=$REGISTRY/busybox:1.35" \
		tags="$REGISTRY/acme/listed:1
$REGISTRY/acme/unlisted:1" &&
	grep "^error: " action.err >errors && test_line_count errors = 1 &&
	grep -F "error: input '\''tags'\'': '\''$REGISTRY/acme/unlisted:1'\'' is for the image '\''$REGISTRY/acme/unlisted'\'', which the images input does not list" errors &&
	registry_tags acme/listed >have 2>/dev/null && test_must_fail test -s have &&
	registry_tags acme/unlisted >have 2>/dev/null && test_must_fail test -s have
'

test_expect_success 'a listed image (written differently) takes its full-reference tag' '
	action_event push-tag ws &&
	run_action images="$REGISTRY/acme/Listed2" build-args="BASE=$REGISTRY/busybox:1.35" \
		tags="$REGISTRY/acme/listed2:given" || { cat action.out action.err; false; }
	registry_tags acme/listed2 >have &&
	echo given >expect && test_cmp expect have
'

test_expect_success 'a reference that does not parse is bad input naming the line' '
	action_event push-tag ws &&
	test_exit_code 3 run_action tags="$REGISTRY/Acme/App:1" &&
	grep -F "error: input '\''tags'\'': '\''$REGISTRY/Acme/App:1'\'' is not an image reference" action.err
'

test_expect_success 'name:tag without a registry or user stays a metadata-action value, with a warning' '
	action_event push-tag ws &&
	run_action images="$REGISTRY/acme/raw" push=false tags="app:1.0" || { cat action.out action.err; false; }
	action_output tags >tags &&
	echo "$REGISTRY/acme/raw:app-1.0" >expect && test_cmp expect tags &&
	grep "^::warning::input .tags.: .app:1.0. is read as a metadata-action raw tag" action.out
'

test_done
