"""Fixtures for the store stand-ins' tests: a webhook receiver that keeps raw requests, a JSON HTTP caller, and the
real samples in ../shared/stores/samples (tests that need them skip when that directory is absent)."""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("ROI_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared")
SAMPLES = SHARED / "stores" / "samples"


def sample(name: str) -> dict:
    """A real sample payload (the body of a recorded delivery); skips the test when ../shared is absent."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not found (the store samples ship beside the repository, in ../shared)")
    data = json.loads(path.read_text())
    return data.get("body", data) if "_note" in data else data


class Receiver:
    """A local webhook endpoint that keeps every request's raw body and headers and answers `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                """Silent."""

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.close()


def call(url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, decoded JSON body) of one HTTP request, error statuses included."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read())


@pytest.fixture
def http():
    """The JSON HTTP caller: http(url, data=, headers=, method=) -> (status, headers, body)."""
    return call


@pytest.fixture
def load_sample():
    """The sample loader: load_sample(file name) -> the order JSON (skips when ../shared is absent)."""
    return sample
