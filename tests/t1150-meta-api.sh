#!/bin/sh
# t1150: repository facts from the GitHub API (a local fixture server),
# the token, the fallback to the payload, an unreachable API.
. "$(dirname "$0")/test-lib.sh"
test_require PYTHON

PORT=$(free_port)
cat >server.py <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        open("requests.log", "a").write("%s %s\n" % (self.path, self.headers.get("Authorization", "-")))
        if self.path == "/repos/acme/app":
            body = {"name": "api-app", "description": "From the API", "html_url": "https://example.test/acme/app",
                    "default_branch": "trunk", "license": {"spdx_id": "Apache-2.0"}}
        elif self.path.startswith("/repos/acme/app/commits/"):
            body = {"sha": self.path.split("/")[-1], "commit": {"committer": {"date": "2022-02-22T22:22:22Z"}}}
        else:
            self.send_response(404); self.end_headers(); return
        b = json.dumps(body).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 server.py "$PORT" &
SERVER=$!
test_cleanup "kill $SERVER"
wait_for_port "$PORT" || test_skip_all "fixture server did not start"

cat >event.json <<'JSON'
{"repository": {"name": "payload-app", "description": "From the payload", "html_url": "https://example.test/payload",
 "default_branch": "main", "license": {"spdx_id": "MIT"}}}
JSON

run_meta() {
	env GITHUB_API_URL=http://127.0.0.1:$PORT GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/trunk \
		GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_EVENT_PATH=$TRASH/event.json \
		SOURCE_DATE_EPOCH=1578616200 "$@" publish meta --images user/app --tags type=edge
}

test_expect_success 'repository facts come from the API' '
	run_meta GITHUB_REPOSITORY=acme/app >out 2>err &&
	grep "org.opencontainers.image.title=api-app" out &&
	grep "org.opencontainers.image.description=From the API" out &&
	grep "org.opencontainers.image.licenses=Apache-2.0" out &&
	grep "org.opencontainers.image.source=https://example.test/acme/app" out &&
	! grep warning err
'

test_expect_success 'edge uses the default branch the API gives' '
	run_meta GITHUB_REPOSITORY=acme/app >out &&
	grep "^  user/app:edge$" out
'

test_expect_success 'INPUT_GITHUB-TOKEN is sent as a bearer token' '
	rm -f requests.log &&
	run_meta GITHUB_REPOSITORY=acme/app "INPUT_GITHUB-TOKEN=sekrit" >out &&
	grep "^/repos/acme/app Bearer sekrit$" requests.log
'

test_expect_success 'GITHUB_TOKEN is used when no input token is given' '
	rm -f requests.log &&
	run_meta GITHUB_REPOSITORY=acme/app GITHUB_TOKEN=fromenv >out &&
	grep "^/repos/acme/app Bearer fromenv$" requests.log
'

test_expect_success 'no token, no Authorization header' '
	rm -f requests.log &&
	run_meta GITHUB_REPOSITORY=acme/app >out &&
	grep "^/repos/acme/app -$" requests.log
'

test_expect_success 'an API error falls back to the payload repository with a warning' '
	run_meta GITHUB_REPOSITORY=acme/missing >out 2>err &&
	grep "org.opencontainers.image.title=payload-app" out &&
	grep "org.opencontainers.image.licenses=MIT" out &&
	grep "^warning: .*HTTP 404" err &&
	! grep "user/app:edge" out
'

test_expect_success 'an unreachable API is a warning, not a failure' '
	DEAD=$(free_port) &&
	env GITHUB_API_URL=http://127.0.0.1:$DEAD GITHUB_REPOSITORY=acme/app GITHUB_EVENT_NAME=push \
		GITHUB_REF=refs/heads/main GITHUB_EVENT_PATH=$TRASH/event.json SOURCE_DATE_EPOCH=0 \
		publish meta --images user/app >out 2>err &&
	grep "^warning: cannot get repository facts" err &&
	grep "org.opencontainers.image.title=payload-app" out
'

test_expect_success 'without SOURCE_DATE_EPOCH or a payload date, the commit date comes from the API' '
	echo "{}" >empty.json &&
	env GITHUB_API_URL=http://127.0.0.1:$PORT GITHUB_REPOSITORY=acme/app GITHUB_EVENT_NAME=push \
		GITHUB_REF=refs/heads/main GITHUB_SHA=abcdef0123456789abcdef0123456789abcdef01 \
		GITHUB_EVENT_PATH=$TRASH/empty.json publish meta --tags "type=raw,value={{commit_date '"'"'YYYYMMDD'"'"'}}" >out &&
	grep "org.opencontainers.image.created=2022-02-22T22:22:22.000Z" out &&
	grep "^  20220222$" out &&
	grep "^/repos/acme/app/commits/abcdef0123456789abcdef0123456789abcdef01 " requests.log
'

test_expect_success GIT 'locally, owner/repo come from the origin remote' '
	git init -q local && git -C local remote add origin git@github.com:acme/app.git &&
	rm -f requests.log &&
	(cd local && env GITHUB_API_URL=http://127.0.0.1:$PORT SOURCE_DATE_EPOCH=0 publish meta) >out &&
	grep "^/repos/acme/app " requests.log &&
	grep "org.opencontainers.image.title=api-app" out
'

test_expect_success GIT 'an https origin works too' '
	git -C local remote set-url origin https://github.com/acme/app &&
	rm -f requests.log &&
	(cd local && env GITHUB_API_URL=http://127.0.0.1:$PORT SOURCE_DATE_EPOCH=0 publish meta) >out &&
	grep "^/repos/acme/app " requests.log
'

test_done
