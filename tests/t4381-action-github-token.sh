#!/bin/sh
# t4381: metadata-action's github-token input: the GitHub API (repository
# facts for the labels) gets it, whatever the registry; with none, the
# token input goes there only when the registry is ghcr.io (another
# registry's password is never sent to GitHub).  The token is masked
# first and never reaches the registry.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-images.sh"
. "$TEST_DIR/lib-action.sh"

test_require ROOT
action_require_pieces
action_setup_registry

# a GitHub API stand-in that writes down each request's Authorization header
start_api_recording() {
	_action_subst "$ACTION_EVENTS/repo.json" >"$TRASH/.api-repo.json" || return 1
	_port=$(free_port) || return 1
	"$REGTEST_PY" - "$_port" "$TRASH/.api-repo.json" "$ACTION_OWNER/$ACTION_REPO" "$TRASH/api-auth.log" \
		>"$TRASH/api.log" 2>&1 <<-'PY' &
	import http.server, sys
	port, body, full, log = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3].lower(), sys.argv[4]
	class H(http.server.BaseHTTPRequestHandler):
	    def do_GET(self):
	        with open(log, "a") as f:
	            f.write("%s %s\n" % (self.path.split("?")[0], self.headers.get("Authorization", "none")))
	        if self.path.split("?")[0].rstrip("/").lower() == "/repos/" + full:
	            self.send_response(200); self.send_header("Content-Type", "application/json")
	            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
	        else:
	            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
	http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
	PY
	regtest_track $!
	wait_for_port "$_port" &&
	ACTION_API_URL=http://127.0.0.1:$_port &&
	export ACTION_API_URL
}
start_api_recording || exit 1

test_expect_success 'setup' '
	make_upstream up &&
	printf "%s\n" "FROM $REGISTRY/busybox:1.35" "COPY src /srv/" >up/Dockerfile &&
	git -C up add Dockerfile && git -C up commit -q -m "base from the test registry" &&
	git -C up tag -f -a -m v1.2.3 v1.2.3 &&
	upstream_load && UP_TAG_SHA=$(git -C up rev-parse HEAD) && upstream_save &&
	checkout_like_actions up tag ws
'

test_expect_success 'github-token goes to the GitHub API with another registry, masked, not to the registry' '
	action_event push-tag ws &&
	: >"$TRASH/api-auth.log" &&
	run_action github-token=ghp_t4381apitoken images="$REGISTRY/acme/gt" \
		tags="type=semver,pattern={{version}}" || { cat action.out action.err; false; }
	grep -x "/repos/$ACTION_OWNER/$ACTION_REPO Bearer ghp_t4381apitoken" "$TRASH/api-auth.log" &&
	grep -x "::add-mask::ghp_t4381apitoken" action.out &&
	registry_config acme/gt:1.2.3 >config &&
	jq -e ".config.Labels[\"org.opencontainers.image.description\"] | length > 0" config &&
	test -d "$REGISTRY_DIR" && ! grep -rs "ghp_t4381apitoken" "$REGISTRY_DIR"
'

test_expect_success 'without it, the token input stays away from the API when the registry is not ghcr.io' '
	action_event push-tag ws &&
	: >"$TRASH/api-auth.log" &&
	run_action push=false images="$REGISTRY/acme/gt" tags="type=semver,pattern={{version}}" ||
		{ cat action.out action.err; false; }
	grep -x "/repos/$ACTION_OWNER/$ACTION_REPO none" "$TRASH/api-auth.log" &&
	! grep "Bearer" "$TRASH/api-auth.log"
'

test_done
