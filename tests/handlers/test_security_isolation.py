"""SPEC §7 through the real app, for who may see and change what: one workspace never sees or changes
another's data, and ROI_ADMINS guards every changing command.
On SQLite only, except the reading test (list and show queries live in handlers/): what depends on the
database is tested on both in tests/bot/registry/test_isolation_rules.py (lookups, changes and reuse per workspace)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.fakeslack.driver import Answer, SlackDriver
from bot.models import Campaign, Influencer, Workspace
from handlers.blocks.influencers import REMOVE
from conftest import SQLITE_ONLY
from registry_support import answered_ephemeral, stored, unchanged

ADMIN = "UADMIN0001"
MEMBER = "UMEMBER001"
OTHER_TEAM = "T0002"


def registered(roi, *, team: str | None = None, user: str | None = None) -> None:
    """Campaign spring with ana enrolled and code ANA10, registered by `user` in `team`."""
    for line in ("/campaign create spring budget=5437 start=2026-03-01 end=2026-03-31 note=first",
                 "/influencer add ana platform=twitch followers=31k campaign=spring fee=317",
                 "/code add ANA10 ana campaign=spring url=https://shop.example/",
                 "/influencer stats ana campaign=spring likes=10"):
        answered_ephemeral(roi.command(line, team=team, user=user))


def confirmed(roi, answer: Answer, *, team: str | None = None, user: str | None = None) -> None:
    """Click Remove when the answer is the question `/influencer remove` asks about someone with results (ana's
    stats make her one): the removal itself is that click (tests/handlers/test_influencer_remove.py)."""
    values = [e["value"] for b in answer.reply["blocks"] if b["type"] == "actions" for e in b["elements"]
              if e["action_id"] == REMOVE]
    for value in values:
        assert roi.click(REMOVE, value, team=team, user=user).status == 200


# -- workspaces ----------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "/campaign list",
    "/campaign show spring",
    "/campaign show sprin",
    "/influencer list",
    "/influencer list campaign=spring",
    "/influencer show ana",
    "/influencer show an",
    "/code list",
    "/code list campaign=spring",
    "/code remove ANA1",
])
def test_another_workspace_cannot_see_the_first_ones_data(roi, line):
    registered(roi)

    text = answered_ephemeral(roi.command(line, team=OTHER_TEAM))

    # What only the first workspace knows; a name is echoed back only when it was typed.
    for private in ("5,437", "first", "shop.example", "twitch", "31,000", "317.00", "ANA10"):
        assert private not in text
    for name in ("spring", "ana"):
        if not re.search(rf"\b{name}\b", line):
            assert f"`{name}`" not in text


@SQLITE_ONLY
@pytest.mark.parametrize("line", [
    "/campaign set spring budget=1",
    "/campaign set spring name=stolen",
    "/campaign end spring",
    "/influencer set ana followers=1",
    "/influencer set ana campaign=spring status=cut",
    "/influencer stats ana campaign=spring likes=999",
    "/influencer add ana campaign=spring",
    "/influencer remove ana",
    "/code add ANA20 ana campaign=spring",
    "/code remove ANA10",
    "/code remove ANA10 campaign=spring",
])
def test_another_workspace_cannot_change_the_first_ones_data(roi, sessions, line):
    registered(roi)
    answered_ephemeral(roi.command("/campaign list", team=OTHER_TEAM))  # the second workspace exists from here on

    with unchanged(sessions):
        answered_ephemeral(roi.command(line, team=OTHER_TEAM))


@SQLITE_ONLY
def test_another_workspace_may_reuse_the_same_names_and_codes(roi, sessions):
    registered(roi)

    registered(roi, team=OTHER_TEAM)

    with sessions() as session:
        owners = session.execute(
            select(Workspace.team_id, Campaign.name, Campaign.note).join(Campaign, Campaign.workspace_id == Workspace.id)
            .order_by(Workspace.team_id)
        ).all()
        handles = session.execute(
            select(Workspace.team_id, Influencer.handle).join(Influencer, Influencer.workspace_id == Workspace.id)
            .order_by(Workspace.team_id)
        ).all()
    assert [tuple(r) for r in owners] == [("T0001", "spring", "first"), (OTHER_TEAM, "spring", "first")]
    assert [tuple(r) for r in handles] == [("T0001", "ana"), (OTHER_TEAM, "ana")]
    assert len(stored(sessions)["codes"]) == 2


@SQLITE_ONLY
def test_each_workspace_changes_only_its_own_copy(roi, sessions):
    registered(roi)
    registered(roi, team=OTHER_TEAM)

    answered_ephemeral(roi.command("/campaign set spring note=second", team=OTHER_TEAM))
    question = roi.command("/influencer remove ana", team=OTHER_TEAM)
    answered_ephemeral(question)
    confirmed(roi, question, team=OTHER_TEAM)

    with sessions() as session:
        notes = dict(session.execute(
            select(Workspace.team_id, Campaign.note).join(Campaign, Campaign.workspace_id == Workspace.id)).all())
        handles = session.execute(
            select(Workspace.team_id).join(Influencer, Influencer.workspace_id == Workspace.id)).scalars().all()
    assert notes == {"T0001": "first", OTHER_TEAM: "second"}
    assert handles == ["T0001"]
    assert "ANA10" in answered_ephemeral(roi.command("/code list"))
    assert "ANA10" not in answered_ephemeral(roi.command("/code list", team=OTHER_TEAM))


# -- ROI_ADMINS ----------------------------------------------------------------------------------


@pytest.fixture
def guarded(make_app, settings, slack):
    """A driver for an app whose ROI_ADMINS names only ADMIN, with the usual data registered by ADMIN."""
    driver = SlackDriver(make_app(settings.with_(admins=frozenset({ADMIN}))), slack, settings.signing_secret)
    registered(driver, user=ADMIN)
    return driver


CHANGING = [
    "/campaign create autumn budget=1000",
    "/campaign set spring budget=1",
    "/campaign end spring",
    "/influencer add ben",
    "/influencer add ben campaign=spring",
    "/influencer remove ana",
    "/influencer set ana followers=1",
    "/influencer set ana campaign=spring status=cut",
    "/influencer stats ana campaign=spring likes=999",
    "/code add ANA20 ana campaign=spring",
    "/code remove ANA10",
]


@SQLITE_ONLY
@pytest.mark.parametrize("line", CHANGING)
def test_a_non_admin_is_refused_every_changing_command_and_nothing_is_written(guarded, sessions, line):
    with unchanged(sessions):
        answer = guarded.command(line, user=MEMBER)

    text = answered_ephemeral(answer)
    assert "admin" in text.lower()
    assert answer.posts == []


@SQLITE_ONLY
@pytest.mark.parametrize("line", [
    "/campaign list", "/campaign show spring", "/influencer list", "/influencer show ana", "/code list",
    "/campaign help", "/influencer", "/code help",
])
def test_a_non_admin_can_still_read(guarded, line):
    text = answered_ephemeral(guarded.command(line, user=MEMBER))

    assert "admin" not in text.lower()


@SQLITE_ONLY
@pytest.mark.parametrize("line", CHANGING)
def test_an_admin_can_run_every_changing_command(guarded, sessions, line):
    before = stored(sessions)

    answer = guarded.command(line, user=ADMIN)
    text = answered_ephemeral(answer)
    confirmed(guarded, answer, user=ADMIN)

    assert "admin" not in text.lower()
    assert stored(sessions) != before


@SQLITE_ONLY
def test_the_admin_refusal_comes_before_any_validation(guarded, sessions):
    with unchanged(sessions):
        text = answered_ephemeral(guarded.command("/campaign create sp!ng budget=abc", user=MEMBER))

    assert "admin" in text.lower() and "`budget`" not in text
