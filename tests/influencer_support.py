"""Influencers seeded directly for the domain-level tests (tests/bot/registry/test_influencer_*rules.py): a
workspace with its campaigns, and what `/influencer add`, `set` and `stats` do, without Slack."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


from bot.registry import campaigns, influencers, lookup

TODAY = date(2026, 3, 16)  # the clock of the Slack-level tests
POST = "https://www.tiktok.com/@ana/video/1"


def spring_and_autumn(sessions):
    """Workspace T1 with spring (March 2026, the usual one) and autumn (no dates); bind it as a fixture."""
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
