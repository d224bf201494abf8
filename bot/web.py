"""HTTP mode: a WSGI app with `POST /slack/events` (Bolt) and `GET /health`, served by waitress."""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import db

log = logging.getLogger(__name__)
MAX_BODY = 2 * 1024 * 1024  # Slack's payloads are far smaller; refuse anything bigger before reading it


def _reply(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def wsgi_app(app: App):
    """The WSGI callable: health check, body-size guard, then Bolt (events, commands, interactivity, OAuth)."""
    slack = SlackRequestHandler(app, path="/slack/events")
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
