#!/usr/bin/python3
"""token-server.py: a loopback token service for the test registry.

Why: ghcr.io (and Docker Hub) answer an unauthenticated request with
`401 WWW-Authenticate: Bearer realm=...,service=...,scope=...`; the client
then fetches a JWT from the realm and retries with `Authorization: Bearer`.
Our tests run Debian's docker-registry (distribution 2.8) with
`auth: token:` pointing here, so the client code is exercised against the
same dance as on ghcr.io, without the network.

What it issues (what distribution 2.8 verifies, registry/auth/token):
  - a compact JWS, alg RS256, header `kid` = the libtrust key id of the
    signing key (the key's certificate must be in the registry's
    `rootcertbundle`), or with --x5c the header carries `x5c` (the
    certificate, base64 DER) and the registry checks it against the bundle;
  - claims iss, sub, aud (a string: the service), exp, nbf, iat, jti and
    `access`: [{type, name, actions}].

Who gets what: users come from a file re-read on every request (so a test
can add one while the server runs), one per line:
    NAME:PASSWORD:ACTIONS[:REPO_GLOB]
ACTIONS is a comma list (pull, push, delete, *); REPO_GLOB (fnmatch,
default *) limits the repositories the grant applies to.  A wrong password
or unknown user gets 401.  Anonymous requests get `pull` on every
repository (as public images on ghcr.io) and nothing else.  Requested
actions that are not granted are dropped from the token, as the spec says;
the registry then answers 401/403 to the request that needed them.

Endpoints:
  GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...]
       with optional HTTP Basic auth            (docker, skopeo, curl)
  POST /token  form grant_type=password&username&password&service&scope
       (containerd's OAuth2 flow; refresh_token grant is refused with 400)
Reply: {"token", "access_token", "expires_in", "issued_at"}.

Every request is logged to --log (one line: method, user or -, scopes,
status) so a test can count token fetches.  The listening port is printed
on stdout as `PORT <n>` and written to --port-file.  --tls-cert/--tls-key
serve HTTPS.  SIGTERM stops it.
"""

import argparse
import base64
import datetime
import fnmatch
import hashlib
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import testserver

# cryptography is imported by the key's thread (TokenServer._load_key):
# its import is half the server's start, and only tokens need it.
x509 = hashes = serialization = padding = None


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def libtrust_key_id(public_key):
    """The key id libtrust (and so distribution 2.8) computes: the first
    240 bits of sha256 over the PKIX DER public key, base32 without
    padding, in 12 groups of 4 characters joined by ':'."""
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    enc = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode("ascii").rstrip("=")
    return ":".join(enc[i:i + 4] for i in range(0, len(enc), 4))


class Users:
    def __init__(self, path):
        self.path = path

    def load(self):
        users = {}
        if not self.path:
            return users
        try:
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    line = line.rstrip("\n")
                    if not line or line.startswith("#"):
                        continue
                    parts = line.split(":", 3)
                    if len(parts) < 3:
                        continue
                    name, password, actions = parts[0], parts[1], parts[2]
                    glob = parts[3] if len(parts) > 3 and parts[3] else "*"
                    users.setdefault(name, {"password": password, "grants": []})
                    users[name]["grants"].append(
                        (set(a for a in actions.split(",") if a), glob))
        except OSError:
            pass
        return users


