"""Read-side queries for reports: sums are computed in the database (GROUP BY) and come back as small rows.

Every sum of an integer column (money in cents, engagement counters) is exact on both databases: SQLite's SUM
raises once a total passes 2**63, so each value is split at 10**9 in SQL, the two parts are summed apart (neither
sum can get near 2**63), and Python, whose integers have no limit, puts the total back together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, func, literal_column, or_, select, type_coerce
from sqlalchemy.orm import Session

from bot.models import Campaign, EngagementStat, Enrolment, Influencer, Order
from metrics.roi import COUNTERS, ENGAGEMENTS, Counters

CREDITED = ("code", "utm")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SPLIT = 10**9
_SPLIT = literal_column(str(SPLIT), BigInteger)


@dataclass(frozen=True)
class Excluded:
    """Orders a campaign's report leaves out, and why (SPEC §4 `excluded`)."""

    outside_orders: int = 0
    outside_revenue: Decimal = ZERO
    other_currency_orders: int = 0
    not_counted_orders: int = 0  # credited, in the campaign's currency, but cancelled, voided or fully refunded


def exact_sum(column) -> tuple:
    """Two SQL sums whose `whole` is the exact sum of an integer (or Cents) column, however large it grows."""
    raw = type_coerce(column, BigInteger)  # the stored integer: Cents would otherwise turn 10**9 into cents
    return func.sum(raw // _SPLIT), func.sum(raw % _SPLIT)


def whole(high, low) -> int | None:
    """The total of an `exact_sum` pair as read back; None when no row was summed."""
    return None if high is None else int(high) * SPLIT + int(low)


def money(high, low) -> Decimal:
    """The total of an `exact_sum` pair over a Cents column, as the Decimal that column reads back (0 for no rows)."""
    cents = whole(high, low)
    return ZERO if cents is None else (Decimal(cents) / 100).quantize(CENT)


def _dates(column, date_from: date | None, date_to: date | None) -> list:
    return [c for c in (date_from and column >= date_from, date_to and column <= date_to) if c is not None]


def _same_currency(camp: Campaign):
    # Exports without a currency column (WooCommerce, our CSV without `currency`) are in the shop's currency.
    return (Order.currency.is_(None)) | (Order.currency == camp.currency)


def _how_many(condition):
    """How many of the grouped rows meet `condition` (0, not NULL, when there are none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def enrolments(session: Session, camp: Campaign) -> list[tuple[Enrolment, Influencer]]:
    """The campaign's enrolments with their influencers, in enrolment order."""
    return [(e, p) for e, p in session.execute(
        select(Enrolment, Influencer).join(Influencer, Influencer.id == Enrolment.influencer_id)
        .where(Enrolment.campaign_id == camp.id).order_by(Enrolment.id)
    )]


def order_sums(session: Session, camp: Campaign, date_from: date | None = None,
               date_to: date | None = None) -> dict[int, tuple[Decimal, int]]:
    """Revenue and counted orders per enrolment: credited, in the campaign's currency, within the dates."""
    query = (
        select(Order.enrolment_id, *exact_sum(Order.revenue), _how_many(Order.counted))
        .where(Order.campaign_id == camp.id, Order.attribution.in_(CREDITED), _same_currency(camp),
               *_dates(Order.order_date, date_from, date_to))
        .group_by(Order.enrolment_id)
    )
    return {eid: (money(high, low), int(count)) for eid, high, low, count in session.execute(query)}


def excluded(session: Session, camp: Campaign, date_from: date | None = None, date_to: date | None = None) -> Excluded:
    """Orders left out of the campaign: outside its window, in another currency, or credited but not counted.

    Credited orders are what an import calls attributed (bot.imports.store_orders): those in the campaign's
    currency are `orders` when counted and `not_counted_orders` otherwise, so the two always add up to them.
    """
    dates = _dates(Order.order_date, date_from, date_to)
    outside = session.execute(
        select(func.count(), *exact_sum(Order.revenue))
        .where(Order.campaign_id == camp.id, Order.attribution == "outside", *dates)
    ).one()
    same = _same_currency(camp)
    other, not_counted = session.execute(
        select(_how_many(~same), _how_many(same & ~Order.counted))
        .where(Order.campaign_id == camp.id, Order.attribution.in_(CREDITED), *dates)
    ).one()
    return Excluded(outside_orders=outside[0], outside_revenue=money(*outside[1:]), other_currency_orders=int(other),
                    not_counted_orders=int(not_counted))


def stat_sums(session: Session, camp: Campaign, date_from: date | None = None,
              date_to: date | None = None) -> dict[int, Counters]:
    """Engagement counters per enrolment (None where no row carries a counter), and how many of its rows carry an
    engagement counter: the engagement rate is an average over those rows."""
    engaged = or_(*(getattr(EngagementStat, c).is_not(None) for c in ENGAGEMENTS))
    query = (
        select(EngagementStat.enrolment_id, _how_many(engaged),
               *[part for c in COUNTERS for part in exact_sum(getattr(EngagementStat, c))])
        .join(Enrolment, Enrolment.id == EngagementStat.enrolment_id)
        .where(Enrolment.campaign_id == camp.id, *_dates(EngagementStat.stat_date, date_from, date_to))
        .group_by(EngagementStat.enrolment_id)
    )
    return {
        row[0]: Counters(**{c: whole(*row[2 + 2 * i: 4 + 2 * i]) for i, c in enumerate(COUNTERS)},
                         engagement_rows=int(row[1]))
        for row in session.execute(query)
    }


def daily_revenue(session: Session, camp: Campaign, date_from: date | None = None,
                  date_to: date | None = None) -> list[tuple[date, int, Decimal]]:
    """(day, enrolment id, revenue) for every day with credited revenue: the chart's time series."""
    query = (
        select(Order.order_date, Order.enrolment_id, *exact_sum(Order.revenue))
        .where(Order.campaign_id == camp.id, Order.attribution.in_(CREDITED), _same_currency(camp),
               *_dates(Order.order_date, date_from, date_to))
        .group_by(Order.order_date, Order.enrolment_id)
        .order_by(Order.order_date)
    )
    return [(day, eid, money(high, low)) for day, eid, high, low in session.execute(query)]


def order_span(session: Session, camp: Campaign, date_from: date | None = None,
               date_to: date | None = None) -> tuple[date | None, date | None]:
    """The first and last day with a credited order (within the dates)."""
    first, last = session.execute(
        select(func.min(Order.order_date), func.max(Order.order_date))
        .where(and_(Order.campaign_id == camp.id, Order.attribution.in_(CREDITED),
                    *_dates(Order.order_date, date_from, date_to)))
    ).one()
    return first, last
