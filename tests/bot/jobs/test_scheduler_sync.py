"""The running scheduler (real APScheduler, background thread) follows the campaigns table: a new campaign gets
its job, a changed schedule is rescheduled at once (no restart), `off`, `/campaign end` or a removed channel drop
the job; `serve` runs it unless --no-scheduler."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from registry_support import answered

from bot.wiring.cli import main
from bot.wiring.scheduler import ALERTS_ID, TICK_ID, Scheduler
from handlers import chart_pool


def wait_until(check, timeout: float = 10.0):
    """Poll a background thread's effect (the jobs' timing is not under test here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("the scheduler did not catch up in time")


@pytest.fixture
def scheduler(app):
    running = Scheduler(app.roi_runtime).start()
    yield running
    running.shutdown()


def fields(job) -> dict[str, str]:
    return {f.name: str(f) for f in job.trigger.fields}


def test_jobs_follow_campaign_changes_without_a_restart(roi, scheduler, app):
    aps = scheduler.aps
    assert {j.id for j in aps.get_jobs()} >= {TICK_ID, ALERTS_ID}
    assert fields(aps.get_job(ALERTS_ID))["hour"] == "10" and fields(aps.get_job(ALERTS_ID))["minute"] == "0"

    answered(roi.command('/campaign create spring budget=100 channel=<#C0GROWTH|growth> digest="mon 09:00"'))
    job = wait_until(lambda: aps.get_job("digest:1"))
    assert (fields(job)["day_of_week"], fields(job)["hour"]) == ("mon", "9")
    assert job.next_run_time.weekday() == 0 and job.next_run_time > datetime.now(job.next_run_time.tzinfo)

    answered(roi.command('/campaign set spring digest="daily 18:30"'))
    job = wait_until(lambda: (j := aps.get_job("digest:1")) is not None and fields(j)["hour"] == "18" and j)
    assert (fields(job)["day_of_week"], fields(job)["minute"]) == ("*", "30")

    answered(roi.command("/campaign set spring digest=off"))
    wait_until(lambda: aps.get_job("digest:1") is None)

    answered(roi.command('/campaign set spring digest="cron:0 9 * * 1-5"'))
    wait_until(lambda: aps.get_job("digest:1"))
    answered(roi.command("/campaign end spring"))
    wait_until(lambda: aps.get_job("digest:1") is None)


def test_a_change_made_by_another_process_is_picked_up_by_the_tick(app, roi, scheduler):
    answered(roi.command('/campaign create spring budget=100 channel=<#C0GROWTH|growth> digest="mon 09:00"'))
    wait_until(lambda: scheduler.aps.get_job("digest:1"))
    runtime = app.roi_runtime
    with runtime.sessions.begin() as session:  # as another process would: straight into the database
        from bot.models import Campaign

        session.get(Campaign, 1).digest = "daily 07:00"

    scheduler.tick()

    assert fields(scheduler.aps.get_job("digest:1"))["hour"] == "7"


def test_shutdown_stops_listening_for_changes(app, scheduler):
    assert scheduler.wake in app.roi_runtime.on_campaigns_changed
    scheduler.shutdown()
    assert app.roi_runtime.on_campaigns_changed == [] and not scheduler.aps.running


@pytest.mark.parametrize("flags, runs_scheduler", [([], True), (["--no-scheduler"], False)])
def test_serve_runs_the_scheduler_beside_the_app_unless_told_not_to(monkeypatch, tmp_path, slack, flags, runs_scheduler):
    import bot.wiring.web

    seen = {}

    def fake_serve(app, host, port):
        seen["listening"] = list(app.roi_runtime.on_campaigns_changed)
        seen["runtime"] = app.roi_runtime

    monkeypatch.setattr(bot.wiring.web, "serve", fake_serve)
    # Nothing is drawn: the chart workers `serve` would spawn (each importing matplotlib) are not under test here.
    monkeypatch.setattr(chart_pool, "start", lambda *args, **kwargs: None)
    monkeypatch.chdir(tmp_path)
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-1-serve", "SLACK_SIGNING_SECRET": "s3cret-s3cret",
                        "SLACK_API_URL": slack.api_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}.items():
        monkeypatch.setenv(name, value)

    assert main(["serve", "--port", "3999", *flags]) == 0

    assert bool(seen["listening"]) is runs_scheduler
    assert seen["runtime"].on_campaigns_changed == []  # stopped when serving ended
