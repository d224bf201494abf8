"""Reports built by hand for the digest and alert view tests (tests/handlers/test_blocks_digest.py,
test_blocks_alerts.py), and reading what the views render.

spring (USD, budget 5,000, 2026-03-01 → 2026-03-31, window 7 days), today 2026-03-16:
- ana: revenue 2,800, fee 1,000, 20 orders -> ROI 180.0%
- ben: revenue 600, fee 500, 5 orders -> ROI 20.0%
- cy: revenue 500, fee 2,000, 4 orders -> ROI -75.0%, flagged
- dee: revenue 0, fee 0 -> ROI n/a
Totals: revenue 3,900, cost 3,500, profit 400, ROI 11.4%, ROAS 1.11x, 29 orders, budget used 70.0%.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from slackschema import assert_valid_message

from bot.reports import CampaignReport, Row
from handlers.blocks.digest import digest, snapshot
from metrics.flags import ENGAGEMENT, GOAL, ROI, Reason
from metrics.roi import Counters, EnrolmentInput, campaign_metrics, enrolment_metrics

TODAY = date(2026, 3, 16)
PARIS = ZoneInfo("Europe/Paris")
CY_REASONS = (
    Reason(ROI, Decimal(-75), Decimal(0)),
    Reason(GOAL, Decimal(500), Decimal(2000) * Decimal(15) / Decimal(30),
           {"goal": Decimal(2000), "elapsed_days": 15, "total_days": 30}),
    Reason(ENGAGEMENT, Decimal("0.5"), Decimal("2.5") / 2, {"median": Decimal("2.5"), "peers": 4}),
)


def row(handle: str, revenue, fee, orders: int, *, status: str = "active", reasons=(), manager: str | None = None,
        likes: int | None = None, started: bool = True) -> Row:
    # `likes` come from one post, to 1,000 followers.
    x = EnrolmentInput(Decimal(revenue), orders, fee=Decimal(fee), followers=1000 if likes is not None else None,
                       counters=Counters(likes=likes, engagement_rows=int(likes is not None)))
    person = SimpleNamespace(id=len(handle), handle=handle, handle_key=handle.lower(), platform="instagram",
                             followers=x.followers, manager_id=manager)
    return Row(enrolment=SimpleNamespace(id=len(handle), status=status), influencer=person, status=status,
               tier="nano", metrics=enrolment_metrics(x), input=x, reasons=tuple(reasons), started=started)


def report(rows: list[Row], *, budget=5000, name: str = "spring", end: date | None = date(2026, 3, 31),
           start: date | None = date(2026, 3, 1)) -> CampaignReport:
    camp = SimpleNamespace(id=7, name=name, currency="USD", budget=Decimal(budget), start=start, end=end,
                           channel_id="C0001", window_days=7, status="active")
    return CampaignReport(campaign=camp, today=TODAY, date_from=None, date_to=None,
                          totals=campaign_metrics([r.input for r in rows], budget=Decimal(budget)), rows=rows)


def spring_rows(**cy) -> list[Row]:
    return [row("ana", 2800, 1000, 20, likes=50), row("ben", 600, 500, 5),
            row("cy", 500, 2000, 4, reasons=CY_REASONS, **cy), row("dee", 0, 0, 0)]


def valid(reply):
    assert_valid_message({"text": reply.text, "blocks": json.dumps(reply.blocks)})
    return reply


def mrkdwn(reply) -> str:
    """Every text Slack parses for mentions: mrkdwn objects and the fallback text."""
    found = [reply.text]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply.blocks)
    return "\n".join(found)


def field_values(reply) -> dict[str, str]:
    return {f["text"].split("\n")[0].strip("*"): f["text"].split("\n", 1)[1]
            for b in reply.blocks for f in b.get("fields", [])}


def previous_of(rows: list[Row], at: str = "2026-03-09T08:00:00+00:00") -> dict:
    return {**snapshot(report(rows).totals), "at": at}


def spring_digest(**kwargs):
    kwargs.setdefault("previous", None)
    return valid(digest(report(spring_rows()), period_start=datetime(2026, 3, 16, 9, tzinfo=PARIS),
                        period_end=datetime(2026, 3, 23, 9, tzinfo=PARIS), schedule="every Monday at 09:00", **kwargs))
