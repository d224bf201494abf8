"""How problems look to the person who asked."""

from __future__ import annotations

from handlers.blocks.kit import Reply, context, section


def failure(message: str) -> Reply:
    """A known problem (bad input, missing campaign, no rights): what was wrong; nothing was changed."""
    # BotError messages are already safe mrkdwn: user text inside them goes through `shown()`.
    return Reply(text=f"That didn't work: {message}", blocks=[section(f":warning: {message}"), context("Nothing was changed.")])


def internal(ref: str) -> Reply:
    """An unexpected failure: a reference id to quote."""
    return Reply(
        text=f"Something went wrong on our side (reference {ref}).",
        blocks=[section(f":x: Something went wrong on our side and nothing was changed. If it happens again, "
                        f"give your admin the reference `{ref}`.")],
    )
