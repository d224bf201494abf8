"""`/roi`: reports (SPEC §2). Campaign, influencer, compare, tiers and top answer in the channel, with charts;
underperformers, sale and import answer the asker only.

Every answer is computed in one read transaction (`handlers.commands.dispatch`) after the ack; charts are drawn
outside it, then `handlers.deliver` posts the message and uploads the charts, falling back to the asker's DM.
What Slack still refuses after the client's retries is raised to `handlers.errors`, which logs it and tells the asker.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal
from functools import partial

from slack_bolt import App
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import freshness, sales
from bot.errors import InputError, NotFound
from bot.limits import MAX_ORDER_AMOUNT
from bot.models import Campaign, Workspace
from bot.registry import lookup
from bot.reports import campaign_report, influencer_report, rule
from bot.values import parse_choice, parse_code, parse_date, parse_handle, parse_int, parse_money, parse_name, shown
from handlers import deliver
from handlers.blocks import freshness as fresh_blocks
from handlers.blocks import report_campaign as report_blocks
from handlers.blocks import report_misc as misc
from handlers.blocks.help import usage_reply
from handlers.blocks.kit import Reply
from handlers.chart_pool import chart
from handlers.charts import campaign_post, influencer_chart, tiers_chart
from handlers.commands import Request, Sub, dispatch
from handlers.deliver import Chart, Post
from handlers.files import MAX_BYTES
from metrics.flags import running
from metrics.roi import Side, campaign_metrics
from metrics.status import Status
from metrics.tiers import TIERS

RANK_BY = {"roi": "roi_pct", "roas": "roas", "revenue": "revenue", "orders": "orders",
           "engagement_rate": "engagement_rate_pct"}
NEEDS_START = {"roi", "roas"}  # rankings that mean nothing before an enrolment starts
MONEY_BY = {"revenue"}  # rankings that add up or compare amounts, meaningless across currencies
MAX_TOP = 25
SOURCE = "manual"
_ORDER_ID = re.compile(r"[A-Za-z0-9#._-]{1,64}")


# -- shared pieces -----------------------------------------------------------------------------------


def _dates(req: Request) -> tuple[date | None, date | None]:
    opts = req.args.options
    date_from = parse_date(opts["from"], "from") if "from" in opts else None
    date_to = parse_date(opts["to"], "to") if "to" in opts else None
    if date_from and date_to and date_to < date_from:
        raise InputError("to", f"{date_to.isoformat()} is before `from` {date_from.isoformat()}", "a `to` date on or after `from`")
    return date_from, date_to


def _scope(req: Request, session: Session, ws: Workspace) -> list[Campaign]:
    """The campaign named by `campaign=`, or every campaign of the workspace."""
    if "campaign" in req.args.options:
        return [lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))]
    camps = list(session.scalars(select(Campaign).where(Campaign.workspace_id == ws.id).order_by(Campaign.name_key)))
    if not camps:
        raise NotFound("There are no campaigns in this workspace yet. Create one with `/campaign create`.")
    return camps


def _one_currency(camps: list[Campaign], why: str) -> str:
    currencies = sorted({c.currency for c in camps})
    if len(currencies) > 1:
        raise InputError("campaign", f"your campaigns are in {' and '.join(currencies)}, and {why}",
                         "`campaign=NAME` to pick one")
    return currencies[0]


def _fresh(req: Request, session: Session, ws: Workspace, camps: list[Campaign], post: Post) -> Post:
    """`post` with the line saying where these campaigns' orders come from and how fresh they are (SPEC §8)."""
    if not camps:
        return post
    now = req.runtime.now()
    found = freshness.of_campaigns(session, ws.id, [c.id for c in camps], tz=now.tzinfo)
    return Post(Reply(post.reply.text, post.reply.blocks + fresh_blocks.footer(found, now)), post.charts)


def campaign_in_channel(session: Session, ws: Workspace, channel_id: str, today: date) -> Campaign | None:
    """The campaign whose channel this is: a running one first, then the most recent."""
    camps = list(session.scalars(select(Campaign).where(Campaign.workspace_id == ws.id, Campaign.channel_id == channel_id)))

    def rank(c: Campaign):
        live = c.status == Status.ACTIVE and running(rule(c), today)
        return (not live, c.status != Status.ACTIVE, -(c.start or date.min).toordinal(), c.name_key)

    return min(camps, key=rank, default=None)


# -- channel answers --------------------------------------------------------------------------------


def campaign(req: Request, session: Session, ws: Workspace) -> Post:
    """`/roi campaign NAME [from=DATE] [to=DATE]`"""
    name = parse_name(req.args.word(0, "NAME", "`/roi campaign NAME`"))
    req.args.unknown_keys({"from", "to"})
    date_from, date_to = _dates(req)
    camp = lookup.campaign(session, ws, name)
    return campaign_post(session, camp, today=req.runtime.today(), date_from=date_from, date_to=date_to,
                         now=req.runtime.now())


