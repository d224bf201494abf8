"""HTTP mode: a WSGI app with `POST /slack/events` (Bolt), `GET /health` and the store webhooks
(bot.wiring.store_webhooks), served by waitress.

Every request to /slack/events is checked here, on the raw bytes, before Bolt answers anything (SPEC §7): its size,
its content type, that it parses, Slack's signature with a fresh timestamp, then its shape (handlers.envelope). A
request that fails gets a 400 or 401 and a one-line log saying why; nothing it carries is used, logged or called."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context
from sqlalchemy.exc import SQLAlchemyError

from bot import db, freshness
from bot.wiring.app import envelope

log = logging.getLogger(__name__)
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger before reading it
MAX_SKEW = 5 * 60  # Slack's rule: a request signed more than five minutes away from now is refused (replays)
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")  # events; commands and interactivity
# Strict forms of the headers: int() alone would take " 17e", "+1700000000", "1_700_000_000" or Arabic digits, and
# comparing a non-ASCII signature with hmac.compare_digest raises instead of failing.
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
LENGTH = re.compile(r"[0-9]{1,9}")


class Refused(Exception):
    """A request turned away before Bolt sees it: the HTTP status, and why (for the log; never a value it carried)."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status, self.why = status, why


def _reply(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _raw_body(environ) -> bytes:
    length = (environ.get("CONTENT_LENGTH") or "0").strip()
    if not LENGTH.fullmatch(length):
        raise Refused(400, "unreadable Content-Length")
    stream = environ.get("wsgi.input")
    return stream.read(int(length)) if stream is not None and int(length) else b""


def _bolt_request(raw: str, request: WsgiHttpRequest) -> BoltRequest:
    """The BoltRequest for a WSGI request, with a form body read as the form it is."""
    bolt_request = BoltRequest(body=raw, query=request.query_string, headers=request.get_headers())
    if "payload" in raw and bolt_request.content_type != "application/json" and not raw.startswith("{"):
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if "payload" not in form:
            # Bolt takes any form with the word "payload" in it (`note="payload due"`, a channel #payload) for an
            # interactivity payload and drops every field: the command would go unanswered.
            bolt_request.body = form
            bolt_request.context = build_context(BoltContext(), form)
    return bolt_request


def _parsed(raw: bytes, request: WsgiHttpRequest) -> BoltRequest:
    """The request as Bolt will see it, or Refused(400) when Slack would never send such a body."""
    media = (request.environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if media not in CONTENT_TYPES:
        raise Refused(400, "not a content type Slack sends")
    try:
        bolt_request = _bolt_request(raw.decode("utf-8"), request)
    except RecursionError:  # JSON nested thousands deep: json.loads gives up, as it should
        raise Refused(400, "the body is nested too deeply") from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        raise Refused(400, f"a body Bolt cannot read ({type(error).__name__})") from None
    return bolt_request


def verify(raw: bytes, timestamp: str | None, signature: str | None, secret: str | None, *, now: float) -> str | None:
    """Why a request fails Slack's signature check (timestamp within five minutes, v0 HMAC-SHA256 of
    `v0:<timestamp>:<body>` with the signing secret, compared in constant time), or None when it passes."""
    if not secret:
        return "no signing secret is set"
    if timestamp is None or not TIMESTAMP.fullmatch(timestamp):
        return "missing or malformed timestamp"
    if abs(now - int(timestamp)) > MAX_SKEW:
        return "stale timestamp"
    if signature is None or not SIGNATURE.fullmatch(signature):
        return "missing or malformed signature"
    expected = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(f"v0={expected}".encode(), signature.encode()) else "bad signature"


class _Handler(SlackRequestHandler):
    """Bolt's WSGI handler, with every POST to /slack/events checked before Bolt sees it."""

    def __init__(self, app: App, secret: str | None):
        super().__init__(app, path="/slack/events")
        self.secret = secret

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        environ = request.environ
        try:
            raw = _raw_body(environ)
            # Parsing first: a body Bolt cannot parse gets a 400, signed or not, rather than a traceback. The shape
            # rules, which walk the whole body in Python, wait until the request is known to be Slack's.
            bolt_request = _parsed(raw, request)
            why = verify(raw, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE"),
                         self.secret, now=time.time())
            if why is not None:
                raise Refused(401, why)
            why = envelope.problem(bolt_request.body)
            if why is not None:
                raise Refused(400, why)
        except Refused as refused:
            log.warning("refused a request: %s", refused.why)
            return BoltResponse(status=refused.status,
                                body={"error": "malformed request" if refused.status == 400 else "invalid request"})
        # Bolt checks the signature again (app.dispatch is also used without this layer); errors may now be answered.
        envelope.mark_verified(bolt_request)
        return self.app.dispatch(bolt_request)


def health(runtime, start_response) -> list[bytes]:
    """`GET /health`: the database, and each store connection's status and last delivery and sync (SPEC §8), never
    a secret; 503 when the database cannot be reached."""
    stores = None
    if db.check(runtime.engine):
        try:
            with runtime.reads.begin() as session:
                stores = [store.as_json() for store in freshness.stores(session)]
        except SQLAlchemyError as error:
            log.warning("health: the store connections could not be read (%s)", type(error).__name__)
    if stores is None:
        return _reply(start_response, "503 Service Unavailable", {"status": "error", "database": "unreachable"})
    return _reply(start_response, "200 OK", {"status": "ok", "database": "ok", "stores": stores})


def wsgi_app(app: App):
    """The WSGI callable: health check, store webhooks, body-size guard, then Bolt (events, commands, interactivity,
    OAuth). Its `store_worker` processes the kept store deliveries once started (serve does)."""
    from bot.wiring import store_webhooks  # it builds on this module's request checks

    runtime = app.roi_runtime  # type: ignore[attr-defined]
    slack = _Handler(app, runtime.settings.signing_secret)
    worker = store_webhooks.StoreWorker(runtime)

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path in store_webhooks.PATHS:
            return store_webhooks.handle(runtime, worker, environ, start_response)
        if path == "/health" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return health(runtime, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return _reply(start_response, "413 Payload Too Large", {"error": "request body too large"})
        return slack(environ, start_response)

    application.store_worker = worker  # type: ignore[attr-defined]
    return application


def serve(app: App, *, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted."""
    from waitress import serve as waitress_serve

    application = wsgi_app(app)
    application.store_worker.start()
    log.info("ROI bot listening on http://%s:%d/slack/events", host, port)
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="roi-bot",
                       max_request_body_size=MAX_BODY)
    finally:
        application.store_worker.stop()
