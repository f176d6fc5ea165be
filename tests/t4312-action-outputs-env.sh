#!/bin/sh
# t4312: the outputs a build-push-action / metadata-action user reads,
# after a run with a build-push-action style with: block (context path,
# file relative to the workspace, full-reference tags) as the runner runs
# the action: imageid (the config digest), tag-names, metadata with
# containerimage.config.digest, and DOCKER_METADATA_OUTPUT_* written to
# $GITHUB_ENV as metadata-action exports them (not when
# DOCKER_METADATA_SET_OUTPUT_ENV is false).  Checked against what the
# registry holds (skopeo).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

ACTION_ENV=$ACTION_RUNNER/work/_temp/_runner_file_commands/set_env_$ACTION_FILE_ID

# env_value NAME: the value of NAME in the $GITHUB_ENV file
env_value() {
	_saved=$ACTION_OUTPUT
	ACTION_OUTPUT=$ACTION_ENV
	action_output "$1"
	_rc=$?
	ACTION_OUTPUT=$_saved
	return $_rc
}

test_expect_success 'setup: the app in app/, its Dockerfile in docker/' '
	make_upstream up &&
	mkdir -p up/app up/docker &&
	cp -R up/src up/app/src &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" "CMD [\"/srv/server.sh\"]" >up/docker/app.Dockerfile &&
	git -C up add app docker && git -C up commit -q -m "app" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'the with: block of a build-push-action user runs (exit 0)' '
	run_action context=./app file=docker/app.Dockerfile push=true \
		tags="$REGISTRY/acme/out:1.2.3
$REGISTRY/acme/out:latest" || { cat action.out action.err; false; }
	registry_tags acme/out >have && printf "%s\n" 1.2.3 latest >expect && test_cmp expect have
'

test_expect_success 'every output action.yml declares is written, and no other' '
	action_yml outputs | grep -vx services >declared &&	# services: changed: true only (t4320)
	output_names >written &&
	test_cmp declared written
'

test_expect_success 'imageid is the digest of the pushed config, as build-push-action' '
	skopeo inspect --raw --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/acme/out:1.2.3" | jq -r .config.digest >expect &&
	grep -E "^sha256:[0-9a-f]{64}$" expect &&
	action_output imageid >imageid && test_cmp expect imageid &&
	action_output metadata >metadata &&
	jq -r ".\"containerimage.config.digest\"" metadata >cfg && test_cmp expect cfg &&
	registry_digest acme/out:1.2.3 >digest &&
	jq -r ".\"containerimage.digest\"" metadata >md && test_cmp digest md &&
	action_output digest >d && test_cmp digest d
'

test_expect_success 'tag-names: the tags without the image names' '
	action_output tag-names >names &&
	printf "%s\n" 1.2.3 latest >expect && test_cmp expect names
'

test_expect_success 'DOCKER_METADATA_OUTPUT_* in $GITHUB_ENV, equal to the outputs' '
	for o in version tags tag-names labels annotations json; do
		var=DOCKER_METADATA_OUTPUT_$(echo "$o" | tr a-z- A-Z_) &&
		env_value "$var" >from-env &&
		action_output "$o" >from-output &&
		test_cmp from-output from-env || return 1
	done &&
	env_value DOCKER_METADATA_OUTPUT_VERSION >v && echo 1.2.3 >expect && test_cmp expect v &&
	env_value DOCKER_METADATA_OUTPUT_JSON >json && jq -e ".\"tag-names\" == [\"1.2.3\", \"latest\"]" json &&
	sed -n "s/^\([A-Z_]*\)<<.*/\1/p" "$ACTION_ENV" | sort >names &&
	printf "DOCKER_METADATA_OUTPUT_%s\n" ANNOTATIONS JSON LABELS TAGS TAG_NAMES VERSION >expect &&
	test_cmp expect names
'

test_expect_success 'the token is nowhere in the env file' '
	! grep -F "$REG_PASS" "$ACTION_ENV"
'

test_expect_success 'DOCKER_METADATA_SET_OUTPUT_ENV=false: the outputs, no variables' '
	action_event push-tag ws &&
	echo DOCKER_METADATA_SET_OUTPUT_ENV=false >>"$ACTION_RUNNER/event.env" &&
	run_action context=./app file=docker/app.Dockerfile push=false tags="$REGISTRY/acme/out:1.2.3" ||
		{ cat action.out action.err; false; }
	action_output version >v && echo 1.2.3 >expect && test_cmp expect v &&
	test_must_fail test -s "$ACTION_ENV"
'

test_expect_success 'DOCKER_METADATA_SET_OUTPUT_ENV=maybe: bad input (exit 3) before anything is built' '
	action_event push-tag ws &&
	echo DOCKER_METADATA_SET_OUTPUT_ENV=maybe >>"$ACTION_RUNNER/event.env" &&
	test_exit_code 3 run_action context=./app file=docker/app.Dockerfile tags="$REGISTRY/acme/never:1" &&
	grep "^error: DOCKER_METADATA_SET_OUTPUT_ENV is not a boolean: .maybe." action.err &&
	registry_tags acme/never >have 2>/dev/null && test_must_fail test -s have
'

test_expect_success 'several platforms: imageid is the index digest, no config digest' '
	action_event push-tag ws &&
	run_action context=./app file=docker/app.Dockerfile platforms=linux/amd64,linux/arm64 \
		tags="$REGISTRY/acme/multi:1" || { cat action.out action.err; false; }
	action_output digest >digest && action_output imageid >imageid && test_cmp digest imageid &&
	action_output metadata >metadata &&
	jq -e "has(\"containerimage.config.digest\") | not" metadata
'

test_done
