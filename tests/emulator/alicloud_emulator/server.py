"""HTTP side: a threading server that is a forward proxy for
``*.aliyuncs.com`` (plain requests with an absolute URI, and CONNECT tunnels
it terminates with its own CA) and serves the control API on its own
address."""

from __future__ import annotations

import socket
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from .auth import WireRequest
from .certs import CertificateAuthority
from .control import Control
from .dispatcher import Dispatcher, Response, bad_gateway

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
MAX_BODY = 16 * 1024 * 1024


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], dispatcher: Dispatcher, ca: CertificateAuthority,
                 verbose: bool = False):
        self.dispatcher = dispatcher
        self.ca = ca
        self.verbose = verbose
        self.control: Optional[Control] = None  # set once the bound port is known
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        # A client hanging up mid-request is normal for a proxy; anything else is ours.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, ssl.SSLError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def _headers(message) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for name, value in message.items():
        out.setdefault(name.lower(), []).append(value)
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "alicloud-emulator"
    sys_version = ""
    timeout = 120            # idle keep-alive connections do not hold a thread forever
    # Headers and body go out as two writes; with Nagle on, a kept-alive client's
    # delayed ACK holds the body back ~40 ms on every answer.
    disable_nagle_algorithm = True
    tunnel_host: Optional[str] = None   # set on handlers serving inside a CONNECT tunnel
    server: EmulatorServer

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if self.server.verbose:
            super().log_message(format, *args)

    # -- plain requests ----------------------------------------------------
    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _read_body(self) -> Optional[bytes]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _serve(self):
        body = self._read_body()
        if body is None:
            self._send(Response.json(413, {"error": "request body too large"}))
            self.close_connection = True
            return
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host, absolute = (parts.hostname or "").lower(), True
        else:
            parts = urlsplit(target)
            host_header = self.headers.get("Host") or self.tunnel_host or ""
            host, absolute = urlsplit("//" + host_header).hostname or "", False
            host = host.lower()
        path = parts.path or "/"
        if host.endswith(".aliyuncs.com"):
            self._send(self.server.dispatcher.handle(self._wire(host, path, parts.query, body)))
        elif not absolute or host in LOOPBACK_NAMES:
            self._send(self.server.control.handle(self.command, path, body))
        else:
            self._send(bad_gateway(host))

    def _wire(self, host: str, path: str, query: str, body: bytes) -> WireRequest:
        query_pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(query_pairs)
        content_type = (self.headers.get("Content-Type") or "").lower()
        if body and content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        return WireRequest(method=self.command, host=host, path=path, query_pairs=query_pairs,
                           headers=_headers(self.headers), body=body, params=params)

    def _send(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    # -- CONNECT tunnels -----------------------------------------------------
    def do_CONNECT(self):
        host = self.path.rsplit(":", 1)[0].strip("[]").lower()
        if not self.server.dispatcher.resolves(host):
            self._send(bad_gateway(host))
            self.close_connection = True
            return
        context = self.server.ca.server_context(host)
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.close_connection = True
        try:
            tls = context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client did not trust us or went away; it will say why
        inner = Handler.__new__(Handler)
        inner.tunnel_host = host
        try:
            Handler.__init__(inner, tls, self.client_address, self.server)
        except (ConnectionError, ssl.SSLError, socket.timeout):
            pass
        finally:
            # No TLS close_notify dance: waiting for the peer's could block a thread.
            tls.close()
