"""The App Home tab: the workspace's running campaigns with their figures and who is flagged, or how to start."""

from __future__ import annotations

from datetime import date, datetime

from bot.freshness import Freshness
from bot.reports import CampaignReport
from handlers.blocks import fmt
from handlers.blocks import freshness as fresh_blocks
from handlers.blocks.campaigns import phase
from handlers.blocks.kit import Block, button, context, divider, header, section
from handlers.blocks.report_campaign import NOT_STARTED, day_count
from metrics.flags import ENGAGEMENT, GOAL, ROI

MAX_CAMPAIGNS = 15  # four blocks each keeps the view far below Slack's 100
MAX_NAMES = 8
REPORT_ACTION = "roi_home_report"
SHORT = {ROI: "ROI under minimum", GOAL: "behind goal", ENGAGEMENT: "low engagement"}
START = (
    "*Getting started*\n"
    "1. Register a campaign: `/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31 channel=#marketing`\n"
    "2. Enrol influencers: `/influencer add ana followers=20000 campaign=spring fee=500 commission=10`\n"
    "3. Give them codes: `/code add ANA10 ana campaign=spring`\n"
    "4. Send me your Shopify or WooCommerce order export as a CSV in a direct message (`/roi import` says how), "
    "or record one sale: `/roi sale ANA10 amount=120`\n"
    "5. Ask `/roi campaign spring` in any channel."
)


def _flagged(report: CampaignReport) -> str:
    flagged = report.flagged
    if not report.rows:
        return "No influencers yet: `/influencer add HANDLE campaign=" + fmt.esc(report.campaign.name) + " fee=AMOUNT`"
    if not flagged:
        return f":white_check_mark: Nobody flagged · {len(report.rows)} influencer{fmt.s(len(report.rows))}"
    names = [f"*{fmt.esc(r.influencer.handle)}* ({', '.join(SHORT.get(x.kind, x.kind) for x in r.reasons)})"
             for r in flagged[:MAX_NAMES]]
    more = f" and {len(flagged) - MAX_NAMES} more" if len(flagged) > MAX_NAMES else ""
    return f":warning: Flagged: {', '.join(names)}{more}"


def card(report: CampaignReport, *, today: date, fresh: Freshness | None = None,
         now: datetime | None = None) -> list[Block]:
    """One running campaign: its figures, a button for the full report, who is flagged, and (with `fresh` and `now`)
    where its orders come from and how fresh they are."""
    camp, t = report.campaign, report.totals
    when = " · ".join(p for p in (phase(camp, today), fmt.span(camp.start, camp.end), day_count(today, camp.start, camp.end)) if p)
    money = lambda v: fmt.money(v, camp.currency)  # noqa: E731 - a short local alias reads better here
    outcome = f"ROI *{fmt.pct(t.roi_pct)}* · ROAS {fmt.roas(t.roas)}" if report.started else f"ROI *{NOT_STARTED}*"
    text = (f"*{fmt.esc(camp.name)}* · {when}\n"
            f"Revenue *{money(t.revenue)}* · Cost {money(t.cost)} · {outcome}\n"
            f"Budget used {fmt.pct(t.budget_used_pct)} of {money(t.budget)}")
    blocks = [section(text, accessory=button("Full report", REPORT_ACTION, str(camp.id))), context(_flagged(report))]
    return blocks + (fresh_blocks.footer(fresh, now) if now is not None else [])


def home_view(reports: list[CampaignReport], *, today: date, more: int = 0, total: int = 0,
              fresh: list[Freshness] | None = None, now: datetime | None = None) -> dict:
    """The Home tab: each running campaign (up to MAX_CAMPAIGNS), or a getting-started guide when none runs;
    `fresh` holds each report's freshness, told as of `now`."""
    blocks: list[Block] = [header("ROI bot"), section("Which influencers make you money, campaign by campaign.")]
    if reports:
        blocks.append(section(f"*Running campaigns* · {today.isoformat()}"))
        for i, report in enumerate(reports):
            blocks += [divider(), *card(report, today=today, fresh=fresh[i] if fresh else None, now=now)]
        if more > 0:
            blocks.append(context(f"…and {more} more running campaign{fmt.s(more)}: `/campaign list`."))
        blocks.append(context("*Full report* sends the numbers and charts to your direct messages with me."))
    else:
        others = f" (you have {total} that are not: `/campaign list`)" if total else ""
        blocks += [divider(), section(f"No running campaigns{others}."), section(START)]
    blocks += [divider(), context("Commands: `/roi help` · `/campaign help` · `/influencer help` · `/code help`")]
    return {"type": "home", "blocks": blocks}
