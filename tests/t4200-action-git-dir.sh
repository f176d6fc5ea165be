#!/bin/sh
# t4200: the action never publishes the checkout token.  actions/checkout
# leaves the job's token in .git/config (http extraheader); with a
# Dockerfile that does `COPY . /app/`, the pushed image holds no .git and
# no trace of the token (every layer pulled back, decompressed, searched),
# and the step shows a ::notice:: naming the include-git-dir input.  With
# include-git-dir: true the config is refused (exit 5, the file named)
# before anything is pushed; with a clean config .git is copied.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"
. "$TEST_DIR/lib-secrets.sh"

test_require ROOT
action_require_pieces
action_setup_registry

# pull REPO:TAG DIR: the pushed image back into an OCI layout
pull() {
	rm -rf "$2" &&
	skopeo copy -q --src-cert-dir "$REGISTRY_CERT_DIR" --src-creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/$1" "oci:$2:x"
}

test_expect_success 'setup: a tag checkout whose .git/config holds the token' '
	make_upstream up &&
	checkout_like_actions up tag ws &&
	checkout_token_set ws &&
	grep -F "$LEAK_TOKEN_B64" ws/.git/config &&
	: the Dockerfile as an earlier step writes it, in the workspace: the file input is a path there &&
	printf "FROM scratch\nCOPY . /app/\n" >ws/Dockerfile.all &&
	action_event push-tag ws
'

test_expect_success 'COPY . /app/: pushed, .git left out, a ::notice:: says how to opt in' '
	run_action images="$REGISTRY/octo-org/leak" tags="type=semver,pattern={{version}}" \
		file=Dockerfile.all || { cat action.out action.err; false; } &&
	grep "^::notice::.\.git. is left out of the build context" action.out &&
	grep "^::notice::.*set the input include-git-dir: true to copy it" action.out &&
	test "$(grep -c "^::notice::.\.git" action.out)" = 1
'

test_expect_success 'no layer of the pushed image holds .git or the token' '
	pull octo-org/leak:1.2.3 pulled &&
	layout_paths pulled >paths &&
	grep -x "app/src/server.sh" paths &&
	! grep "\.git" paths &&
	test_must_fail layout_holds_token pulled &&
	! grep -r -a -F -e "$LEAK_TOKEN_B64" -e "$LEAK_TOKEN" action.out action.err "$ACTION_OUTPUT" "$ACTION_SUMMARY"
'

test_expect_success 'include-git-dir: true with the extraheader: exit 5, the file named, nothing pushed' '
	test_exit_code 5 run_action images="$REGISTRY/octo-org/leak-in" tags="type=semver,pattern={{version}}" \
		file=Dockerfile.all include-git-dir=true &&
	cat action.err &&
	grep "^error: .*/ws/\.git/config. holds an http extraheader" action.err &&
	grep "^::error::.*/ws/\.git/config. holds an http extraheader" action.out &&
	! grep -r -a -F -e "$LEAK_TOKEN_B64" action.out action.err "$ACTION_SUMMARY" &&
	test_must_fail registry_digest octo-org/leak-in:1.2.3 2>/dev/null &&
	registry_digest octo-org/leak:1.2.3
'

test_expect_success 'include-git-dir: yes is bad input (exit 3)' '
	test_exit_code 3 run_action include-git-dir=yes &&
	grep "input .include-git-dir.: .yes. is not a boolean" action.err
'

test_expect_success 'include-git-dir: true with a clean config copies .git' '
	git config --file ws/.git/config --unset "http.https://github.com/.extraheader" &&
	run_action images="$REGISTRY/octo-org/leak-clean" tags="type=semver,pattern={{version}}" \
		file=Dockerfile.all include-git-dir=true || { cat action.out action.err; false; } &&
	! grep "^::notice::.\.git" action.out &&
	pull octo-org/leak-clean:1.2.3 pulled-clean &&
	layout_paths pulled-clean >paths &&
	grep -x "app/.git/config" paths &&
	grep -x "app/.git/HEAD" paths
'

test_done
