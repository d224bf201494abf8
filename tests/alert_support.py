"""A campaign with underperformers, for the alert scan and button tests.

spring runs 2026-03-01 → 2026-03-31 in #growth (grace 7 days, min ROI 0%); today is Monday 2026-03-16.
- ana (manager U0LENA): fee 1,000, sale 2,800 -> ROI 180%: fine.
- cy (manager U0LENA): fee 2,000, goal 4,000, sale 500 -> ROI -75%, behind its prorated goal, and an engagement
  rate (0.2%) under half the median (2.0%): every reason.
- dee (no manager): fee 1,000, no sales -> ROI -100%: alerted in #growth.
- eve: joined 2026-03-12, inside the grace days; fin: costs nothing. Neither is looked at.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Alert, Campaign, Enrolment, Influencer
from registry_support import answered

MANAGER = "U0LENA"
SETUP = [
    "/campaign create spring budget=9000 start=2026-03-01 end=2026-03-31 channel=<#C0GROWTH|growth>",
    f"/influencer add ana followers=20000 manager=<@{MANAGER}> campaign=spring fee=1000",
    "/influencer add ben followers=5000 campaign=spring fee=500",
    f"/influencer add cy followers=200000 manager=<@{MANAGER}> campaign=spring fee=2000 goal_revenue=4000",
    "/influencer add dee followers=3000 campaign=spring fee=1000",
    "/influencer add eve followers=3000 campaign=spring fee=1000 start=2026-03-12",
    "/influencer add fin followers=3000 campaign=spring",
    "/code add ANA10 ana campaign=spring",
    "/code add BEN5 ben campaign=spring",
    "/code add CY20 cy campaign=spring",
    "/roi sale ANA10 amount=2800 date=2026-03-05",
    "/roi sale BEN5 amount=600 date=2026-03-07",
    "/roi sale CY20 amount=500 date=2026-03-08",
    "/influencer stats ana campaign=spring likes=400",
    "/influencer stats ben campaign=spring likes=150",
    "/influencer stats cy campaign=spring likes=400",
]


def register(roi) -> None:
    for line in SETUP:
        answered(roi.command(line))


def spring_id(roi, runtime, *, due: bool = False) -> int:
    """Register the cast and return spring's id; `due`: as if set up a month ago, so this period's digest is due."""
    register(roi)
    with runtime.sessions.begin() as session:
        camp = session.scalar(select(Campaign).where(Campaign.name_key == "spring"))
        if due:
            camp.digest_since -= timedelta(days=30)
        return camp.id


def alerts(runtime) -> list[Alert]:
    """Every alert row, oldest first, with its enrolment's handle in `.handle`."""
    with runtime.reads.begin() as session:
        rows = session.execute(
            select(Alert, Influencer.handle).join(Enrolment, Enrolment.id == Alert.enrolment_id)
            .join(Influencer, Influencer.id == Enrolment.influencer_id).order_by(Alert.id)
        ).all()
        session.expunge_all()
    for alert, handle in rows:
        alert.handle = handle
    return [alert for alert, _ in rows]


def enrolment(runtime, handle: str) -> Enrolment:
    with runtime.reads.begin() as session:
        row = session.scalar(select(Enrolment).join(Influencer).where(Influencer.handle_key == handle))
        session.expunge(row)
        return row
