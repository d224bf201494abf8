"""Build request bodies exactly as Slack sends them to the app, sign them, and deliver them.

Bodies follow real payloads (slash commands form-encoded, interactivity as `payload=<json>`, events as
JSON); `dispatch` runs one through a Bolt app in-process, `post` sends one over HTTP to a running server,
`call_wsgi` through a WSGI callable; `send` and `wsgi_environ` take headers as given, forged ones included.
"""

from __future__ import annotations

import io
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_bolt.request import BoltRequest
    from slack_bolt.response import BoltResponse

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_event_ids = itertools.count(1)


def sign(body: str, secret: str, timestamp: int | str | None = None, content_type: str | None = None) -> dict[str, str]:
    """Headers Slack would send with `body`: v0 signature, timestamp and content type (guessed when None). A str
    timestamp is signed exactly as given, however odd, as a forger who knows the secret could."""
    ts = timestamp if isinstance(timestamp, str) else str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature,
            "Content-Type": content_type or _guess_content_type(body)}


def slash_command(command: str, text: str = "", *, response_url: str, team_id: str = "T0001",
                  user_id: str = "U0001", user_name: str = "ana", channel_id: str = "C0001",
                  channel_name: str = "general", team_domain: str = "acme", api_app_id: str = "A0001",
                  trigger_id: str = "1337.42.fake-trigger", enterprise_id: str | None = None) -> str:
    """A form-encoded slash-command body, fields in the order Slack sends them."""
    fields = {"token": "fake-verification-token", "team_id": team_id, "team_domain": team_domain}
    if enterprise_id:
        fields.update(enterprise_id=enterprise_id, enterprise_name="Acme Org")
    fields.update(channel_id=channel_id, channel_name=channel_name, user_id=user_id, user_name=user_name,
                  command=command, text=text, api_app_id=api_app_id, is_enterprise_install="false",
                  response_url=response_url, trigger_id=trigger_id)
    return urlencode(fields)


def block_actions(action_id: str, value: str, *, team_id: str = "T0001", user_id: str = "U0001",
                  user_name: str = "ana", channel_id: str = "C0001", message_ts: str | None = None,
                  response_url: str | None = None, block_id: str = "b", message: dict | None = None,
                  container_type: str = "message", view: dict | None = None, api_app_id: str = "A0001",
                  trigger_id: str = "1337.43.fake-trigger") -> str:
    """A `payload=<json>` body for a button click on a message (or, with container_type="view", a view)."""
    ts = message_ts or (message or {}).get("ts") or "1700000000.000100"
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": api_app_id, "token": "fake-verification-token", "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": "acme"}, "enterprise": None, "is_enterprise_install": False,
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                     "text": {"type": "plain_text", "text": value, "emoji": True},
                     "action_ts": f"{time.time():.6f}"}],
    }
    if container_type == "view":
        view = {"id": "V0001", "type": "home", "team_id": team_id, **(view or {})}
        payload.update(container={"type": "view", "view_id": view["id"]}, view=view)
    else:
        payload.update(container={"type": container_type, "message_ts": ts, "channel_id": channel_id,
                                  "is_ephemeral": False},
                       channel={"id": channel_id, "name": "general"}, state={"values": {}})
        if message is not None:
            payload["message"] = {"type": "message", "ts": ts, **message}
    if response_url:
        payload["response_url"] = response_url
    return urlencode({"payload": json.dumps(payload)})


def event(event: dict, *, team_id: str = "T0001", api_app_id: str = "A0001", event_id: str | None = None,
          event_time: int | None = None) -> str:
    """A JSON `event_callback` envelope around `event`, authorised for the bot user UBOT."""
    return json.dumps({
        "token": "fake-verification-token", "team_id": team_id, "api_app_id": api_app_id, "event": event,
        "type": "event_callback", "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    })


def url_verification(challenge: str) -> str:
    """The JSON body Slack sends when the Events request URL is set."""
    return json.dumps({"token": "fake-verification-token", "challenge": challenge, "type": "url_verification"})


def bolt_request(body: str, headers: dict[str, str]) -> BoltRequest:
    """Wrap a body and its headers as the BoltRequest an HTTP adapter would build."""
    from slack_bolt.request import BoltRequest  # imported late: the server side needs no Bolt

    return BoltRequest(body=body, headers=headers)


def dispatch(app: App, body: str, *, secret: str, content_type: str | None = None,
             timestamp: int | None = None) -> BoltResponse:
    """Sign `body` with `secret` and run it through `app.dispatch`, as Bolt's HTTP adapters do."""
    return app.dispatch(bolt_request(body, sign(body, secret, timestamp, content_type)))


def post(url: str, body: str, *, secret: str, content_type: str | None = None, timestamp: int | None = None,
         timeout: float = 5) -> tuple[int, dict[str, str], str]:
    """Sign `body` and POST it to `url`; returns (status, headers, body text), error statuses included."""
    return send(url, body.encode(), sign(body, secret, timestamp, content_type), timeout=timeout)


def send(url: str, data: bytes, headers: dict[str, str], *, timeout: float = 5) -> tuple[int, dict[str, str], str]:
    """POST `data` with exactly `headers` (forged ones too) to `url`; returns (status, headers, body text)."""
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read().decode()
    except urllib.error.HTTPError as err:
        with err:  # an HTTPError holds the open response; closing it avoids a ResourceWarning
            return err.code, dict(err.headers.items()), err.read().decode()


def wsgi_environ(data: bytes, headers: dict[str, str], *, path: str = "/slack/events", method: str = "POST",
                 length: int | str | None = None) -> dict:
    """The WSGI environ a server such as waitress hands over for this request (`length`: a Content-Length of
    one's own, however odd; headers named Content-Type and Content-Length go where WSGI puts them)."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
               "CONTENT_LENGTH": str(len(data) if length is None else length), "wsgi.input": io.BytesIO(data)}
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    return environ


def call_wsgi(application, environ: dict) -> tuple[int, bytes]:
    """Run one request through a WSGI callable: (status, body)."""
    seen: dict[str, int] = {}

    def start_response(status: str, _headers) -> None:
        seen["status"] = int(status.split()[0])

    out = b"".join(application(environ, start_response))
    return seen["status"], out


def _guess_content_type(body: str) -> str:
    # Events arrive as JSON, commands and interactivity as forms; the body's first character tells them apart.
    return JSON if body.lstrip().startswith("{") else FORM
