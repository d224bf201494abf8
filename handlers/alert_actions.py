"""Cut / Keep / Snooze on an underperformer alert (SPEC §6).

Only the influencer's manager or a ROI_ADMINS member may decide (anyone, when neither is set). The decision is
written with a conditional UPDATE (`decision IS NULL`), so of two clicks — two people, a double click, two
processes — exactly one wins; the others change nothing and are told who decided. A Cut makes the enrolment
`cut` from today on (its later orders are no longer attributed); Keep and Snooze keep it quiet for 14 / 7 days.
The alert message is then updated to show the decision, without its buttons; when Slack will not take that update
(after the client's retries), the message is rewritten through the click's response_url instead.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from slack_bolt import App
from sqlalchemy import select, update

from bot.models import Alert, Enrolment, Workspace
from bot.permissions import may_decide
from bot.registry import influencers
from bot.runtime import Runtime
from bot.values import body_id, row_id
from handlers import deliver
from handlers.blocks import alerts as view
from handlers.blocks.kit import Reply

log = logging.getLogger("roi.alerts")


def _decide(runtime: Runtime, *, team: str, user: str, value: str, decision: str) -> tuple[Reply, tuple[str, str] | None]:
    """Record the decision in one transaction: the reply, and where the alert message is (when it is to be updated)."""
    today, now = runtime.today(), runtime.clock()
    with runtime.sessions.begin() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team))
        alert = session.get(Alert, aid) if (aid := row_id(value)) is not None and ws is not None else None
        if alert is None or alert.workspace_id != ws.id:
            # Another workspace's alert looks exactly like a deleted one: nothing about it is revealed.
            log.warning("alert decision refused: alert %r is not in workspace %s", value, team)
            return view.gone(), None
        enrolment = session.get(Enrolment, alert.enrolment_id)
        info = alert.reasons
        manager = enrolment.influencer.manager_id
        if not may_decide(runtime.settings, manager, user):
            log.info("alert %s: %s may not decide (manager %s)", alert.id, user, manager)
            return view.not_allowed(info, manager=manager, admins=bool(runtime.settings.admins)), None
        if alert.decision is not None:
            return view.already_decided(info, decision=alert.decision, user_id=alert.decided_by,
                                        on=_local_day(runtime, alert)), None
        if enrolment.status == "cut":
            return view.already_cut(info, on=enrolment.cut_on), None
        days = view.QUIET_DAYS.get(decision)
        quiet = today + timedelta(days=days) if days else None
        won = session.execute(
            update(Alert).where(Alert.id == alert.id, Alert.decision.is_(None))
            .values(decision=decision, decided_by=user, decided_at=now, quiet_until=quiet)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not won:  # someone else's click committed between our read and our write
            session.refresh(alert)
            return view.already_decided(info, decision=alert.decision, user_id=alert.decided_by,
                                        on=_local_day(runtime, alert)), None
        if decision == "cut":
            influencers.update_enrolment(session, enrolment, {"status": "cut"}, today=today)
        log.info("alert %s about %s in %s: %s by %s", alert.id, info.get("handle"), info.get("campaign"), decision, user)
        decided = view.decided(info, decision=decision, user_id=user, on=today, quiet_until=quiet)
        return decided, (alert.channel_id, alert.message_ts)


def _local_day(runtime: Runtime, alert: Alert) -> date:
    return alert.decided_at.astimezone(runtime.settings.tz).date() if alert.decided_at else alert.alert_date


def decide(ack, body, context, client, respond):
    """Buttons `roi_cut`, `roi_keep`, `roi_snooze` (value: the alert id)."""
    ack()
    action = (body.get("actions") or [{}])[0]
    team = body_id(body, "team") or context.get("team_id") or ""
    user = body_id(body, "user") or ""
    reply, message = _decide(context["roi"], team=team, user=user, value=str(action.get("value") or ""),
                             decision=view.DECISIONS[action["action_id"]])
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
    for action_id in view.DECISIONS:
        app.action(action_id)(decide)
