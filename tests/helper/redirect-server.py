#!/usr/bin/python3
"""redirect-server.py: a tiny loopback registry that redirects blob
downloads to another host, as ghcr.io sends blobs to its CDN.

Two plain-HTTP listeners on 127.0.0.1 in one process:

  registry (--port-file gets "REGPORT CDNPORT")
    GET /token                        {"token": TOKEN}
    any /v2/... without "Authorization: Bearer TOKEN"
                                      401, Bearer challenge (realm /token)
    GET /v2/img/manifests/1           an OCI manifest naming two blobs
    GET /v2/img/blobs/<config>        307 to http://localhost:CDNPORT/cdn/<config>
                                      (another host: the token must not follow)
    GET /v2/img/blobs/<layer>         307 to /v2/img/moved/<layer> (same host)
    GET /v2/img/moved/<layer>         the layer bytes (needs the token)
  cdn
    GET /cdn/<digest>                 the blob bytes, to anyone

Every request is logged to --log as "SERVER METHOD PATH AUTH" where AUTH
is the Authorization header as received, or "-".
"""
import argparse
import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("--token", required=True)
p.add_argument("--log", required=True)
p.add_argument("--port-file", required=True)
args = p.parse_args()

CONFIG = json.dumps({"architecture": "amd64", "os": "linux",
                     "rootfs": {"type": "layers", "diff_ids": []}}).encode()
LAYER = b"layer bytes " * 100
def dg(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()
MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
               "digest": dg(CONFIG), "size": len(CONFIG)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": dg(LAYER), "size": len(LAYER)}]}).encode()
lock = threading.Lock()
ports = {}


def log(server, handler):
    with lock, open(args.log, "a") as f:
        f.write("%s %s %s %s\n" % (server, handler.command, handler.path,
                                   handler.headers.get("Authorization", "-")))


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Registry(Base):
    def do_GET(self):
        log("registry", self)
        path = self.path.split("?")[0]
        if path == "/token":
            return self.send(200, json.dumps({"token": args.token}).encode(),
                             {"Content-Type": "application/json"})
        if self.headers.get("Authorization") != "Bearer " + args.token:
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}', {
                "WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/token",service="redirect-test"'
                % ports["registry"]})
        if path == "/v2/img/manifests/1":
            return self.send(200, MANIFEST, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        if path == "/v2/img/blobs/" + dg(CONFIG):
            return self.send(307, b"", {"Location": "http://localhost:%d/cdn/%s?sig=abc"
                                        % (ports["cdn"], dg(CONFIG))})
        if path == "/v2/img/blobs/" + dg(LAYER):
            return self.send(307, b"", {"Location": "/v2/img/moved/" + dg(LAYER)})
        if path == "/v2/img/moved/" + dg(LAYER):
            return self.send(200, LAYER)
        return self.send(404, b'{"errors":[{"code":"NOT_FOUND","message":"no"}]}')

    do_HEAD = do_GET


class Cdn(Base):
    def do_GET(self):
        log("cdn", self)
        if self.path.split("?")[0] == "/cdn/" + dg(CONFIG):
            return self.send(200, CONFIG)
        return self.send(404)


reg = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
cdn = ThreadingHTTPServer(("127.0.0.1", 0), Cdn)
reg.daemon_threads = cdn.daemon_threads = True
ports["registry"] = reg.server_address[1]
ports["cdn"] = cdn.server_address[1]
threading.Thread(target=cdn.serve_forever, daemon=True).start()
with open(args.port_file + ".tmp", "w") as f:
    f.write("%d %d %s %s\n" % (ports["registry"], ports["cdn"], dg(CONFIG), dg(LAYER)))
import os
os.rename(args.port_file + ".tmp", args.port_file)
try:
    reg.serve_forever()
except KeyboardInterrupt:
    pass
