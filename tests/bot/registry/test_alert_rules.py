"""The decisions behind the Cut / Keep / Snooze buttons of an alert (SPEC §6), at the domain level on both databases:
`bot.alerts.decide` (its conditional UPDATE, the cut it makes) and the quiet days `bot.jobs.alerts.flagged_today`
reads back, seeded directly, no Slack. The same cast as tests/alert_support.py, used by
tests/handlers/test_alert_buttons.py, which runs on SQLite only.

spring runs 2026-03-01 → 2026-03-31 in #growth; today is Monday 2026-03-16. cy (manager U0LENA): fee 2,000, sale 500
through CY20 (ROI -75%); dee (no manager): fee 1,000, no sales. Both flagged, each with an alert sent today."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot import alerts, sales
from bot.config import Settings
from bot.jobs import alerts as scan
from bot.models import Alert, Campaign, Enrolment, Influencer, Order
from bot.registry import campaigns, codes, influencers, lookup
from bot.runtime import Runtime
from registry_support import unchanged

MANAGER = "U0LENA"
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


def settings(*admins: str) -> Settings:
    return Settings(bot_token="xoxb-test", signing_secret="secret", slack_api_url="", database_url="", timezone="UTC",
                    admins=frozenset(admins))


@pytest.fixture
def sent(sessions):
    """The cast, and the alerts today's scan sent about cy (to the manager's DM) and dee (in #growth): id by handle."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        camp = campaigns.create(session, ws, {"name": "spring", "budget": Decimal(9000), "start": date(2026, 3, 1),
                                              "end": date(2026, 3, 31), "channel": "C0GROWTH"}, now=NOW)
        cy = influencers.enrol(session, influencers.create(session, ws, "cy", {"manager": MANAGER}), camp,
                               {"fee": Decimal(2000), "goal_revenue": Decimal(4000)}, today=TODAY)
        dee = influencers.enrol(session, influencers.create(session, ws, "dee", {}), camp, {"fee": Decimal(1000)},
                                today=TODAY)
        codes.add(session, cy, "CY20", url=None, user_id=None)
        sales.record(session, ws, code="CY20", day=date(2026, 3, 8), amount=Decimal(500), refunded=Decimal(0),
                     order_id=None)
        rows = {handle: Alert(workspace_id=ws.id, enrolment_id=row.id, alert_date=TODAY, channel_id=channel,
                              message_ts="1773662400.000100", reasons={"handle": handle, "campaign": "spring"})
                for handle, row, channel in (("cy", cy, "D0LENA"), ("dee", dee, "C0GROWTH"))}
        session.add_all(rows.values())
        session.flush()
        return {handle: row.id for handle, row in rows.items()}


def decide(sessions, alert_id, decision: str, user: str, *, team: str = "T1", admins=(), today: date = TODAY):
    with sessions.begin() as session:
        return alerts.decide(session, settings(*admins), team=team, user=user, alert_id=alert_id, decision=decision,
                             today=today, now=datetime.combine(today, NOW.timetz()))


def alert(sessions, alert_id) -> Alert:
    with sessions() as session:
        return session.get(Alert, alert_id)


def enrolment(sessions, handle: str) -> Enrolment:
    with sessions() as session:
        return session.scalar(select(Enrolment).join(Influencer).where(Influencer.handle_key == handle))


def quiet(sessions, today: date) -> dict[str, date]:
    """Whom the scan of `today` finds flagged but quiet (Keep / Snooze), with the day it ends, by handle."""
    runtime = Runtime(settings=settings(), engine=sessions.kw["bind"], sessions=sessions)
    with sessions() as session:
        camp_id = session.scalar(select(Campaign.id))
        handles = dict(session.execute(select(Enrolment.id, Influencer.handle).join(Influencer)).all())
    flagged = scan.flagged_today(runtime, camp_id, today)
    assert sorted(handles[e] for e, _ in flagged.todo) == ["cy", "dee"]
    return {handles[e]: until for e, until in flagged.quiet.items()}


