"""The rules behind `/influencer add`, `set`, `stats` and `remove` (and its Remove button), at the domain level on
both databases: `bot.registry.influencers` seeded directly, no Slack. The same data as
tests/handlers/test_influencer_add.py, test_influencer_manage.py, test_influencer_stats.py and
test_influencer_remove.py, which run on SQLite only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot import sales
from bot.errors import Conflict, InputError, NotFound
from bot.models import Campaign, Code, EngagementStat, Enrolment, Influencer, Order, Workspace
from bot.registry import campaigns, codes, influencers, lookup
from metrics.roi import COUNTERS
from registry_support import count, enrolment, person, stats_of, stored, unchanged

TODAY = date(2026, 3, 16)  # the clock of the Slack-level tests
POST = "https://www.tiktok.com/@ana/video/1"


@pytest.fixture
def world(sessions):
    """Workspace T1 with spring (March 2026, the usual one) and autumn (no dates)."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        campaigns.create(session, ws, {"name": "spring", "budget": Decimal(5000), "start": date(2026, 3, 1),
                                       "end": date(2026, 3, 31)})
        campaigns.create(session, ws, {"name": "autumn", "budget": Decimal(3000)})
    return sessions


def add(sessions, handle: str, campaign: str | None = None, *, team: str = "T1", today: date = TODAY,
        terms: dict | None = None, **values):
    """What `/influencer add` does: create (or update) the influencer, then enrol them if a campaign is named."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        found = influencers.find(session, ws, handle)
        if found is None:
            found = influencers.create(session, ws, handle, values)
        elif campaign is None:
            influencers.create(session, ws, handle, values)  # refused: the handle is taken
        elif values:
            influencers.update(session, found, values)
        if campaign is not None:
            influencers.enrol(session, found, lookup.campaign(session, ws, campaign), terms or {}, today=today)


def set_terms(sessions, handle: str, campaign: str, /, today: date = TODAY, **values):
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        row = lookup.enrolment(session, lookup.influencer(session, ws, handle), lookup.campaign(session, ws, campaign))
        return influencers.update_enrolment(session, row, values, today=today)


def set_keys(sessions, handle: str, /, **values):
    with sessions.begin() as session:
        return influencers.update(session, lookup.influencer(session, lookup.workspace(session, "T1"), handle), values)


def stats(sessions, handle: str = "ana", campaign: str = "spring", *, day: date = TODAY, post: str | None = None,
          **counters):
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        row = lookup.enrolment(session, lookup.influencer(session, ws, handle), lookup.campaign(session, ws, campaign))
        return influencers.record_stats(session, row, day=day, post=post, counters=counters, today=TODAY)[1]


# -- add -------------------------------------------------------------------------------------------


def test_add_registers_an_influencer_with_defaults(world):
    add(world, "ana.makes")

    row = person(world, "ana.makes")
    assert (row.handle, row.platform, row.followers, row.manager_id) == ("ana.makes", "other", None, None)
    assert count(world, Enrolment) == 0


def test_add_stores_platform_followers_and_manager(world):
    add(world, "ana.makes", platform="tiktok", followers=25_000, manager="U0ANA0001")

    row = person(world, "ana.makes")
    assert (row.platform, row.followers, row.manager_id) == ("tiktok", 25_000, "U0ANA0001")


@pytest.mark.parametrize("handle", ["ana", "Ana.Makes_2-go", "a" * 64, "42"])
def test_a_handle_is_stored_as_typed_and_found_whatever_its_case(world, handle):
    add(world, handle)

    assert person(world, handle.upper()).handle == handle


@pytest.mark.parametrize("followers", [1_200_000, 12_000, 0])
def test_followers_are_stored_exactly(world, followers):
    add(world, "ana", followers=followers)

    assert person(world, "ana").followers == followers


def test_add_refuses_a_handle_taken_case_insensitively_and_writes_nothing(world):
    add(world, "ana.makes", followers=100)

    with unchanged(world), pytest.raises(Conflict) as refused:
        add(world, "ANA.MAKES", followers=200)

    assert "already" in refused.value.message


def test_the_same_handle_may_be_registered_in_another_workspace(world):
    add(world, "ana")
    add(world, "ANA", team="T2")

    assert count(world, Influencer) == 2


# -- enrolling -------------------------------------------------------------------------------------


def test_add_with_campaign_enrols_with_the_terms(world):
    add(world, "ana", "SPRING", terms={"fee": Decimal(1200), "commission": Decimal("12.5"),
                                       "product_cost": Decimal("80.50"), "goal_revenue": Decimal(5000),
                                       "start": date(2026, 3, 5)})

    row = enrolment(world, "ana", "spring")
    assert (row.fee, row.commission_pct, row.product_cost, row.goal_revenue, row.start, row.status, row.cut_on) == (
        Decimal("1200.00"), Decimal("12.50"), Decimal("80.50"), Decimal("5000.00"), date(2026, 3, 5), "active", None)


def test_enrolment_terms_default_to_zero_and_no_goal(world):
    add(world, "ana", "spring")

    row = enrolment(world, "ana", "spring")
    assert (row.fee, row.commission_pct, row.product_cost, row.goal_revenue) == (0, 0, 0, None)


def test_enrolment_start_defaults_to_the_campaign_start(world):
    add(world, "ana", "spring")

    with world() as session:
        campaign_start = session.scalar(select(Campaign.start).where(Campaign.name == "spring"))
    assert enrolment(world, "ana", "spring").start == campaign_start == date(2026, 3, 1)


def test_enrolment_start_defaults_to_today_when_the_campaign_has_none(world):
    add(world, "ana", "autumn", today=TODAY + timedelta(days=2))

    assert enrolment(world, "ana", "autumn").start == date(2026, 3, 18)


def test_add_enrols_an_existing_influencer_in_a_second_campaign(world):
    add(world, "ana", "spring", followers=10_000, terms={"fee": Decimal(100)})
    influencer_id = person(world, "ana").id

    add(world, "Ana", "autumn", terms={"fee": Decimal(250)})

    assert count(world, Influencer) == 1
    assert enrolment(world, "ana", "spring").fee == Decimal("100.00")
    second = enrolment(world, "ana", "autumn")
    assert (second.influencer_id, second.fee) == (influencer_id, Decimal("250.00"))
    assert person(world, "ana").followers == 10_000


def test_enrolling_an_existing_influencer_also_updates_the_keys_given(world):
    add(world, "ana", followers=10_000)

    add(world, "ana", "spring", followers=12_000, platform="youtube")

    row = person(world, "ana")
    assert (row.followers, row.platform) == (12_000, "youtube")


def test_enrolling_someone_already_in_the_campaign_is_refused_and_writes_nothing(world):
    add(world, "ana", "spring", terms={"fee": Decimal(100)})

    with unchanged(world), pytest.raises(Conflict) as refused:
        add(world, "ana", "spring", followers=5_000, terms={"fee": Decimal(999)})

    assert "already" in refused.value.message and "spring" in refused.value.message


def test_an_enrolment_starting_after_the_campaign_ends_is_refused_and_writes_nothing(world):
    with unchanged(world), pytest.raises(InputError) as refused:
        add(world, "ana", "spring", terms={"start": date(2026, 4, 1)})

    assert refused.value.field == "start"


def test_add_with_an_unknown_campaign_creates_no_influencer_either(world):
    with unchanged(world), pytest.raises(NotFound) as missing:
        add(world, "ana", "sprin", terms={"fee": Decimal(100)})

    assert "`spring`" in missing.value.message  # the did-you-mean

# -- set -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "attr", "value"), [
    ("platform", "platform", "youtube"),
    ("followers", "followers", 1_200_000),
    ("manager", "manager_id", "U0BEN00001"),
])
def test_set_changes_an_influencer_key(world, key, attr, value):
    add(world, "ana", platform="tiktok", followers=25_000)

    assert [k for k, _, _ in set_keys(world, "ana", **{key: value})] == [key]

    assert getattr(person(world, "ana"), attr) == value


def test_set_handle_renames_and_keeps_the_enrolments(world):
    add(world, "ana", "spring", terms={"fee": Decimal(100)})

    set_keys(world, "ana", handle="Ana.Makes")

    assert person(world, "ana") is None
    assert person(world, "ana.makes").handle == "Ana.Makes"
    assert enrolment(world, "ana.makes", "spring").fee == Decimal("100.00")


def test_set_refuses_a_handle_another_influencer_has_and_writes_nothing(world):
    add(world, "ana")
    add(world, "ben")

    with unchanged(world), pytest.raises(Conflict) as refused:
        set_keys(world, "ana", handle="BEN")

    assert "BEN" in refused.value.message


@pytest.mark.parametrize(("key", "attr", "value"), [
    ("fee", "fee", Decimal("450.00")),
    ("commission", "commission_pct", Decimal("7.50")),
    ("product_cost", "product_cost", Decimal("1000.00")),
    ("goal_revenue", "goal_revenue", Decimal("9000.00")),
    ("start", "start", date(2026, 3, 10)),
])
def test_set_with_campaign_changes_only_that_enrolment(world, key, attr, value):
    add(world, "ana", "spring", terms={"fee": Decimal(100)})
    add(world, "ana", "autumn", terms={"fee": Decimal(100)})
    other_before = enrolment(world, "ana", "autumn")

    set_terms(world, "ana", "spring", **{key: value})

    assert getattr(enrolment(world, "ana", "spring"), attr) == value
    assert getattr(enrolment(world, "ana", "autumn"), attr) == getattr(other_before, attr)


def test_status_cut_records_the_day_and_active_clears_it(world):
    add(world, "ana", "spring")

    set_terms(world, "ana", "spring", today=TODAY + timedelta(days=3), status="cut")

    row = enrolment(world, "ana", "spring")
    assert (row.status, row.cut_on) == ("cut", date(2026, 3, 19))

    set_terms(world, "ana", "spring", status="active")

    row = enrolment(world, "ana", "spring")
    assert (row.status, row.cut_on) == ("active", None)


def test_set_with_the_values_already_stored_changes_nothing(world):
    add(world, "ana", "spring", platform="tiktok", terms={"fee": Decimal(100)})

    with unchanged(world):
        assert set_keys(world, "ana", platform="tiktok") == []
        assert set_terms(world, "ana", "spring", fee=Decimal("100.00")) == []


def test_set_of_an_enrolment_start_after_the_campaign_ends_is_refused_and_writes_nothing(world):
    add(world, "ana", "spring", terms={"fee": Decimal(100)})

    with unchanged(world), pytest.raises(InputError) as refused:
        set_terms(world, "ana", "spring", start=date(2026, 4, 1))

    assert refused.value.field == "start"


def test_set_or_stats_for_a_campaign_they_are_not_in_are_not_found(world):
    add(world, "ana", "spring")

    with unchanged(world), pytest.raises(NotFound) as missing:
        stats(world, "ana", "autumn", likes=5)

    assert "autumn" in missing.value.message and "/influencer add" in missing.value.message


# -- stats ---------------------------------------------------------------------------------------


def test_every_counter_is_stored_for_the_day(world):
    add(world, "ana", "spring")
    counters = dict(zip(COUNTERS, (12_000, 9_000, 800, 40, 12, 30, 210, 15_000), strict=False))

    assert stats(world, day=TODAY + timedelta(days=1), **counters) is True

    [stat] = stats_of(world, "ana")
    assert (stat.stat_date, stat.post) == (date(2026, 3, 17), None)
    assert {name: getattr(stat, name) for name in COUNTERS} == counters


@pytest.mark.parametrize(("sent", "fields", "expected"), [
    pytest.param([{"likes": 5, "day": date(2026, 3, 10)}], "stat_date likes views impressions",
                 (date(2026, 3, 10), 5, None, None), id="any-subset-of-counters-leaving-the-rest-empty"),
    pytest.param([{"post": POST, "views": 100, "day": date(2026, 3, 12)}], "post stat_date views",
                 (POST, date(2026, 3, 12), 100), id="by-post-stores-the-link"),
    pytest.param([{"day": date(2026, 3, 10), "likes": 5, "views": 100}, {"day": date(2026, 3, 10), "likes": 8}],
                 "likes views", (8, None), id="resending-the-same-day-replaces-the-row"),
    pytest.param([{"post": "https://youtu.be/abc", "day": date(2026, 3, 10), "views": 100},
                  {"post": "https://youtu.be/abc", "day": date(2026, 3, 11), "views": 250}],
                 "views stat_date", (250, date(2026, 3, 11)),
                 id="resending-the-same-post-replaces-the-row-even-on-another-day"),
])
def test_stats_sent_are_stored_in_one_row(world, sent, fields, expected):
    add(world, "ana", "spring")
    created = [stats(world, **options) for options in sent]

    assert created == [True] + [False] * (len(sent) - 1)
    [stat] = stats_of(world, "ana")
    assert tuple(getattr(stat, field) for field in fields.split()) == expected


def test_different_days_and_posts_are_separate_rows(world):
    add(world, "ana", "spring")
    for post, day in ((None, date(2026, 3, 10)), (None, date(2026, 3, 11)), ("https://youtu.be/a", date(2026, 3, 11)),
                      ("https://youtu.be/b", date(2026, 3, 11))):
        stats(world, post=post, day=day, views=1)

    assert len(stats_of(world, "ana")) == 4


def test_stats_belong_to_the_enrolment_of_the_campaign_named(world):
    add(world, "ana", "spring")
    add(world, "ana", "autumn")

    stats(world, campaign="autumn", likes=3)

    [stat] = stats_of(world, "ana")
    assert stat.enrolment_id == enrolment(world, "ana", "autumn").id


def test_stats_dated_after_tomorrow_are_refused_naming_the_date_and_today_and_write_nothing(world):
    add(world, "ana", "spring")

    with unchanged(world), pytest.raises(InputError) as refused:
        stats(world, day=date(2026, 3, 18), likes=5)

    assert refused.value.field == "date"
    assert "2026-03-18 is in the future (today is 2026-03-16)" in refused.value.message


# -- remove --------------------------------------------------------------------------------------


def ana_with_results(sessions) -> None:
    """As tests/handlers/test_influencer_remove.py: ana in spring with ANA10, a sale through it and a day of stats;
    ben (no results) beside her."""
    add(sessions, "ana", "spring", terms={"fee": Decimal(300)})
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        row = lookup.enrolment(session, lookup.influencer(session, ws, "ana"), lookup.campaign(session, ws, "spring"))
        codes.add(session, row, "ANA10", url=None, user_id=None)
    stats(sessions, day=date(2026, 3, 10), likes=40)
    sale(sessions, "phone-1", "120")
    add(sessions, "ben", "spring")


def sale(sessions, order_id: str, amount: str, day: date = date(2026, 3, 5)) -> None:
    with sessions.begin() as session:
        sales.record(session, lookup.workspace(session, "T1"), code="ANA10", day=day, amount=Decimal(amount),
                     refunded=Decimal(0), order_id=order_id)


def seen(sessions, handle: str = "ana", team: str = "T1"):
    """What a confirmation showed: the influencer's id, handle key and holdings."""
    with sessions() as session:
        found = lookup.influencer(session, lookup.workspace(session, team), handle)
        return found.id, found.handle_key, influencers.holdings(session, found)


