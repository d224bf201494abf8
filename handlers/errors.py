"""The one error handler: BotErrors become friendly ephemeral replies, anything else a logged reference id.

A Slack call that failed for good (after the client's retries: see `handlers.client.make_client`) is logged here once, one
line naming the call and Slack's reason (never a token, never a response_url), and the asker is told through the
response_url, which needs no token, so it works even when Slack refuses the bot's (`invalid_auth`).

Only a verified request is ever answered (handlers.envelope): an error raised before the signature check (a
malformed timestamp, say) comes from whoever sent the request, and its response_url is theirs to choose."""

from __future__ import annotations

import logging
import secrets

from slack_bolt import App, BoltRequest, BoltResponse

from bot.errors import BotError
from handlers import deliver, envelope
from handlers.blocks.errors import failure, internal, slack_failure

log = logging.getLogger("roi.errors")


def reference() -> str:
    """A short id the user can quote and we can grep the logs for."""
    return secrets.token_hex(4).upper()


def _request(body: dict | None) -> str:
    body = body or {}
    return body.get("command") or (body.get("event") or {}).get("type") or body.get("type") or "request"


def on_error(error: Exception, body: dict, respond, client, request: BoltRequest,
             response: BoltResponse | None) -> BoltResponse | None:
    """Turn an exception raised by a listener into a reply to the person who asked."""
    if not envelope.verified(request):
        # Nothing from the request is used, nor logged: neither its body nor the header values that broke the check.
        log.warning("refused a request: it failed before it was verified (%s)", type(error).__name__)
        return BoltResponse(status=401, body={"error": "invalid request"})
    slack = deliver.failure(error)
    if isinstance(error, BotError):
        reply = failure(error.message)
    elif slack is not None:
        ref = reference()
        level = logging.WARNING if slack.kind in ("busy", "no_entry") else logging.ERROR
        log.log(level, "slack %s failed: %s ref=%s (%s)", slack.method, slack.code, ref, _request(body),
                exc_info=error if slack.kind == "other" else None)
        reply = slack_failure(slack.kind, slack.code, ref, kept=getattr(error, "kept", None))
    else:
        ref = reference()
        log.error("unhandled error ref=%s type=%s", ref, (body or {}).get("type") or (body or {}).get("command"), exc_info=error)
        reply = internal(ref)
    if response is None:
        # Bolt passes no response once the listener has acknowledged (and the HTTP answer is gone): only the
        # response_url is left to answer through.
        if body and body.get("response_url"):
            deliver.tell(respond, reply, client=client)
        return None
    if body and body.get("command") and _not_acknowledged(request):
        # A slash command that failed before its acknowledgement answers in it, as its success would have.
        return BoltResponse(status=200, body=deliver.in_ack(reply))
    if body and body.get("response_url"):
        deliver.tell(respond, reply, client=client)
        # The person has their answer. With process_before_response Bolt would still send Slack a 500,
        # and Slack would show its own "failed" notice next to it.
        return BoltResponse(status=200, body="")
    if isinstance(error, BotError):
        # A refusal with no response_url to send it to is still the request's whole, expected outcome.
        log.warning("refusal with no response_url to answer through: %s", error.message)
        return BoltResponse(status=200, body="")
    return None


def _not_acknowledged(request: BoltRequest | None) -> bool:
    ack = getattr(getattr(request, "context", None), "ack", None)
    return ack is not None and ack.response is None


def register(app: App) -> None:
    """Install the error handler."""
    app.error(on_error)
