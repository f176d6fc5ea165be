#!/usr/bin/python3
"""fault-proxy.py: a loopback reverse proxy that injects faults.

Why: a registry client must survive what ghcr.io does on a bad day
(connection resets, 500/502/503, 429 with Retry-After, an upload session
that the registry forgot) and the tests must prove that it retried, and
how often.  The client is pointed at this proxy instead of the registry
(REGISTRY=127.0.0.1:<proxy port>); the proxy forwards every request
unchanged to the upstream (the registry runs with relativeurls, so no
Location needs rewriting) unless a rule says to break it, and logs every
request to --log, one line each, tab separated:

    METHOD  PATH?QUERY  STATUS  FAULT        (STATUS '-' after a reset,
                                              FAULT '-' when none)

and, with --trace, when each request arrives and when it is done with
(its answer starts, or it is reset or failed), so a test can see requests
overlap:

    begin   METHOD  PATH?QUERY
    end     METHOD  PATH?QUERY

Rules (--rules, or --rules-file re-read whenever its content changes;
changing it resets the counters): RULE[;RULE...], each

    FAULT[,key=value...]

FAULT is one of
    NNN          answer HTTP NNN (500, 502, 503, 429...) with a JSON
                 registry error body; the request is not forwarded
    reset        read the request, then reset the TCP connection (RST)
    reset-after  forward the request (it takes effect), then reset the
                 connection instead of relaying the response
    lost-upload  answer 404 BLOB_UPLOAD_UNKNOWN (default path: an upload
                 session URL, /blobs/uploads/<id>)
    truncate     relay the status and headers, half the body, then close
    corrupt      relay the response with one body byte changed
    delay        forward normally after sleeping delay=SECONDS (default 1)
    unauth       forward without the Authorization header: the registry
                 answers its own 401 and Bearer challenge, as when a token
                 expired or was revoked (distribution itself accepts a
                 token until some 60 s after its exp)
    untag        a DELETE of /v2/NAME/manifests/TAG (a tag, not a digest)
                 is done by the proxy, as a registry that deletes tags
                 would (the distribution spec lets a registry refuse it;
                 distribution 2.8 does, with 400): the tag is removed
                 from the registry's filesystem storage (root=DIR, its
                 storage rootdirectory) and the answer is 202, or 404
                 MANIFEST_UNKNOWN when there is no such tag
    referrers    a GET of /v2/NAME/referrers/DIGEST answers 200 with an
                 empty OCI index, as a registry that offers the referrers
                 API (distribution-spec 1.1) would; distribution 2.8 has
                 no such route (404)
  a hostile registry (not forwarded; see hostile()):
    redirect     answer 307 to to=URL (default: the request's own path,
                 a redirect loop)
    huge         answer 200 with a body of size=N bytes (default 8 MiB),
                 Content-Length N
    endless      answer 200 without Content-Length and a body of zero
                 bytes that never ends (up to size=N, default 4 GiB)
    trickle      answer 200 with Content-Length size=N (default 1 MiB),
                 the body at rate=N bytes a second (default 4)
                 (the log line of endless and trickle gets a fifth
                 column, sent=BYTES written before the client left)
keys
    method=REGEX   only requests whose method matches (whole, any case)
    path=REGEX     only requests whose path (with query) matches (search)
    every=N        fire on the Nth, 2Nth... matching request (default 1)
    after=N        let the first N matching requests through first
    times=N        fire at most N times (default: no limit)
    retry-after=S  add `Retry-After: S` (default 1 for 429)
    delay=S        seconds to sleep before answering (any fault)
    root=DIR       untag: the registry's storage rootdirectory
    to=URL, size=N, rate=N   see the hostile faults above

Each rule counts the requests it matches; the first rule that fires
decides.  Examples:
    503,method=PUT,path=/manifests/,times=1   first manifest PUT gets 503
    reset,every=3                             every third request reset
    429,retry-after=2,times=2                 the first two requests 429
    lost-upload,method=PATCH,times=1          one upload chunk: session lost

The port is printed as `PORT <n>` and written to --port-file.
"""

import argparse
import http.client
import os
import re
import shutil
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import testserver

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "trailers", "transfer-encoding", "upgrade", "expect"}

HOSTILE_FAULTS = ("redirect", "huge", "endless", "trickle")

