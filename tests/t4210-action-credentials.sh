#!/bin/sh
# t4210: the action's registry token travels in memory only.  It goes
# from the inputs to the registry client, never into a file (no Docker
# config is written) nor the environment (no DOCKER_CONFIG): a credential
# helper the user's Docker config names, run by the action mid-build for
# the base image's registry, finds no file holding the token under
# $HOME, the runner's temp, the workspace or TMPDIR, and no DOCKER_CONFIG
# in its environment.  The token is for the registry input only, in any
# of the forms a user writes it (https://host/).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry

SPY_USER=spy
SPY_TOKEN=ghs_SpyToken0inMemoryOnly9xQ
# the same registry under another name: the base image's, which the token is not for
BASE_HOST=localhost:${REGISTRY#*:}
SPY=$TRASH/spy
# where a file holding the token must not be: the runner's temp ($HOME is
# in it), the workspace, the container's /tmp
SCAN="$ACTION_RUNNER $TRASH/ws $TRASH/tmp"

mkdir -p "$TRASH/spybin" "$SPY" || exit 1
cat >"$TRASH/spybin/docker-credential-spy" <<EOF2 || exit 1
#!/bin/sh
# a credential helper that looks around while the action runs
cat >"$SPY/asked"
env >"$SPY/env"
grep -r -l -a -F -e "$SPY_TOKEN" $SCAN >"$SPY/files" 2>/dev/null
echo "credentials not found in native keychain"
exit 1
EOF2
chmod +x "$TRASH/spybin/docker-credential-spy" || exit 1

# run_action_spy NAME=VALUE...: run_action, the spy helper on PATH, the
# user's Docker config in $HOME naming it as credsStore
run_action_spy() {
	rm -f "$SPY"/* &&
	_home=$ACTION_RUNNER/work/_temp/_github_home &&
	mkdir -p "$_home/.docker" &&
	echo "{\"credsStore\": \"spy\"}" >"$_home/.docker/config.json" &&
	ACTION_WORKSPACE=$(cat "$ACTION_RUNNER/workspace") &&
	{
		_action_env host | tr '\n' '\0'
		printf 'PATH=%s:/usr/sbin:/usr/bin:/sbin:/bin\0' "$TRASH/spybin"
		mkdir -p "$TRASH/tmp" && printf 'TMPDIR=%s\0' "$TRASH/tmp"
		printf 'SSL_CERT_FILE=%s\0' "$REGISTRY_CA"
		_action_inputs username=$SPY_USER token=$SPY_TOKEN \
			build-args="BASE=$BASE_HOST/busybox:1.35" "$@"
	} >"$TRASH/.action-env-spy" &&
	(cd "$ACTION_WORKSPACE" && _action_exec "$TRASH/.action-env-spy" "$PUBLISH" action) \
		>action.out 2>action.err
}

test_expect_success 'setup: a user for the token, a tag checkout' '
	echo "$SPY_USER:$SPY_TOKEN:pull,push" >>"$REG_USERS_FILE" &&
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'the action pushes with the token input' '
	run_action_spy images="$REGISTRY/octo-org/mem" tags="type=semver,pattern={{version}}" ||
	{ cat action.out action.err; false; } &&
	registry_digest octo-org/mem:1.2.3 &&
	grep -F "$SPY_USER" "$TOKEN_LOG" | grep "repository:octo-org/mem:.*push"
'

test_expect_success 'mid-run, the helper of the base registry saw no token file and no DOCKER_CONFIG' '
	test "$(cat "$SPY/asked")" = "$BASE_HOST" &&
	test -f "$SPY/env" && grep "^GITHUB_WORKSPACE=" "$SPY/env" &&
	! grep "^DOCKER_CONFIG=" "$SPY/env" &&
	! grep -F "$SPY_TOKEN" "$SPY/env" &&
	test -f "$SPY/files" && ! test -s "$SPY/files"
'

test_expect_success 'after the run, no file holds the token; the user'"'"'s config is untouched' '
	! grep -r -l -a -F -e "$SPY_TOKEN" $SCAN &&
	echo "{\"credsStore\": \"spy\"}" >expect &&
	test_cmp expect "$ACTION_RUNNER/work/_temp/_github_home/.docker/config.json" &&
	ls -A "$TRASH/tmp" >left && ! test -s left
'

test_expect_success 'the registry input as a URL (https://HOST/) is the same registry' '
	run_action_spy images="$REGISTRY/octo-org/mem-url" tags="type=semver,pattern={{version}}" \
		registry="https://$REGISTRY/" || { cat action.out action.err; false; } &&
	registry_digest octo-org/mem-url:1.2.3 &&
	! grep "no image is on" action.err &&
	test -f "$SPY/files" && ! test -s "$SPY/files"
'

test_expect_success 'a token for another registry is offered to none of the images' '
	test_exit_code 6 run_action_spy images="$REGISTRY/octo-org/mem-other" tags="type=semver,pattern={{version}}" \
		registry=registry.example &&
	grep "no image is on .registry.example., the registry the token is for" action.err &&
	! grep -F "$SPY_TOKEN" action.err
'

test_done
