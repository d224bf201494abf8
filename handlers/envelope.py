"""The shape of Slack's request bodies, as far as Bolt and the listeners rely on it, and the mark of a verified request.

One set of rules serves both doors: `bot.wiring.web` applies `problem` to every HTTP request before Bolt sees it, and
`Envelope`, a Bolt middleware, applies it to whatever reaches `app.dispatch` (tests, the demo, the console, Socket
Mode). A body that breaks a rule gets a 400 and goes no further: no listener, no write, no outbound call.

The rules are what every real payload carries (see Slack's samples): a slash command names its workspace, user and
channel; an event callback its workspace; an interaction its user; a view its type and id; every Slack id is a string.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.context import BoltContext
from slack_bolt.middleware import Middleware
from slack_bolt.request import payload_utils
from slack_bolt.request.internals import build_context

log = logging.getLogger("roi.envelope")

VERIFIED = "roi_verified"  # context key: the request is Slack's (its signature checked) and shaped like Slack's
MAX_DEPTH = 64  # real payloads nest about a dozen levels (rich text in a message event); deeper is not Slack's
# Parts of Slack's payloads that are always JSON objects (or absent); Bolt assumes so and fails otherwise.
OBJECTS = ("team", "user", "channel", "container", "view", "event", "message", "enterprise")
# Lists of objects that Bolt indexes into (`authorizations[0]`, `response_urls[0]`, `actions[0]`).
OBJECT_LISTS = ("authorizations", "response_urls", "actions")
INTERACTIONS = frozenset({"block_actions", "block_suggestion", "view_submission", "view_closed", "shortcut",
                          "message_action", "interactive_message", "dialog_submission", "dialog_cancellation",
                          "dialog_suggestion", "workflow_step_edit"})
# What Bolt derives from a body and hands to the authorization and the listeners as ids.
CONTEXT_IDS = ("enterprise_id", "team_id", "user_id", "channel_id", "actor_enterprise_id", "actor_team_id",
               "actor_user_id")
# Bolt builds every listener's and middleware's arguments with these; one that raises would crash the request.
_READERS = (payload_utils.to_options, payload_utils.to_shortcut, payload_utils.to_action, payload_utils.to_view,
            payload_utils.to_command, payload_utils.to_event, payload_utils.to_message, payload_utils.to_step)


def _too_deep(body) -> bool:
    """True when `body` nests past MAX_DEPTH, found without recursion (a hostile body may nest past the stack)."""
    stack = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _is_id(key: str) -> bool:
    return key == "id" or key.endswith("_id")


def _bad_id(part: dict) -> bool:
    return any(_is_id(key) and value is not None and not isinstance(value, str) for key, value in part.items())


def _has(part, key: str) -> bool:
    return isinstance(part, dict) and isinstance(part.get(key), str) and bool(part[key])


def _structure(body: dict) -> str | None:
    """Types: the objects are objects, the lists hold objects, every Slack id is a string."""
    for key in OBJECTS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"`{key}` is not an object"
    for key in OBJECT_LISTS:
        items = body.get(key)
        if items is not None and not (isinstance(items, list) and all(isinstance(item, dict) for item in items)):
            return f"`{key}` is not a list of objects"
    if body.get("actions") == []:
        return "`actions` is empty"
    for key in ("type", "command", "response_url"):
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"`{key}` is not a string"
    parts = [body, *(body[key] for key in OBJECTS if body.get(key)), *(item for key in OBJECT_LISTS
                                                                     for item in body.get(key) or ())]
    # The key is not named in the reason: it comes from the body, which is never logged.
    return "an id that is not a string" if any(_bad_id(part) for part in parts) else None


def _required(body: dict) -> str | None:
    """What each kind of request always carries."""
    kind = body.get("type")
    if "command" in body:
        missing = [key for key in ("command", "team_id", "user_id", "channel_id") if not _has(body, key)]
        return f"a slash command without `{missing[0]}`" if missing else None
    if kind == "event_callback":
        if not _has(body, "team_id"):
            return "an event callback without `team_id`"
        return None if isinstance(body.get("event"), dict) else "an event callback without `event`"
    if kind in INTERACTIONS:
        if not _has(body.get("user"), "id"):
            return f"a {kind} payload without `user.id`"
        if kind in ("view_submission", "view_closed") and body.get("view") is None:
            return f"a {kind} payload without `view`"
    view = body.get("view")
    if view is not None and not (_has(view, "type") and _has(view, "id")):
        return "a view without `type` or `id`"
    return None


def _bolt_reads(body: dict) -> str | None:
    """Bolt's own readers, run as Bolt will run them: none may fail, and the ids they find are strings."""
    try:
        context = build_context(BoltContext(logger=log), body)
        for read in _READERS:
            read(body)
    except (LookupError, TypeError, AttributeError, ValueError):
        return "Bolt cannot read it"
    key = next((key for key in CONTEXT_IDS if context.get(key) is not None and not isinstance(context[key], str)), None)
    return None if key is None else f"its `{key}` is not a string"


def problem(body) -> str | None:
    """Why `body` is not shaped like Slack's payloads (a short phrase for the log, never a value from it), or None."""
    if not isinstance(body, dict):
        return "the body is not a JSON object or form"
    if _too_deep(body):
        return "the body is nested too deeply"
    return _structure(body) or _required(body) or _bolt_reads(body)


def mark_verified(request: BoltRequest) -> None:
    """Record that `request` is Slack's own: only then may an error be answered through what it carries."""
    request.context[VERIFIED] = True


def verified(request: BoltRequest | None) -> bool:
    """True when `request` passed verification; Socket Mode requests come over a socket Slack authenticated."""
    return request is not None and (request.mode == "socket_mode" or bool(request.context.get(VERIFIED)))


class Envelope(Middleware):
    """Refuses a body that is not shaped like Slack's, and marks the rest verified. A global middleware runs after
    Bolt's own signature check, so whatever gets here was verified; the HTTP layer (bot.wiring.web) checked and marked its
    requests already."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next):  # noqa: A002 - Bolt's name for it
        if req.context.get(VERIFIED):
            return next()
        why = problem(req.body)
        if why is not None:
            log.warning("refused a request: %s", why)  # one line saying why, never the body
            return BoltResponse(status=400, body={"error": "malformed request"})
        mark_verified(req)
        return next()


class _Summarised(logging.Filter):
    """Bolt's signature check logs a refused request whole at INFO, signature and body included (a genuine request
    refused on clock skew would log a live response_url): one line saying why instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg, record.args = "refused a request: bad signature or stale timestamp", None
        return True


def register(app: App) -> None:
    """Keep rejected bodies out of Bolt's log (the shape check itself runs before authorization: bot.wiring.app)."""
    bolt_log = logging.getLogger("slack_bolt.RequestVerification")
    if not any(isinstance(f, _Summarised) for f in bolt_log.filters):
        bolt_log.addFilter(_Summarised())