ERROR_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "DENIED", 404: "NOT_FOUND",
    429: "TOOMANYREQUESTS", 500: "UNKNOWN", 502: "UNAVAILABLE", 503: "UNAVAILABLE",
    504: "UNAVAILABLE",
}


class Rule:
    def __init__(self, text):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise ValueError("empty rule")
        self.text = text.strip()
        self.fault = parts[0].lower()
        if not (re.fullmatch(r"[1-5][0-9][0-9]", self.fault) or self.fault in
                ("reset", "reset-after", "lost-upload", "truncate", "corrupt", "delay",
                 "unauth", "untag", "referrers") or self.fault in HOSTILE_FAULTS):
            raise ValueError("unknown fault '%s'" % parts[0])
        self.method = None
        self.path = None
        self.every = 1
        self.after = 0
        self.times = None
        self.retry_after = "1" if self.fault == "429" else None
        self.delay = 1.0 if self.fault == "delay" else 0.0
        if self.fault == "lost-upload":
            self.path = re.compile(r"/blobs/uploads/[^/?]+")
        self.root = None
        if self.fault == "untag":
            self.method = re.compile("DELETE")
            self.path = re.compile(r"^/v2/.+/manifests/[^/?:]+$")
        if self.fault == "referrers":
            self.method = re.compile("GET")
            self.path = re.compile(r"^/v2/.+/referrers/sha256:[0-9a-f]{64}")
        self.to = None
        self.size = {"huge": 8 << 20, "endless": 4 << 30, "trickle": 1 << 20}.get(self.fault, 0)
        self.rate = 4.0
        for kv in parts[1:]:
            k, sep, v = kv.partition("=")
            if not sep:
                raise ValueError("'%s' is not key=value" % kv)
            k = k.strip().lower()
            if k == "method":
                self.method = re.compile(v, re.I)
            elif k == "path":
                self.path = re.compile(v)
            elif k == "every":
                self.every = max(1, int(v))
            elif k == "after":
                self.after = int(v)
            elif k == "times":
                self.times = int(v)
            elif k in ("retry-after", "retry_after"):
                self.retry_after = v
            elif k == "delay":
                self.delay = float(v)
            elif k == "root":
                self.root = v
            elif k == "to":
                self.to = v
            elif k == "size":
                self.size = int(v)
            elif k == "rate":
                self.rate = max(0.1, float(v))
            else:
                raise ValueError("unknown key '%s'" % k)
        self.seen = 0
        self.fired = 0

    def matches(self, method, path):
        if self.method and not self.method.fullmatch(method):
            return False
        if self.path and not self.path.search(path):
            return False
        return True

    def count(self):
        """Called for a matching request: True when the rule fires."""
        self.seen += 1
        n = self.seen - self.after
        if n <= 0 or n % self.every:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True


def parse_rules(text):
    rules = []
    for chunk in re.split(r"[;\n]", text or ""):
        chunk = chunk.strip()
        if chunk and not chunk.startswith("#"):
            rules.append(Rule(chunk))
    return rules


class Rules:
    def __init__(self, text, path):
        self.lock = threading.Lock()
        self.path = path
        self.text = text or ""
        self.rules = parse_rules(self.text)

    def decide(self, method, path):
        with self.lock:
            if self.path:
                try:
                    with open(self.path, encoding="utf-8") as f:
                        text = f.read()
                except OSError:
                    text = ""
                if text != self.text:
                    try:
                        self.rules = parse_rules(text)
                    except ValueError as e:
                        sys.stderr.write("fault-proxy: bad rules: %s\n" % e)
                        self.rules = []
                    self.text = text
            chosen = None
            for r in self.rules:
                if r.matches(method, path) and r.count() and chosen is None:
                    chosen = r
            return chosen


