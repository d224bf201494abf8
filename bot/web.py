"""HTTP mode: a WSGI app with `POST /slack/events` (Bolt) and `GET /health`, served by waitress."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

from bot import db

log = logging.getLogger(__name__)
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger before reading it
# Parts of Slack's payloads that are always JSON objects (or absent); Bolt assumes so and fails with a 500 otherwise.
OBJECTS = ("team", "user", "channel", "container", "view", "event", "message", "enterprise")


def _reply(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def well_formed(body) -> bool:
    """True when a request body has the shape of Slack's payloads, as far as Bolt relies on it."""
    if not isinstance(body, dict):
        return False
    if any(body.get(key) is not None and not isinstance(body[key], dict) for key in OBJECTS):
        return False
    actions = body.get("actions")
    if actions is None:
        return True
    return isinstance(actions, list) and bool(actions) and all(isinstance(action, dict) for action in actions)


def _bolt_request(request: WsgiHttpRequest) -> BoltRequest:
    """The BoltRequest for a WSGI request, with a form body read as the form it is."""
    raw = request.get_body()
    bolt_request = BoltRequest(body=raw, query=request.query_string, headers=request.get_headers())
    if "payload" in raw and bolt_request.content_type != "application/json" and not raw.startswith("{"):
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if "payload" not in form:
            # Bolt takes any form with the word "payload" in it (`note="payload due"`, a channel #payload) for an
            # interactivity payload and drops every field: the command would go unanswered.
            bolt_request.body = form
            bolt_request.context = build_context(BoltContext(), form)
    return bolt_request


class _Handler(SlackRequestHandler):
    """Bolt's WSGI handler, answering 400 to a body that is not Slack's: Bolt parses the body before it checks the
    signature and would otherwise fail on malformed JSON with a traceback and a 500, signed or not."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = _bolt_request(request)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            log.warning("refused a request body Bolt cannot read (%s)", type(error).__name__)
            return BoltResponse(status=400, body="malformed request body")
        if not well_formed(bolt_request.body):
            log.warning("refused a request body that is not shaped like Slack's")
            return BoltResponse(status=400, body="malformed request body")
        return self.app.dispatch(bolt_request)


def wsgi_app(app: App):
    """The WSGI callable: health check, body-size guard, then Bolt (events, commands, interactivity, OAuth)."""
    slack = _Handler(app, path="/slack/events")
    runtime = app.roi_runtime  # type: ignore[attr-defined]

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/health" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = db.check(runtime.engine)
            return _reply(start_response, "200 OK" if ok else "503 Service Unavailable",
                          {"status": "ok" if ok else "error", "database": "ok" if ok else "unreachable"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return _reply(start_response, "413 Payload Too Large", {"error": "request body too large"})
        return slack(environ, start_response)

    return application


def serve(app: App, *, host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted."""
    from waitress import serve as waitress_serve

    log.info("ROI bot listening on http://%s:%d/slack/events", host, port)
    waitress_serve(wsgi_app(app), host=host, port=port, threads=threads, ident="roi-bot", max_request_body_size=MAX_BODY)
