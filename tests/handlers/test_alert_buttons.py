"""Cut / Keep / Snooze on an alert (SPEC §6), clicked with signed block_actions through the real app: who may
decide, what each decision does, the message updated once, second clicks and strangers changing nothing.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_alert_rules.py
(each decision's conditional UPDATE, the cut, quiet days read back by the scan, who may decide, other workspaces)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alert_support import MANAGER, alerts, enrolment, register
from conftest import SECRET, SQLITE_ONLY
from registry_support import answered
from sqlalchemy import select

from bot.fakeslack.driver import SlackDriver, message_text
from bot.models import Order
from handlers.jobs import alerts as sending

pytestmark = SQLITE_ONLY


@pytest.fixture
def runtime(app, roi):
    register(roi)
    return app.roi_runtime


@pytest.fixture
def sent(runtime):
    """Today's scan: the alerts about cy (to the manager's DM) and dee (in #growth), by handle."""
    sending.scan(runtime)
    return {a.handle: a for a in alerts(runtime)}


def click(roi, action: str, alert, *, user: str, team: str | None = None):
    return roi.click(action, str(alert.id), user=user, team=team, channel=alert.channel_id, message_ts=alert.message_ts)


def updates(slack):
    return [c for c in slack.calls_to("chat.update") if c.error is None]


def decision_of(runtime, alert_id):
    return next(a for a in alerts(runtime) if a.id == alert_id)


def test_the_manager_cuts_the_enrolment_stops_counting_new_orders_and_the_message_shows_it(roi, runtime, sent, slack, clock):
    answer = click(roi, "roi_cut", sent["cy"], user=MANAGER)

    assert answer.status == 200 and answer.replies == []
    [update] = updates(slack)
    assert (update.params["channel"], update.params["ts"]) == (sent["cy"].channel_id, sent["cy"].message_ts)
    blocks = update.json("blocks")
    assert all(b["type"] != "actions" for b in blocks)
    assert f"Cut by <@{MANAGER}> on 2026-03-16" in message_text({"text": update.params["text"], "blocks": blocks})
    row = decision_of(runtime, sent["cy"].id)
    assert (row.decision, row.decided_by, row.decided_at.date()) == ("cut", MANAGER, date(2026, 3, 16))
    cut = enrolment(runtime, "cy")
    assert (cut.status, cut.cut_on) == ("cut", date(2026, 3, 16))

    answered(roi.command("/roi sale CY20 amount=300 date=2026-03-17 id=after-cut"))
    with runtime.reads.begin() as session:
        order = session.scalar(select(Order).where(Order.order_id == "after-cut"))
        assert order.enrolment_id is None  # no longer credited to cy

    clock.now += timedelta(days=1)
    assert "cy" not in {s.handle for s in sending.scan(runtime)}


def test_an_admin_keeps_and_the_enrolment_stays_quiet_for_14_days(make_app, settings, slack, clock):
    app = make_app(settings.with_(admins=frozenset({"U0ADMIN"})))
    roi = SlackDriver(app, slack, SECRET, user_id="U0ADMIN")
    register(roi)
    runtime = app.roi_runtime
    sending.scan(runtime)
    cy = next(a for a in alerts(runtime) if a.handle == "cy")

    click(roi, "roi_keep", cy, user="U0ADMIN")

    row = decision_of(runtime, cy.id)
    assert (row.decision, row.decided_by, row.quiet_until) == ("keep", "U0ADMIN", date(2026, 3, 30))
    assert "Kept by <@U0ADMIN>" in message_text({"text": "", "blocks": updates(slack)[0].json("blocks")})
    assert enrolment(runtime, "cy").status == "active"

    clock.now += timedelta(days=13)  # 29 March: still quiet
    assert {s.handle: s.status for s in sending.scan(runtime)}["cy"] == "quiet"
    clock.now += timedelta(days=1)  # 30 March: alerted again
    assert {s.handle: s.status for s in sending.scan(runtime)}["cy"] == "sent"


def test_someone_who_may_not_decide_is_told_so_and_nothing_changes(roi, runtime, sent, slack):
    answer = click(roi, "roi_cut", sent["cy"], user="U0STRANGER")

    assert answer.status == 200
    text = answer.text
    assert f"<@{MANAGER}>" in text and "Nothing changed" in text
    assert answer.reply.get("response_type") == "ephemeral"
    assert updates(slack) == []
    assert decision_of(runtime, sent["cy"].id).decision is None
    assert enrolment(runtime, "cy").status == "active"


def test_a_second_click_changes_nothing_and_says_who_decided(roi, runtime, sent, slack):
    click(roi, "roi_keep", sent["cy"], user=MANAGER)
    again = click(roi, "roi_cut", sent["cy"], user=MANAGER)

    assert "already decided" in again.text.lower() and f"<@{MANAGER}>" in again.text
    assert len(updates(slack)) == 1
    assert decision_of(runtime, sent["cy"].id).decision == "keep"
    assert enrolment(runtime, "cy").status == "active"


def test_snooze_keeps_it_quiet_for_7_days_then_it_is_alerted_and_decided_again(roi, runtime, sent, slack, clock):
    click(roi, "roi_snooze", sent["cy"], user=MANAGER)
    assert decision_of(runtime, sent["cy"].id).quiet_until == date(2026, 3, 23)

    clock.now += timedelta(days=6)
    assert {s.handle: s.status for s in sending.scan(runtime)}["cy"] == "quiet"
    clock.now += timedelta(days=1)
    assert {s.handle: s.status for s in sending.scan(runtime)}["cy"] == "sent"

    fresh = next(a for a in alerts(runtime) if a.handle == "cy" and a.alert_date == date(2026, 3, 23))
    click(roi, "roi_cut", fresh, user=MANAGER)
    assert enrolment(runtime, "cy").cut_on == date(2026, 3, 23)


def test_with_no_manager_and_no_admins_any_member_decides(roi, runtime, sent, slack):
    click(roi, "roi_snooze", sent["dee"], user="U0ANYONE")

    assert decision_of(runtime, sent["dee"].id).decided_by == "U0ANYONE"
    assert updates(slack)[0].params["channel"] == "C0GROWTH"


def test_an_alert_of_another_workspace_is_unknown_here(roi, runtime, sent, slack):
    answer = click(roi, "roi_cut", sent["dee"], user="U0ANYONE", team="T0OTHER")

    assert "no longer" in answer.text.lower()
    assert updates(slack) == [] and decision_of(runtime, sent["dee"].id).decision is None


def test_an_influencer_already_cut_by_command_is_not_cut_again(roi, runtime, sent, slack):
    answered(roi.command("/influencer set cy campaign=spring status=cut"))

    answer = click(roi, "roi_keep", sent["cy"], user=MANAGER)

    assert "already cut" in answer.text.lower()
    assert updates(slack) == [] and decision_of(runtime, sent["cy"].id).decision is None
