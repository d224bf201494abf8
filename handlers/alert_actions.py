"""Cut / Keep / Snooze on an underperformer alert (SPEC §6).

Who may decide and how a decision is recorded (exactly one of two clicks wins) is bot.alerts; here the click is
answered. The alert message is then updated to show the decision, without its buttons; when Slack will not take that update
(after the client's retries), the message is rewritten through the click's response_url instead.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import alerts
from bot.runtime import Runtime
from bot.values import body_id, row_id
from handlers import deliver
from handlers.blocks import alerts as alert_blocks
from handlers.blocks.kit import Reply

log = logging.getLogger("roi.alerts")


def _decide(runtime: Runtime, *, team: str, user: str, value: str, decision: str) -> tuple[Reply, tuple | None]:
    """Record the decision in one transaction: the reply, and where the alert message is (when it is to be updated)."""
    with runtime.sessions.begin() as session:
        done = alerts.decide(session, runtime.settings, team=team, user=user, alert_id=row_id(value),
                             decision=decision, today=runtime.today(), now=runtime.clock())
    if done.outcome == alerts.GONE:
        return alert_blocks.gone(), None
    if done.outcome == alerts.NOT_ALLOWED:
        return alert_blocks.not_allowed(done.info, manager=done.manager, admins=bool(runtime.settings.admins)), None
    if done.outcome == alerts.ALREADY_CUT:
        return alert_blocks.already_cut(done.info, on=done.on), None
    if done.outcome == alerts.ALREADY_DECIDED:
        return alert_blocks.already_decided(done.info, decision=done.decision, user_id=done.by, on=done.on), None
    return alert_blocks.decided(done.info, decision=decision, user_id=user, on=done.on, quiet_until=done.quiet_until), done.message


def decide(ack, body, context, client, respond):
    """Buttons `roi_cut`, `roi_keep`, `roi_snooze` (value: the alert id)."""
    ack()
    action = (body.get("actions") or [{}])[0]
    team = body_id(body, "team") or context.get("team_id") or ""
    user = body_id(body, "user") or ""
    reply, message = _decide(context["roi"], team=team, user=user, value=str(action.get("value") or ""),
                             decision=alert_blocks.DECISIONS[action["action_id"]])
    if message is None:
        deliver.tell(respond, reply, client=client)
        return
    container = body.get("container") or {}
    channel = message[0] or container.get("channel_id")
    ts = message[1] or container.get("message_ts")
    try:
        client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
    except deliver.SLACK_ERRORS as error:
        failed = deliver.failure(error)
        if failed is None:
            raise
        # The decision is saved: the clicked message shows it anyway, rewritten through the response_url, which needs
        # neither the token nor the bot's membership of the channel.
        log.log(logging.WARNING if failed.kind in ("busy", "no_entry") else logging.ERROR,
                "alert decision by %s saved, but %s of its message in %s failed: %s; updating it through the response_url",
                user, failed.method, channel, failed.code)
        deliver.tell(respond, reply, client=client, replace=True)


def register(app: App) -> None:
    """Register the three alert buttons."""
    for action_id in alert_blocks.DECISIONS:
        app.action(action_id)(decide)
