#!/bin/sh
# t4321: the action's changed: true on actions/checkout's default depth-1
# checkout, which lacks the push event's before commit: the changed files
# come from the GitHub API's comparison (a fixture on 127.0.0.1 answering
# from the whole repository with git) with the token input, so the
# services output is the whole clone's; without an API, a warning and
# every service listed, never an empty matrix by mistake.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
. "$TEST_DIR/lib-action.sh"
. "$TEST_DIR/lib-history.sh"

test_require ROOT
test_have_prereq GIT || test_skip_all "git is needed"
test_require PYTHON
command -v jq >/dev/null || test_skip_all "jq is needed"

# push_event BEFORE: the runner's files for a push to main whose before is BEFORE
push_event() {
	action_event push-tag ws &&
	sed -e "s/^GITHUB_REF=.*/GITHUB_REF=refs\/heads\/main/" -e "s/^GITHUB_SHA=.*/GITHUB_SHA=$(git -C mono rev-parse HEAD)/" \
		"$ACTION_RUNNER/event.env" >event.env && cp event.env "$ACTION_RUNNER/event.env" &&
	printf "{\"before\": \"%s\", \"after\": \"%s\"}\n" "$1" "$(git -C mono rev-parse HEAD)" \
		>"$ACTION_RUNNER/work/_temp/_github_workflow/event.json"
}

test_expect_success 'setup: a monorepo of three services, checked out at depth 1' '
	git init -q mono && (cd mono &&
	hist_commit "base" services/history/Dockerfile &&
	hist_commit "base" services/video-streaming/Dockerfile &&
	hist_commit "base" services/metadata/Dockerfile &&
	git tag start &&
	hist_commit "video" services/video-streaming/main.c &&
	hist_commit "lib" libs/common/a.c &&
	hist_commit "history" services/history/main.c) &&
	git clone -q --depth 1 "file://$TRASH/mono" ws && test -f ws/.git/shallow &&
	chown -R "$RUNNER_UID:$RUNNER_UID" ws
'

PORT=$(free_port)
cat >server.py <<'PY'
import http.server, json, subprocess, sys, urllib.parse
def git(*a):
    return subprocess.run(["git", "-C", "mono"] + list(a), check=True, capture_output=True, text=True).stdout
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body):
        b = json.dumps(body).encode()
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        open("requests.log", "a").write("%s %s\n" % (self.path, self.headers.get("Authorization", "-")))
        pre = "/repos/octo-org/video-streaming/compare/"
        if u.path.lower().startswith(pre):
            base, head = u.path[len(pre):].split("...")
            shas = git("rev-list", base + ".." + head).split()
            files = [{"filename": f} for f in git("diff", "--name-only", base + "..." + head).split()]
            return self.send(200, {"commits": [{"sha": s} for s in shas], "files": files})
        self.send(404, {"message": "Not Found"})
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 server.py "$PORT" &
SERVER=$!
test_cleanup "kill $SERVER"
wait_for_port "$PORT" || test_skip_all "fixture server did not start"

test_expect_success 'a push whose before the checkout lacks: the API compares, with the token input' '
	push_event $(git -C mono rev-parse start) &&
	ACTION_API_URL=http://127.0.0.1:$PORT REG_PASS=t0ken run_action changed=true ||
		{ cat action.out action.err; false; } &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history video-streaming >want && test_cmp want names &&
	grep "^/repos/Octo-Org/Video-Streaming/compare/$(git -C mono rev-parse start)\.\.\.$(git -C mono rev-parse HEAD)?per_page=100&page=1 Bearer t0ken$" requests.log &&
	! grep "warning" action.err
'

test_expect_success 'the token of another registry never goes to the GitHub API' '
	push_event $(git -C mono rev-parse start) &&
	: >requests.log &&
	ACTION_API_URL=http://127.0.0.1:$PORT REG_PASS=t0ken run_action changed=true registry=docker.io ||
		{ cat action.err; false; } &&
	test ! -s requests.log &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want names
'

test_expect_success 'no API to ask: a warning, every service in the output' '
	push_event $(git -C mono rev-parse start) &&
	REG_PASS=t0ken run_action changed=true || { cat action.err; false; } &&
	action_output services | jq -r ".[].name" >names &&
	printf "%s\n" history metadata video-streaming >want && test_cmp want names &&
	grep "::warning.*cannot tell which services changed since the push event.s before commit" action.out action.err
'

test_done
