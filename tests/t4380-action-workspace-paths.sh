#!/bin/sh
# t4380: absolute paths from ${{ github.workspace }} in the inputs.  That
# expression is the runner's host path (RUNNER_WORKSPACE/<repository
# name>, /home/runner/work/REPO/REPO), while the container sees the
# workspace at GITHUB_WORKSPACE.  The runner rewrites an input that starts
# with the host path (context, file arrive as GITHUB_WORKSPACE/...), not
# one that holds it further on (outputs: type=docker,dest=...).  Both
# forms are taken, as the runner passes them and as the workflow wrote
# them; any other absolute path is bad input (exit 3) naming the input.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry
start_github_api || exit 1

# the workspace as ${{ github.workspace }} names it on the runner (lib-action.sh's environment)
HOST_WS=/home/runner/work/$ACTION_REPO/$ACTION_REPO

test_expect_success 'setup: an app in app/ with a second Dockerfile' '
	make_upstream up &&
	mkdir -p up/app &&
	cp -R up/src up/app/src &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" "LABEL flavour=plain" >up/app/Dockerfile &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" "LABEL flavour=prod" >up/app/Dockerfile.prod &&
	git -C up add app && git -C up commit -q -m "app" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws &&
	action_event push-tag ws &&
	_action_env host >env &&
	grep -x "RUNNER_WORKSPACE=${HOST_WS%/*}" env && grep -x "GITHUB_REPOSITORY=.*/${HOST_WS##*/}" env
'

test_expect_success 'context and file as the runner passes them (GITHUB_WORKSPACE/...)' '
	action_event push-tag ws &&
	run_action context="$ACTION_WORKSPACE/app" file="$ACTION_WORKSPACE/app/Dockerfile.prod" \
		tags="$REGISTRY/acme/wsp:prod" || { cat action.out action.err; false; }
	registry_config acme/wsp:prod >config &&
	jq -e ".config.Labels.flavour == \"prod\"" config
'

test_expect_success 'context, file and outputs as the workflow wrote them (the runner path)' '
	action_event push-tag ws &&
	run_action context="$HOST_WS/app/" file="$HOST_WS/app/Dockerfile.prod" \
		outputs="type=docker,dest=$HOST_WS/app.tar" tags="$REGISTRY/acme/wsp:host" ||
		{ cat action.out action.err; false; }
	registry_config acme/wsp:host >config &&
	jq -e ".config.Labels.flavour == \"prod\"" config &&
	tar -tf "$ACTION_WORKSPACE/app.tar" >list &&
	grep -x manifest.json list &&
	rm -f "$ACTION_WORKSPACE/app.tar"
'

test_expect_success 'the workspace itself as context: its Dockerfile by default' '
	action_event push-tag ws &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY app/src /srv/" "LABEL flavour=root" >ws/Dockerfile &&
	run_action context="$HOST_WS" tags="$REGISTRY/acme/wsp:root" || { cat action.out action.err; false; }
	rm -f ws/Dockerfile &&
	registry_config acme/wsp:root >config &&
	jq -e ".config.Labels.flavour == \"root\"" config
'

test_expect_success 'an absolute working-directory in the workspace is the context' '
	action_event push-tag ws &&
	run_action working-directory="$HOST_WS/app" file="$ACTION_WORKSPACE/app/Dockerfile" \
		tags="$REGISTRY/acme/wsp:wd" || { cat action.out action.err; false; }
	registry_config acme/wsp:wd >config &&
	jq -e ".config.Labels.flavour == \"plain\"" config
'

test_expect_success 'an absolute path elsewhere is exit 3 naming the input; nothing pushed' '
	action_event push-tag ws &&
	test_exit_code 3 run_action context=/etc tags="$REGISTRY/acme/wsbad:1" &&
	grep "^error: input .context.: ./etc. is outside the workspace (.$ACTION_WORKSPACE., on the runner .$HOST_WS.)" action.err &&
	test_exit_code 3 run_action context=app file=/etc/passwd tags="$REGISTRY/acme/wsbad:1" &&
	grep "^error: input .file.: ./etc/passwd. is outside the workspace" action.err &&
	test_exit_code 3 run_action context=app outputs="type=docker,dest=/home/runner/work/_temp/x.tar" \
		tags="$REGISTRY/acme/wsbad:1" &&
	grep "^error: input .outputs.: ./home/runner/work/_temp/x.tar. is outside the workspace" action.err &&
	test_exit_code 3 run_action working-directory=/home/runner/work/$ACTION_REPO tags="$REGISTRY/acme/wsbad:1" &&
	grep "^error: input .working-directory.: ./home/runner/work/$ACTION_REPO. is outside the workspace" action.err &&
	test_exit_code 3 run_action context="$HOST_WS/app/../.." tags="$REGISTRY/acme/wsbad:1" &&
	grep "^error: input .context.: .$HOST_WS/app/\.\./\.\.. leaves the workspace through .\.\.." action.err &&
	test $(wc -l <action.err) = 1 &&
	registry_tags acme/wsbad >have 2>/dev/null && test_must_fail test -s have
'

test_done
