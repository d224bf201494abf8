"""How a scheduled campaign digest looks in its channel (SPEC §5): totals and their change since the previous
digest, budget used, the top 3 influencers and who is flagged.

Figures come from the `CampaignReport` given and the previous digest's `snapshot`; nothing is computed here but
the differences between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.freshness import Freshness
from bot.reports import RUNNING, CampaignReport
from handlers.blocks import fmt
from handlers.blocks import freshness as fresh_blocks
from handlers.blocks.kit import Block, Reply, context, divider, fields, header, section
from handlers.blocks.report_campaign import MAX_FLAGGED, NOT_STARTED, bullet_sections, reasons_text, roi_text, who
from metrics.roi import Metrics

TOP = 3
BAR_CELLS = 10
UP, DOWN, SAME = "▲", "▼", "(no change)"


def snapshot(totals: Metrics, *, started: bool = True) -> dict:
    """The JSON-safe figures of a digest, kept so the next one can show what changed (unrounded); before the
    campaign started there is no return yet, so the first digest after the start shows no change from a loss."""
    def text(value: Decimal | None) -> str | None:
        return None if value is None or not started else str(value)

    return {"revenue": str(totals.revenue), "cost": str(totals.cost), "profit": text(totals.profit),
            "roi_pct": text(totals.roi_pct), "roas": text(totals.roas), "orders": totals.orders,
            "budget_used_pct": text(totals.budget_used_pct)}


def _moment(dt: datetime, *, year: bool) -> str:
    return f"{dt:%a} {dt.day} {dt:%b}{f' {dt.year}' if year else ''} {dt:%H:%M}"


def period_text(start: datetime | None, end: datetime | None) -> str | None:
    """`Mon 16 Mar 09:00 → Mon 23 Mar 09:00 CET`; the year only when the two ends differ in it."""
    if start and end:
        year = start.year != end.year
        zone_a, zone_b = start.strftime("%Z"), end.strftime("%Z")
        first = _moment(start, year=year) + (f" {zone_a}" if zone_a != zone_b else "")
        return f"{first} → {_moment(end, year=year)} {zone_b}".strip()
    if start:
        return f"from {_moment(start, year=False)} {start:%Z}".strip()
    if end:
        return f"until {_moment(end, year=False)} {end:%Z}".strip()
    return None


def _change(now, before, step: str, show: Callable[[Decimal], str]) -> str:
    """` (▲ USD 600.00)`, ` (▼ 3.1 pts)` or ` (no change)`, rounded like the figure; empty when either is unknown."""
    if now is None or before is None:
        return ""
    diff = (Decimal(str(now)) - Decimal(str(before))).quantize(Decimal(step), rounding=ROUND_HALF_UP)
    if diff == 0:
        return f" {SAME}"
    return f" ({UP if diff > 0 else DOWN} {show(abs(diff))})"


def _figures(t: Metrics, previous: dict | None, currency: str, started: bool) -> list[Block]:
    before = previous or {}

    def money(key: str) -> str:
        value = getattr(t, key)
        return fmt.money(value, currency) + (_change(value, before.get(key), "0.01", lambda d: fmt.money(d, currency))
                                             if previous else "")

    def ratio(key: str, shown: str, step: str, show: Callable[[Decimal], str]) -> str:
        return shown + (_change(getattr(t, key), before.get(key), step, show) if previous else "")

    # Before the start, profit, ROI and ROAS are only the fees set against nothing: no figure, and no change.
    outcome = [
        ("Profit", money("profit")),
        ("ROI", ratio("roi_pct", fmt.pct(t.roi_pct), "0.1", lambda d: f"{d:,} pts")),
        ("ROAS", ratio("roas", fmt.roas(t.roas), "0.01", fmt.roas)),
    ] if started else [("Profit", NOT_STARTED), ("ROI", NOT_STARTED), ("ROAS", NOT_STARTED)]
    return fields([
        ("Revenue", money("revenue")),
        ("Cost", money("cost")),
        *outcome,
        ("Orders", ratio("orders", fmt.count(t.orders), "1", lambda d: f"{d:,}")),
    ])


def _since(previous: dict | None, name: str, zone) -> str:
    if previous is None:
        return f":new: First digest of *{fmt.esc(name)}*: the next one shows what changed since this one."
    try:
        at = datetime.fromisoformat(str(previous.get("at")))
    except ValueError:
        return "Changes are since the previous digest."
    if zone is not None and at.tzinfo is not None:
        at = at.astimezone(zone)
    return f"Changes are since the previous digest, posted {_moment(at, year=False)} {at:%Z}".rstrip() + "."


def bar(used_pct: Decimal) -> str:
    """Budget used as ten cells, `▓▓▓▓▓▓▓░░░`; full (never more) when over budget."""
    cells = int((Decimal(used_pct) / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    cells = max(0, min(BAR_CELLS, cells))
    return "▓" * cells + "░" * (BAR_CELLS - cells)


def budget_text(t: Metrics, currency: str) -> str:
    """`*Budget used*: USD 3,500.00 of USD 5,000.00 (70.0%)` with its bar, and whether it is exceeded."""
    if t.budget_used_pct is None:
        return f"*Budget used*: {fmt.money(t.cost, currency)} spent; no budget is set."
    text = f"*Budget used*: {fmt.money(t.cost, currency)} of {fmt.money(t.budget, currency)} ({fmt.pct(t.budget_used_pct)})\n{bar(t.budget_used_pct)}"
    if t.budget is not None and t.cost > t.budget:
        text += f"  :rotating_light: *over budget* by {fmt.money(t.cost - t.budget, currency)}"
    return text


def _people(report: CampaignReport) -> list[Block]:
    camp = report.campaign
    if not report.rows:
        return [section(f"No influencers enrolled yet in *{fmt.esc(camp.name)}*: "
                        f"`/influencer add HANDLE campaign={fmt.esc(camp.name)} fee=AMOUNT`.")]
    top = [f"{i}. *{fmt.esc(who(r))}* · ROI {roi_text(r.metrics, r.started)} · {fmt.money(r.metrics.revenue, camp.currency)} revenue"
           for i, r in enumerate(report.rows[:TOP], 1)]
    blocks = [section(":trophy: *Top influencers*\n" + "\n".join(top))]
    flagged = report.flagged
    if not flagged:
        return blocks + [section(":white_check_mark: Nobody is flagged today.")]
    lines = [f"• *{fmt.esc(who(r))}*: {reasons_text(r.reasons, camp.currency)}" for r in flagged[:MAX_FLAGGED]]
    hidden = len(flagged) - len(lines)
    more = f"…and {hidden} more: `/roi underperformers campaign={fmt.esc(camp.name)}`" if hidden > 0 else None
    return blocks + bullet_sections(f":warning: *Flagged today ({len(flagged)})*", lines, more=more)


def _final(report: CampaignReport) -> str:
    camp = report.campaign
    if camp.end is None:
        return f":checkered_flag: This is the final digest of *{fmt.esc(camp.name)}*."
    closed = camp.end + timedelta(days=camp.window_days)
    return (f":checkered_flag: *Final digest*: the attribution window of *{fmt.esc(camp.name)}* closed on "
            f"{closed.isoformat()}, so no more digests are scheduled.")


def digest(report: CampaignReport, *, previous: dict | None, period_start: datetime | None,
           period_end: datetime | None, schedule: str, last: bool = False, forced: bool = False,
           fresh: Freshness | None = None, now: datetime | None = None) -> Reply:
    """The digest of one period: figures and their change, budget, top 3, who is flagged; with `fresh` and `now`
    (in ROI_TIMEZONE), where the orders come from, and a warning when a running campaign's data is over a day old."""
    camp, t = report.campaign, report.totals
    when = "posted by hand (no schedule)" if schedule == "off" else f"digest {fmt.esc(schedule)}"
    blocks: list[Block] = [header(f":bar_chart: {camp.name} — digest"),
                           context(" · ".join(p for p in (period_text(period_start, period_end), when) if p))]
    if forced:
        blocks.append(context(":repeat: Posted again by hand (`--force`): this period's digest had already been posted."))
    if last:
        blocks.append(section(_final(report)))
    if not report.started:
        blocks.append(context(f"*{fmt.esc(camp.name)}* has not started yet: it starts {fmt.day(camp.start)}."))
    if fresh is not None and now is not None and report.status == RUNNING and (
            warning := fresh_blocks.stale_warning(fresh, now)):
        blocks.append(warning)
    blocks += _figures(t, previous, camp.currency, report.started)
    zone = (period_end or period_start).tzinfo if (period_end or period_start) else None
    blocks += [context(_since(previous, camp.name, zone)), section(budget_text(t, camp.currency)), divider()]
    blocks += _people(report)
    if now is not None:
        blocks += fresh_blocks.footer(fresh, now)
    blocks.append(context(f"`/roi campaign {fmt.esc(camp.name)}` for the full report"))
    text = (f"{fmt.esc(camp.name)} {'final ' if last else ''}digest: ROI {roi_text(t, report.started)} on "
            f"{fmt.money(t.revenue, camp.currency)} revenue")
    return Reply(text=text, blocks=blocks)
