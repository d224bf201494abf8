"""How problems look to the person who asked."""

from __future__ import annotations

from handlers.blocks import fmt
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


_BUSY = {"ratelimited": "Slack is limiting how fast I may send right now", "timeout": "Slack did not answer in time (if the answer shows up after all, it did get through)",
         "unreachable": "I could not reach Slack"}


def slack_failure(kind: str, code: str, ref: str, *, kept: str | None = None) -> Reply:
    """Slack refused part of the answer, or did not take it even after a few tries: why, what to do, a reference."""
    if kind == "token":
        why = (f"Slack no longer accepts the ROI bot's credentials (`{code}`), so I could not finish your answer. "
               "Ask a workspace admin to reinstall the app.")
    elif kind == "busy":
        why = (f"{_BUSY.get(code) or f'Slack had a problem on its side (`{code}`)'}, even after a few tries, so I could "
               "not finish your answer. Please try again in a minute.")
    else:
        why = (f"Something went wrong on our side: Slack answered `{code}`, so I could not finish your answer."
               if kind == "other" else f"Slack answered `{code}`, so I could not finish your answer.")
    left = f"The message is in {fmt.channel(kept)} without its charts: I could not take it back." if kept else "Nothing was changed."
    return Reply(text=f"I could not finish your answer (reference {ref}).",
                 blocks=[section(f":x: {why} If it happens again, give your admin the reference `{ref}`."), context(left)])
