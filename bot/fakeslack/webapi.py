"""The Slack Web API methods `FakeSlack` answers, and the helpers they share.

`answer` checks a call's token the way Slack does and dispatches it to the method's handler in `METHODS`.
Each handler takes the `FakeSlack` and the `Call` and returns the answer's fields besides "ok", or raises
`SlackError` to answer `{"ok": false, "error": ...}`. The handlers read and write the stand-in's state
under its lock, as the request-handling thread that calls them.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.fakeslack.server import Call, FakeSlack

# Methods that authenticate with client credentials, not a token.
_NO_TOKEN_METHODS = {"oauth.v2.access"}


class SlackError(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": ...}`."""


def answer(slack: FakeSlack, call: Call) -> dict:
    """The JSON payload Slack answers Web API `call` with: `{"ok": true, ...}` or `{"ok": false, "error": ...}`."""
    try:
        if call.method not in _NO_TOKEN_METHODS:
            if not call.token:
                raise SlackError("not_authed")
            if slack.valid_tokens and call.token not in slack.valid_tokens:
                raise SlackError("invalid_auth")
        handler = METHODS.get(call.method)
        if handler is None:
            raise SlackError("unknown_method")
        return {"ok": True, **handler(slack, call)}
    except SlackError as err:
        return {"ok": False, "error": str(err)}


def channel_for_users(users: str) -> str:
    """The deterministic DM (or group DM) id conversations.open gives for a comma-separated user list."""
    ids = [u for u in users.split(",") if u]
    if len(ids) == 1:
        return "D" + ids[0][1:]
    return "G" + hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:9].upper()


def page(items: list[dict], params: dict[str, Any]) -> tuple[list[dict], str]:
    """Slice `items` by Slack's cursor/limit params; returns the page and the next cursor ("" at the end)."""
    cursor = params.get("cursor") or ""
    try:
        start = int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0
        limit = int(params.get("limit") or 100) or 100
    except (ValueError, IndexError):
        raise SlackError("invalid_cursor") from None
    end = start + limit
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor


def _require(call: Call, key: str, error: str) -> str:
    value = call.params.get(key)
    if not value:
        raise SlackError(error)
    return value


# -- the methods: each takes the stand-in and the call, and returns the answer's fields besides "ok" ----


def _auth_test(slack: FakeSlack, call: Call) -> dict:
    team = slack.token_teams.get(call.token or "", slack.team_id)
    return {"url": f"https://{team.lower()}.slack.com/", "team": slack.team_name, "team_id": team,
            "user": "roi-bot", "user_id": slack.user_id, "bot_id": slack.bot_id, "is_enterprise_install": False}


def _post_message(slack: FakeSlack, call: Call) -> dict:
    channel = _require(call, "channel", "channel_not_found")
    if not any(call.params.get(k) for k in ("text", "blocks", "attachments")):
        raise SlackError("no_text")
    ts = slack.next_ts()
    message = {"type": "message", "user": slack.user_id, "bot_id": slack.bot_id, "ts": ts,
               "text": call.params.get("text", ""), "blocks": call.json("blocks") or []}
    if call.params.get("thread_ts"):
        message["thread_ts"] = call.params["thread_ts"]
    if call.json("metadata"):
        message["metadata"] = call.json("metadata")
    with slack._cond:
        slack.history.setdefault(channel, []).append(message)
    return {"channel": channel, "ts": ts, "message": message}


