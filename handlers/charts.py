"""The charts that go with report answers, for Slack: what each draws, its file name, title and alt text.

`campaign_post` is the full `/roi campaign` answer (the channel answer and the Home tab's *Full report*);
`revenue_chart` is also the digest's picture; `influencer_chart` and `tiers_chart` go with `/roi influencer` and
`/roi tiers`. The drawing itself is metrics.charts (PNG bytes); handlers.deliver draws them in its worker pool and
uploads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

from sqlalchemy.orm import Session

from bot import freshness
from bot.models import Campaign
from bot.reports import CampaignReport, InfluencerReport, campaign_report, revenue_series
from handlers.blocks import report_campaign as report_blocks
from handlers.blocks.kit import Block
from handlers.chart_pool import chart
from handlers.blocks.report_misc import by_start
from handlers.deliver import Chart, Post
from metrics.roi import Metrics


def campaign_post(session: Session, camp: Campaign, *, today: date, date_from: date | None = None,
                  date_to: date | None = None, footer: Block | None = None, now: datetime | None = None) -> Post:
    """The full `/roi campaign` answer: message and its two charts (ROI by influencer, revenue vs cost); with `now`
    (in ROI_TIMEZONE), the line saying how fresh its orders are."""
    report = campaign_report(session, camp, today=today, date_from=date_from, date_to=date_to)
    fresh = freshness.of_campaigns(session, camp.workspace_id, [camp.id], tz=now.tzinfo) if now else None
    roi_rows = [(r.influencer.handle, r.metrics.roi_pct, r.metrics.profit) for r in report.rows]
    waiting = [r.influencer.handle for r in report.rows if not r.started]
    name = camp.name
    return Post(report_blocks.campaign(report, footer=footer, fresh=fresh, now=now), (
        Chart(f"{name}-roi-by-influencer.png", f"{name}: ROI by influencer",
              f"Bar chart of ROI per influencer in {name}, best first",
              partial(chart, "roi_by_influencer", roi_rows, title=f"{name}: ROI by influencer", not_started=waiting)),
        revenue_chart(session, report),
    ))


def revenue_chart(session: Session, report: CampaignReport) -> Chart:
    """Cumulative revenue against cost by day, with the break-even day, the campaign's end and its budget (the
    report's and the digest's chart)."""
    camp = report.campaign
    name, title = camp.name, f"{camp.name}: cumulative revenue vs cost"
    return Chart(f"{name}-revenue-vs-cost.png", title,
                 f"Cumulative revenue and cost of {name} by day, with the break-even day, campaign end and budget",
                 partial(chart, "revenue_vs_cost", revenue_series(session, report), title=title, currency=camp.currency,
                         end=camp.end, budget=camp.budget))


def influencer_chart(report: InfluencerReport) -> Chart:
    """`/roi influencer`: revenue and cost in each campaign, in the order they started."""
    handle = report.influencer.handle
    rows = by_start(report.rows)
    currencies = {c.currency for c, _ in rows}
    currency = currencies.pop() if len(currencies) == 1 else "each campaign's currency"
    title = f"{handle}: revenue and cost by campaign"
    return Chart(f"{handle}-by-campaign.png", title,
                 f"Revenue and cost of {handle} in each campaign, oldest first, with ROI",
                 partial(chart, "influencer", [(c.name, r.enrolment.start, r.metrics.roi_pct, r.metrics.revenue,
                                              r.metrics.cost) for c, r in rows],
                         title=title, currency=currency, not_started=[c.name for c, r in rows if not r.started]))


def tiers_chart(groups: Sequence[tuple[str, int, Metrics]], *, scope: str, currency: str) -> Chart:
    """`/roi tiers`: revenue and cost per follower tier, each tier's ROI and how many influencers it holds."""
    title = f"{scope}: revenue and cost by follower tier"
    return Chart(f"{scope.replace(' ', '-')}-revenue-and-cost-by-tier.png", title,
                 f"Revenue and cost per follower tier in {scope}, with ROI and the number of influencers in each tier",
                 partial(chart, "tiers", [(t, n, m.revenue, m.cost, m.roi_pct) for t, n, m in groups], title=title,
                         currency=currency))
