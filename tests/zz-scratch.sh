#!/bin/sh
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-action.sh"
make_upstream up; checkout_like_actions up tag ws; action_event push-tag ws; start_github_api
run_action images=r.example/octo-org/vs "tags=type=semver,pattern={{version}}
type=sha"; echo rc=$?
cat action.out action.err; cat $ACTION_OUTPUT | head -30; cat $TRASH/api.log
test_done