def parse_scope(scope):
    """repository:NAME:ACTIONS -> (type, name, [actions]); NAME may
    contain ':' only in the port of a registry host, which never happens
    for repository names, so split at the first and last ':'."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first < 0 or last == first:
        return None
    typ = scope[:first]
    name = scope[first + 1:last]
    actions = [a for a in scope[last + 1:].split(",") if a]
    # A type may carry a class: repository(plugin):name:pull
    if "(" in typ:
        typ = typ[:typ.index("(")]
    return typ, name, actions


class TokenServer:
    def __init__(self, args):
        # The key is loaded on a thread of its own (an RSA key's checks
        # take ~50 ms): the server listens meanwhile, and the first
        # token waits for it (load_key()).
        self.key = self.kid = self.key_error = None
        self.key_ready = threading.Event()
        self.key_path = args.key
        self.cert_path = args.cert if args.x5c else None
        self.x5c = None
        threading.Thread(target=self._load_key, daemon=True).start()
        self.issuer = args.issuer
        self.service = args.service
        self.expires = args.expires
        self.users = Users(args.users)
        self.log_path = args.log
        self.log_lock = threading.Lock()

    def _load_key(self):
        global x509, hashes, serialization, padding
        try:
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding
            with open(self.key_path, "rb") as f:
                self.key = serialization.load_pem_private_key(f.read(), password=None)
            self.kid = libtrust_key_id(self.key.public_key())
            if self.cert_path:
                with open(self.cert_path, "rb") as f:
                    pem = f.read()
                chain = []
                marker = b"-----END CERTIFICATE-----"
                for block in pem.split(marker):
                    if b"-----BEGIN CERTIFICATE-----" in block:
                        cert = x509.load_pem_x509_certificate(block + marker)
                        chain.append(base64.b64encode(
                            cert.public_bytes(serialization.Encoding.DER)).decode("ascii"))
                self.x5c = chain
        except Exception as e:  # reported by load_key(), to each token request
            self.key_error = e
        self.key_ready.set()

    def load_key(self):
        self.key_ready.wait()
        if self.key_error:
            raise self.key_error
        return self.key

    def log(self, line):
        if not self.log_path:
            return
        with self.log_lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def grant(self, user, scopes):
        """The access list for USER (None = anonymous) asking SCOPES."""
        users = self.users.load()
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if not parsed:
                continue
            typ, name, wanted = parsed
            allowed = set()
            if user is None:
                if typ == "repository":
                    allowed = {"pull"}
            else:
                for actions, glob in users[user]["grants"]:
                    if typ == "registry" and name == "catalog":
                        if "*" in actions or "catalog" in actions:
                            allowed.add("*")
                        continue
                    if typ != "repository" or not fnmatch.fnmatchcase(name, glob):
                        continue
                    if "*" in actions:
                        allowed |= {"pull", "push", "delete", "*"}
                    allowed |= actions
            given = [a for a in wanted if a in allowed]
            if given:
                access.append({"type": typ, "name": name, "actions": given})
        return access

    def issue(self, user, service, access):
        key = self.load_key()
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256"}
        if self.x5c:
            header["x5c"] = self.x5c
        else:
            header["kid"] = self.kid
        claims = {
            "iss": self.issuer,
            "sub": user or "",
            "aud": service,
            "exp": now + self.expires,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        token = signing_input + "." + b64url(sig)
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        return {
            "token": token,
            "access_token": token,
            "expires_in": self.expires,
            "issued_at": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def authenticate(self, name, password):
        """Returns (ok, user): user None for anonymous."""
        if name is None:
            return True, None
        users = self.users.load()
        u = users.get(name)
        if u is None or u["password"] != password:
            return False, name
        return True, name


def make_handler(ts):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "test-token-server/1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, obj, extra=None):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def basic_auth(self):
            h = self.headers.get("Authorization")
            if not h:
                return None, None
            kind, _, value = h.partition(" ")
            if kind.lower() != "basic":
                return None, None
            try:
                raw = base64.b64decode(value.strip()).decode("utf-8")
            except Exception:
                return "", ""
            name, _, password = raw.partition(":")
            return name, password

        def answer(self, method, name, password, service, scopes):
            ok, user = ts.authenticate(name, password)
            if not ok:
                ts.log("%s\t%s\t%s\t401" % (method, name, " ".join(scopes) or "-"))
                self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                             "message": "authentication required",
                                             "detail": None}]},
                           {"WWW-Authenticate": 'Basic realm="test-token-server"'})
                return
            if service and ts.service and service != ts.service:
                ts.log("%s\t%s\t%s\t400" % (method, user or "-", " ".join(scopes) or "-"))
                self.reply(400, {"errors": [{"code": "DENIED",
                                             "message": "unknown service %s" % service}]})
                return
            access = ts.grant(user, scopes)
            ts.log("%s\t%s\t%s\t200" % (method, user or "-", " ".join(scopes) or "-"))
            self.reply(200, ts.issue(user, service or ts.service, access))

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            q = parse_qs(url.query)
            name, password = self.basic_auth()
            self.answer("GET", name, password, (q.get("service") or [""])[0],
                        q.get("scope", []))

        def do_POST(self):
            url = urlsplit(self.path)
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
            if url.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            form = parse_qs(body)
            grant = (form.get("grant_type") or [""])[0]
            if grant != "password":
                self.reply(400, {"error": "unsupported_grant_type"})
                return
            scopes = []
            for s in form.get("scope", []):
                scopes.extend(s.split(" "))
            self.answer("POST", (form.get("username") or [None])[0],
                        (form.get("password") or [""])[0],
                        (form.get("service") or [""])[0], scopes)

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--key", required=True, help="PEM private key (RSA) that signs tokens")
    p.add_argument("--cert", help="PEM certificate(s) of the signing key (for --x5c)")
    p.add_argument("--x5c", action="store_true", help="put the cert chain in the header, not kid")
    p.add_argument("--issuer", default="test-token-issuer")
    p.add_argument("--service", default="test-registry")
    p.add_argument("--users", help="users file NAME:PASSWORD:ACTIONS[:GLOB]")
    p.add_argument("--expires", type=int, default=300, help="token lifetime, seconds")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--log")
    p.add_argument("--print-kid", action="store_true", help="print the key id and exit")
    args = p.parse_args()
    if args.x5c and not args.cert:
        p.error("--x5c needs --cert")

    ts = TokenServer(args)
    if args.print_kid:
        ts.load_key()
        print(ts.kid)
        return 0
    return testserver.serve(make_handler(ts), args.port, args.port_file, args.tls_cert, args.tls_key,
                            handshake_timeout=30, nodelay=True)


if __name__ == "__main__":
    sys.exit(main())
