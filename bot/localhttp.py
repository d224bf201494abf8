"""What the local stand-ins (bot.fakeslack, bot.fakestores) share: a threaded HTTP server for 127.0.0.1 that takes
bursts, started and stopped in a daemon thread (`LocalServer`), and a request handler that keeps quiet, hands GET
and POST to one method and writes replies."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How often a serving thread looks for a stop request: stopping waits up to this long (tests start and stop many).
POLL = 0.005


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


class LocalServer:
    """Start and stop of a stand-in on a free port of 127.0.0.1, served in a daemon thread. A subclass names its
    request handler (`_handler`) and may wake what a stop must not wait for (`_on_stop`)."""

    thread_name = "stand-in"
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _handler(self) -> type[QuietHandler]:  # pragma: no cover - every stand-in defines it
        raise NotImplementedError

    def _on_start(self) -> None:
        """Called as serving begins."""

    def _on_stop(self) -> None:
        """Called before serving stops."""

    def start(self):
        """Bind a free port on 127.0.0.1 and serve in a daemon thread; a no-op when already running."""
        if self._server is None:
            self._server = Server(("127.0.0.1", 0), self._handler())
            self._on_start()
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL},
                                            name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the socket; safe to call twice."""
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is None:
            return
        self._on_stop()
        server.shutdown()
        server.server_close()
        thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"
