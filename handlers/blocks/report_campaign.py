"""How a campaign report looks in Slack (`/roi campaign`, the Home tab's button), and the wording of §6 reasons.

Every figure comes from the `CampaignReport` it is given (the same object `--json` prints); this module only
formats. User-typed text goes through `fmt.esc`, money, percentages and ROAS through `fmt`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from bot.freshness import Freshness
from bot.reports import CampaignReport, Row
from bot.values import shown
from handlers.blocks import fmt
from handlers.blocks import freshness as fresh_blocks
from handlers.blocks.kit import Block, Reply, context, divider, fields, header, section, table
from metrics.flags import ENGAGEMENT, GOAL, ROI, Reason
from metrics.roi import Metrics
from metrics.status import Status

NOT_STARTED = "not started"
MAX_ROWS = 25  # influencers in the ranked table; the rest are counted in a line below it
MAX_FLAGGED = 12
SECTION_BUDGET = 2800  # stay clear of Slack's 3,000 characters per section
RANK_HEAD = ["#", "Influencer", "Tier", "Revenue", "Cost", "ROI", "ROAS", "Orders"]
RANK_ALIGN = ["right", "left", "left", "right", "right", "right", "right", "right"]


def threshold_pct(value) -> str:
    """A threshold people typed (`min_roi=15`) as they typed it: `15%`, `-20%`, `12.5%`."""
    return f"{fmt.number(value)}%" if value is not None else fmt.NA


def reason_text(reason: Reason, currency: str) -> str:
    """One §6 reason in words a marketing manager reads at a glance."""
    if reason.kind == ROI:
        return f"ROI {fmt.pct(reason.actual)} is below this campaign's minimum of {threshold_pct(reason.threshold)}"
    if reason.kind == GOAL:
        d = reason.detail
        return (f"{fmt.money(reason.actual, currency)} of a {fmt.money(d.get('goal'), currency)} goal prorated to "
                f"{fmt.money(reason.threshold, currency)} {goal_days(d.get('elapsed_days'), d.get('total_days'))}")
    if reason.kind == ENGAGEMENT:
        median = reason.detail.get("median")
        return (f"engagement rate {fmt.pct(reason.actual)} is under half the campaign median of {fmt.pct(median)} "
                f"({reason.detail.get('peers')} influencers with a rate)")
    return f"{fmt.esc(reason.kind)}: {reason.actual} below {reason.threshold}"


def goal_days(elapsed: int | None, total: int | None) -> str:
    """The days the goal is prorated over, worded as the rule counts them (SPEC §6: (today − start) ÷ (end − start)).

    Those are days *between* two dates, so March 1 → 31 is 30 of them, not March's 31: "15 of 30 days" alone read
    as a miscounted month."""
    if total is not None and total <= 0:
        return "(all of it: they started on the campaign's last day)"
    return f"for {elapsed} of the {total} days between their start and the campaign's end"


def reasons_text(reasons: Iterable[Reason], currency: str) -> str:
    """Every reason of one flagged influencer, joined into one sentence."""
    return "; ".join(reason_text(r, currency) for r in reasons)


def bullet_sections(title: str, lines: Sequence[str], *, more: str | None = None) -> list[Block]:
    """A titled list as one or more sections, each under Slack's text limit."""
    blocks: list[Block] = []
    chunk = title
    for line in lines:
        if len(chunk) + 1 + len(line) > SECTION_BUDGET:
            blocks.append(section(chunk))
            chunk = line
        else:
            chunk += "\n" + line
    if more:
        chunk += "\n" + more
    blocks.append(section(chunk))
    return blocks


def asked(user_id: str, text: str) -> Block:
    """The context line naming who asked and what they typed."""
    return context(f"Asked by {fmt.user(user_id)} · {shown(('/roi ' + text).strip(), 120)}")


def profit_text(m: Metrics, currency: str, started: bool) -> str:
    """Profit, or *not started*: a fee booked before the start is no loss yet (SPEC §4)."""
    return fmt.money(m.profit, currency) if started else NOT_STARTED


def roi_text(m: Metrics, started: bool) -> str:
    """ROI as a percentage, or *not started*."""
    return fmt.pct(m.roi_pct) if started else NOT_STARTED


def roas_text(m: Metrics, started: bool) -> str:
    """ROAS as `1.54x`, or *not started*."""
    return fmt.roas(m.roas) if started else NOT_STARTED


def who(row: Row) -> str:
    """A handle with its status when it is not active: `ana (cut)`."""
    return row.influencer.handle if row.status == Status.ACTIVE else f"{row.influencer.handle} ({row.status})"


def period(report: CampaignReport) -> str:
    """The dates a report covers: the range asked for, or the campaign's own dates."""
    camp = report.campaign
    if report.date_from or report.date_to:
        return fmt.span(report.date_from or camp.start, report.date_to or camp.end)
    return fmt.span(camp.start, camp.end)


def headline(report: CampaignReport) -> str:
    """The fallback text: `spring: ROI 54.3% on USD 12,345.60 revenue`, or `summer: not started (starts …)`."""
    camp, t = report.campaign, report.totals
    if not report.started:
        return f"{fmt.esc(camp.name)}: not started (starts {fmt.day(camp.start)})"
    return f"{fmt.esc(camp.name)}: ROI {fmt.pct(t.roi_pct)} on {fmt.money(t.revenue, camp.currency)} revenue"


