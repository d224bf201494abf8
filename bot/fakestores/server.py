"""The HTTP layer the store stand-ins share: a threaded server on 127.0.0.1 that records every call, and a
plain POST for sending webhooks.

Built like `bot.fakeslack.server` (same lifecycle, recording and `wait_for`), so a test drives a fake store the
way it drives the Slack stand-in. Each store subclass answers in `_answer(call)`; this module knows no store.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.localhttp import LocalServer, QuietHandler

__all__ = ["Call", "Delivery", "Reply", "StoreServer", "post"]


@dataclass
class Call:
    """One request a stand-in received, with what it answered."""

    method: str  # HTTP method
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float
    status: int = 0
    response: Any = None
    kind: str = ""  # what the store made of it: "token", "graphql", "orders", ... ("" before it is answered)

    def header(self, name: str) -> str | None:
        """A request header, looked up case-insensitively as HTTP requires."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclass
class Reply:
    """What a stand-in answers: a status, a JSON-able payload (or bytes/str) and extra headers."""

    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Delivery:
    """One webhook POST as sent, so it can be sent again byte for byte (a duplicate or a retry)."""

    url: str
    topic: str
    body: bytes
    headers: dict[str, str]
    status: int = 0
    response: bytes = b""
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        """A header as sent (case-insensitive)."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class StoreServer(LocalServer):
    """Lifecycle and recording shared by FakeShopify and FakeWooCommerce; subclasses define `_answer`."""

    thread_name = "fakestore"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []  # the webhooks this store sent
        self._cond = threading.Condition()

    def _handler(self) -> type[QuietHandler]:
        return type("Handler", (_Handler,), {"store": self})

    def calls_to(self, kind: str) -> list[Call]:
        """Calls recorded so far of one kind ("token", "graphql", "orders", …)."""
        with self._cond:
            return [c for c in self.calls if c.kind == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until `count` answered calls of `kind` arrived and return them; AssertionError on timeout."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.calls_to(kind)) >= count, timeout):
                return self.calls_to(kind)
            seen = [(c.method, c.path, c.kind) for c in self.calls]
        raise AssertionError(f"expected {count} call(s) of {kind} within {timeout}s; saw {seen}")

    def reset_calls(self) -> None:
        """Forget recorded calls (stored orders, codes and tokens stay)."""
        with self._cond:
            self.calls.clear()

    def _handle(self, call: Call) -> Reply:
        reply = self._answer(call)
        with self._cond:
            call.status, call.response = reply.status, reply.payload
            self.calls.append(call)
            self._cond.notify_all()
        return reply

    def _deliver(self, delivery: Delivery, timeout: float) -> tuple[int, bytes, float]:
        """POST `delivery` and keep it with what the receiver answered: (status, body, seconds)."""
        delivery.status, delivery.response, delivery.elapsed = post(delivery.url, delivery.body, delivery.headers,
                                                                    timeout=timeout)
        with self._cond:
            self.deliveries.append(delivery)
        return delivery.status, delivery.response, delivery.elapsed

    def _answer(self, call: Call) -> Reply:  # pragma: no cover - every store overrides it
        raise NotImplementedError


class _Handler(QuietHandler):
    store: StoreServer  # set on the per-server subclass

    def _serve(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        call = Call(method=self.command, path=url.path, query=dict(parse_qsl(url.query, keep_blank_values=True)),
                    headers=dict(self.headers.items()), body=raw, at=time.time())
        self.send_reply(self.store._handle(call))


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 5) -> tuple[int, bytes, float]:
    """POST `body` as is (the signature covers these exact bytes) and return (status, response body, seconds).

    Sent with http.client so header names keep the stores' spelling (urllib would rewrite `X-Shopify-Topic` as
    `X-shopify-topic`). The 5 s default is the stores' own limit for a webhook answer; a timeout or a refused
    connection is status 0."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        return response.status, response.read(), time.monotonic() - started
    except (OSError, http.client.HTTPException) as error:
        return 0, str(error).encode(), time.monotonic() - started
    finally:
        connection.close()
