"""Work whose process died is taken over, not lost, and not done twice (bot.jobs.owners, claims, the digest, alert
and import paths); a workspace that uninstalled the app gets no jobs. Real processes are killed in
tests/bot/test_kill_safety.py; here the dead holders are written into the database directly, which also covers a
holder on another machine, seen only once its lease runs out.

The cast is tests/alert_support.py: spring in #growth, digest "mon 09:00", the clock at Monday 2026-03-16 12:00 UTC.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from alert_support import MANAGER, alerts, spring_id
from order_files import line_items, shopify_csv
from sqlalchemy import select, update

from bot.jobs import alerts as scan
from bot.jobs import claims, digests, owners
from bot.models import Alert, Campaign, ImportRun, JobRun, Order, Workspace
from bot.schedule import parse_schedule
from bot.wiring.scheduler import Scheduler, plan
from handlers import files
from handlers.jobs import alerts as sending
from handlers.jobs import digests as posting


@pytest.fixture
def runtime(app):
    return app.roi_runtime


@pytest.fixture
def spring(roi, runtime):
    return spring_id(roi, runtime, due=True)


def dead_owner() -> str:
    """The owner string of a process of this machine that has exited."""
    child = subprocess.run([sys.executable, "-c", "from bot.jobs import owners; print(owners.me())"],
                           capture_output=True, text=True, check=True)
    return child.stdout.strip()


ELSEWHERE = "another-machine:4242:123456"


def digest_posts(slack):
    return [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0GROWTH"]


def claim_for(runtime, spring, *, owner: str, minutes_ago: int, result: dict | None = None) -> claims.Key:
    """This period's digest claim, held by `owner` since `minutes_ago`, never finished."""
    start, end = parse_schedule("mon 09:00").period(runtime.settings.tz, runtime.clock())
    key = claims.Key(1, digests.KIND, str(spring), digests.Period(start, end).key)
    with runtime.sessions.begin() as session:
        session.add(JobRun(workspace_id=key.workspace_id, kind=key.kind, subject=key.subject, period_key=key.period,
                           status=claims.CLAIMED, claimed_at=runtime.clock() - timedelta(minutes=minutes_ago),
                           owner=owner, result=result))
    return key


def status_of(runtime, key: claims.Key) -> JobRun:
    return claims.holder(runtime, key)


def test_owners_tell_a_live_process_from_a_dead_one():
    assert owners.alive(owners.me()) is True
    assert owners.alive(dead_owner()) is False
    assert owners.alive(ELSEWHERE) is None  # another machine: only the lease can tell
    pid = os.getpid()
    assert owners.alive(owners.me().replace(f":{pid}:", f":{pid}:9")) is False  # a reused pid is another process


def test_a_claim_whose_process_died_before_posting_is_taken_over_and_posted(runtime, spring, slack, caplog):
    key = claim_for(runtime, spring, owner=dead_owner(), minutes_ago=1)

    assert posting.scheduled(runtime, spring).status == digests.POSTED
    [post] = digest_posts(slack)
    assert post.json("metadata") == {"event_type": "roi_digest", "event_payload": {"claim": status_of(runtime, key).id}}
    assert status_of(runtime, key).status == claims.POSTED
    assert not slack.calls_to("conversations.history")  # it never said it was sending: nothing to look for
    assert any("is gone; taking it over" in r.getMessage() for r in caplog.records)


def test_a_claim_held_elsewhere_is_left_alone_until_its_lease_runs_out(runtime, spring, slack, clock):
    key = claim_for(runtime, spring, owner=ELSEWHERE, minutes_ago=2)

    assert posting.scheduled(runtime, spring).status == digests.ALREADY  # "is being posted right now"
    assert not digest_posts(slack)
    clock.now += owners.DIGEST_LEASE
    assert posting.scheduled(runtime, spring).status == digests.POSTED
    assert len(digest_posts(slack)) == 1 and status_of(runtime, key).status == claims.POSTED


def test_a_live_holder_keeps_its_claim(runtime, spring, slack, clock):
    claim_for(runtime, spring, owner=owners.me(), minutes_ago=60)
    assert posting.scheduled(runtime, spring).status == digests.ALREADY
    assert not digest_posts(slack)


def test_a_message_the_dead_holder_got_out_is_found_and_not_posted_again(runtime, spring, slack):
    first = posting.by_hand(runtime, spring)  # posted; now pretend its process died before recording it
    assert first.status == digests.POSTED
    [held] = [r for r in _runs(runtime)]
    with runtime.sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.id == held.id).values(
            status=claims.CLAIMED, owner=dead_owner(), result={"sending": {"channel": "C0GROWTH", "at": 0}}))

    outcome = posting.scheduled(runtime, spring)

    assert outcome.status == digests.ALREADY and "already posted" in outcome.detail
    assert len(digest_posts(slack)) == 1
    [after] = _runs(runtime)
    assert after.status == claims.POSTED and after.result["recovered"] is True
    assert after.result["ts"] == slack.history["C0GROWTH"][0]["ts"]


def test_a_post_slack_keeps_refusing_with_5xx_is_tried_again_within_the_period(runtime, spring, slack, clock):
    slack.server_error("chat.postMessage", status=500, times=10)  # retried by the client, then given up on
    assert posting.by_hand(runtime, spring).status == digests.FAILED
    [failed] = _runs(runtime)
    assert failed.status == claims.FAILED and failed.result["attempts"] == 1
    slack.reset()
    clock.now += digests.RETRY_EVERY
    assert posting.scheduled(runtime, spring).status == digests.POSTED
    assert len(digest_posts(slack)) == 1


