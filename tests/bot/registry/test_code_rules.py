"""The rules behind `/code add` and `/code remove`, at the domain level on both databases: `bot.registry.codes`
seeded directly, no Slack. The same data as tests/handlers/test_code.py and test_code_in_store.py, which run on
SQLite only: codes case-insensitive per campaign, one code never in two overlapping attribution windows (also when
a campaign's dates change later), removal by code and campaign, tracking links."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InputError, NotFound
from bot.models import StoreConnection
from bot.registry import campaigns, codes, influencers, links, lookup
from bot.stores import clients, connections
from registry_support import codes as stored_codes
from registry_support import stored, stored_url, unchanged

TODAY = date(2026, 3, 16)  # the clock of the Slack-level tests


def season(sessions, name: str, dates: dict, *, start: date | None = None, team: str = "T1") -> None:
    """Create campaign `name` with `dates` and enrol ana in it (created on first use), as registry_support.season."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        camp = campaigns.create(session, ws, {"name": name, "budget": Decimal(1000), **dates})
        ana = influencers.find(session, ws, "ana") or influencers.create(session, ws, "ana", {"platform": "instagram"})
        influencers.enrol(session, ana, camp, {"start": start} if start else {}, today=TODAY)


@pytest.fixture
def spring(sessions):
    """Spring with the default 7-day window (orders count 2026-03-01 → 2026-04-07); ana (instagram) and ben (tiktok)
    enrolled."""
    season(sessions, "spring", {"start": date(2026, 3, 1), "end": date(2026, 3, 31)})
    enrol(sessions, "ben", "spring", platform="tiktok")
    return sessions


def enrol(sessions, handle: str, campaign: str, **values) -> None:
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        person = influencers.find(session, ws, handle) or influencers.create(session, ws, handle, values)
        influencers.enrol(session, person, lookup.campaign(session, ws, campaign), {}, today=TODAY)