def here(req: Request, session: Session, ws: Workspace) -> Post | Reply:
    """`/roi` alone: the campaign of this channel, or the usage elsewhere."""
    camp = campaign_in_channel(session, ws, req.channel_id, req.runtime.today())
    if camp is None:
        return usage()
    return campaign_post(session, camp, today=req.runtime.today(), now=req.runtime.now())


def influencer(req: Request, session: Session, ws: Workspace) -> Post:
    """`/roi influencer HANDLE [campaign=NAME]`"""
    person = lookup.influencer(session, ws, parse_handle(req.args.word(0, "HANDLE", "`/roi influencer HANDLE`")))
    req.args.unknown_keys({"campaign"})
    camp = None
    if "campaign" in req.args.options:
        camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
        lookup.enrolment(session, person, camp)
    report = influencer_report(session, person, today=req.runtime.today(), campaign=camp)
    if not report.rows:
        return Post(misc.influencer(report))
    post = Post(misc.influencer(report), (influencer_chart(report),))
    return _fresh(req, session, ws, [c for c, _ in report.rows], post)


def compare(req: Request, session: Session, ws: Workspace) -> Post:
    """`/roi compare NAME NAME`"""
    usage_line = "two campaign names, like `/roi compare spring autumn`"
    first = parse_name(req.args.word(0, "NAME", usage_line))
    second = parse_name(req.args.word(1, "NAME", usage_line))
    req.args.unknown_keys(set())
    if first.lower() == second.lower():
        raise InputError("NAME", f"{shown(first)} is named twice; there is nothing to compare it with", usage_line)
    today = req.runtime.today()
    a, b = (campaign_report(session, lookup.campaign(session, ws, n), today=today) for n in (first, second))
    sides = [Side(name=r.campaign.name, currency=r.campaign.currency, revenue=r.totals.revenue, cost=r.totals.cost,
                         profit=r.totals.profit, roi_pct=r.totals.roi_pct, roas=r.totals.roas, started=r.started)
             for r in (a, b)]
    title = f"{a.campaign.name} vs {b.campaign.name}"
    return _fresh(req, session, ws, [a.campaign, b.campaign], Post(misc.compare(a, b), (Chart(
        f"{a.campaign.name}-vs-{b.campaign.name}.png", title, f"Revenue, cost, profit and ROI of {title}",
        partial(chart, "compare", *sides, title=title)),)))


def tiers(req: Request, session: Session, ws: Workspace) -> Post:
    """`/roi tiers [campaign=NAME]`"""
    req.args.unknown_keys({"campaign"})
    camps = _scope(req, session, ws)
    currency = _one_currency(camps, "amounts in different currencies cannot be added up")
    today = req.runtime.today()
    by_tier: dict[str, list] = {}
    rows = [row for camp in camps for row in campaign_report(session, camp, today=today).rows]
    # A tier compares results; an enrolment that has not started has a fee and none yet, so it stays out.
    for row in rows:
        if row.started:
            by_tier.setdefault(row.tier, []).append(row.input)
    groups = [(t, len(by_tier[t]), campaign_metrics(by_tier[t], budget=Decimal(0))) for t in TIERS if t in by_tier]
    scope = camps[0].name if "campaign" in req.args.options else "all campaigns"
    waiting = sum(not row.started for row in rows)
    return _fresh(req, session, ws, camps, Post(misc.tiers(groups, scope=scope, currency=currency, not_started=waiting),
                                                (tiers_chart(groups, scope=scope, currency=currency),)))


def top(req: Request, session: Session, ws: Workspace) -> Post:
    """`/roi top [campaign=NAME] [by=…] [n=5]`"""
    req.args.unknown_keys({"campaign", "by", "n"})
    by = parse_choice(req.args.get("by", "roi"), "by", tuple(RANK_BY))
    n = parse_int(req.args.get("n", "5"), "n", minimum=1, maximum=MAX_TOP)
    camps = _scope(req, session, ws)
    if by in MONEY_BY:
        _one_currency(camps, f"{by} in different currencies cannot be ranked together")
    today = req.runtime.today()
    rows = [(camp, row) for camp in camps for row in campaign_report(session, camp, today=today).rows]
    attr = RANK_BY[by]
    # Before its start an enrolment's ROI and ROAS are no result yet (its fee against nothing): it has none to rank by.
    valued = [(c, r) for c, r in rows if getattr(r.metrics, attr) is not None and (r.started or by not in NEEDS_START)]
    valued.sort(key=lambda cr: (-getattr(cr[1].metrics, attr), -cr[1].metrics.revenue, cr[1].influencer.handle_key,
                                cr[0].name_key))
    scope = camps[0].name if "campaign" in req.args.options else "all campaigns"
    return _fresh(req, session, ws, camps, Post(misc.top(valued[:n], by=by, scope=scope, several=len(camps) > 1,
                                                         left_out=len(rows) - len(valued))))


