"""The rules behind `/influencer add`, `set` and `stats`, at the domain level on both databases:
`bot.registry.influencers` seeded directly, no Slack (`remove`: test_influencer_removal_rules.py). The same data as
tests/handlers/test_influencer_add.py, test_influencer_manage.py and test_influencer_stats.py, which run on SQLite
only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InputError, NotFound
from bot.models import Campaign, Enrolment, Influencer
from metrics.roi import COUNTERS
from influencer_support import POST, TODAY, add, set_keys, set_terms, spring_and_autumn, stats
from registry_support import count, enrolment, person, stats_of, unchanged

world = pytest.fixture(spring_and_autumn)

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
