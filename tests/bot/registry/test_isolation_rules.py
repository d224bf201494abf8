"""One workspace never finds nor changes another's registrations (SPEC §7), at the domain level on both databases:
the lookups and registry functions every changing command goes through, seeded directly, no Slack. The same data as
tests/handlers/test_security_isolation.py, whose changing-command and ROI_ADMINS tests run on SQLite only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.errors import NotFound
from bot.models import Campaign, Influencer, Workspace
from bot.registry import campaigns, codes, influencers, links, lookup
from registry_support import stored, unchanged

TODAY = date(2026, 3, 16)
FIRST, OTHER = "T0001", "T0002"


def registered(sessions, team: str = FIRST) -> None:
    """Campaign spring with ana enrolled, code ANA10 with a tracking link and a day of stats, in `team`."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        camp = campaigns.create(session, ws, {"name": "spring", "budget": Decimal(5437), "start": date(2026, 3, 1),
                                              "end": date(2026, 3, 31), "note": "first"})
        ana = influencers.create(session, ws, "ana", {"platform": "twitch", "followers": 31_000})
        row = influencers.enrol(session, ana, camp, {"fee": Decimal(317)}, today=TODAY)
        url = links.tracking_url("https://shop.example/", platform="twitch", campaign="spring", handle="ana")
        codes.add(session, row, "ANA10", url=url, user_id=None)
        influencers.record_stats(session, row, day=TODAY, post=None, counters={"likes": 10}, today=TODAY)


@pytest.fixture
def both(sessions):
    """The first workspace registered; the other one exists, empty."""
    registered(sessions)
    with sessions.begin() as session:
        lookup.workspace(session, OTHER)
    return sessions


@pytest.mark.parametrize(("find", "typed"), [
    (lookup.campaign, "spring"),
    (lookup.campaign, "sprin"),
    (lookup.influencer, "ana"),
    (lookup.influencer, "an"),
])
def test_another_workspace_finds_nothing_and_is_never_told_the_first_ones_names(both, find, typed):
    with both() as session, pytest.raises(NotFound) as missing:
        find(session, lookup.workspace(session, OTHER), typed)

    for name in ("spring", "ana"):
        if name != typed:
            assert f"`{name}`" not in missing.value.message


def test_another_workspace_finds_none_of_the_first_ones_codes(both):
    with both() as session:
        assert lookup.codes_named(session, lookup.workspace(session, OTHER), "ana10") == []
        assert influencers.find(session, lookup.workspace(session, OTHER), "ANA") is None


def test_another_workspace_cannot_remove_the_first_ones_code(both):
    with unchanged(both), pytest.raises(NotFound), both.begin() as session:
        codes.remove(session, lookup.workspace(session, OTHER), "ANA10", None)


def test_another_workspace_may_reuse_the_same_names_and_codes_even_in_overlapping_windows(both):
    registered(both, OTHER)

    with both() as session:
        owners = session.execute(
            select(Workspace.team_id, Campaign.name, Campaign.note).join(Campaign, Campaign.workspace_id == Workspace.id)
            .order_by(Workspace.team_id)
        ).all()
        handles = session.execute(
            select(Workspace.team_id, Influencer.handle).join(Influencer, Influencer.workspace_id == Workspace.id)
            .order_by(Workspace.team_id)
        ).all()
    assert [tuple(r) for r in owners] == [(FIRST, "spring", "first"), (OTHER, "spring", "first")]
    assert [tuple(r) for r in handles] == [(FIRST, "ana"), (OTHER, "ana")]
    assert len(stored(both)["codes"]) == 2


def test_each_workspace_changes_only_its_own_copy(both):
    registered(both, OTHER)

    with both.begin() as session:
        ws = lookup.workspace(session, OTHER)
        campaigns.update(session, lookup.campaign(session, ws, "spring"), {"note": "second"})
        campaigns.end(session, lookup.campaign(session, ws, "spring"), TODAY)
        influencers.remove(session, lookup.influencer(session, ws, "ana"))

    with both() as session:
        rows = session.execute(select(Workspace.team_id, Campaign.note, Campaign.status)
                               .join(Campaign, Campaign.workspace_id == Workspace.id)).all()
        handles = session.execute(
            select(Workspace.team_id).join(Influencer, Influencer.workspace_id == Workspace.id)).scalars().all()
        assert [c.code for c in lookup.codes_named(session, lookup.workspace(session, FIRST), "ANA10")] == ["ANA10"]
        assert lookup.codes_named(session, lookup.workspace(session, OTHER), "ANA10") == []
    assert {r[0]: r[1:] for r in rows} == {FIRST: ("first", "active"), OTHER: ("second", "ended")}
    assert handles == [FIRST]
