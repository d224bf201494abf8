"""`POST /shopify/webhooks` and `POST /woocommerce/webhooks` on the serve WSGI app, and the worker thread that
processes what they kept (SPEC §8).

The request is answered as soon as its delivery is kept (bot.stores.webhooks): the stores give up after 5 s. The
worker then processes it (bot.stores.inbox), wakes on each kept delivery, and also looks every POLL seconds for
deliveries due again (failures backing off, and at start-up whatever a stopped process left unprocessed)."""

from __future__ import annotations

import logging
import threading

from bot.runtime import Runtime
from bot.stores import inbox, webhooks
from bot.wiring.web import MAX_BODY, Refused, _raw_body, _reply

log = logging.getLogger("roi.stores")
PATHS = {"/shopify/webhooks": "shopify", "/woocommerce/webhooks": "woocommerce"}
POLL = 30.0
STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found",
          405: "405 Method Not Allowed", 413: "413 Payload Too Large", 500: "500 Internal Server Error"}


class StoreWorker:
    """Processes kept deliveries in a thread of its own (`start`), or when asked (`drain`, for tests)."""

    def __init__(self, runtime: Runtime, *, poll: float = POLL):
        self.runtime, self.poll = runtime, poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def drain(self) -> dict[str, int]:
        """Process every delivery due now; how many ended how."""
        runtime = self.runtime
        return inbox.process_due(runtime.sessions, tz=runtime.settings.tz, now=runtime.clock())

    def wake(self) -> None:
        """A delivery was kept: process it now rather than at the next poll."""
        self._wake.set()

    def start(self) -> StoreWorker:
        """Run in a daemon thread; the first round takes over what an earlier process left."""
        self._thread = threading.Thread(target=self._run, name="store-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the delivery in hand."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                counts = self.drain()
                if counts:
                    log.info("store deliveries processed: %s", ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
            except Exception:  # noqa: BLE001 - the database may be away for a while; the worker must outlive it
                log.exception("store deliveries could not be read; trying again in %.0f s", self.poll)
            self._wake.wait(self.poll)


def _headers(environ) -> dict[str, str]:
    found = {key[5:].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        found["content-type"] = environ["CONTENT_TYPE"]
    return found


def handle(runtime: Runtime, worker: StoreWorker, environ, start_response) -> list[bytes]:
    """One request to a store webhook path: checked, kept, answered; the worker woken."""
    kind = PATHS[environ.get("PATH_INFO", "")]
    if environ.get("REQUEST_METHOD") != "POST":
        return _reply(start_response, STATUS[405], {"error": "POST only"})
    try:
        if int(environ.get("CONTENT_LENGTH") or 0) > MAX_BODY:
            return _reply(start_response, STATUS[413], {"error": "request body too large"})
        raw = _raw_body(environ)
    except (Refused, ValueError):
        return _reply(start_response, STATUS[400], {"error": "malformed request"})
    outcome = webhooks.receive(runtime.sessions, runtime.settings, kind, _headers(environ), raw, now=runtime.clock())
    if outcome.status == 200:
        log.info("%s webhook: %s", kind, outcome.why)
    else:
        log.warning("%s webhook refused (%d): %s", kind, outcome.status, outcome.why)
    if outcome.delivery_id is not None:
        worker.wake()
    body = {"ok": True} if outcome.status == 200 else {"error": "invalid request" if outcome.status == 401 else
                                                       "unknown shop" if outcome.status == 404 else "malformed request"}
    return _reply(start_response, STATUS[outcome.status], body)

