"""Two real `roi-bot scheduler` processes on one database post each digest exactly once (SPEC §5).

Two campaigns digest every minute (`cron:* * * * *`); their schedule was set an hour ago, so each process, on
starting, finds the current minute's period unposted and races the other for it; at the next minute both
APScheduler instances fire at the same second and race again. The same runs on a SQLite file and, when
TEST_DATABASE_URL is set, on PostgreSQL — at the same time, into one Slack stand-in, each backend with its own
channels. Every message that reached the stand-in must match exactly one posted claim, and no period twice.

The race needs real schedulers, and so the wall clock: the processes' clock is set ahead of it (ROI_TEST_CLOCK_SHIFT,
read by bot.wiring.scheduler) so that their next minute begins LEAD seconds after they are started, not up to a
minute later. Processes slower to start than that still race, for the minute after (the test then takes a minute).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from conftest import PG_URL, empty
from sqlalchemy import select

from bot.db import make_engine, make_sessions
from bot.models import JobRun
from bot.registry import campaigns, lookup

PROCESSES = 2
PERIODS = 2  # the start-up catch-up and the next minute
LEAD = 6  # seconds from starting the processes to the next minute on their clock: time to start up and catch up


def prepare(url: str, channels: list[str]) -> None:
    """Two campaigns whose every-minute schedule was set an hour ago (so the current minute counts as missed)."""
    engine = make_engine(url)
    with make_sessions(engine).begin() as session:
        ws = lookup.workspace(session, "T0001")
        for n, channel in enumerate(channels):
            campaigns.create(session, ws, {"name": f"minutely{n}", "budget": 100, "channel": channel,
                                           "digest": "cron:* * * * *"},
                             now=datetime.now(timezone.utc) - timedelta(hours=1))
    engine.dispose()


def start(url: str, slack, log_path, shift: float) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROI_", "DATABASE_URL"))}
    env.update(DATABASE_URL=url, SLACK_API_URL=slack.api_url, SLACK_BOT_TOKEN="xoxb-test-scheduler",
               ROI_TIMEZONE="UTC", ROI_ALERT_TIME="23:59", ROI_TEST_CLOCK_SHIFT=f"{shift:.3f}")
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], env=env, cwd=log_path.parent,
                                stdout=log, stderr=subprocess.STDOUT)


def posted_runs(url: str) -> list[JobRun]:
    engine = make_engine(url)
    with make_sessions(engine)() as session:
        rows = list(session.scalars(select(JobRun).where(JobRun.kind == "digest")))
        session.expunge_all()
    engine.dispose()
    return rows


@pytest.fixture
def databases(tmp_path, sqlite_template, request):
    """{backend: url}: a fresh SQLite file, and the emptied PostgreSQL test database when there is one."""
    path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, path)
    found = {"sqlite": f"sqlite:///{path}"}
    if PG_URL:
        empty(request.getfixturevalue("pg_engine"))
        found["postgresql"] = PG_URL
    return found


def test_two_scheduler_processes_post_each_digest_exactly_once(databases, slack, tmp_path):
    channels = {backend: [f"C0{backend[:2].upper()}{n}" for n in range(2)] for backend in databases}
    for backend, url in databases.items():
        prepare(url, channels[backend])
    shift = -(time.time() + LEAD) % 60  # on the processes' clock, LEAD seconds from now is a whole minute
    procs = [start(url, slack, tmp_path / f"{backend}-{n}.log", shift)
             for backend, url in databases.items() for n in range(PROCESSES)]
    try:
        wanted = sum(len(c) for c in channels.values()) * PERIODS
        deadline = time.monotonic() + LEAD + 100
        while time.monotonic() < deadline:
            ok = [c for c in slack.calls_to("chat.postMessage") if c.error is None]
            if len(ok) >= wanted:
                break
            assert all(p.poll() is None for p in procs), "a scheduler process died"
            time.sleep(0.1)
    finally:
        # Stopped with SIGTERM, each waits for the jobs it started: any late duplicate has arrived once they exit.
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
    logs = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
    assert all("scheduler started" in log and "scheduler caught up" in log for log in logs.values()), logs
    assert all(p.returncode == 0 for p in procs), logs

    messages = [c for c in slack.calls_to("chat.postMessage") if c.error is None]
    for backend, url in databases.items():
        runs = [r for r in posted_runs(url) if r.status == "posted"]
        mine = [c for c in messages if c.params["channel"] in channels[backend]]
        periods = [(r.subject, r.period_key) for r in runs]
        assert len(periods) == len(set(periods)), f"{backend}: a period was claimed twice"
        assert sorted(c.response["ts"] for c in mine) == sorted(r.result["ts"] for r in runs), backend
        for channel in channels[backend]:
            assert len([c for c in mine if c.params["channel"] == channel]) >= PERIODS, (backend, channel, logs)
    assert all(c.params["text"].count("digest") for c in messages)
