#!/bin/sh
# t4382: the cases where a pasted with: block could mean two things are
# refused with the reason, not guessed (t4311 has the directory named
# git): `context: .` beside a working-directory that names another
# directory (exit 3), a file that is in the context but not at that path
# in the workspace (build-push-action reads it from the workspace; exit 5
# saying which is read).  build-push-action's `provenance: mode=max` is
# provenance: true; another value is exit 3.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

test_expect_success 'setup: an app in app/ with Dockerfile.prod, none at the top' '
	make_upstream up &&
	mkdir -p up/app &&
	cp -R up/src up/app/src &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" >up/app/Dockerfile.prod &&
	git -C up add app && git -C up commit -q -m "app" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws &&
	! test -e ws/Dockerfile.prod
'

test_expect_success 'context: . beside working-directory: app is exit 3; the same directory twice is fine' '
	action_event push-tag ws &&
	test_exit_code 3 run_action context=. working-directory=app file=app/Dockerfile.prod \
		tags="$REGISTRY/acme/amb:1" &&
	grep "^error: inputs .context. (.\.) and .working-directory. (.app.) both name the build context" action.err &&
	test $(wc -l <action.err) = 1 &&
	test_exit_code 3 run_action "context={{defaultContext}}" working-directory=app file=app/Dockerfile.prod \
		tags="$REGISTRY/acme/amb:1" &&
	run_action context=./app working-directory=app file=app/Dockerfile.prod push=false \
		tags="$REGISTRY/acme/amb:1" || { cat action.out action.err; false; }
	run_action context=workflow working-directory=app file=app/Dockerfile.prod push=false \
		tags="$REGISTRY/acme/amb:1" || { cat action.out action.err; false; }
	registry_tags acme/amb >have 2>/dev/null; test_must_fail test -s have
'

test_expect_success 'a file relative to the context only: exit 5 saying the file is the workspace path' '
	action_event push-tag ws &&
	test_exit_code 5 run_action context=./app file=Dockerfile.prod tags="$REGISTRY/acme/amb:1" &&
	grep "^error: input .file.: .Dockerfile.prod. is not in the workspace, .app/Dockerfile.prod. is: the file is relative to the workspace" action.err &&
	test $(wc -l <action.err) = 1 &&
	test_exit_code 5 run_action context=./app file=Dockerfile.nope tags="$REGISTRY/acme/amb:1" &&
	! grep "input .file.: .Dockerfile.nope. is not in the workspace, " action.err
'

test_expect_success 'provenance: mode=max is provenance: true; mode=bogus is exit 3' '
	action_event push-tag ws &&
	run_action context=./app file=app/Dockerfile.prod provenance=mode=max tags="$REGISTRY/acme/prov:1" ||
		{ cat action.out action.err; false; }
	sk() { skopeo "$@" --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS"; } &&
	sk inspect --raw "docker://$REGISTRY/acme/prov:1" >m &&
	d=$(sha256sum m | cut -d" " -f1) &&
	sk inspect --raw "docker://$REGISTRY/acme/prov:sha256-$d" >referrers &&
	jq -e "[.manifests[].artifactType] | any(test(\"in-toto\"))" referrers &&
	test_exit_code 3 run_action context=./app file=app/Dockerfile.prod provenance=mode=bogus push=false &&
	grep "^error: input .provenance.: .mode=bogus. is not a boolean" action.err
'

test_done
