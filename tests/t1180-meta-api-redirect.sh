#!/bin/sh
# t1180: the GitHub token stays with the API's host: a fixture API that
# redirects to another host name (127.0.0.2, or localhost for 127.0.0.1)
# never sees it there; a redirect on the same host keeps it.
. "$(dirname "$0")/test-lib.sh"
test_require PYTHON

cat >server.py <<'PY'
import http.server, json, os, sys, threading
ports = {}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        host = self.server.server_address[0]
        with open("requests.log", "a") as f:
            f.write("%s %s %s\n" % (host, self.path, self.headers.get("Authorization", "-")))
        if host == "127.0.0.1" and self.path == "/repos/acme/app":
            return self.redirect("http://127.0.0.2:%d/repos/acme/app" % ports["127.0.0.2"])
        if host == "127.0.0.1" and self.path == "/repos/acme/local":
            return self.redirect("http://localhost:%d/repositories/7" % ports["127.0.0.1"])
        if self.path == "/repos/acme/renamed":
            return self.redirect("/repositories/42")
        if self.path in ("/repos/acme/app", "/repositories/42", "/repositories/7"):
            b = json.dumps({"name": "api-app", "html_url": "https://example.test/acme/app",
                            "default_branch": "trunk"}).encode()
            self.send_response(200); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
            return
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    def redirect(self, to):
        self.send_response(302); self.send_header("Location", to)
        self.send_header("Content-Length", "0"); self.end_headers()
servers = []
for host in ("127.0.0.1", "127.0.0.2"):
    s = http.server.ThreadingHTTPServer((host, 0), H)
    s.daemon_threads = True
    ports[host] = s.server_address[1]
    servers.append(s)
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
with open("ports.tmp", "w") as f:
    f.write("%d %d\n" % (ports["127.0.0.1"], ports["127.0.0.2"]))
os.rename("ports.tmp", "ports")
servers[0].serve_forever()
PY
python3 server.py 2>server.err &
SERVER=$!
test_cleanup "kill $SERVER"
i=0
while [ ! -s ports ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
read -r PORT PORT2 <ports || test_skip_all "fixture server did not start (127.0.0.2 not on loopback?)"

run_meta() {
	env GITHUB_API_URL=http://127.0.0.1:$PORT GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/trunk \
		GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 SOURCE_DATE_EPOCH=1578616200 \
		GITHUB_TOKEN=sekrit-token "$@" publish meta --images user/app --tags type=edge
}

test_expect_success 'a redirect to another host is followed without the token' '
	rm -f requests.log &&
	run_meta GITHUB_REPOSITORY=acme/app >out 2>err &&
	grep "^127.0.0.1 /repos/acme/app Bearer sekrit-token$" requests.log &&
	grep "^127.0.0.2 /repos/acme/app -$" requests.log &&
	grep "org.opencontainers.image.title=api-app" out &&
	! grep "^127.0.0.2 .*sekrit" requests.log
'

test_expect_success 'another name for the same server (localhost) does not get it either' '
	rm -f requests.log &&
	run_meta GITHUB_REPOSITORY=acme/local >out 2>err &&
	grep "^127.0.0.1 /repos/acme/local Bearer sekrit-token$" requests.log &&
	grep "^127.0.0.1 /repositories/7 -$" requests.log &&
	test_line_count requests.log = 2
'

test_expect_success 'a redirect on the same host keeps the token (a renamed repository)' '
	rm -f requests.log &&
	run_meta GITHUB_REPOSITORY=acme/renamed >out 2>err &&
	grep "^127.0.0.1 /repos/acme/renamed Bearer sekrit-token$" requests.log &&
	grep "^127.0.0.1 /repositories/42 Bearer sekrit-token$" requests.log &&
	grep "org.opencontainers.image.title=api-app" out
'

test_expect_success 'the token is in no output' '
	! grep -F sekrit-token out err
'

test_done
