"""SPEC §7 "every value the app accepts, it can use", through signed slash commands and on both databases.

Dates outside 2000-01-01 … 2100-12-31 and orders above 1,000,000,000 are refused at every slash-command entry,
naming the field and the accepted form, and write nothing (refused by the parser before anything is read: checked on
SQLite only); a campaign at the widest accepted bounds works in every
answer, digest and scan; the widest range asked draws only what there is, in a bounded number of points; links
that would break Slack's `<url|label>` markup are refused; and sums past 2**63 cents stay exact on SQLite too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import SQLITE_ONLY
from hostile.hostile_support import INTERNAL, answer_text, unchanged
from registry_support import answered, codes, only_post, refused, seeded
from sqlalchemy import Integer, String, cast, insert, literal, select

from bot.jobs import alerts, digests
from bot.limits import MAX_COUNTER
from bot.models import Campaign, EngagementStat, Enrolment, Order, UTCDateTime, Workspace
from bot.reports import campaign_report, revenue_series
from handlers.jobs import alerts as sending
from handlers.jobs import digests as posting
from metrics import series
from metrics.series import MAX_POINTS

SPRING = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana campaign=spring fee=100",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=200 date=2026-03-05",
]
RANGE = "from 2000-01-01 to 2100-12-31"


@pytest.fixture
def spring(roi):
    seeded(roi, SPRING)
    return "spring"


@pytest.mark.parametrize(("line", "field"), [
    ("/campaign create far budget=10 end=9999-12-31", "end"),
    ("/campaign create old budget=10 start=0001-01-01", "start"),
    ("/campaign create old budget=10 start=1999-12-31", "start"),
    ("/campaign set spring end=2101-01-01", "end"),
    ("/campaign set spring start=0001-01-01", "start"),
    ("/influencer add cy campaign=spring start=1999-12-31", "start"),
    ("/influencer set ana campaign=spring start=2101-01-01", "start"),
    ("/influencer stats ana campaign=spring date=2101-01-01 likes=5", "date"),
    ("/roi campaign spring from=0001-01-01", "from"),
    ("/roi campaign spring from=0002-01-01", "from"),
    ("/roi campaign spring to=9999-12-31", "to"),
    ("/roi sale ANA10 amount=5 date=1999-12-31", "date"),
])
@SQLITE_ONLY
def test_a_date_outside_2000_to_2100_is_refused_naming_the_field_and_the_range(roi, sessions, spring, line, field):
    with unchanged(sessions):
        text = refused(roi.command(line), field)

    assert RANGE in text and INTERNAL not in text


@pytest.mark.parametrize(("line", "field"), [
    ("/roi sale ANA10 amount=1000000000.01", "amount"),
    ("/roi sale ANA10 amount=5 refunded=1,000,000,000.01", "refunded"),
    ("/roi sale ANA10 amount=1000000000000", "amount"),
])
@SQLITE_ONLY
def test_a_sale_above_one_orders_maximum_is_refused_naming_the_field(roi, sessions, spring, line, field):
    with unchanged(sessions):
        text = refused(roi.command(line), field)

    assert "more than 1,000,000,000" in text and "at most 1,000,000,000" in text


def test_a_sale_of_exactly_the_maximum_is_recorded(roi, sessions, spring):
    answered(roi.command("/roi sale ANA10 amount=1,000,000,000 refunded=1000000000 date=2026-03-06"))

    with sessions() as session:
        assert session.scalar(select(Order.subtotal).where(Order.order_date == date(2026, 3, 6))) == 10**9


@pytest.mark.parametrize(("url", "says"), [
    ("https://shop.example/p|label", "contains `|`"),
    ("https://shop.example/&lt;b&gt;", "contains `&lt;` and `&gt;`"),  # `<b>` typed, as Slack sends it
    ("https://ana:secret@shop.example/p", "`user:password@` part"),
    ("<https://ana:secret@shop.example/p>", "`user:password@` part"),
    ("https://shop.example@evil.example/p", "`user:password@` part"),
])
@SQLITE_ONLY
def test_a_link_that_would_break_slack_markup_or_carries_a_password_is_refused(roi, sessions, spring, url, says):
    with unchanged(sessions):
        text = refused(roi.command(f"/code add ANA20 ana campaign=spring url={url}"), "url")

    assert says in text and "secret" not in text


def test_a_campaign_at_the_widest_bounds_works_in_every_answer_digest_and_scan(roi, app, slack, sessions):
    lines = [
        "/campaign create wide budget=1000000000000 start=2000-01-01 end=2100-12-31 window_days=365 grace_days=365",
        "/influencer add ana campaign=wide fee=1000000000000 product_cost=1000000000000 commission=100 "
        "goal_revenue=1000000000000 start=2100-12-31",
        "/influencer add ben campaign=wide start=2000-01-01 fee=5",
        "/code add WIDE ana campaign=wide url=https://shop.example/p",
        "/code add BEN ben campaign=wide",
        "/roi sale WIDE amount=1000000000 date=2100-12-31",
        "/roi sale BEN amount=1000000000 refunded=1000000000 date=2000-01-01",
        "/influencer stats ben campaign=wide date=2000-01-01 likes=1000000000000000",
        "/campaign set wide channel=<#C0001|general>",
        "/campaign show wide",
        "/roi campaign wide",
        "/roi campaign wide from=2000-01-01 to=2100-12-31",
        "/roi influencer ana",
        "/roi underperformers",
        "/roi top",
        "/roi tiers",
    ]
    for line in lines:
        text = answer_text(roi.command(line))
        assert not text.startswith("That didn't work"), (line, text)
    runtime = app.roi_runtime
    with sessions() as session:
        wide = session.scalar(select(Campaign.id).where(Campaign.name_key == "wide"))

    assert posting.by_hand(runtime, wide).status == digests.POSTED
    assert all(sent.status != alerts.FAILED for sent in sending.scan(runtime))
    assert codes(sessions) == [("WIDE", "ana", "wide"), ("BEN", "ben", "wide")]


@pytest.fixture
def drawn(monkeypatch):
    """Every series the revenue-vs-cost chart is given, as it is built."""
    built: list[list] = []
    cumulative = series.cumulative

    def spy(*args, **kwargs):
        built.append(cumulative(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(series, "cumulative", spy)
    return built


def test_the_widest_range_over_a_century_long_campaign_draws_a_bounded_number_of_points(roi, drawn):
    for line in ["/campaign create wide budget=100 start=2000-01-01 end=2100-12-31",
                 "/influencer add ana campaign=wide", "/code add WIDE ana campaign=wide",
                 "/roi sale WIDE amount=5 date=2000-01-01", "/roi sale WIDE amount=7 date=2100-12-31"]:
        answered(roi.command(line))

    only_post(roi.command("/roi campaign wide from=2000-01-01 to=2100-12-31"))

    [points] = drawn
    assert len(points) <= MAX_POINTS + 1
    assert (points[0][:2], points[-1][:2]) == ((date(2000, 1, 1), 5), (date(2100, 12, 31), 12))


def test_the_widest_range_over_a_month_long_campaign_draws_that_month_up_to_today(roi, spring, drawn):
    only_post(roi.command("/roi campaign spring from=2000-01-01 to=2100-12-31"))

    [points] = drawn
    assert [p[0] for p in points] == [date(2026, 3, 1) + timedelta(days=d) for d in range(16)]  # today is 03-16


# -- sums past 2**63 cents ----------------------------------------------------------------------------------------

ORDERS = 93_000
BIG = Decimal("999999999999.99")  # the per-order maximum before the bound was 1,000,000,000: such rows may be stored


def copies(session, model, n: int, key: str, **values) -> None:
    """Insert `n` rows of `model` in one INSERT … SELECT (fast on both databases): every column as `values` gives it
    (written raw: money in cents), the key column (`order_id` or `stat_key`) `<key>-1` … `<key>-n`."""
    counter = select(literal(1, Integer).label("i")).cte("n", recursive=True)
    counter = counter.union_all(select(counter.c.i + 1).where(counter.c.i < n))
    stamps = ("imported_at", "updated_at") if model is Order else ("updated_at",)
    now = literal(datetime.now(timezone.utc), UTCDateTime())
    rows = select(literal(f"{key}-") + cast(counter.c.i, String), *[literal(v) for v in values.values()],
                  *[now for _ in stamps])
    column = "order_id" if model is Order else "stat_key"
    session.execute(insert(model.__table__).from_select([column, *values, *stamps], rows))


def test_sums_past_2_63_cents_are_exact_in_every_report_on_both_databases(roi, sessions, spring):
    with sessions.begin() as session:
        ws_id = session.scalar(select(Workspace.id))
        camp_id = session.scalar(select(Campaign.id).where(Campaign.name_key == "spring"))
        enrolment_id = session.scalar(select(Enrolment.id))
        order = {"workspace_id": ws_id, "source": "csv", "currency": "USD", "refunded": 0, "cancelled": False,
                 "counted": True, "codes": ",ana10,", "campaign_id": camp_id, "enrolment_id": enrolment_id}
        cents = int(BIG * 100)
        copies(session, Order, ORDERS, "big", order_date=date(2026, 3, 9), subtotal=cents, revenue=cents,
               attribution="code", **order)
        # Far beyond any bound, so that three of them pass 2**63 cents: the `excluded` sum must hold them too.
        copies(session, Order, 3, "late", order_date=date(2026, 5, 1), subtotal=4 * 10**18, revenue=4 * 10**18,
               attribution="outside", **order)
        copies(session, EngagementStat, 10_000, "post:p", workspace_id=ws_id, enrolment_id=enrolment_id,
               stat_date=date(2026, 3, 2), likes=MAX_COUNTER)

    revenue = BIG * ORDERS + 200  # and the 200 of the sale the fixture recorded
    assert revenue * 100 > 2**63
    with sessions() as session:
        camp = session.scalar(select(Campaign).where(Campaign.name_key == "spring"))
        report = campaign_report(session, camp, today=date(2026, 3, 16))
        (row,) = report.rows
        assert (report.totals.revenue, report.totals.orders) == (revenue, ORDERS + 1)
        assert row.metrics.engagements == 10_000 * MAX_COUNTER
        assert (report.excluded.outside_orders, report.excluded.outside_revenue) == (3, Decimal(12 * 10**16))
        assert revenue_series(session, report)[-1][1] == revenue
    post = only_post(roi.command("/roi campaign spring"))
    assert f"USD {revenue:,.2f}" in str(post["blocks"])