def confirm(sessions, shown, team: str = "T1") -> influencers.Removal:
    influencer_id, handle_key, held = shown
    with sessions.begin() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == team))
        return influencers.remove_confirmed(session, ws, influencer_id, handle_key=handle_key, seen=held)


def ana_gone_as_before(sessions) -> None:
    assert person(sessions, "ana") is None and person(sessions, "ben") is not None
    with sessions() as session:
        assert session.scalars(select(Code.code)).all() == []
        assert session.scalars(select(EngagementStat)).all() == []
        assert len(session.scalars(select(Enrolment)).all()) == 1
        [order] = session.scalars(select(Order)).all()
        assert (order.order_id, order.enrolment_id, order.attribution) == ("phone-1", None, None)


def test_holdings_count_what_removing_would_lose(world):
    ana_with_results(world)

    assert seen(world)[2] == influencers.Holdings(enrolments=1, codes=1, orders=1, stats=1)
    assert seen(world)[2].has_results
    assert not seen(world, "ben")[2].has_results


def test_remove_deletes_enrolments_codes_and_stats_but_keeps_orders_and_the_others(world):
    add(world, "ana", "spring")
    add(world, "ana", "autumn")
    add(world, "ben", "spring")
    with world.begin() as session:
        ws = lookup.workspace(session, "T1")
        for handle in ("ana", "ben"):
            row = lookup.enrolment(session, lookup.influencer(session, ws, handle), lookup.campaign(session, ws, "spring"))
            codes.add(session, row, f"{handle.upper()}10", url=None, user_id=None)
        session.add(Order(workspace_id=ws.id, source="shopify", order_id="#1001", order_date=date(2026, 3, 5),
                          subtotal=Decimal("120.00"), codes="ANA10"))
    stats(world, "ana", likes=5)
    stats(world, "ben", likes=7)
    orders_before = [row[:3] for row in stored(world)["orders"]]

    with world.begin() as session:
        counts = influencers.remove(session, lookup.influencer(session, lookup.workspace(session, "T1"), "ANA"))

    assert counts == {"campaigns": 2, "codes": 1, "stats": 1}
    assert person(world, "ana") is None
    with world() as session:
        assert session.scalars(select(Code.code)).all() == ["BEN10"]
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 1
        assert [s.likes for s in session.scalars(select(EngagementStat))] == [7]
        assert session.scalar(select(Order.enrolment_id)) is None
    assert [row[:3] for row in stored(world)["orders"]] == orders_before
    assert count(world, Campaign) == 2


