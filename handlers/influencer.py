"""`/influencer`: add (or enrol), list, show, remove, set, and record engagement stats (SPEC §2)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InputError
from bot.limits import MAX_COUNTER, MAX_FOLLOWERS
from bot.models import Code, Enrolment, Influencer, Workspace
from bot.registry import influencers, links, lookup
from bot.values import (parse_choice, parse_date, parse_handle, parse_int, parse_money, parse_name, parse_pct,
                       parse_platform, parse_url, parse_user)
from handlers import deliver, resolve
from handlers.blocks import influencers as influencer_blocks
from handlers.blocks.kit import Reply
from handlers.commands import Request, Sub, dispatch
from metrics.status import Status

PERSON_KEYS = {"platform", "followers", "manager"}
TERMS_KEYS = {"fee", "commission", "product_cost", "goal_revenue", "start"}


def _enrolment_keys(keys) -> str:
    """`fee` belongs to an enrolment / `fee`, `start` belong to an enrolment."""
    return f"`{'`, `'.join(sorted(keys))}` {'belongs' if len(keys) == 1 else 'belong'} to an enrolment"


def _values(req: Request, keys: set[str]) -> dict[str, Any]:
    parsers = {
        "handle": parse_handle,
        "platform": parse_platform,
        "followers": lambda v: parse_int(v, "followers", minimum=0, maximum=MAX_FOLLOWERS),
        "manager": lambda v: resolve.user_id(req.client, parse_user(v)),
        "fee": lambda v: parse_money(v, "fee"),
        "commission": lambda v: parse_pct(v, "commission", minimum=0, maximum=100),
        "product_cost": lambda v: parse_money(v, "product_cost"),
        "goal_revenue": lambda v: parse_money(v, "goal_revenue"),
        "start": lambda v: parse_date(v, "start"),
        "status": lambda v: parse_choice(v, "status", (Status.ACTIVE, Status.CUT)),
    }
    return {k: parsers[k](v) for k, v in req.args.options.items() if k in keys}


def add(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/influencer add HANDLE … [campaign=NAME …]`"""
    handle = parse_handle(req.args.word(0, "HANDLE", "`/influencer add HANDLE`"))
    req.args.unknown_keys(PERSON_KEYS | TERMS_KEYS | {"campaign"})
    person_values = _values(req, PERSON_KEYS)
    terms = _values(req, TERMS_KEYS)
    camp_name = req.args.options.get("campaign")
    if terms and not camp_name:
        raise InputError("campaign", _enrolment_keys(terms), "`campaign=NAME` alongside them")
    camp = lookup.campaign(session, ws, parse_name(camp_name)) if camp_name else None
    person = influencers.find(session, ws, handle)
    if person is None or camp is None:
        # A known handle without a campaign is refused by create() as already registered.
        person = influencers.create(session, ws, handle, person_values)
        new_person, changes = True, []
    else:
        new_person, changes = False, influencers.update(session, person, person_values)
    enrolment = influencers.enrol(session, person, camp, terms, today=req.runtime.today()) if camp else None
    return influencer_blocks.added(person, enrolment, new_person=new_person, changes=changes)


