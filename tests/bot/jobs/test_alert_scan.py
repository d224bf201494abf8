"""The underperformer scan (SPEC §6): who is alerted, where, with every reason, and at most once a day per
enrolment however many scans run. The cast is in tests/alert_support.py."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alert_support import MANAGER, alerts, register
from registry_support import answered

from bot.fakeslack.driver import message_text
from bot.jobs import alerts as scan_job
from bot.wiring.scheduler import Scheduler
from handlers.jobs import alerts as sending


@pytest.fixture
def runtime(app, roi):
    register(roi)
    return app.roi_runtime


def alert_posts(slack):
    return [c for c in slack.calls_to("chat.postMessage") if c.error is None and "underperforming" in message_text(
        {"text": c.params.get("text"), "blocks": c.json("blocks")})]


def test_flagged_influencers_are_alerted_with_every_reason_their_manager_by_dm_else_the_channel(runtime, slack):
    sent = sending.scan(runtime)

    assert sorted((s.handle, s.status) for s in sent) == [("cy", "sent"), ("dee", "sent")]
    by_channel = {c.params["channel"]: c for c in alert_posts(slack)}
    assert set(by_channel) == {"D0LENA", "C0GROWTH"}  # cy's manager's DM; dee has no manager
    assert slack.calls_to("conversations.open")[0].params["users"] == MANAGER
    cy = message_text({"text": by_channel["D0LENA"].params["text"], "blocks": by_channel["D0LENA"].json("blocks")})
    assert "ROI -75.0% is below this campaign's minimum of 0%" in cy
    assert ("USD 500.00 of a USD 4,000.00 goal prorated to USD 2,000.00 for 15 of the 30 days between their start "
            "and the campaign's end") in cy
    assert "engagement rate 0.2% is under half the campaign median of 2.0%" in cy
    buttons = [b for b in by_channel["D0LENA"].json("blocks") if b["type"] == "actions"][0]["elements"]
    rows = {a.handle: a for a in alerts(runtime)}
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("roi_cut", str(rows["cy"].id)), ("roi_keep", str(rows["cy"].id)), ("roi_snooze", str(rows["cy"].id))]
    assert rows["cy"].channel_id == "D0LENA" and rows["cy"].message_ts == by_channel["D0LENA"].response["ts"]
    assert [k["kind"] for k in rows["cy"].reasons["reasons"]] == ["roi", "goal", "engagement"]


def test_the_same_day_nobody_is_alerted_twice_the_next_day_again(runtime, slack, clock):
    sending.scan(runtime)
    again = sending.scan(runtime)
    assert {s.status for s in again} == {"already"} and len(alert_posts(slack)) == 2

    clock.now += timedelta(days=1)
    sending.scan(runtime)
    assert len(alert_posts(slack)) == 4
    assert [a.alert_date.isoformat() for a in alerts(runtime)] == ["2026-03-16"] * 2 + ["2026-03-17"] * 2


def test_scans_racing_in_threads_alert_each_enrolment_once(runtime, slack):
    barrier = threading.Barrier(4)

    def scan():
        barrier.wait()
        sending.scan(runtime)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(a.handle for a in alerts(runtime)) == ["cy", "dee"]
    assert len(alert_posts(slack)) == 2


def test_an_alert_that_could_not_be_sent_is_sent_by_a_later_scan_that_day(runtime, slack):
    slack.fail("chat.postMessage", "channel_not_found", channel="C0GROWTH")

    first = {s.handle: s.status for s in sending.scan(runtime)}
    assert first == {"cy": "sent", "dee": "failed"}
    assert [a.handle for a in alerts(runtime)] == ["cy"]

    second = {s.handle: s.status for s in sending.scan(runtime)}
    assert second == {"cy": "already", "dee": "sent"}


def test_ended_or_not_yet_running_campaigns_are_not_scanned(roi, runtime, slack, clock):
    answered(roi.command("/campaign end spring"))
    assert sending.scan(runtime) == []

    answered(roi.command("/campaign create later budget=100 start=2026-04-01 channel=<#C0GROWTH|growth>"))
    answered(roi.command("/influencer add dee campaign=later fee=100 start=2026-04-01"))
    assert sending.scan(runtime) == [] and alert_posts(slack) == []


def test_the_daily_scan_waits_for_roi_alert_time_and_runs_once(make_app, settings, slack, clock, roi):
    register(roi)
    runtime = make_app(settings.with_(alert_time="13:30")).roi_runtime  # the clock reads 12:00

    Scheduler(runtime).tick()
    assert alert_posts(slack) == []

    clock.now += timedelta(hours=2)
    Scheduler(runtime).tick()
    Scheduler(runtime).tick()
    assert len(alert_posts(slack)) == 2


def test_one_campaign_failing_never_stops_the_scan_of_the_others(roi, runtime, slack, monkeypatch, caplog):
    answered(roi.command("/campaign create broken budget=100 start=2026-03-01 channel=<#C0BROKEN|broken>"))
    answered(roi.command("/influencer add dee campaign=broken fee=100"))
    real = scan_job.campaign_report

    def report(session, camp, **kwargs):
        if camp.name == "broken":
            raise ValueError("a damaged row")
        return real(session, camp, **kwargs)

    monkeypatch.setattr(scan_job, "campaign_report", report)

    sent = sending.scan(runtime)

    assert sorted((s.campaign, s.handle, s.status) for s in sent if s.status == "sent") == [
        ("spring", "cy", "sent"), ("spring", "dee", "sent")]
    assert [s.status for s in sent if s.handle is None] == ["failed"]
    assert any("scan of campaign" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_alerts_use_the_token_function_too(runtime, slack, monkeypatch):
    import handlers.tokens as tokens

    monkeypatch.setattr(tokens, "bot_token", lambda runtime, team_id: f"xoxb-for-{team_id}")

    sending.scan(runtime)

    assert {c.token for c in slack.calls if c.method in ("conversations.open", "chat.postMessage")} == {"xoxb-for-T0001"}