# -- asker-only answers ------------------------------------------------------------------------------


def underperformers(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/roi underperformers [campaign=NAME]`"""
    req.args.unknown_keys({"campaign"})
    today = req.runtime.today()
    if "campaign" in req.args.options:
        camp = lookup.campaign(session, ws, parse_name(req.args.options["campaign"]))
        if camp.status != Status.ACTIVE or not running(rule(camp), today):
            return misc.not_running(camp, today=today)
        camps = [camp]
    else:
        camps = [c for c in session.scalars(select(Campaign).where(Campaign.workspace_id == ws.id, Campaign.status == Status.ACTIVE)
                                            .order_by(Campaign.name_key)) if running(rule(c), today)]
    return misc.underperformers([campaign_report(session, c, today=today) for c in camps], today=today)


def sale(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/roi sale CODE amount=AMOUNT [date=DATE] [id=ORDER_ID] [refunded=AMOUNT]`"""
    code = parse_code(req.args.word(0, "CODE", "`/roi sale CODE amount=AMOUNT`"))
    req.args.unknown_keys({"amount", "date", "id", "refunded"})
    opts = req.args.options
    if "amount" not in opts:
        raise InputError("amount", "is required", "`amount=AMOUNT`, e.g. `amount=120.50`")
    amount = parse_money(opts["amount"], "amount", maximum=MAX_ORDER_AMOUNT)  # one order, as imports allow
    refunded = (parse_money(opts["refunded"], "refunded", maximum=MAX_ORDER_AMOUNT) if "refunded" in opts
                else Decimal("0.00"))
    day = parse_date(opts["date"], "date") if "date" in opts else req.runtime.today()
    order_id = sales.parse_order_id(opts["id"]) if "id" in opts else None
    done = sales.record(session, ws, code=code, day=day, amount=amount, refunded=refunded, order_id=order_id)
    return misc.sale(code=done.code, order_id=done.order_id, new=done.before is None, day=day, amount=amount,
                     refunded=refunded, revenue=done.revenue, currency=done.campaign.currency, camp=done.campaign,
                     credited=done.credited, cut=done.cut, before=done.before)


def import_(req: Request, session: Session, ws: Workspace) -> Reply:
    """`/roi import`"""
    req.args.unknown_keys(set())
    return misc.import_help(max_mb=MAX_BYTES // (1024 * 1024))


def usage() -> Reply:
    """`/roi help`."""
    return usage_reply("roi", intro=misc.USAGE_INTRO)


SUBS = {
    "campaign": Sub(campaign, False, "campaign NAME [from=DATE] [to=DATE]", words=1),
    "influencer": Sub(influencer, False, "influencer HANDLE [campaign=NAME]", words=1),
    "compare": Sub(compare, False, "compare NAME NAME", words=2),
    "tiers": Sub(tiers, False, "tiers [campaign=NAME]", words=0),
    "top": Sub(top, False, "top [campaign=NAME] [by=roi|roas|revenue|orders|engagement_rate] [n=5]", words=0),
    "underperformers": Sub(underperformers, False, "underperformers [campaign=NAME]", words=0),
    "sale": Sub(sale, True, "sale CODE amount=AMOUNT [date=DATE] [id=ORDER_ID] [refunded=AMOUNT]", words=1),
    "import": Sub(import_, False, "import", words=0),
}
HERE = {"here": Sub(here, False, "", words=0)}


# At most this many answers are computed at once (the charts are drawn in two worker processes); more would only
# share the GIL. The others wait here, acked and asleep, and are answered in turn.
ANSWERING = threading.BoundedSemaphore(2)


def roi_command(ack, command, context, client, respond):
    """Listener for `/roi`: ack at once, compute, then post in the channel or answer the asker."""
    ack()
    text = (command.get("text") or "").strip()
    with ANSWERING:
        if text:
            answer = dispatch(command, context, client, name="/roi", subs=SUBS, usage=usage)
        else:
            answer = dispatch({**command, "text": "here"}, context, client, name="/roi", subs=HERE, usage=usage)
        if isinstance(answer, Post):
            user, channel = command.get("user_id", ""), command.get("channel_id", "")
            signed = Reply(answer.reply.text, answer.reply.blocks + [report_blocks.asked(user, text)])
            deliver.to_channel(client, Post(signed, answer.charts), channel=channel, asker=user, respond=respond)
        else:
            deliver.tell(respond, answer, client=client)


def register(app: App) -> None:
    """Register the `/roi` listener."""
    app.command("/roi")(roi_command)
