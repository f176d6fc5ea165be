"""The loopback HTTP(S) server under the tests' Python services.

token-server.py and fault-proxy.py import it (a script's directory is on
sys.path).  serve() binds 127.0.0.1:PORT (0 picks a free port), wraps
connections in TLS when a certificate is given, publishes the port (in
--port-file, written atomically, and as "PORT N" on stdout), and serves
until SIGTERM.
"""
import os
import signal
import socket
import ssl
import sys
from http.server import ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    """Threads per connection; the TLS handshake happens in the
    connection's thread (on first read), so a slow client cannot stall
    accept()."""
    daemon_threads = True

    def __init__(self, addr, handler, ctx, handshake_timeout, nodelay=False):
        self.tls = ctx
        self.nodelay = nodelay
        self.handshake_timeout = handshake_timeout
        super().__init__(addr, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        # The handler writes the status line, headers and body in
        # separate sends: without TCP_NODELAY, Nagle's algorithm holds
        # the body for the client's delayed ACK, 40 ms an answer.  Only
        # where asked (the token service): the fault proxy logs a request
        # after answering it, and its tests read that log as soon as the
        # answer is in.
        if self.nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            sock = self.tls.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(self.handshake_timeout)
            try:
                request.do_handshake()
            except (OSError, ssl.SSLError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def serve(handler, port=0, port_file=None, tls_cert=None, tls_key=None,
          handshake_timeout=30, nodelay=False):
    """Serve handler until SIGTERM; returns 0."""
    ctx = None
    if tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls_cert, tls_key)
    httpd = Server(("127.0.0.1", port), handler, ctx, handshake_timeout, nodelay)
    port = httpd.server_address[1]
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, port_file)
    print("PORT %d" % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        httpd.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0