def test_a_removed_handle_can_be_added_again_afresh(world):
    add(world, "ana", followers=5_000)
    with world.begin() as session:
        influencers.remove(session, lookup.influencer(session, lookup.workspace(session, "T1"), "ana"))

    add(world, "ana")

    assert person(world, "ana").followers is None


def test_a_confirmed_removal_deletes_as_before(world):
    ana_with_results(world)

    done = confirm(world, seen(world))

    assert (done.outcome, done.handle, done.counts) == (influencers.REMOVED, "ana", {"campaigns": 1, "codes": 1, "stats": 1})
    ana_gone_as_before(world)


def test_a_second_confirmation_finds_them_gone_and_removes_nothing_more(world):
    ana_with_results(world)
    shown = seen(world)
    confirm(world, shown)

    with unchanged(world):
        assert confirm(world, shown).outcome == influencers.GONE
    ana_gone_as_before(world)


@pytest.mark.parametrize("team", ["T0OTHER", "T0NEVER"])
def test_a_confirmation_from_another_workspace_changes_nothing_there_or_here(world, team):
    ana_with_results(world)
    shown = seen(world)
    if team == "T0OTHER":  # it uses the bot too, with an ana of its own
        with world.begin() as session:
            ws = lookup.workspace(session, team)
            camp = campaigns.create(session, ws, {"name": "spring", "budget": Decimal(100)})
            influencers.enrol(session, influencers.create(session, ws, "ana", {}), camp, {}, today=TODAY)

    with unchanged(world):
        if team == "T0NEVER":
            with world() as session:
                assert session.scalar(select(Workspace).where(Workspace.team_id == team)) is None
        else:
            assert confirm(world, shown, team=team).outcome == influencers.GONE


@pytest.mark.parametrize(("change", "now"), [
    ("stats", influencers.Holdings(enrolments=1, codes=1, orders=1, stats=2)),
    ("sale", influencers.Holdings(enrolments=1, codes=1, orders=2, stats=1)),
    ("rename", None),
])
def test_an_influencer_changed_since_the_question_is_not_removed(world, change, now):
    ana_with_results(world)
    shown = seen(world)
    if change == "stats":
        stats(world, day=date(2026, 3, 11), likes=9)
    elif change == "sale":
        sale(world, "phone-2", "80", date(2026, 3, 6))
    else:
        set_keys(world, "ana", handle="ana.k")

    with unchanged(world):
        done = confirm(world, shown)

    assert done.outcome == influencers.CHANGED
    assert done.handle == ("ana.k" if change == "rename" else "ana")
    if now is not None:
        assert done.now == now
