"""`/roi`: reports. Until results can be imported it explains what is coming and shows its usage."""

from __future__ import annotations

from slack_bolt import App

from handlers.blocks.help import usage_reply
from handlers.commands import send

INTRO = (
    "ROI reports need results: order imports and engagement stats arrive in the next release. "
    "Meanwhile, register campaigns, influencers and codes with `/campaign`, `/influencer` and `/code`."
)


def roi_command(ack, respond):
    """Listener for `/roi`."""
    ack()
    send(respond, usage_reply("roi", intro=INTRO))


def register(app: App) -> None:
    """Register the `/roi` listener."""
    app.command("/roi")(roi_command)
