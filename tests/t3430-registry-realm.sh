#!/bin/sh
# t3430: where a registry's credentials go.  Like docker, publish sends
# them to the token realm the registry names, even on another host; but
# an https registry's credentials never go over plain http: a realm with
# an http URL is refused (exit 3) before anything is sent, while an
# anonymous token may still be asked for there.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIR/lib-registry.sh"
test_have_prereq REGISTRY || test_skip_all "no openssl or python3-cryptography"

registry_pki || exit 1
cat >fixture.py <<'PY'
import json, os, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
pki, token = sys.argv[1], "tok-realm-test"
ports = {}
def log(name, h):
    with open("requests.log", "a") as f:
        f.write("%s %s %s\n" % (name, h.path.split("?")[0], h.headers.get("Authorization", "-")))
class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
class Registry(Base):
    def do_GET(self):
        log("registry", self)
        if self.headers.get("Authorization") != "Bearer " + token:
            realm = ("http://127.0.0.1:%d/token" % ports["http"] if self.path.startswith("/v2/plain/")
                     else "https://localhost:%d/token" % ports["https"])
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}',
                             [("WWW-Authenticate", 'Bearer realm="%s",service="realm-test"' % realm)])
        self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"no such manifest"}]}')
    do_HEAD = do_GET
def realm(name):
    class Realm(Base):
        def do_GET(self):
            log(name, self)
            self.send(200, json.dumps({"token": token}).encode(), [("Content-Type", "application/json")])
    return Realm
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(pki + "/server.crt", pki + "/server.key")
servers = {}
for name, handler, tls in (("registry", Registry, True), ("http", realm("http-realm"), False),
                           ("https", realm("https-realm"), True)):
    s = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    s.daemon_threads = True
    if tls: s.socket = ctx.wrap_socket(s.socket, server_side=True)
    ports[name] = s.server_address[1]
    servers[name] = s
for s in servers.values(): threading.Thread(target=s.serve_forever, daemon=True).start()
with open("ports.tmp", "w") as f: f.write("%d\n" % ports["registry"])
os.rename("ports.tmp", "ports")
threading.Event().wait()
PY
python3 fixture.py "$TRASH/pki" >fixture.out 2>&1 &
test_cleanup "kill $!"
i=0
while [ ! -s ports ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
R=127.0.0.1:$(cat ports) || test_skip_all "fixture did not start"
SSL_CERT_FILE=$TRASH/pki/ca.crt
export SSL_CERT_FILE

test_expect_success 'credentials go to a realm on another host (https), as docker sends them' '
	: >requests.log &&
	echo s3cret | publish inspect --username alice --password-stdin "$R/other:1" >out 2>err; test $? = 7 &&
	grep "^https-realm /token Basic $(printf alice:s3cret | base64)$" requests.log &&
	grep "^registry /v2/other/manifests/1 Bearer tok-realm-test$" requests.log
'

test_expect_success 'an https registry naming an http realm: credentials refused, exit 3, nothing sent' '
	: >requests.log &&
	echo s3cret | publish inspect --username alice --password-stdin "$R/plain:1" >out 2>err; test $? = 3 &&
	test_line_count err = 1 &&
	grep "^error: refusing to send the credentials of .alice. to token service .http://127.0.0.1:[0-9]*/token. over plain http: the registry speaks https$" err &&
	! grep "^http-realm" requests.log &&
	! grep -F s3cret err requests.log
'

test_expect_success 'anonymously the http realm may still be asked' '
	: >requests.log &&
	publish inspect "$R/plain:1" >out 2>err; test $? = 7 &&
	grep "^http-realm /token -$" requests.log &&
	grep "^registry /v2/plain/manifests/1 Bearer tok-realm-test$" requests.log
'

test_done