def make_handler(opts):
    up = urlsplit(opts.upstream)
    up_ctx = None
    if up.scheme == "https":
        up_ctx = ssl.create_default_context(cafile=opts.ca)
    log_lock = threading.Lock()

    def log(method, path, status, fault, extra=None):
        if not opts.log:
            return
        with log_lock:
            with open(opts.log, "a", encoding="utf-8") as f:
                f.write("%s\t%s\t%s\t%s%s\n" % (method, path, status, fault or "-",
                                                  "\t" + extra if extra else ""))

    def trace(event, method, path):
        if not opts.trace:
            return
        with log_lock:
            with open(opts.trace, "a", encoding="utf-8") as f:
                f.write("%s\t%s\t%s\n" % (event, method, path))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fault-proxy/1"

        def log_message(self, fmt, *args):
            pass

        # --- request body -------------------------------------------
        def body_chunks(self):
            """The request body, as it arrives, in pieces."""
            te = (self.headers.get("Transfer-Encoding") or "").lower()
            if "chunked" in te:
                while True:
                    line = self.rfile.readline(1024)
                    if not line:
                        return
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                            pass
                        return
                    left = size
                    while left:
                        data = self.rfile.read(min(left, 65536))
                        if not data:
                            return
                        left -= len(data)
                        yield data
                    self.rfile.readline(16)
            else:
                left = int(self.headers.get("Content-Length") or 0)
                while left > 0:
                    data = self.rfile.read(min(left, 65536))
                    if not data:
                        return
                    left -= len(data)
                    yield data

        def drain(self):
            for _ in self.body_chunks():
                pass

        # --- faults ---------------------------------------------------
        def reset(self):
            """Abort the connection: SO_LINGER 0 then close sends RST.
            The fd is detached first because rfile/wfile keep the socket
            object open."""
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                os.close(self.connection.detach())
            except OSError:
                pass

        def answer(self, status, code, message, extra=None):
            body = ('{"errors":[{"code":"%s","message":"%s","detail":null}]}\n'
                    % (code, message)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def hostile(self, rule):
            """A registry that means harm: redirect (loop or elsewhere),
            huge, endless, trickle (see the module doc)."""
            fault = rule.fault
            self.drain()
            if fault == "redirect":
                self.send_response(307)
                self.send_header("Location", rule.to or self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                log(self.command, self.path, 307, fault)
                return
            self.send_response(200)
            if fault == "huge":
                self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            else:
                self.send_header("Content-Type", "application/octet-stream")
            if fault != "endless":
                self.send_header("Content-Length", str(rule.size))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            sent = 0
            if self.command != "HEAD":
                block = b" " * 65536 if fault != "trickle" else None
                try:
                    while sent < rule.size:
                        if fault == "trickle":
                            n = max(1, int(rule.rate))
                            n = min(n, rule.size - sent)
                            self.wfile.write(b" " * n)
                            self.wfile.flush()
                            sent += n
                            time.sleep(n / rule.rate)
                        else:
                            n = min(len(block), rule.size - sent)
                            self.wfile.write(block[:n])
                            sent += n
                except OSError:
                    pass
            log(self.command, self.path, 200, fault, "sent=%d" % sent)

        # --- forwarding -------------------------------------------------
        def forward(self, drop_auth=False):
            if up.scheme == "https":
                conn = http.client.HTTPSConnection(up.hostname, up.port or 443,
                                                   context=up_ctx, timeout=120)
            else:
                conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=120)
            conn.putrequest(self.command, self.path, skip_host=True,
                            skip_accept_encoding=True)
            chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
            has_body = chunked or self.headers.get("Content-Length") is not None
            for k, v in self.headers.items():
                if k.lower() in HOP_BY_HOP:
                    continue
                if drop_auth and k.lower() == "authorization":
                    continue
                conn.putheader(k, v)
            if chunked:
                conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            if has_body:
                for data in self.body_chunks():
                    if chunked:
                        conn.send(b"%x\r\n" % len(data) + data + b"\r\n")
                    else:
                        conn.send(data)
                if chunked:
                    conn.send(b"0\r\n\r\n")
            return conn, conn.getresponse()

        def relay(self, resp, fault):
            """Send RESP on; FAULT truncate/corrupt spoil the body."""
            body_len = resp.getheader("Content-Length")
            chunked = resp.chunked
            self.send_response_only(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() in HOP_BY_HOP:
                    continue
                self.send_header(k, v)
            if chunked and fault is None:
                self.send_header("Transfer-Encoding", "chunked")
            if self.close_connection or fault == "truncate":
                self.send_header("Connection", "close")
            body = b""
            if fault in ("truncate", "corrupt") or chunked:
                body = resp.read()
                if chunked and fault is not None:
                    self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if fault == "truncate":
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if fault == "corrupt":
                if body:
                    i = len(body) // 2
                    body = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1:]
                self.wfile.write(body)
                return
            if chunked:
                if body:
                    self.wfile.write(b"%x\r\n" % len(body) + body + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            left = int(body_len or 0)
            while left > 0:
                data = resp.read(min(left, 65536))
                if not data:
                    break
                self.wfile.write(data)
                left -= len(data)

        def handle_any(self):
            self.traced_end = False
            trace("begin", self.command, self.path)
            try:
                self.handle_traced()
            finally:
                self.trace_end()

        def trace_end(self):
            if not self.traced_end:
                self.traced_end = True
                trace("end", self.command, self.path)

        def send_response_only(self, code, message=None):
            # "end" is traced as the final answer starts, before the client
            # can read it: the client cannot act on an answer traced later.
            # (A "100 Continue" to Expect: comes before handle_any.)
            if code >= 200 and hasattr(self, "traced_end"):
                self.trace_end()
            super().send_response_only(code, message)

        def handle_traced(self):
            rule = opts.rules.decide(self.command, self.path)
            fault = rule.fault if rule else None
            if rule and rule.delay:
                time.sleep(rule.delay)
            try:
                if fault == "reset":
                    self.drain()
                    log(self.command, self.path, "-", "reset")
                    self.reset()
                    return
                if fault and re.fullmatch(r"[0-9]{3}", fault):
                    self.drain()
                    status = int(fault)
                    extra = {}
                    if rule.retry_after is not None:
                        extra["Retry-After"] = rule.retry_after
                    self.answer(status, ERROR_CODES.get(status, "UNKNOWN"),
                                "injected fault %d" % status, extra)
                    log(self.command, self.path, status, fault)
                    return
                if fault in HOSTILE_FAULTS:
                    self.hostile(rule)
                    return
                if fault == "untag":
                    self.drain()
                    m = re.fullmatch(r"/v2/(.+)/manifests/([^/?:]+)", self.path)
                    tag_dir = os.path.join(rule.root or "", "docker", "registry", "v2",
                                           "repositories", m.group(1), "_manifests",
                                           "tags", m.group(2)) if m else ""
                    if rule.root and m and os.path.isdir(tag_dir):
                        shutil.rmtree(tag_dir)
                        self.send_response(202)
                        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        log(self.command, self.path, 202, fault)
                    else:
                        self.answer(404, "MANIFEST_UNKNOWN", "manifest unknown")
                        log(self.command, self.path, 404, fault)
                    return
                if fault == "referrers":
                    self.drain()
                    body = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/vnd.oci.image.index.v1+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    log(self.command, self.path, 200, fault)
                    return
                if fault == "lost-upload":
                    self.drain()
                    self.answer(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
                    log(self.command, self.path, 404, fault)
                    return
                try:
                    conn, resp = self.forward(drop_auth=(fault == "unauth"))
                except (OSError, http.client.HTTPException) as e:
                    self.answer(502, "UNAVAILABLE", "fault-proxy: upstream: %s" % e)
                    log(self.command, self.path, 502, "upstream-error")
                    self.close_connection = True
                    return
                try:
                    if fault == "reset-after":
                        resp.read()
                        log(self.command, self.path, "-", fault)
                        self.reset()
                        return
                    self.relay(resp, fault if fault in ("truncate", "corrupt") else None)
                    log(self.command, self.path, resp.status, fault)
                finally:
                    conn.close()
            except (OSError, ValueError) as e:
                log(self.command, self.path, "-", "client-error:%s" % type(e).__name__)
                self.close_connection = True

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--upstream", required=True, help="https://127.0.0.1:PORT")
    p.add_argument("--ca", help="CA file to verify the upstream")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--rules", default=os.environ.get("FAULT_RULES", ""))
    p.add_argument("--rules-file")
    p.add_argument("--log")
    p.add_argument("--trace", help="log of request begin/end events")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    opts = p.parse_args()
    try:
        opts.rules = Rules(opts.rules, None)
        if opts.rules_file:
            text = ""
            if os.path.exists(opts.rules_file):
                with open(opts.rules_file, encoding="utf-8") as f:
                    text = f.read()
            opts.rules = Rules(text, opts.rules_file)
    except ValueError as e:
        p.error("bad rules: %s" % e)

    return testserver.serve(make_handler(opts), opts.port, opts.port_file, opts.tls_cert, opts.tls_key,
                            handshake_timeout=120)


if __name__ == "__main__":
    sys.exit(main())
