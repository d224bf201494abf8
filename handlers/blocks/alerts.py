"""How an underperformer alert looks (SPEC §6): the manager's DM with Cut / Keep / Snooze, the same message once
decided, and the ephemeral answers to a click that changes nothing.

An alert is rebuilt from the JSON-safe `bot.alerts.alert_info` stored with it, so later renderings never need the report.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot import alerts
from bot.alerts import QUIET_DAYS, reasons_of
from handlers.blocks import fmt
from handlers.blocks.kit import Block, Reply, actions, button, context, fields, header, section
from handlers.blocks.report_campaign import bullet_sections, reason_text

CUT, KEEP, SNOOZE = "roi_cut", "roi_keep", "roi_snooze"  # the buttons' action ids (SPEC §6)
DECISIONS = {CUT: alerts.CUT, KEEP: alerts.KEEP, SNOOZE: alerts.SNOOZE}
BLOCK_ID = "roi_alert"
DONE = {alerts.CUT: "Cut", alerts.KEEP: "Kept", alerts.SNOOZE: "Snoozed"}


def _num(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _names(info: dict) -> tuple[str, str]:
    return fmt.esc(info["handle"]), fmt.esc(info["campaign"])


def _body(info: dict) -> list[Block]:
    """Header, figures and reasons: what the alert and its decided form share."""
    m, currency = info["metrics"], info["currency"]
    blocks: list[Block] = [header(f":warning: {info['handle']} is underperforming in {info['campaign']}")]
    blocks += fields([
        ("Revenue", fmt.money(_num(m.get("revenue")), currency)),
        ("Cost", fmt.money(_num(m.get("cost")), currency)),
        ("ROI", fmt.pct(_num(m.get("roi_pct")))),
        ("ROAS", fmt.roas(_num(m.get("roas")))),
        ("Orders", fmt.count(m.get("orders"))),
        ("Engagement rate", fmt.pct(_num(m.get("engagement_rate_pct")))),
    ])
    handle, campaign = _names(info)
    lines = [f"• {reason_text(r, currency)}" for r in reasons_of(info)]
    blocks += bullet_sections(f"*Why {handle} is flagged in {campaign}* (as of {info['day']})", lines)
    return blocks


def _who_decides(info: dict) -> str:
    if info.get("manager"):
        return f"Only {fmt.user(info['manager'])} (the manager of {_names(info)[0]}) or a ROI bot admin can decide."
    where = fmt.channel(info["channel"]) if info.get("channel") else "the campaign channel"
    return (f"Posted in {where} because {_names(info)[0]} has no manager: a ROI bot admin can decide "
            "(anyone here when no admins are set).")


def _cut_button(info: dict, value: str) -> Block:
    handle, campaign = info["handle"], info["campaign"]
    confirm = {
        "title": {"type": "plain_text", "text": f"Cut {handle}?"[:100]},
        "text": {"type": "plain_text", "text": (f"Orders from today on no longer count for {handle} in {campaign}, "
                                                "and alerts about them stop.")[:300]},
        "confirm": {"type": "plain_text", "text": "Cut"},
        "deny": {"type": "plain_text", "text": "Cancel"},
        "style": "danger",
    }
    return {**button("Cut", CUT, value, style="danger"), "confirm": confirm}


def alert(info: dict, *, alert_id: int) -> Reply:
    """The alert with its Cut / Keep / Snooze buttons; each button's value is the alert id."""
    value = str(alert_id)
    blocks = _body(info) + [
        context(_who_decides(info)),
        actions(_cut_button(info, value), button("Keep", KEEP, value, style="primary"),
                button(f"Snooze {QUIET_DAYS['snooze']} days", SNOOZE, value), block_id=BLOCK_ID),
        context(f"*Cut*: their later orders stop counting and alerts stop · *Keep*: no alerts for "
                f"{QUIET_DAYS['keep']} days · *Snooze*: no alerts for {QUIET_DAYS['snooze']} days"),
    ]
    handle, campaign = _names(info)
    roi = fmt.pct(_num(info["metrics"].get("roi_pct")))
    return Reply(text=f"{handle} is underperforming in {campaign}: ROI {roi}. Cut, keep or snooze?", blocks=blocks)


def decision_text(info: dict, *, decision: str, user_id: str, on: date, quiet_until: date | None) -> str:
    """`✂️ Cut by <@U…> on 2026-03-16: …` — what was decided, by whom, and what it means."""
    handle, campaign = _names(info)
    by = f"by {fmt.user(user_id)} on {on.isoformat()}"
    if decision == alerts.CUT:
        return (f":scissors: Cut {by}: orders from that day on no longer count for *{handle}* in *{campaign}*; "
                "no more alerts.")
    until = (quiet_until or on + timedelta(days=QUIET_DAYS.get(decision, 0))).isoformat()
    if decision == "keep":
        return f":+1: Kept {by}: no alerts about *{handle}* until {until}."
    if decision == "snooze":
        return f":zzz: Snoozed {by} until {until}: no alerts about *{handle}* until then."
    return f"{fmt.esc(decision)} {by}."


def decided(info: dict, *, decision: str, user_id: str, on: date, quiet_until: date | None) -> Reply:
    """The alert once decided (for chat.update): no buttons, the decision in their place."""
    blocks = _body(info) + [section(decision_text(info, decision=decision, user_id=user_id, on=on, quiet_until=quiet_until))]
    handle, campaign = _names(info)
    label = DONE.get(decision, fmt.esc(decision))
    return Reply(text=f"{handle} in {campaign}: {label.lower()} on {on.isoformat()}", blocks=blocks)


def _ephemeral(text: str, fallback: str) -> Reply:
    return Reply(text=fallback, blocks=[section(text)])


def already_decided(info: dict, *, decision: str, user_id: str, on: date) -> Reply:
    """A click on an alert someone already decided."""
    handle, campaign = _names(info)
    label = DONE.get(decision, fmt.esc(decision))
    return _ephemeral(f":information_source: This alert about *{handle}* in *{campaign}* was already decided: "
                      f"{label} by {fmt.user(user_id)} on {on.isoformat()}. Nothing changed.",
                      f"This alert was already decided: {label.lower()} on {on.isoformat()}. Nothing changed.")


def not_allowed(info: dict, *, manager: str | None, admins: bool) -> Reply:
    """A click by someone who may not decide: who may."""
    handle = _names(info)[0]
    if manager and admins:
        who = f"Only {fmt.user(manager)} (the manager of *{handle}*) or a ROI bot admin"
    elif manager:
        who = f"Only {fmt.user(manager)}, the manager of *{handle}*,"
    elif admins:
        who = f"*{handle}* has no manager, so only a ROI bot admin"
    else:
        who = "Only the influencer's manager or a ROI bot admin"
    return _ephemeral(f":no_entry: {who} can decide on this alert. Nothing changed.",
                      "You can't decide on this alert. Nothing changed.")


def gone() -> Reply:
    """A click on an alert whose alert, influencer or enrolment no longer exists."""
    return _ephemeral(":information_source: This alert no longer applies: the alert, the influencer or their "
                      "enrolment no longer exists in this workspace. Nothing changed.",
                      "This alert no longer applies. Nothing changed.")


def already_cut(info: dict, *, on: date | None) -> Reply:
    """A click on an alert about an influencer already cut another way (e.g. `/influencer set`)."""
    handle, campaign = _names(info)
    when = f" on {on.isoformat()}" if on else ""
    return _ephemeral(f":information_source: *{handle}* was already cut from *{campaign}*{when}, so there is "
                      "nothing to decide. Nothing changed.",
                      f"{handle} was already cut from {campaign}. Nothing changed.")
