"""`/campaign`: create, list, show, set and end campaigns (SPEC §2)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from slack_bolt import App
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import InputError
from bot.jobs import digests
from bot.limits import MAX_DAYS
from bot.models import Campaign, Code, Enrolment, Workspace
from bot.registry import campaigns, codes, links, lookup
from bot.schedule import parse_schedule
from bot.values import parse_channel, parse_date, parse_int, parse_money, parse_name, parse_pct, shown
from handlers import deliver, resolve
from handlers.blocks import campaigns as campaign_blocks
from handlers.blocks.kit import Reply
from handlers.commands import Request, Sub, dispatch
from metrics.status import Status

CREATE_KEYS = {"budget", "currency", "start", "end", "channel", "digest", "min_roi", "grace_days", "window_days", "note"}
SET_KEYS = CREATE_KEYS | {"name"}
NOTE_LIMIT = 500


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise InputError("currency", f"{shown(value)} is not a currency code", "a three-letter ISO code like `USD` or `EUR`")
    return value.upper()


def _note(value: str) -> str:
    if len(value) > NOTE_LIMIT:
        raise InputError("note", f"is {len(value)} characters long", f"at most {NOTE_LIMIT} characters")
    return value


def parse_values(req: Request, allowed: set[str]) -> dict[str, Any]:
    """Validate every key=value of a create/set into model-ready values (nothing is written on an error)."""
    req.args.unknown_keys(allowed)
    parsers = {
        "name": parse_name,
        "budget": lambda v: parse_money(v, "budget"),
        "currency": _currency,
        "start": lambda v: parse_date(v, "start"),
        "end": lambda v: parse_date(v, "end"),
        "channel": lambda v: resolve.channel_id(req.client, parse_channel(v)),
        "digest": lambda v: parse_schedule(v).text,
        "min_roi": lambda v: parse_pct(v, "min_roi", minimum=-100, maximum=100_000),
        "grace_days": lambda v: parse_int(v, "grace_days", minimum=0, maximum=MAX_DAYS),
        "window_days": lambda v: parse_int(v, "window_days", minimum=0, maximum=MAX_DAYS),
        "note": _note,
    }
    return {key: parsers[key](value) for key, value in req.args.options.items()}


def _next_digest(req: Request, camp: Campaign) -> datetime | None:
    """When the campaign's next scheduled digest will be posted, in ROI_TIMEZONE (None: no more)."""
    tz = req.runtime.settings.tz
    return digests.next_time(camp, digests.schedule(camp), tz, req.runtime.now())


def create(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/campaign create NAME budget=… …`"""
    name = parse_name(req.args.word(0, "NAME", "`/campaign create NAME budget=AMOUNT`"))
    values = parse_values(req, CREATE_KEYS)
    if "budget" not in values:
        raise InputError("budget", "is required", "`budget=AMOUNT`, e.g. `budget=5,000`")
    camp = campaigns.create(session, ws, {"name": name, **values}, user_id=req.user_id, now=req.runtime.clock())
    return campaign_blocks.created(camp, next_digest=_next_digest(req, camp))


def list_(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/campaign list`"""
    req.args.unknown_keys(set())
    counts = dict(
        session.execute(
            select(Enrolment.campaign_id, func.count()).where(Enrolment.workspace_id == ws.id).group_by(Enrolment.campaign_id)
        ).all()
    )
    rows = session.scalars(select(Campaign).where(Campaign.workspace_id == ws.id).order_by(Campaign.status, Campaign.name_key))
    return campaign_blocks.listing([(c, counts.get(c.id, 0)) for c in rows], today=req.runtime.today())


def show(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/campaign show NAME`"""
    req.args.unknown_keys(set())
    camp = lookup.campaign(session, ws, parse_name(req.args.word(0, "NAME", "`/campaign show NAME`")))
    enrolments = list(session.scalars(select(Enrolment).where(Enrolment.campaign_id == camp.id).order_by(Enrolment.id)))
    code_rows = session.execute(select(Code.enrolment_id, Code.code).where(Code.campaign_id == camp.id).order_by(Code.code_key)).all()
    by_enrolment: dict[int, list[str]] = {}
    for enrolment_id, code in code_rows:
        by_enrolment.setdefault(enrolment_id, []).append(code)
    return campaign_blocks.card(camp, [(e, by_enrolment.get(e.id, [])) for e in enrolments], today=req.runtime.today(),
                     next_digest=_next_digest(req, camp))


def set_(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/campaign set NAME key=value…`"""
    camp = lookup.campaign(session, ws, parse_name(req.args.word(0, "NAME", "`/campaign set NAME key=value`")))
    values = parse_values(req, SET_KEYS)
    if not values:
        raise InputError("key=value", "nothing to change", f"one or more of {', '.join(f'`{k}`' for k in sorted(SET_KEYS))}")
    changes = campaigns.update(session, camp, values, now=req.runtime.clock())
    if {"start", "end", "window_days"} & set(values):
        codes.check_windows_still_apart(session, camp)
    relinked = links.refresh(session, campaign_id=camp.id) if any(k == "name" for k, _, _ in changes) else 0
    return campaign_blocks.changed(camp, changes, relinked=relinked, next_digest=_next_digest(req, camp))


def end(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/campaign end NAME`"""
    req.args.unknown_keys(set())
    camp = lookup.campaign(session, ws, parse_name(req.args.word(0, "NAME", "`/campaign end NAME`")))
    was_ended = camp.status == Status.ENDED
    campaigns.end(session, camp, req.runtime.today())
    return campaign_blocks.ended(camp, already=was_ended)


SUBS = {
    "create": Sub(create, True, "create NAME budget=AMOUNT [currency=USD] [start=DATE] [end=DATE] [channel=#chan] "
                  '[digest=SCHEDULE] [min_roi=PCT] [grace_days=N] [window_days=N] [note="text"]', words=1,
                  names=("channel",)),
    "list": Sub(list_, False, "list", words=0),
    "show": Sub(show, False, "show NAME", words=1),
    "set": Sub(set_, True, "set NAME key=value…", words=1, names=("channel",)),
    "end": Sub(end, True, "end NAME", words=1),
}


def campaign_command(ack, command, context, client):
    """Listener for `/campaign`: done, and answered, in the acknowledgement (errors too: handlers.errors)."""
    reply = dispatch(command, context, client, name="/campaign", subs=SUBS, usage=campaign_blocks.usage)
    if SUBS.get(((command.get("text") or "").split() or [""])[0].lower(), SUBS["list"]).changes:
        context["roi"].campaigns_changed()
    ack(**deliver.in_ack(reply))


def register(app: App) -> None:
    """Register the `/campaign` listener."""
    app.command("/campaign")(campaign_command)