def _history(slack: FakeSlack, call: Call) -> dict:
    channel = _require(call, "channel", "channel_not_found")
    oldest = float(call.params.get("oldest") or 0)
    with slack._cond:
        found = [m for m in reversed(slack.history.get(channel, [])) if float(m["ts"]) > oldest]
    if str(call.params.get("include_all_metadata")).lower() not in ("1", "true"):
        found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
    items, cursor = page(found, call.params)
    return {"messages": items, "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}


def _post_ephemeral(slack: FakeSlack, call: Call) -> dict:
    _require(call, "channel", "channel_not_found")
    _require(call, "user", "user_not_in_channel")
    return {"message_ts": slack.next_ts()}


def _update(slack: FakeSlack, call: Call) -> dict:
    channel = _require(call, "channel", "channel_not_found")
    ts = _require(call, "ts", "message_not_found")
    return {"channel": channel, "ts": ts, "text": call.params.get("text", ""),
            "message": {"text": call.params.get("text", ""), "blocks": call.json("blocks") or []}}


def _delete(slack: FakeSlack, call: Call) -> dict:
    return {"channel": _require(call, "channel", "channel_not_found"),
            "ts": _require(call, "ts", "message_not_found")}


def _open(slack: FakeSlack, call: Call) -> dict:
    if call.params.get("channel"):
        return {"channel": {"id": call.params["channel"]}}
    return {"channel": {"id": channel_for_users(_require(call, "users", "users_list_not_supplied"))}}


def _conversations_list(slack: FakeSlack, call: Call) -> dict:
    channels = [{"is_channel": True, "is_archived": False, "is_member": True, **c} for c in slack.channels]
    items, cursor = page(channels, call.params)
    return {"channels": items, "response_metadata": {"next_cursor": cursor}}


def _users_list(slack: FakeSlack, call: Call) -> dict:
    members = [{"team_id": slack.team_id, "deleted": False, "is_bot": False, **u} for u in slack.users]
    items, cursor = page(members, call.params)
    return {"members": items, "response_metadata": {"next_cursor": cursor}}


def _users_info(slack: FakeSlack, call: Call) -> dict:
    for user in slack.users:
        if user["id"] == call.params.get("user"):
            return {"user": {"team_id": slack.team_id, "deleted": False, "is_bot": False, **user}}
    raise SlackError("user_not_found")


def _view(slack: FakeSlack, call: Call) -> dict:
    view = call.json("view") or {}
    return {"view": {"id": call.params.get("view_id") or slack.next_id("V"), "team_id": slack.team_id, **view}}


def _files_info(slack: FakeSlack, call: Call) -> dict:
    with slack._cond:
        if call.params.get("file") not in slack._files:
            raise SlackError("file_not_found")
        return {"file": slack.file_object(call.params["file"])}


def _get_upload_url(slack: FakeSlack, call: Call) -> dict:
    filename = _require(call, "filename", "invalid_arguments")
    file_id = slack.next_id("F")
    with slack._cond:
        slack._pending[file_id] = {"filename": filename, "length": int(call.params.get("length") or 0)}
    return {"upload_url": f"{slack.base_url}/upload/{file_id}", "file_id": file_id}


def _complete_upload(slack: FakeSlack, call: Call) -> dict:
    entries = call.json("files") or []
    channels = (call.params.get("channels") or "").split(",")
    with slack._cond:
        if not entries or any("bytes" not in slack._pending.get(e.get("id"), {}) for e in entries):
            raise SlackError("invalid_file_id")
        done = []
        for entry in entries:
            pending = slack._pending.pop(entry["id"])
            title = entry.get("title") or pending["filename"]
            slack.uploads[entry["id"]] = {
                "bytes": pending["bytes"], "filename": pending["filename"], "title": title,
                "channel_id": call.params.get("channel_id") or channels[0] or None,
                "initial_comment": call.params.get("initial_comment"), "thread_ts": call.params.get("thread_ts")}
            slack._files[entry["id"]] = {"bytes": pending["bytes"], "name": pending["filename"], "title": title,
                                         "filetype": pending["filename"].rpartition(".")[2].lower(),
                                         "mimetype": mimetypes.guess_type(pending["filename"])[0] or "",
                                         "size": len(pending["bytes"]), "user": slack.user_id}
            done.append(slack.file_object(entry["id"]))
    return {"files": done}


def _oauth_access(slack: FakeSlack, call: Call) -> dict:
    code = call.params.get("code", "")
    install = slack.oauth_installs.get(code) or {
        "access_token": f"xoxb-fake-{slack.team_id}", "token_type": "bot", "scope": "commands,chat:write",
        "bot_user_id": slack.user_id, "app_id": slack.app_id, "team": {"id": slack.team_id, "name": slack.team_name},
        "enterprise": None, "is_enterprise_install": False,
        "authed_user": {"id": "U0001", "scope": "", "token_type": "user"}}
    with slack._cond:
        slack.token_teams[install["access_token"]] = install["team"]["id"]
        if slack.valid_tokens:
            slack.valid_tokens.add(install["access_token"])  # Slack honours a token once it issued it
    return install


METHODS: dict[str, Callable[[FakeSlack, Call], dict]] = {
    "auth.test": _auth_test, "chat.postMessage": _post_message, "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update, "chat.delete": _delete, "conversations.open": _open,
    "conversations.list": _conversations_list, "conversations.history": _history, "users.list": _users_list, "users.info": _users_info,
    "views.publish": _view, "views.open": _view, "views.update": _view, "files.info": _files_info,
    "files.getUploadURLExternal": _get_upload_url, "files.completeUploadExternal": _complete_upload,
    "oauth.v2.access": _oauth_access,
}
