"""Looking things up by what people type; a workspace row appears on first use, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.errors import NotFound
from bot.models import Workspace
from bot.registry import campaigns, lookup


def test_workspace_is_created_once_even_when_another_process_wins_the_race(sessions):
    with sessions.begin() as other:
        lookup.workspace(other, "T0RACE")
    with sessions.begin() as session:
        real_scalar = session.scalar
        calls = []

        def first_look_misses(query, *args, **kwargs):
            # The first SELECT runs "before" the other process commits; the insert then collides.
            calls.append(query)
            return None if len(calls) == 1 else real_scalar(query, *args, **kwargs)

        session.scalar = first_look_misses
        ws = lookup.workspace(session, "T0RACE")
        assert ws.team_id == "T0RACE"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 1


def test_unknown_campaign_suggests_the_closest_name(sessions):
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        campaigns.create(session, ws, {"name": "spring", "budget": Decimal(100)})
        with pytest.raises(NotFound) as err:
            lookup.campaign(session, ws, "sprng")
    assert "Did you mean `spring`?" in err.value.message
