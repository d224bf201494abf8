"""What the local stand-ins (bot.fakeslack, bot.fakestores) share: a threaded HTTP server for 127.0.0.1 that takes
bursts, and a request handler that keeps quiet, hands GET and POST to one method and writes replies."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops bursts of concurrent clients into 1 s SYN retries


class QuietHandler(BaseHTTPRequestHandler):
    """GET and POST both go to `_serve`; no access log."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: test output and the demo's terminal are not the place for access logs."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:  # pragma: no cover - every stand-in defines it
        raise NotImplementedError

    def send_reply(self, reply: Any) -> None:
        """Write `reply` (its `status`, `payload` — bytes, text or JSON-able —, `content_type` and `headers`)."""
        payload = reply.payload
        if isinstance(payload, bytes):
            data = payload
        elif isinstance(payload, str):
            data = payload.encode()
        else:
            data = json.dumps(payload).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except ConnectionError:
            pass  # the client gave up waiting (a timeout test); nothing left to tell it
