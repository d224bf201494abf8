"""The one error handler: BotErrors become friendly ephemeral replies, anything else a logged reference id."""

from __future__ import annotations

import logging
import secrets

from slack_bolt import App, BoltResponse

from bot.errors import BotError
from handlers.blocks.errors import failure, internal

log = logging.getLogger("roi.errors")


def reference() -> str:
    """A short id the user can quote and we can grep the logs for."""
    return secrets.token_hex(4).upper()


def on_error(error: Exception, body: dict, respond, logger) -> BoltResponse | None:
    """Turn an exception raised by a listener into a reply to the person who asked."""
    if isinstance(error, BotError):
        reply = failure(error.message)
    else:
        ref = reference()
        log.error("unhandled error ref=%s type=%s", ref, (body or {}).get("type") or (body or {}).get("command"), exc_info=error)
        reply = internal(ref)
    if body and body.get("response_url"):
        respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral", replace_original=False)
        # The person has their answer. With process_before_response Bolt would still send Slack a 500,
        # and Slack would show its own "failed" notice next to it.
        return BoltResponse(status=200, body="")
    return None


def register(app: App) -> None:
    """Install the error handler."""
    app.error(on_error)