def headline_fields(report: CampaignReport) -> list[Block]:
    """Revenue, cost, profit, ROI, ROAS, orders, budget used, AOV / CPA."""
    t, currency, started = report.totals, report.campaign.currency, report.started
    return fields([
        ("Revenue", fmt.money(t.revenue, currency)),
        ("Cost", fmt.money(t.cost, currency)),
        ("Profit", profit_text(t, currency, started)),
        ("ROI · ROAS", f"{fmt.pct(t.roi_pct)} · {fmt.roas(t.roas)}" if started else NOT_STARTED),
        ("Orders", fmt.count(t.orders)),
        ("Budget used", f"{fmt.pct(t.budget_used_pct)} of {fmt.money(t.budget, currency)}"),
        ("AOV", fmt.money(t.aov, currency)),
        ("CPA", fmt.money(t.cpa, currency)),
    ])


def engagement_line(m: Metrics, currency: str) -> str | None:
    """Impressions, engagement rate, CTR and CPM, when any engagement results were recorded."""
    if m.impressions is None and m.engagements is None and m.clicks is None:
        return None
    return (f"Impressions {fmt.count(m.impressions)} · engagement rate {fmt.pct(m.engagement_rate_pct)} · "
            f"CTR {fmt.pct(m.ctr_pct)} · CPM {fmt.money(m.cpm, currency)}")


def excluded_line(report: CampaignReport) -> str | None:
    """The orders left out of the figures, when there are any."""
    ex, currency = report.excluded, report.campaign.currency
    parts = []
    if ex.outside_orders:
        parts.append(f"{fmt.count(ex.outside_orders)} order{fmt.s(ex.outside_orders)} "
                     f"({fmt.money(ex.outside_revenue, currency)}) outside the campaign window")
    if ex.other_currency_orders:
        parts.append(f"{fmt.count(ex.other_currency_orders)} order{fmt.s(ex.other_currency_orders)} "
                     f"in a currency other than {fmt.esc(currency)}")
    if ex.not_counted_orders:
        parts.append(f"{fmt.count(ex.not_counted_orders)} order{fmt.s(ex.not_counted_orders)} "
                     "refunded, voided or cancelled")
    return "Not counted: " + " · ".join(parts) + "." if parts else None


def ranked_table(report: CampaignReport) -> list[Block]:
    """The influencers best ROI first, as a table, plus a line for those that did not fit."""
    currency = report.campaign.currency
    shown_rows = report.rows[:MAX_ROWS]
    body = [[i, who(r), r.tier, fmt.money(r.metrics.revenue, currency), fmt.money(r.metrics.cost, currency),
             roi_text(r.metrics, r.started), roas_text(r.metrics, r.started), fmt.count(r.metrics.orders)]
            for i, r in enumerate(shown_rows, 1)]
    blocks = [table(RANK_HEAD, body, align=RANK_ALIGN)]
    hidden = len(report.rows) - len(shown_rows)
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more influencer{fmt.s(hidden)} ranked below these."))
    return blocks


def flagged_blocks(report: CampaignReport) -> list[Block]:
    """The influencers §6 flags today, each with every reason."""
    flagged = report.flagged
    if not flagged:
        return []
    currency = report.campaign.currency
    lines = [f"• *{fmt.esc(r.influencer.handle)}*: {reasons_text(r.reasons, currency)}" for r in flagged[:MAX_FLAGGED]]
    hidden = len(flagged) - len(lines)
    more = (f"…and {hidden} more: `/roi underperformers campaign={fmt.esc(report.campaign.name)}`"
            if hidden > 0 else None)
    return bullet_sections(f":warning: *Flagged today ({len(flagged)})*", lines, more=more)


def campaign(report: CampaignReport, *, footer: Block | None = None, fresh: Freshness | None = None,
             now: datetime | None = None) -> Reply:
    """The `/roi campaign` answer: headline figures, ranked influencers, who is flagged, what was left out, and where
    the orders come from and how fresh they are (with `fresh` and `now`)."""
    camp, t = report.campaign, report.totals
    blocks: list[Block] = [header(f"{camp.name} · {period(report)}")]
    if report.date_from or report.date_to:
        blocks.append(context("Orders and engagement within these dates only; fees and product costs count in full."))
    if not report.started:
        blocks.append(context(f"Not started yet: it starts {fmt.day(camp.start)}. Fees agreed so far count as cost; "
                              "results come once it runs."))
    blocks += headline_fields(report)
    if line := engagement_line(t, camp.currency):
        blocks.append(context(line))
    blocks.append(divider())
    if report.rows:
        blocks += ranked_table(report)
    else:
        blocks.append(section(f"No influencers in *{fmt.esc(camp.name)}* yet. Enrol one with "
                              f"`/influencer add HANDLE campaign={fmt.esc(camp.name)} fee=AMOUNT`."))
    blocks += flagged_blocks(report)
    if line := excluded_line(report):
        blocks.append(context(line))
    if now is not None:
        blocks += fresh_blocks.footer(fresh, now)
    if footer:
        blocks.append(footer)
    return Reply(text=headline(report), blocks=blocks)


def day_count(today: date, start: date | None, end: date | None) -> str | None:
    """`day 16 of 31` while a dated campaign runs."""
    if start and end and start <= today <= end:
        return f"day {(today - start).days + 1} of {(end - start).days + 1}"
    return None


def from_home(camp) -> Block:
    """The context line of a report sent from the Home tab."""
    return context(f"Sent from your ROI bot Home tab · `/roi campaign {fmt.esc(camp.name)}` shows it in a channel")