def _runs(runtime) -> list[JobRun]:
    with runtime.reads.begin() as session:
        found = list(session.scalars(select(JobRun).where(JobRun.kind == digests.KIND).order_by(JobRun.id)))
        session.expunge_all()
        return found


def test_an_alert_whose_sender_died_is_sent_once(runtime, spring, slack, clock):
    found = sending.scheduled(runtime)
    sent = [s for s in found if s.status == scan.SENT]
    assert len(sent) == 2  # cy (DM to the manager) and dee (in #growth)
    # cy's alert: pretend its sender died between claiming it and sending it.
    cy = next(a for a in alerts(runtime) if a.handle == "cy")
    with runtime.sessions.begin() as session:
        session.execute(update(Alert).where(Alert.id == cy.id).values(message_ts=None, owner=dead_owner()))
    with runtime.sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.kind == scan.KIND).values(status=claims.CLAIMED,
                                                                             owner=dead_owner()))
    slack.reset()

    again = sending.scheduled(runtime)

    assert [s.handle for s in again if s.status == scan.ALREADY and s.detail.startswith("sent before")] == ["cy"]
    assert not slack.calls_to("chat.postMessage")  # found in the manager's DM by its id: not sent twice
    assert all(a.message_ts for a in alerts(runtime))
    dm = slack.history[f"D{MANAGER[1:]}"]
    assert [m["metadata"]["event_payload"]["alert"] for m in dm] == [cy.id]


def test_failed_alerts_are_tried_again_the_same_day_and_logged_once(runtime, spring, slack, clock, caplog):
    slack.fail("chat.postMessage", "invalid_auth", times=2)
    first = sending.scheduled(runtime)
    assert sorted(s.status for s in first) == [scan.FAILED, scan.FAILED]
    assert sending.scheduled(runtime) == []  # a minute later: not yet
    clock.now += scan.RETRY_EVERY
    slack.fail("chat.postMessage", "invalid_auth", times=2)
    assert sorted(s.status for s in sending.scheduled(runtime)) == [scan.FAILED, scan.FAILED]
    clock.now += scan.RETRY_EVERY
    assert sorted(s.status for s in sending.scheduled(runtime)) == [scan.SENT, scan.SENT]
    assert sending.scheduled(runtime) == []
    logged = [r for r in caplog.records if "could not be sent" in r.getMessage() and r.levelno >= 30]
    assert len(logged) == 2  # one per alert, the first time only
    assert len(alerts(runtime)) == 2 and all(a.message_ts for a in alerts(runtime))


def test_an_uninstalled_workspace_gets_no_jobs_and_keeps_its_data(runtime, spring, slack, roi):
    roi.event({"type": "app_uninstalled"})
    assert digests.candidates(runtime) == []
    assert sending.scheduled(runtime) == []
    assert posting.by_hand(runtime, spring).status == digests.SKIPPED
    planned, idle = plan(runtime)
    assert [p.id for p in planned] == ["alerts"]
    assert any("uninstalled the app" in why for _team, _name, why in idle)
    Scheduler(runtime).tick()
    assert not slack.calls_to("chat.postMessage")
    with runtime.reads.begin() as session:
        assert session.scalar(select(Campaign.name).where(Campaign.id == spring)) == "spring"
        assert session.scalar(select(Workspace.uninstalled_at)) is not None


def test_user_token_revocations_do_not_uninstall(runtime, spring, roi):
    roi.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0001"], "bot": []}})
    assert digests.candidates(runtime) == [spring]
    roi.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})
    assert digests.candidates(runtime) == []


def test_a_shared_file_whose_importer_died_is_imported_again_and_the_sharer_told(runtime, spring, slack, roi):
    data = shopify_csv(line_items("#9001", Total="40.00", Subtotal="40.00", Discount_Code="ANA10"))
    slack.add_file("F0LOST", data, name="lost.csv")
    with runtime.sessions.begin() as session:  # claimed by a process that died before committing a single order
        session.add(ImportRun(workspace_id=1, kind=files.PENDING, source="lost.csv", file_id="F0LOST",
                              user_id="U0001", owner=dead_owner(), created_at=runtime.clock()))
    assert files.resume(runtime) == 1
    [dm] = slack.calls_to("chat.postMessage")
    assert dm.params["channel"] == "D0001" and "restarted while it was reading" in str(dm.params["blocks"])
    with runtime.reads.begin() as session:
        assert session.scalar(select(ImportRun.kind).where(ImportRun.file_id == "F0LOST")) == "orders"
        assert session.scalar(select(Order.order_id).where(Order.source == "shopify")) == "#9001"
    assert files.resume(runtime) == 0  # done: nothing left to take over
    roi.share_file("F0LOST")  # Slack delivering the event again imports nothing twice, and says so
    first, again = slack.calls_to("chat.postMessage")
    assert "Already imported on" in again.params["text"] and len(slack.calls_to("file_download")) == 1


def test_a_shared_file_still_being_imported_is_left_alone(runtime, spring, slack):
    slack.reset()
    with runtime.sessions.begin() as session:
        session.add(ImportRun(workspace_id=1, kind=files.PENDING, source="busy.csv", file_id="F0BUSY",
                              user_id="U0001", owner=ELSEWHERE, created_at=runtime.clock()))
    assert files.resume(runtime) == 0
    assert not slack.calls