def list_(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/influencer list [campaign=NAME]`"""
    req.args.unknown_keys({"campaign"})
    if "campaign" in req.args.options:
        camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
        rows = list(session.scalars(select(Enrolment).where(Enrolment.campaign_id == camp.id).order_by(Enrolment.id)))
        return influencer_blocks.lineup(camp, rows)
    people = list(session.scalars(select(Influencer).where(Influencer.workspace_id == ws.id).order_by(Influencer.handle_key)))
    campaigns_of = {p.id: [e.campaign.name for e in p.enrolments] for p in people}
    return influencer_blocks.listing(people, campaigns_of)


def show(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/influencer show HANDLE`"""
    req.args.unknown_keys(set())
    person = lookup.influencer(session, ws, parse_handle(req.args.word(0, "HANDLE", "`/influencer show HANDLE`")))
    codes = {e.id: list(session.scalars(select(Code).where(Code.enrolment_id == e.id).order_by(Code.code_key))) for e in person.enrolments}
    return influencer_blocks.card(person, codes)


def remove(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/influencer remove HANDLE`: at once, or, when they have results, after a question with Remove / Cancel
    (handlers.influencer_actions): one typo should not take a season's credited orders and stats with it."""
    req.args.unknown_keys(set())
    person = lookup.influencer(session, ws, parse_handle(req.args.word(0, "HANDLE", "`/influencer remove HANDLE`")))
    held = influencers.holdings(session, person)
    if held.has_results:
        return influencer_blocks.confirm_removal(person, held)
    handle = person.handle
    return influencer_blocks.removed(handle, influencers.remove(session, person))


def set_(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/influencer set HANDLE [campaign=NAME] key=value…`"""
    person = lookup.influencer(session, ws, parse_handle(req.args.word(0, "HANDLE", "`/influencer set HANDLE key=value`")))
    if "campaign" in req.args.options:
        if person_keys := (PERSON_KEYS | {"handle"}) & set(req.args.options):
            keys = "`, `".join(sorted(person_keys))
            raise InputError(sorted(person_keys)[0], f"`{keys}` {'belongs' if len(person_keys) == 1 else 'belong'} to "
                             "the influencer, not to an enrolment", "a separate `/influencer set HANDLE "
                             f"{sorted(person_keys)[0]}=…` without `campaign=`")
        req.args.unknown_keys(TERMS_KEYS | {"status", "campaign"})
        camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
        enrolment = lookup.enrolment(session, person, camp)
        values = _values(req, TERMS_KEYS | {"status"})
        if not values:
            raise InputError("key=value", "nothing to change", "`fee`, `commission`, `product_cost`, `goal_revenue`, `start` or `status`")
        changes = influencers.update_enrolment(session, enrolment, values, today=req.runtime.today())
        return influencer_blocks.changed(person, changes, enrolment=enrolment)
    terms_given = (TERMS_KEYS | {"status"}) & set(req.args.options)
    if terms_given:
        raise InputError("campaign", _enrolment_keys(terms_given), "`campaign=NAME` alongside them")
    req.args.unknown_keys(PERSON_KEYS | {"handle"})
    values = _values(req, PERSON_KEYS | {"handle"})
    if not values:
        raise InputError("key=value", "nothing to change", "`platform`, `followers`, `manager` or `handle` (or `campaign=NAME` with its terms)")
    changes = influencers.update(session, person, values)
    relinked = links.refresh(session, influencer_id=person.id) if any(k in ("handle", "platform") for k, _, _ in changes) else 0
    return influencer_blocks.changed(person, changes, enrolment=None, relinked=relinked)


def stats(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/influencer stats HANDLE campaign=NAME [date=DATE] [post=URL] counters…`"""
    req.args.unknown_keys({"campaign", "date", "post", *influencers.COUNTERS})
    person = lookup.influencer(session, ws, parse_handle(req.args.word(0, "HANDLE", "`/influencer stats HANDLE campaign=NAME likes=N`")))
    if "campaign" not in req.args.options:
        raise InputError("campaign", "is required", "`campaign=NAME`")
    camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
    enrolment = lookup.enrolment(session, person, camp)
    counters = {k: parse_int(v, k, minimum=0, maximum=MAX_COUNTER) for k, v in req.args.options.items() if k in influencers.COUNTERS}
    if not counters:
        raise InputError("counters", "none given", "one or more of " + ", ".join(f"`{c}=N`" for c in influencers.COUNTERS))
    day = parse_date(req.args.options["date"], "date") if "date" in req.args.options else req.runtime.today()
    post = parse_url(req.args.options["post"], "post") if "post" in req.args.options else None
    stat, created = influencers.record_stats(session, enrolment, day=day, post=post, counters=counters,
                                             today=req.runtime.today())
    return influencer_blocks.stats_recorded(person, camp, stat, created=created)


SUBS = {
    "add": Sub(add, True, "add HANDLE …", words=1, names=("manager",)),
    "list": Sub(list_, False, "list [campaign=NAME]", words=0),
    "show": Sub(show, False, "show HANDLE", words=1),
    "remove": Sub(remove, True, "remove HANDLE", words=1),
    "set": Sub(set_, True, "set HANDLE [campaign=NAME] key=value…", words=1, names=("manager",)),
    "stats": Sub(stats, True, "stats HANDLE campaign=NAME …", words=1),
}


def influencer_command(ack, command, context, client):
    """Listener for `/influencer`: done, and answered, in the acknowledgement (errors too: handlers.errors)."""
    ack(**deliver.in_ack(dispatch(command, context, client, name="/influencer", subs=SUBS, usage=influencer_blocks.usage)))


def register(app: App) -> None:
    """Register the `/influencer` listener."""
    app.command("/influencer")(influencer_command)
