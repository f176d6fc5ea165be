#!/bin/sh
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-action.sh"
make_upstream up || echo FAIL upstream
checkout_like_actions up tag ws || echo FAIL checkout
ls -lan ws | head -5; git -c safe.directory="*" -C ws log --oneline; ls ws/.git/shallow
action_event push-tag ws || echo FAIL event
start_github_api || echo FAIL api
curl -s $ACTION_API_URL/repos/octo-org/video-streaming | head -3
run_action "images=x/y" "tags=type=semver,pattern={{version}}
type=sha" "sep-tags= "; echo rc=$?
cat action.out action.err
cat "$TRASH/.action-env" | tr '\0' '\n' | grep INPUT_
cat $ACTION_SUMMARY
cat $ACTION_OUTPUT
test_done
