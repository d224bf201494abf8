"""Slack listeners: slash commands, buttons and events. `register(app)` wires them all."""

from slack_bolt import App


def register(app: App) -> None:
    """Register the request shape check, every listener and the error handler on `app`."""
    from handlers import (alert_actions, campaign, code, envelope, errors, events, files, influencer,
                          influencer_actions, roi)

    for module in (envelope, campaign, influencer, code, roi, events, files, alert_actions, influencer_actions, errors):
        module.register(app)
