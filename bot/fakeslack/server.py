"""A local stand-in of the Slack Web API, response URLs and file hosts, for tests and the offline demo.

`FakeSlack` is a real HTTP server on 127.0.0.1: point `WebClient(base_url=slack.api_url)` (or
SLACK_API_URL) at it and it answers the methods the bot uses the way Slack does, records every call,
and can be scripted to fail, rate-limit or stall so error paths can be exercised end to end.
This module is the HTTP layer, recording and scripting; the Web API methods' answers live in
`bot.fakeslack.webapi` (`channel_for_users` and `page` are re-exported from here).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from bot.fakeslack import webapi
from bot.fakeslack.webapi import channel_for_users, page
from bot.localhttp import LocalServer, QuietHandler

__all__ = ["Call", "FakeSlack", "channel_for_users", "page"]
_ID_CHARS = string.ascii_uppercase + string.digits


@dataclass
class Call:
    """One request the stand-in received, with what it answered."""

    method: str
    params: dict[str, Any]
    token: str | None
    headers: dict[str, str]
    at: float
    name: str | None = None  # response_url name, or file id for file_upload/file_download
    body: bytes = b""  # raw body; for file_upload the file's bytes, out of any multipart wrapping
    status: int = 200
    response: Any = None

    def json(self, key: str) -> Any:
        """Return param `key` decoded, whether it came as a JSON string or already as a list/dict."""
        value = self.params.get(key)
        return json.loads(value) if isinstance(value, str) else value

    @property
    def error(self) -> str | None:
        """The `error` Slack answered with, or None when the call succeeded."""
        return self.response.get("error") if isinstance(self.response, dict) else None


@dataclass
class _Rule:
    error: str
    times: int
    channel: str | None = None
    status: int = 200
    retry_after: int | None = None


@dataclass
class _Reply:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


class FakeSlack(LocalServer):
    """An in-process HTTP stand-in of Slack: Web API under /api/, response URLs, file download and upload."""

    thread_name = "fakeslack"

    def __init__(self, *, team_id: str = "T0001", team_name: str = "Acme", user_id: str = "UBOT",
                 bot_id: str = "BBOT", app_id: str = "A0001"):
        self.team_id, self.team_name, self.user_id, self.bot_id, self.app_id = (
            team_id, team_name, user_id, bot_id, app_id)
        self.channels: list[dict] = [{"id": "C0001", "name": "general"}]
        self.users: list[dict] = [{"id": "U0001", "name": "ana", "real_name": "Ana"}]
        self.valid_tokens: set[str] = set()
        self.oauth_installs: dict[str, dict] = {}
        self.token_teams: dict[str, str] = {}  # filled by oauth.v2.access so auth.test knows the team
        self.history: dict[str, list[dict]] = {}  # channel -> messages posted there, oldest first
        self.uploads: dict[str, dict] = {}
        self.calls: list[Call] = []
        self._files: dict[str, dict] = {}
        self._pending: dict[str, dict] = {}  # file id -> upload started with getUploadURLExternal
        self._rules: dict[str, list[_Rule]] = {}
        self._delays: dict[str, tuple[float, int | None]] = {}  # method -> (seconds, how many calls; None: all)
        self._cond = threading.Condition()
        self._ts = itertools.count(1_700_000_000_000_100, 100)
        self._ids = itertools.count(1)
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    def _handler(self) -> type[QuietHandler]:
        return type("Handler", (_Handler,), {"slack": self})

    def _on_start(self) -> None:
        self._stopping.clear()

    def _on_stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in delay()

    @property
    def api_url(self) -> str:
        """The Web API base URL to give `WebClient(base_url=...)` or SLACK_API_URL."""
        return self.base_url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url for a payload; POSTs to it are recorded as method "response_url" with this name."""
        return f"{self.base_url}/response/{quote(name, safe='')}"

    # -- state for tests ---------------------------------------------------------------------

    def add_member(self, user_id: str, name: str, real_name: str | None = None) -> None:
        """Put a person in the workspace (users.list, users.info), unless someone with that id is already there."""
        with self._cond:
            if all(u["id"] != user_id for u in self.users):
                self.users.append({"id": user_id, "name": name, "real_name": real_name or name})

    @property
    def names(self) -> dict[str, str]:
        """Channel and user ids to their names (`C0GROWTH` → `growth`), for showing messages as people see them."""
        with self._cond:
            return {item["id"]: item["name"] for item in self.channels + self.users}

    def add_file(self, file_id: str, content: bytes, *, name: str = "file.csv", filetype: str = "csv",
                 mimetype: str = "text/csv", size: int | None = None, title: str | None = None,
                 user: str = "U0001") -> dict:
        """Register a file for files.info and download; returns the Slack file object."""
        with self._cond:
            self._files[file_id] = {"bytes": content, "name": name, "filetype": filetype, "mimetype": mimetype,
                                    "size": len(content) if size is None else size, "title": title or name,
                                    "user": user}
            return self.file_object(file_id)

    def file_object(self, file_id: str) -> dict:
        """The Slack file object of a registered or uploaded file."""
        f = self._files[file_id]
        url = f"{self.base_url}/files/{file_id}/{quote(f['name'])}"
        return {"id": file_id, "name": f["name"], "title": f["title"], "filetype": f["filetype"],
                "mimetype": f["mimetype"], "size": f["size"], "user": f["user"], "created": 1_700_000_000,
                "url_private": url, "url_private_download": url}

    def calls_to(self, method: str) -> list[Call]:
        """Calls recorded so far for one method."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until `count` calls of `method` arrived and return them; AssertionError on timeout."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                return self.calls_to(method)
            seen = [(c.method, c.params) for c in self.calls]
        raise AssertionError(f"expected {count} call(s) to {method} within {timeout}s; saw {seen}")

    def reset(self) -> None:
        """Forget recorded calls, scripted failures and delays (registered data stays)."""
        with self._cond:
            self.calls.clear()
            self._rules.clear()
            self._delays.clear()

    # -- scripting ---------------------------------------------------------------------------

    def fail(self, method: str, error: str = "not_in_channel", times: int = 1, channel: str | None = None) -> None:
        """Answer the next `times` calls of `method` (only to `channel` when given) with ok=false `error`."""
        self._add_rule(method, _Rule(error, times, channel))

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and a Retry-After header."""
        self._add_rule(method, _Rule("ratelimited", times, status=429, retry_after=retry_after))

    def server_error(self, method: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with an HTTP 5xx."""
        self._add_rule(method, _Rule("fatal_error", times, status=status))

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        """Sleep `seconds` before answering calls of `method`: every one, or the next `times` (0 s turns it off)."""
        with self._cond:
            self._delays[method] = (seconds, times)

    def _add_rule(self, method: str, rule: _Rule) -> None:
        with self._cond:
            self._rules.setdefault(method, []).append(rule)

    def _scripted(self, call: Call) -> _Rule | None:
        with self._cond:
            targets = {call.params.get("channel"), call.params.get("channel_id"),
                       *str(call.params.get("channels") or "").split(",")}
            for rule in self._rules.get(call.method, []):
                if rule.times > 0 and (rule.channel is None or rule.channel in targets):
                    rule.times -= 1
                    return rule
        return None

    def next_ts(self) -> str:
        """A unique, increasing message ts like "1700000000.000100"."""
        micros = next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """An id such as "F0000001", unique in this stand-in (the same again in the next one: deterministic)."""
        return f"{prefix}{next(self._ids):07d}"

    def new_file_id(self) -> str:
        """A file id in Slack's form (`F` + 10 uppercase letters and digits), random: unique across sessions, as
        the bot expects (it imports a Slack file id once, and a console session may share into an old database)."""
        return "F" + "".join(secrets.choice(_ID_CHARS) for _ in range(10))

    # -- request handling (called from server threads) ---------------------------------------

    def _handle(self, call: Call, route: str) -> _Reply:
        with self._cond:
            self.calls.append(call)
        with self._cond:
            seconds, times = self._delays.get(call.method, (0, None))
            if times is not None:
                self._delays[call.method] = (seconds, times - 1) if times > 1 else (0, None)
        if seconds:
            self._stopping.wait(seconds)
        rule = self._scripted(call)
        if rule is not None:
            headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
            reply = _Reply(rule.status, {"ok": False, "error": rule.error}, headers)
        else:
            reply = self._answer(call, route)
        with self._cond:
            call.status, call.response = reply.status, reply.payload
            self._cond.notify_all()
        return reply

    def _answer(self, call: Call, route: str) -> _Reply:
        if route == "response":
            return _Reply(200, "ok", content_type="text/plain")
        if route == "download":
            return self._download(call)
        if route == "upload":
            return self._upload(call)
        return _Reply(200, webapi.answer(self, call))

    def _download(self, call: Call) -> _Reply:
        token = call.token or ""
        if not token.startswith("xoxb-") or (self.valid_tokens and token not in self.valid_tokens):
            return _Reply(401, "unauthorized", content_type="text/plain")
        with self._cond:
            f = self._files.get(call.name or "")
        if f is None:
            return _Reply(404, "file not found", content_type="text/plain")
        return _Reply(200, f["bytes"], content_type=f["mimetype"])

    def _upload(self, call: Call) -> _Reply:
        with self._cond:
            pending = self._pending.get(call.name or "")
            if pending is None:
                return _Reply(404, "unknown upload", content_type="text/plain")
            pending["bytes"] = call.body
        return _Reply(200, f"OK - {len(call.body)}", content_type="text/plain")


class _Handler(QuietHandler):
    slack: FakeSlack  # set on the per-server subclass

    def _serve(self) -> None:
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.split("/")[1:]]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = dict(self.headers.items())
        params: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
        ctype = self.headers.get_content_type()
        if parts[0] == "upload":
            # slack_sdk POSTs the bare bytes (urllib labels them form-encoded); browsers send multipart.
            form, files = _multipart(raw, self.headers) if ctype == "multipart/form-data" else ({}, [])
            params.update(form)
            body = files[0] if files else raw
        else:
            params.update(_parse_body(raw, self.headers))
            body = raw
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.startswith("Bearer ") else params.get("token")
        routes = {("api", 2): ("api", None), ("response", 2): ("response", "response_url"),
                  ("files", 3): ("download", "file_download"), ("upload", 2): ("upload", "file_upload")}
        route, method = routes.get((parts[0], len(parts)), (None, None))
        if route is None or (route != "api" and self.command != ("GET" if route == "download" else "POST")):
            return self._send(_Reply(404, {"ok": False, "error": "not_found"}))
        call = Call(method=method or parts[1], params=params, token=token, headers=headers, at=time.time(),
                    name=None if route == "api" else parts[1], body=body)
        self._send(self.slack._handle(call, route))

    def _send(self, reply: _Reply) -> None:
        self.send_reply(reply)


def _parse_body(raw: bytes, headers: Any) -> dict[str, Any]:
    ctype = headers.get_content_type()
    if not raw:
        return {}
    if ctype == "application/json":
        try:
            value = json.loads(raw)
        except ValueError:
            return {}  # Slack answers invalid_json-ish errors; recording the raw body is enough here
        return value if isinstance(value, dict) else {}
    if ctype == "multipart/form-data":
        return _multipart(raw, headers)[0]
    return dict(parse_qsl(raw.decode(errors="replace"), keep_blank_values=True))


def _multipart(raw: bytes, headers: Any) -> tuple[dict[str, str], list[bytes]]:
    """Split a multipart/form-data body into its text fields and its file parts' bytes."""
    head = f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, str] = {}
    files: list[bytes] = []
    for part in message.iter_parts():
        content = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files.append(content)
        else:
            fields[part.get_param("name", header="content-disposition")] = content.decode()
    return fields, files
