"""Posting a digest (SPEC §5): what it shows, change since the previous one, its chart, once per period (or again
with force), and failures that stay with their own campaign.

The cast is tests/alert_support.py: spring in #growth, digest "mon 09:00"; the clock reads Monday 2026-03-16
12:00 UTC, so the current period began Monday 09:00. Revenue USD 3,900 (ana 2,800, ben 600, cy 500) on USD 5,500
of fees out of a 9,000 budget; cy, dee and eve lose money, cy and dee are flagged.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from alert_support import spring_id
from conftest import SQLITE_ONLY
from registry_support import answered
from sqlalchemy import select

from bot.fakeslack.driver import message_text
from bot.jobs import digests
from bot.models import Campaign, JobRun
from bot.wiring.scheduler import Scheduler
from handlers.jobs import digests as posting


@pytest.fixture
def runtime(app):
    return app.roi_runtime


@pytest.fixture
def spring(roi, runtime):
    return spring_id(roi, runtime)


def posts(slack):
    """Digests that reached Slack (the scheduler's tick also runs the underperformer scan: its alerts are left out)."""
    return [c for c in slack.calls_to("chat.postMessage") if c.error is None and " digest" in c.params.get("text", "")]


def text_of(call) -> str:
    return message_text({"text": call.params.get("text"), "blocks": call.json("blocks")})


def runs(runtime) -> list[JobRun]:
    with runtime.reads.begin() as session:
        found = list(session.scalars(select(JobRun).where(JobRun.kind == "digest").order_by(JobRun.id)))
        session.expunge_all()
        return found


def test_the_digest_shows_totals_budget_top_three_flagged_and_a_chart(runtime, spring, slack):
    outcome = posting.by_hand(runtime, spring)

    assert outcome.status == digests.POSTED
    [call] = posts(slack)
    text = text_of(call)
    assert call.params["channel"] == "C0GROWTH"
    assert "spring" in text and "USD 3,900.00" in text  # revenue
    assert "USD 5,500.00 of USD 9,000.00" in text  # budget used
    assert "first digest" in text.lower()
    top = [line for line in text.splitlines() if line.strip().startswith(("1.", "2.", "3.", "4."))]
    named = [h for h in ("ana", "ben", "cy", "dee", "eve", "fin") if any(re.search(rf"\b{h}\b", line) for line in top)]
    assert named == ["ana", "ben", "cy"]
    assert "ROI -75.0% is below this campaign's minimum of 0%" in text
    [upload] = slack.uploads.values()
    assert upload["bytes"].startswith(b"\x89PNG") and upload["channel_id"] == "C0GROWTH"
    assert upload["filename"] == "spring-revenue-vs-cost.png"
    [run] = runs(runtime)
    assert run.status == "posted" and run.period_key == "2026-03-16T09:00:00Z"
    assert run.result["ts"] == call.response["ts"] and run.result["totals"]["revenue"] == "3900.00"


def test_the_next_digest_shows_the_change_since_the_previous_one(roi, runtime, spring, slack, clock):
    posting.by_hand(runtime, spring)
    answered(roi.command("/roi sale ANA10 amount=600 date=2026-03-18"))
    clock.now += timedelta(days=7)

    assert posting.by_hand(runtime, spring).status == digests.POSTED

    first, second = posts(slack)
    text = text_of(second)
    assert "USD 4,500.00" in text and "▲ USD 600.00" in text  # revenue and its change
    assert "first digest" not in text.lower()
    assert [r.period_key for r in runs(runtime)] == ["2026-03-16T09:00:00Z", "2026-03-23T09:00:00Z"]


def test_again_in_the_same_period_posts_nothing_unless_forced(runtime, spring, slack, clock):
    assert posting.by_hand(runtime, spring).status == digests.POSTED
    clock.now += timedelta(days=3)  # Thursday: still the period that began Monday 09:00

    again = posting.by_hand(runtime, spring)
    assert again.status == digests.ALREADY and "already posted" in again.detail
    assert len(posts(slack)) == 1

    forced = posting.by_hand(runtime, spring, force=True)
    assert forced.status == digests.POSTED and len(posts(slack)) == 2
    assert "force" in text_of(posts(slack)[1]).lower()
    assert [r.status for r in runs(runtime)] == ["posted", "posted"]


def test_the_scheduler_and_a_run_by_hand_share_the_period(runtime, spring, slack, clock):
    clock.now += timedelta(days=7)  # Monday 23 March 12:00: the 09:00 digest is due
    Scheduler(runtime).tick()
    assert posting.by_hand(runtime, spring).status == digests.ALREADY
    Scheduler(runtime).tick()

    assert len(posts(slack)) == 1


def test_a_failing_campaign_is_logged_and_never_stops_the_others(roi, runtime, spring, slack, clock, caplog):
    answered(roi.command("/campaign create summer budget=100 start=2026-03-01 channel=<#C0LOCKED|locked>"))
    with runtime.sessions.begin() as session:  # both registered before Monday 09:00, so both are due at noon
        for camp in session.scalars(select(Campaign)):
            camp.digest_since = camp.digest_since - timedelta(days=30)
    slack.fail("chat.postMessage", "not_in_channel", channel="C0LOCKED")

    Scheduler(runtime).tick()

    # spring is posted; summer's failure is logged once, and whoever created summer hears why, by DM
    assert [c.params["channel"] for c in posts(slack)] == ["C0GROWTH", "D0001"]
    assert "not a member of that channel" in posts(slack)[1].params["text"]
    statuses = {r.subject: (r.status, r.result) for r in runs(runtime)}
    assert statuses[str(spring)][0] == "posted"
    summer = next(v for k, v in statuses.items() if k != str(spring))
    assert summer[0] == "failed" and "not_in_channel" in summer[1]["error"]
    assert [r.levelname for r in caplog.records if "summer" in r.getMessage()] == ["ERROR"]

    slack.fail("chat.postMessage", "not_in_channel", channel="C0LOCKED")
    Scheduler(runtime).tick()  # a minute later: not retried yet
    assert len(posts(slack)) == 2
    clock.now += timedelta(minutes=5)
    Scheduler(runtime).tick()  # five minutes on: retried, fails again, quietly: no second log line, no second DM
    locked = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0LOCKED"]
    assert len(posts(slack)) == 2 and len(locked) == 2
    assert [r.levelname for r in caplog.records if "summer" in r.getMessage() and r.levelno >= 20] == ["ERROR"]
    assert next(r.result for r in runs(runtime) if r.subject != str(spring))["attempts"] == 2

    clock.now += timedelta(minutes=5)  # someone invited the bot: the next retry posts it, once
    Scheduler(runtime).tick()
    Scheduler(runtime).tick()
    assert [c.params["channel"] for c in posts(slack)] == ["C0GROWTH", "D0001", "C0LOCKED"]
    with runtime.reads.begin() as session:
        summer_id = session.scalar(select(Campaign.id).where(Campaign.name_key == "summer"))
    assert posting.by_hand(runtime, summer_id).status == digests.ALREADY


@SQLITE_ONLY  # the Web API client's waiting is under test, not the database
def test_a_rate_limited_post_is_waited_out_and_posted_once(runtime, spring, slack):
    slack.rate_limit("chat.postMessage", retry_after=1, times=2)

    assert posting.by_hand(runtime, spring).status == digests.POSTED

    answered_429 = [c for c in slack.calls_to("chat.postMessage") if c.status == 429]
    assert len(answered_429) == 2 and len(posts(slack)) == 1


def test_a_chart_that_cannot_be_uploaded_never_reposts_the_message(runtime, spring, slack, clock):
    slack.fail("files.completeUploadExternal", "invalid_channel")

    outcome = posting.by_hand(runtime, spring)

    assert outcome.status == digests.POSTED and "chart could not be uploaded" in outcome.detail
    [run] = runs(runtime)
    assert run.status == "posted" and "invalid_channel" in run.result["chart_error"]
    Scheduler(runtime).tick()
    assert len(posts(slack)) == 1


def test_a_campaign_without_a_channel_is_skipped_with_the_fix(roi, runtime):
    answered(roi.command("/campaign create nochan budget=100"))
    with runtime.reads.begin() as session:
        camp_id = session.scalar(select(Campaign.id).where(Campaign.name_key == "nochan"))

    outcome = posting.by_hand(runtime, camp_id)

    assert outcome.status == digests.SKIPPED and "/campaign set nochan channel=#channel" in outcome.detail
    assert runs(runtime) == []


def test_jobs_post_with_the_token_of_the_workspace_they_post_to(runtime, spring, slack, monkeypatch):
    import handlers.tokens as tokens

    asked = []

    def per_team(runtime, team_id):
        asked.append(team_id)
        return f"xoxb-for-{team_id}"

    monkeypatch.setattr(tokens, "bot_token", per_team)

    posting.by_hand(runtime, spring)

    assert asked == ["T0001"]
    sent = [c for c in slack.calls if c.method in ("chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal")]
    assert len(sent) == 3 and {c.token for c in sent} == {"xoxb-for-T0001"}


def test_a_digest_of_a_campaign_not_started_posted_by_hand_shows_no_loss(roi, runtime, slack):
    # summer runs in June; its digest is asked for now, in March, with a fee of 1,800 agreed and nothing sold.
    for line in ("/campaign create summer budget=8500 start=2026-06-01 end=2026-06-30 channel=<#C0GROWTH|growth>",
                 "/influencer add mia followers=48200 campaign=summer fee=1800"):
        answered(roi.command(line))
    with runtime.reads.begin() as session:
        summer = session.scalar(select(Campaign.id).where(Campaign.name_key == "summer"))

    assert posting.by_hand(runtime, summer).status == digests.POSTED

    [call] = posts(slack)
    text = text_of(call)
    assert "has not started yet: it starts 2026-06-01" in text
    assert "ROI not started" in call.params["text"] and "mia* · ROI not started" in text
    assert "-100" not in text and "0.00x" not in text


# -- freshness (SPEC §8) -------------------------------------------------------------------------------


def test_the_digest_says_where_its_orders_come_from_and_warns_when_nothing_new_came_in_a_day(runtime, spring, slack):
    posting.by_hand(runtime, spring)

    text = text_of(*posts(slack))
    # The cast's newest sale was recorded by hand for 2026-03-08; the clock reads 2026-03-16 12:00.
    assert "Orders from sales recorded by hand · newest order Mar 8" in text
    assert ("No new data for 8 days*: the newest order is from Mar 8. These figures may be missing orders: share a "
            "fresh export with me, or record sales with `/roi sale`.") in text


def test_a_store_that_delivered_within_the_day_keeps_the_digest_free_of_the_warning(runtime, spring, slack, sessions):
    from freshness_support import connect_store

    connect_store(sessions, delivered=runtime.clock() - timedelta(hours=23))
    posting.by_hand(runtime, spring)

    text = text_of(*posts(slack))
    assert "No new data" not in text
    assert "Orders from sales recorded by hand · newest order Mar 8 · Shopify connected (last delivery 23 h ago)" in text


def test_a_store_silent_for_days_is_named_in_the_warning(runtime, spring, slack, sessions):
    from freshness_support import connect_store

    now = runtime.clock()
    connect_store(sessions, delivered=now - timedelta(days=2, hours=1), synced=now - timedelta(days=3))
    posting.by_hand(runtime, spring)

    text = text_of(*posts(slack))
    assert ("No new data for 2 days*: the last Shopify delivery is from Mar 14 11:00. These figures may be missing "
            "orders: check the store connection (`roi-bot store list`), or share a fresh export with me.") in text


def test_a_digest_after_the_campaign_ended_never_warns(runtime, spring, slack, clock):
    clock.now += timedelta(days=17)  # 2026-04-02: spring ended on 03-31, its window runs to 04-07

    assert posting.by_hand(runtime, spring).status == digests.POSTED

    assert "No new data" not in text_of(*posts(slack))
