"""How problems look to the person who asked."""

from __future__ import annotations

from handlers.blocks.fmt import esc
from handlers.blocks.kit import Reply, context, section


def failure(message: str) -> Reply:
    """A known problem (bad input, missing campaign, no rights): what was wrong; nothing was changed."""
    # Messages quote what the user typed; escaping here means no mention or link can ride along.
    return Reply(text=f"That didn't work: {message}", blocks=[section(f":warning: {esc(message)}"), context("Nothing was changed.")])


def internal(ref: str) -> Reply:
    """An unexpected failure: a reference id to quote."""
    return Reply(
        text=f"Something went wrong on our side (reference {ref}).",
        blocks=[section(f":x: Something went wrong on our side and nothing was changed. If it happens again, "
                        f"give your admin the reference `{ref}`.")],
    )