def test_the_manager_cuts_the_enrolment_and_it_stops_counting_new_orders(sent, sessions):
    done = decide(sessions, sent["cy"], alerts.CUT, MANAGER)

    assert (done.outcome, done.decision, done.by, done.on) == (alerts.DECIDED, "cut", MANAGER, TODAY)
    assert done.message == ("D0LENA", "1773662400.000100")
    row = alert(sessions, sent["cy"])
    assert (row.decision, row.decided_by, row.decided_at.date()) == ("cut", MANAGER, TODAY)
    cut = enrolment(sessions, "cy")
    assert (cut.status, cut.cut_on) == ("cut", TODAY)

    with sessions.begin() as session:
        sales.record(session, lookup.workspace(session, "T1"), code="CY20", day=date(2026, 3, 17),
                     amount=Decimal(300), refunded=Decimal(0), order_id="after-cut")
    with sessions() as session:
        assert session.scalar(select(Order.enrolment_id).where(Order.order_id == "after-cut")) is None


@pytest.mark.parametrize(("decision", "days"), [(alerts.KEEP, 14), (alerts.SNOOZE, 7)])
def test_keep_and_snooze_keep_the_enrolment_quiet_until_a_day_the_scan_reads_back(sent, sessions, decision, days):
    done = decide(sessions, sent["cy"], decision, "U0ADMIN", admins=("U0ADMIN",))

    until = TODAY + timedelta(days=days)
    assert (done.outcome, done.quiet_until) == (alerts.DECIDED, until)
    row = alert(sessions, sent["cy"])
    assert (row.decision, row.decided_by, row.quiet_until) == (decision, "U0ADMIN", until)
    assert enrolment(sessions, "cy").status == "active"
    assert quiet(sessions, until - timedelta(days=1)) == {"cy": until}
    assert quiet(sessions, until) == {}


def test_someone_who_may_not_decide_is_told_who_may_and_nothing_changes(sent, sessions):
    with unchanged(sessions):
        done = decide(sessions, sent["cy"], alerts.CUT, "U0STRANGER")

    assert (done.outcome, done.manager) == (alerts.NOT_ALLOWED, MANAGER)


def test_a_second_decision_changes_nothing_and_says_who_decided(sent, sessions):
    decide(sessions, sent["cy"], alerts.KEEP, MANAGER)

    with unchanged(sessions):
        again = decide(sessions, sent["cy"], alerts.CUT, MANAGER)

    assert (again.outcome, again.decision, again.by, again.on) == (alerts.ALREADY_DECIDED, "keep", MANAGER, TODAY)
    assert enrolment(sessions, "cy").status == "active"


def test_a_decision_another_click_committed_first_is_not_overwritten(sent, sessions):
    # The other click's UPDATE landed between our read of the alert and our conditional UPDATE: the alert this
    # session loaded still says undecided, the row no longer does.
    with sessions.begin() as session:
        assert session.get(Alert, sent["cy"]).decision is None
        session.execute(update(Alert).where(Alert.id == sent["cy"]).values(decision="keep", decided_by="U0OTHER")
                        .execution_options(synchronize_session=False))
        done = alerts.decide(session, settings(), team="T1", user=MANAGER, alert_id=sent["cy"], decision=alerts.CUT,
                             today=TODAY, now=NOW)

    assert (done.outcome, done.decision, done.by) == (alerts.ALREADY_DECIDED, "keep", "U0OTHER")
    row = alert(sessions, sent["cy"])
    assert (row.decision, row.decided_by, row.decided_at) == ("keep", "U0OTHER", None)
    assert enrolment(sessions, "cy").status == "active"


def test_with_no_manager_and_no_admins_any_member_decides(sent, sessions):
    done = decide(sessions, sent["dee"], alerts.SNOOZE, "U0ANYONE")

    assert (done.outcome, done.message[0]) == (alerts.DECIDED, "C0GROWTH")
    assert alert(sessions, sent["dee"]).decided_by == "U0ANYONE"


@pytest.mark.parametrize("team", ["T0OTHER", "T0NEVER"])
def test_an_alert_of_another_workspace_is_unknown_there(sent, sessions, team):
    if team == "T0OTHER":
        with sessions.begin() as session:
            lookup.workspace(session, team)

    with unchanged(sessions):
        done = decide(sessions, sent["dee"], alerts.CUT, "U0ANYONE", team=team)

    assert done.outcome == alerts.GONE


def test_an_influencer_already_cut_by_command_is_not_cut_again(sent, sessions):
    with sessions.begin() as session:
        row = session.get(Enrolment, enrolment(sessions, "cy").id)
        influencers.update_enrolment(session, row, {"status": "cut"}, today=TODAY)

    with unchanged(sessions):
        done = decide(sessions, sent["cy"], alerts.KEEP, MANAGER)

    assert (done.outcome, done.on) == (alerts.ALREADY_CUT, TODAY)
