#!/bin/sh
# t4330: the registry-auth input (docker/login-action's YAML list) pushes
# one step's image to two registries, each with its own credentials.  Two
# TLS registries, each with its own token service and its own user: A's
# token service must never see B's user or password, nor B's A's.  The
# token services log the user of every request and refuse (401, logged)
# any other password: so a line of A's log with B's user, or any 401,
# would mean a credential went to the wrong registry.  The passwords are
# masked before anything else is printed.  An entry wins over the token
# input for its registry.  Bad input (no password, not YAML, not a list,
# a registry twice) is one line naming registry-auth, exit 3, and
# nothing is pushed.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1
REG_A=$REGISTRY TOKEN_LOG_A=$TOKEN_LOG USERS_A=$REG_USERS_FILE
start_registry regb >/dev/null || exit 1
REG_B=$REGISTRY TOKEN_LOG_B=$TOKEN_LOG USERS_B=$REG_USERS_FILE
use_registry reg || exit 1

PASS_A=alice-Secret-4f1c0a PASS_B=bob-Secret-9e27d3
AUTH="- registry: $REG_A
  username: alice
  password: $PASS_A
- registry: https://$REG_B/
  username: bob
  password: '$PASS_B'"

# skopeo_tags REGISTRY USER:PASS REPO: the tags, sorted
skopeo_tags() {
	skopeo list-tags --cert-dir "$REGISTRY_CERT_DIR" --creds "$2" "docker://$1/$3" |
		jq -r ".Tags[]" | sort
}

# token_lines LOG: the requests since the mark (the line count in LOG.mark)
token_lines() {
	tail -n +"$(( $(cat "$1.mark") + 1 ))" "$1"
}
mark_logs() {
	wc -l <"$TOKEN_LOG_A" >"$TOKEN_LOG_A.mark" && wc -l <"$TOKEN_LOG_B" >"$TOKEN_LOG_B.mark"
}

test_expect_success 'setup: alice may push to A only, bob to B only; a tag checkout' '
	echo "alice:$PASS_A:pull,push" >>"$USERS_A" &&
	echo "bob:$PASS_B:pull,push" >>"$USERS_B" &&
	make_upstream up &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'one step pushes to both registries (token and registry inputs empty)' '
	mark_logs &&
	run_action images="$REG_A/octo-org/two
$REG_B/octo-org/two" tags="type=semver,pattern={{version}}" build-args="BASE=$REG_A/busybox:1.35" \
		registry= username= token= registry-auth="$AUTH" || { cat action.out action.err; false; } &&
	token_lines "$TOKEN_LOG_A" >a.run && token_lines "$TOKEN_LOG_B" >b.run &&
	printf "%s\n" 1.2.3 latest >expect &&
	skopeo_tags "$REG_A" "$REG_USER:$REG_PASS" octo-org/two >have && test_cmp expect have &&
	skopeo_tags "$REG_B" "$REG_USER:$REG_PASS" octo-org/two >have && test_cmp expect have
'

test_expect_success 'A'"'"'s token service saw alice only, B'"'"'s bob only, no refusal' '
	mv a.run a && mv b.run b &&
	grep -E "^[A-Z]+	alice	repository:octo-org/two:.*push.*	200$" a &&
	grep -E "^[A-Z]+	bob	repository:octo-org/two:.*push.*	200$" b &&
	! grep -v -E "^[A-Z]+	(alice|-)	" a &&
	! grep -v -E "^[A-Z]+	(bob|-)	" b &&
	! grep -E "	401$" a b
'

test_expect_success 'the passwords are masked before any other line, and shown nowhere' '
	head -n 2 action.out >first &&
	printf "::add-mask::%s\n" "$PASS_A" "$PASS_B" >expect &&
	test_cmp expect first &&
	test "$(cat action.out action.err "$ACTION_OUTPUT" "$ACTION_SUMMARY" | grep -c -F -e "$PASS_A" -e "$PASS_B")" = 2
'

test_expect_success 'an entry wins over the token input for its registry' '
	mark_logs &&
	run_action images="$REG_A/octo-org/prec" tags="type=semver,pattern={{version}}" \
		build-args="BASE=$REG_A/busybox:1.35" registry="$REG_A" username=pusher token=not-the-password \
		registry-auth="$AUTH" || { cat action.out action.err; false; } &&
	grep "the token input is not used: the registry-auth input names $REG_A" action.err &&
	token_lines "$TOKEN_LOG_A" >a &&
	grep -E "^[A-Z]+	alice	repository:octo-org/prec:.*push" a &&
	! grep -E "	pusher	|	401$" a
'

# bad_auth TEXT WANT: exit 3, one error line naming the input and WANT, nothing asked of either registry
bad_auth() {
	mark_logs &&
	test_exit_code 3 run_action images="$REG_A/octo-org/bad
$REG_B/octo-org/bad" tags="type=semver,pattern={{version}}" build-args="BASE=$REG_A/busybox:1.35" \
		registry= username= token= registry-auth="$1" &&
	grep "^error: " action.err >errors &&
	test_line_count errors = 1 &&
	grep -F "input 'registry-auth'" errors && grep -F -e "$2" errors &&
	token_lines "$TOKEN_LOG_A" >a && ! test -s a &&
	token_lines "$TOKEN_LOG_B" >b && ! test -s b &&
	! grep -F -e "$PASS_A" -e "$PASS_B" action.err
}

test_expect_success 'an entry without a password: exit 3, nothing pushed' '
	bad_auth "- registry: $REG_A
  username: alice
  password: $PASS_A
- registry: $REG_B
  username: bob" "has no password"
'

test_expect_success 'not YAML, not a list, a registry twice: exit 3 each' '
	bad_auth "- registry: '"'"'$REG_A
  username: alice" "not YAML" &&
	bad_auth "registry: $REG_A" "not a list" &&
	bad_auth "$AUTH
- registry: $REG_B
  username: bob
  password: other" "registry '"'"'$REG_B'"'"' is given twice"
'

test_expect_success 'nothing of the bad runs reached the registries' '
	! skopeo_tags "$REG_A" "$REG_USER:$REG_PASS" octo-org/bad 2>/dev/null | grep . &&
	! skopeo_tags "$REG_B" "$REG_USER:$REG_PASS" octo-org/bad 2>/dev/null | grep .
'

test_done
