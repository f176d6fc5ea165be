#!/bin/sh
# t4311: the context and file inputs in build-push-action's meaning, run
# as the runner runs the action with a build-push-action style with:
# block (context: ./app, file: app/Dockerfile.prod relative to the
# workspace, full-reference tags).  "workflow" and "git" keep
# metadata-action's meaning (a directory of that name is "./git", and
# the plain word warns when such a directory exists); working-directory
# stays an alias; a Git URL, a path out of the workspace, or a context
# and working-directory that disagree are bad input (exit 3).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

test_expect_success 'setup: an app in app/ with two Dockerfiles, and a directory named git' '
	make_upstream up &&
	mkdir -p up/app up/git &&
	cp -R up/src up/app/src &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" "LABEL flavour=plain" \
		"CMD [\"/srv/server.sh\"]" >up/app/Dockerfile &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" "LABEL flavour=prod" \
		"CMD [\"/srv/server.sh\"]" >up/app/Dockerfile.prod &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY . /git-dir/" >up/git/Dockerfile &&
	git -C up add app git && git -C up commit -q -m "app" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws
'

test_expect_success 'build-push-action style: context ./app, file app/Dockerfile.prod, full-reference tags' '
	run_action context=./app file=app/Dockerfile.prod \
		tags="$REGISTRY/acme/ctx:1.2.3
$REGISTRY/acme/ctx:prod" || { cat action.out action.err; false; }
	registry_tags acme/ctx >have &&
	printf "%s\n" 1.2.3 prod >expect && test_cmp expect have &&
	registry_config acme/ctx:prod >config &&
	jq -e ".config.Labels.flavour == \"prod\"" config &&
	skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" --creds "$REG_USER:$REG_PASS" \
		"docker://$REGISTRY/acme/ctx:prod" >inspect &&
	jq -e ".Layers | length == 2" inspect
'

test_expect_success 'the default file is <context>/Dockerfile' '
	action_event push-tag ws &&
	run_action context=app tags="$REGISTRY/acme/ctx:plain" || { cat action.out action.err; false; }
	registry_config acme/ctx:plain >config &&
	jq -e ".config.Labels.flavour == \"plain\"" config
'

test_expect_success 'working-directory is an alias of the context path' '
	action_event push-tag ws &&
	run_action working-directory=app file=app/Dockerfile.prod tags="$REGISTRY/acme/ctx:alias" ||
		{ cat action.out action.err; false; }
	registry_config acme/ctx:alias >a && registry_config acme/ctx:prod >b &&
	jq -e ".config.Labels.flavour == \"prod\"" a &&
	jq .rootfs a >la && jq .rootfs b >lb && test_cmp la lb
'

test_expect_success 'context and working-directory naming the same directory is fine; different is exit 3' '
	action_event push-tag ws &&
	run_action context=./app/ working-directory=app push=false tags="$REGISTRY/acme/ctx:x" ||
		{ cat action.out action.err; false; }
	test_exit_code 3 run_action context=app working-directory=git push=false &&
	grep "^error: inputs .context. (.app.) and .working-directory. (.git.) both name the build context" action.err
'

test_expect_success 'context: git keeps metadata-action meaning, and warns about the directory git' '
	action_event push-tag ws &&
	run_action context=git push=false images="$REGISTRY/acme/ctx" tags="type=semver,pattern={{version}}" ||
		{ cat action.out action.err; false; }
	action_output version >version && echo 1.2.3 >expect && test_cmp expect version &&
	grep "^::warning::input .context.: .git. is read as metadata-action.s (metadata from the git repository), not as the directory .git. of the workspace: write .\./git." action.out &&
	grep -c "^warning: input .context." action.err >n && echo 1 >expect && test_cmp expect n
'

test_expect_success 'context: ./git is the directory' '
	action_event push-tag ws &&
	run_action context=./git tags="$REGISTRY/acme/gitdir:1" || { cat action.out action.err; false; }
	! grep "input .context." action.err &&
	registry_config acme/gitdir:1 >config &&
	jq -e ".config.Labels[\"org.opencontainers.image.version\"] == \"1\"" config
'

test_expect_success 'a Git URL or a path out of the workspace is bad input (exit 3), nothing pushed' '
	action_event push-tag ws &&
	test_exit_code 3 run_action context=https://github.com/acme/app.git tags="$REGISTRY/acme/bad:1" &&
	grep "^error: input .context.: .https://github.com/acme/app.git. is a Git URL" action.err &&
	test_exit_code 3 run_action context=../up tags="$REGISTRY/acme/bad:1" &&
	grep "^error: input .context.: .\.\./up. is not a path inside the workspace" action.err &&
	test_exit_code 5 run_action context=./nope tags="$REGISTRY/acme/bad:1" &&
	grep "^error: context .nope. is not a directory in the workspace" action.err &&
	registry_tags acme/bad >have 2>/dev/null && test_must_fail test -s have
'

test_done