def add(sessions, code: str, handle: str = "ana", campaign: str = "spring", *, url: str | None = None) -> None:
    """What `/code add` does once its input is parsed."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        camp = lookup.campaign(session, ws, campaign)
        person = lookup.influencer(session, ws, handle)
        row = lookup.enrolment(session, person, camp)
        link = url and links.tracking_url(url, platform=person.platform, campaign=camp.name, handle=person.handle)
        codes.add(session, row, code, url=link, user_id="U0001")


def remove(sessions, code: str, campaign: str | None = None):
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        camp = lookup.campaign(session, ws, campaign) if campaign else None
        row = codes.remove(session, ws, code, camp)
        return row.code


# -- add -----------------------------------------------------------------------------------------


def test_add_registers_the_code_as_typed_for_the_influencer_in_the_campaign(spring):
    add(spring, "Ana10", "ANA", "SPRING")

    assert stored_codes(spring) == [("Ana10", "ana", "spring")]
    assert stored_url(spring, "ana10") is None


def test_an_influencer_may_hold_several_codes_in_a_campaign(spring):
    add(spring, "ANA10")
    add(spring, "ANA-VIP")

    assert stored_codes(spring) == [("ANA10", "ana", "spring"), ("ANA-VIP", "ana", "spring")]


def test_a_code_of_sixty_four_characters_is_stored_whole(spring):
    add(spring, "A" * 64)

    assert stored_codes(spring) == [("A" * 64, "ana", "spring")]


def test_a_tracking_link_is_stored_with_the_influencers_utm_parameters_and_follows_a_rename(spring):
    add(spring, "ANA10", url="https://shop.example/")

    assert "utm_content=ana" in stored_url(spring, "ANA10") and "utm_campaign=spring" in stored_url(spring, "ANA10")

    with spring.begin() as session:
        camp = lookup.campaign(session, lookup.workspace(session, "T1"), "spring")
        campaigns.update(session, camp, {"name": "spring26"})
        assert links.refresh(session, campaign_id=camp.id) == 1

    assert "utm_campaign=spring26" in stored_url(spring, "ANA10")


@pytest.mark.parametrize(("dates", "accepted"), [
    # spring's window is 2026-03-01 → 2026-04-07
    ({"start": date(2026, 4, 7), "end": date(2026, 4, 30)}, False),
    ({"start": date(2026, 4, 8), "end": date(2026, 4, 30)}, True),
    ({"start": date(2026, 4, 8)}, True),
    ({"start": date(2026, 3, 15), "end": date(2026, 3, 20)}, False),
    ({"start": date(2026, 1, 1), "end": date(2026, 2, 21)}, True),   # its window ends 2026-02-28
    ({"start": date(2026, 1, 1), "end": date(2026, 2, 22)}, False),  # its window ends 2026-03-01, spring's first day
    ({"start": date(2026, 1, 1), "end": date(2026, 2, 22), "window_days": 0}, True),
    ({"end": date(2026, 2, 10)}, True),                               # no start: open to the past, ends 2026-02-17
    ({"end": date(2026, 3, 5)}, False),
    ({}, False),                                                      # no dates at all: open on both sides
])
def test_the_same_code_in_another_campaign_is_accepted_only_when_windows_do_not_overlap(spring, dates, accepted):
    add(spring, "ANA10")
    season(spring, "summer", dates, start=None if "start" in dates else date(2026, 1, 1))
    before = stored(spring)

    if accepted:
        add(spring, "ana10", campaign="summer")
        assert stored_codes(spring) == [("ANA10", "ana", "spring"), ("ana10", "ana", "summer")]
    else:
        with pytest.raises(Conflict) as refused:
            add(spring, "ana10", campaign="summer")
        assert "spring" in refused.value.message and "overlap" in refused.value.message
        assert stored(spring) == before


@pytest.mark.parametrize(("first", "dates", "ended"), [
    pytest.param("spring", {"start": date(2026, 3, 1), "end": date(2026, 3, 31), "window_days": 0}, False,
                 id="window-days-of-the-first-campaign-decide-the-edge"),
    pytest.param("always", {"start": date(2026, 1, 1)}, True,  # ends today, 2026-03-16: window to 2026-03-23
                 id="an-ended-open-campaign-frees-the-code-for-later-seasons"),
])
def test_the_code_is_free_again_once_the_first_campaigns_window_is_over(sessions, first, dates, ended):
    season(sessions, first, dates)
    add(sessions, "ANA10", campaign=first)
    if ended:
        with sessions.begin() as session:
            campaigns.end(session, lookup.campaign(session, lookup.workspace(session, "T1"), first), TODAY)
    season(sessions, "april", {"start": date(2026, 4, 1), "end": date(2026, 4, 30)})

    add(sessions, "ANA10", campaign="april")

    assert [c[2] for c in stored_codes(sessions)] == [first, "april"]


def test_an_open_ended_campaign_overlaps_every_later_one(sessions):
    season(sessions, "always", {"start": date(2026, 1, 1)})
    add(sessions, "ANA10", campaign="always")
    season(sessions, "far", {"start": date(2030, 1, 1), "end": date(2030, 1, 31)})

    with unchanged(sessions), pytest.raises(Conflict) as refused:
        add(sessions, "ANA10", campaign="far")

    assert "always" in refused.value.message


def test_the_code_may_move_to_another_influencer_in_a_later_season(spring):
    add(spring, "ANA10")
    with spring.begin() as session:
        campaigns.create(session, lookup.workspace(session, "T1"),
                         {"name": "winter", "budget": Decimal(1000), "start": date(2026, 12, 1), "end": date(2026, 12, 31)})
    enrol(spring, "ben", "winter")

    add(spring, "ANA10", "ben", "winter")

    assert stored_codes(spring) == [("ANA10", "ana", "spring"), ("ANA10", "ben", "winter")]


def test_a_code_taken_in_the_campaign_case_insensitively_is_refused_and_writes_nothing(spring):
    add(spring, "ANA10")

    with unchanged(spring), pytest.raises(Conflict) as refused:
        add(spring, "ana10", "ben")

    assert "ANA10" in refused.value.message and "ana" in refused.value.message


def test_changing_dates_so_a_shared_code_would_overlap_is_refused_and_writes_nothing(spring):
    add(spring, "ANA10")
    season(spring, "summer", {"start": date(2026, 6, 1), "end": date(2026, 6, 30)})
    add(spring, "ANA10", campaign="summer")

    with unchanged(spring), pytest.raises(Conflict) as refused, spring.begin() as session:
        camp = lookup.campaign(session, lookup.workspace(session, "T1"), "summer")
        campaigns.update(session, camp, {"start": date(2026, 4, 1)})  # what `/campaign set` does, then checks
        codes.check_windows_still_apart(session, camp)

    assert "ANA10" in refused.value.message and "spring" in refused.value.message


def test_a_code_for_an_influencer_not_in_the_campaign_is_refused_and_writes_nothing(spring):
    with spring.begin() as session:
        campaigns.create(session, lookup.workspace(session, "T1"),
                         {"name": "summer", "budget": Decimal(1000), "start": date(2026, 6, 1)})

    with unchanged(spring), pytest.raises(NotFound) as refused:
        add(spring, "ANA10", campaign="summer")

    for fragment in ("ana", "summer", "/influencer add"):
        assert fragment in refused.value.message


def test_a_code_for_an_unknown_influencer_or_campaign_is_not_found(spring):
    with unchanged(spring):
        with pytest.raises(NotFound) as bob:
            add(spring, "BOB10", "bob")
        with pytest.raises(NotFound) as winter:
            add(spring, "ANA10", campaign="winter")

    assert "`bob`" in bob.value.message and "`winter`" in winter.value.message


# -- remove --------------------------------------------------------------------------------------


def winter(sessions) -> None:
    season(sessions, "winter", {"start": date(2026, 12, 1), "end": date(2026, 12, 31)})


def test_remove_deletes_the_code_case_insensitively(spring):
    add(spring, "ANA10")
    add(spring, "BEN10", "ben")

    assert remove(spring, "ana10") == "ANA10"

    assert stored_codes(spring) == [("BEN10", "ben", "spring")]


def test_remove_of_a_code_in_two_campaigns_needs_the_campaign(spring):
    winter(spring)
    add(spring, "ANA10")
    add(spring, "ANA10", campaign="winter")

    with unchanged(spring), pytest.raises(InputError) as refused:
        remove(spring, "ANA10")

    assert refused.value.field == "campaign"
    assert "`spring`" in refused.value.message and "`winter`" in refused.value.message
    remove(spring, "ANA10", "winter")
    assert stored_codes(spring) == [("ANA10", "ana", "spring")]


def test_remove_with_a_campaign_leaves_the_code_elsewhere(spring):
    winter(spring)
    add(spring, "ANA10")
    add(spring, "ANA10", campaign="winter")

    remove(spring, "ANA10", "spring")

    assert stored_codes(spring) == [("ANA10", "ana", "winter")]


def test_remove_keeps_the_enrolment(spring):
    add(spring, "ANA10")
    enrolments_before = stored(spring)["enrolments"]

    remove(spring, "ANA10")

    assert stored(spring)["enrolments"] == enrolments_before


@pytest.mark.parametrize(("code", "campaign", "missing"), [
    ("NOPE", None, "NOPE"),
    ("ANA10", "winter-x", "winter-x"),
    ("ANA10", "spring-b", "ANA10"),
])
def test_remove_of_a_code_that_is_not_there_writes_nothing(spring, code, campaign, missing):
    with spring.begin() as session:
        campaigns.create(session, lookup.workspace(session, "T1"), {"name": "spring-b", "budget": Decimal(1)})
    add(spring, "ANA10")

    with unchanged(spring), pytest.raises(NotFound) as refused:
        remove(spring, code, campaign)

    assert f"`{missing}`" in refused.value.message


def test_check_free_refuses_before_anything_is_written(spring):
    # `/code add … discount=` asks this before the store is asked to create the code.
    add(spring, "ANA10")

    with unchanged(spring), spring.begin() as session, pytest.raises(Conflict):
        ws = lookup.workspace(session, "T1")
        row = lookup.enrolment(session, lookup.influencer(session, ws, "ben"), lookup.campaign(session, ws, "spring"))
        codes.check_free(session, row, "ana10")


# -- the store a code is created in (`/code add … discount=`) ----------------------------------------


def connect(sessions, team: str) -> None:
    with sessions.begin() as session:
        connections.connect(session, lookup.workspace(session, team), "shopify", "roi-test.myshopify.com",
                            webhook_secret="whsec", api_key="key", access_token="token", api_url="http://127.0.0.1:1")


def connected_shop(sessions, team: str = "T1"):
    with sessions() as session:
        found = clients.connected_shopify(session, lookup.workspace(session, team).id)
        return found and found.shop


def test_a_code_is_created_only_in_the_workspaces_own_connected_store(spring):
    assert connected_shop(spring) is None

    connect(spring, "T0OTHER01")
    assert connected_shop(spring) is None  # another workspace's store is never used
    assert connected_shop(spring, "T0OTHER01") == "roi-test.myshopify.com"


def test_an_uninstalled_store_is_not_used(spring):
    connect(spring, "T1")
    assert connected_shop(spring) == "roi-test.myshopify.com"

    with spring.begin() as session:
        for connection in session.scalars(select(StoreConnection)):
            connection.uninstalled_at = connection.created_at

    assert connected_shop(spring) is None


# -- tracking links (`/code add … url=`) -----------------------------------------------------------


def test_a_tracking_link_uses_the_names_as_stored(sessions):
    season(sessions, "Spring_26", {"start": date(2026, 3, 1)})
    with sessions.begin() as session:
        influencers.update(session, lookup.influencer(session, lookup.workspace(session, "T1"), "ana"),
                           {"platform": "youtube", "handle": "Ana.Makes"})

    add(sessions, "ANA10", "ana.makes", "spring_26", url="https://shop.example/")

    assert stored_url(sessions, "ANA10") == ("https://shop.example/?utm_source=youtube&utm_medium=influencer"
                                             "&utm_campaign=Spring_26&utm_content=Ana.Makes")


def test_renaming_the_campaign_or_the_influencer_rebuilds_stored_tracking_links(spring):
    add(spring, "ANA10", url="https://shop.example.com/p?ref=1")

    with spring.begin() as session:
        ws = lookup.workspace(session, "T1")
        camp = lookup.campaign(session, ws, "spring")
        campaigns.update(session, camp, {"name": "spring26"})
        assert links.refresh(session, campaign_id=camp.id) == 1
    with spring.begin() as session:
        person = lookup.influencer(session, lookup.workspace(session, "T1"), "ana")
        influencers.update(session, person, {"handle": "ana.beauty", "platform": "tiktok"})
        assert links.refresh(session, influencer_id=person.id) == 1

    assert stored_url(spring, "ANA10") == ("https://shop.example.com/p?ref=1&utm_source=tiktok&utm_medium=influencer"
                                           "&utm_campaign=spring26&utm_content=ana.beauty")
