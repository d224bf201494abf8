"""Scale-out safety with real processes: a `roi-bot serve` is SIGKILLed in the middle of an import, a digest and an
alert scan, and another one, started on the same database, finishes the work: no lost import, no half-written
row, no message posted twice and none lost. On SQLite and on PostgreSQL.

Each process is on the same machine, so the survivor sees at once that the dead one's pid is gone (from another
machine it would wait for the claim's lease; tests/bot/jobs covers that)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, text, update

from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.requests import event, post
from bot.imports.store_orders import BULK_NEW
from bot.models import Alert, Campaign, ImportRun, JobRun, Order
from conftest import SECRET
from order_files import line_items, shopify_csv
from registry_support import answered
from server_support import Output, server_process, server_processes

# Past BULK_NEW, so the import takes the bulk path (indexes dropped and rebuilt inside its transaction), and about a
# second or more on either database: the kill, sent the moment the import is seen writing, lands inside it.
ORDERS = BULK_NEW + 4_000
# How long the stand-in holds back its answer to the call the process is killed in: the kill is sent the moment the
# call arrives, so this is only a margin for a busy machine (were it too short, the test would fail, not pass).
HELD = 1.5


@pytest.fixture
def engine_now(engine, clock):
    """The test's engine, and the in-process app's clock set to the real now (the servers use the real clock)."""
    clock.now = datetime.now(timezone.utc).replace(microsecond=0)
    return engine


@pytest.fixture
def world(make_app, settings, slack, engine_now, clock) -> SlackDriver:
    """A driver to register data in-process (then the servers take over the same database)."""
    return SlackDriver(make_app(settings), slack, SECRET)


def ok(answer) -> None:
    assert "didn't work" not in answered(answer), answer.text


def until(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def scalar(engine, query):
    with engine.connect() as connection:
        return connection.scalar(query)


def finished(slack, call) -> bool:
    with slack._cond:
        return call.response is not None


def writing(db_url: str, engine) -> bool:
    """Whether another connection is inside a write transaction: on SQLite it holds the write lock (the app begins
    IMMEDIATE), on PostgreSQL its transaction has written something and not committed."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            return True
        finally:
            probe.close()
    return scalar(engine, text("SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)"))


def share_read(proc: subprocess.Popen, path: Path) -> float | None:
    """How much of the file at `path` the process has read so far (0 to 1), from its open file's offset; None where
    there is no /proc to tell."""
    if not os.path.isdir(f"/proc/{proc.pid}/fd"):
        return None
    for fd in os.listdir(f"/proc/{proc.pid}/fd"):
        try:
            if os.readlink(f"/proc/{proc.pid}/fd/{fd}") == str(path):
                with open(f"/proc/{proc.pid}/fdinfo/{fd}") as info:
                    position = int(next(line for line in info if line.startswith("pos:")).split()[1])
                return position / path.stat().st_size
        except FileNotFoundError:  # closed meanwhile
            continue
    return 0.0


def among_the_rows(proc: subprocess.Popen, path: Path, db_url: str, engine) -> bool:
    """Whether an import of `path` is among its rows: a quarter of the file read (and its first orders written, in
    chunks), or, without /proc, its transaction seen writing."""
    read = share_read(proc, path)
    return writing(db_url, engine) if read is None else read >= 0.25


def kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=10)


def big_export(orders: int = ORDERS) -> bytes:
    return shopify_csv(*(line_items(f"#{n}", Total="12.00", Subtotal="12.00", Discount_Code="SPRING10" if n % 3 else "")
                         for n in range(1, orders + 1)))


def test_an_import_killed_midway_leaves_nothing_and_is_finished_by_another_process(world, slack, db_url, engine_now,
                                                                                   tmp_path):
    ok(world.command("/campaign create spring budget=5000 start=2026-01-01"))
    ok(world.command("/influencer add ana campaign=spring fee=100"))
    ok(world.command("/code add SPRING10 ana campaign=spring"))
    file = slack.add_file("F0BIG", big_export(), name="orders.csv")
    share = event({"type": "message", "subtype": "file_share", "channel": "D0001", "channel_type": "im",
                   "user": "U0001", "text": "", "ts": slack.next_ts(), "files": [file]})

    with server_process(slack, db_url, tmp_path, chart_workers=False) as (base, first):
        assert post(base + "/slack/events", share, secret=SECRET)[0] == 200
        [download] = slack.wait_for("file_download", timeout=20)
        until(lambda: finished(slack, download), "the download")
        # Its claim was committed before the download: the next write transaction is the import's own, which
        # parses and writes the orders.
        until(lambda: writing(db_url, engine_now), "the import to write", timeout=30)
        assert first.poll() is None
        kill(first)
    # Nothing half-written: no order, only the claim of a dead process.
    assert scalar(engine_now, select(func.count()).select_from(Order)) == 0
    assert scalar(engine_now, select(ImportRun.kind).where(ImportRun.file_id == "F0BIG")) == "pending"
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "D0001"]

    slack.reset()
    with server_process(slack, db_url, tmp_path, args=(), chart_workers=False) as (base, second):  # with its scheduler
        [summary] = slack.wait_for("chat.postMessage", timeout=90)
        assert summary.params["channel"] == "D0001"
        assert "restarted while it was reading" in str(summary.params["blocks"])
        assert f"{ORDERS:,}" in summary.params["text"] + str(summary.params["blocks"])
        # Slack delivering the same event again (a retry) imports nothing twice, and says so.
        assert post(base + "/slack/events", share, secret=SECRET)[0] == 200
        posts = slack.wait_for("chat.postMessage", count=2, timeout=30)
    assert scalar(engine_now, select(func.count()).select_from(Order)) == ORDERS
    assert scalar(engine_now, select(ImportRun.kind).where(ImportRun.file_id == "F0BIG")) == "orders"
    assert len(posts) == 2 and "Already imported on" in posts[1].params["text"]


def test_a_cli_import_killed_midway_leaves_nothing_and_a_rerun_imports_all(world, db_url, engine_now, tmp_path):
    ok(world.command("/campaign create spring budget=5000 start=2026-01-01"))
    path = tmp_path / "orders.csv"
    path.write_bytes(big_export())
    env = {"DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "bot", "import", "orders", str(path), "--json"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    until(lambda: among_the_rows(proc, path, db_url, engine_now) or proc.poll() is not None, "the import's rows")
    assert proc.poll() is None and (share_read(proc, path) or 0) < 1, \
        "the import finished before it could be killed; make the file bigger"
    kill(proc)
    proc.stdout.close()
    proc.stderr.close()
    assert scalar(engine_now, select(func.count()).select_from(Order)) == 0
    assert scalar(engine_now, select(func.count()).select_from(ImportRun)) == 0

    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    assert scalar(engine_now, select(func.count()).select_from(Order)) == ORDERS


def _daily_two_hours_ago(clock) -> str:
    return f"daily {(clock.now - timedelta(hours=2)):%H:%M}"


def test_a_digest_killed_while_posting_is_posted_once(world, slack, db_url, engine_now, clock, tmp_path):
    ok(world.command(f"/campaign create spring budget=5000 start=2026-01-01 channel=<#C0GROWTH|growth> "
                           f"digest=\"{_daily_two_hours_ago(clock)}\""))
    with engine_now.begin() as connection:  # set up days ago: this period's digest is due
        connection.execute(update(Campaign).values(digest_since=clock.now - timedelta(days=3)))
    slack.delay("chat.postMessage", HELD)  # Slack takes its time; the process dies before it hears back
    env = {"ROI_ALERT_TIME": "23:59"}

    with server_process(slack, db_url, tmp_path, args=(), env=env, chart_workers=False) as (base, first):
        [sent] = slack.wait_for("chat.postMessage", timeout=60)
        kill(first)
    until(lambda: finished(slack, sent), "Slack to take the message")  # it reached the channel after all
    assert scalar(engine_now, select(JobRun.status).where(JobRun.kind == "digest")) == "claimed"

    slack.reset()
    with server_process(slack, db_url, tmp_path, args=(), env=env, chart_workers=False):
        until(lambda: scalar(engine_now, select(JobRun.status).where(JobRun.kind == "digest")) == "posted",
              "the survivor to settle the digest")
    # Stopped with SIGTERM and waited for: whatever the survivor's scheduler had started has finished.
    assert not slack.calls_to("chat.postMessage"), "the digest was posted twice"
    assert slack.calls_to("conversations.history")  # it looked before it posted
    assert [m["metadata"]["event_type"] for m in slack.history["C0GROWTH"]] == ["roi_digest"]
    with engine_now.connect() as connection:
        result = connection.scalar(select(JobRun.result).where(JobRun.kind == "digest"))
    assert result["recovered"] is True and result["ts"] == slack.history["C0GROWTH"][0]["ts"]


def test_an_alert_scan_killed_midway_sends_each_alert_once(world, slack, db_url, engine_now, clock, tmp_path):
    today = clock.now.date()
    ok(world.command(f"/campaign create summer budget=9000 start={today - timedelta(days=30)} "
                           f"end={today + timedelta(days=30)}"))
    for handle, manager in (("cy", "U0LENA"), ("dee", "U0MARK")):
        ok(world.command(f"/influencer add {handle} manager=<@{manager}> campaign=summer fee=2000 "
                               f"start={today - timedelta(days=20)}"))
    slack.delay("conversations.open", HELD)  # the first alert's DM is being opened when the process dies
    env = {"ROI_ALERT_TIME": "00:00"}

    with server_process(slack, db_url, tmp_path, args=(), env=env, chart_workers=False) as (base, first):
        slack.wait_for("conversations.open", timeout=60)
        kill(first)
    assert scalar(engine_now, select(JobRun.status).where(JobRun.kind == "alerts")) == "claimed"
    assert scalar(engine_now, select(func.count()).select_from(Alert)) == 1  # claimed, never sent
    assert not slack.calls_to("chat.postMessage")

    slack.reset()
    with server_process(slack, db_url, tmp_path, args=(), env=env, chart_workers=False):
        until(lambda: scalar(engine_now, select(JobRun.status).where(JobRun.kind == "alerts")) == "posted",
              "the survivor to finish the scan")
    # Stopped with SIGTERM and waited for: whatever the survivor's scheduler had started has finished.
    sent = sorted(c.params["channel"] for c in slack.calls_to("chat.postMessage"))
    assert sent == ["D0LENA", "D0MARK"]  # each manager alerted once
    with engine_now.connect() as connection:
        rows = connection.execute(select(Alert.channel_id, Alert.message_ts, Alert.owner)).all()
    assert sorted(r.channel_id for r in rows) == ["D0LENA", "D0MARK"]
    assert all(r.message_ts and r.owner is None for r in rows)


def test_two_servers_on_one_database_post_a_due_digest_once(world, slack, db_url, engine_now, clock, tmp_path):
    ok(world.command(f"/campaign create spring budget=5000 start=2026-01-01 channel=<#C0GROWTH|growth> "
                           f"digest=\"{_daily_two_hours_ago(clock)}\""))
    with engine_now.begin() as connection:
        connection.execute(update(Campaign).values(digest_since=clock.now - timedelta(days=3)))
    env = {"ROI_ALERT_TIME": "23:59"}
    with server_processes(2, slack, db_url, tmp_path, args=(), env=env, chart_workers=False) as servers:  # side by side
        outputs = [Output(proc) for _base, proc in servers]
        until(lambda: scalar(engine_now, select(JobRun.status).where(JobRun.kind == "digest")) == "posted",
              "a digest")
        for output in outputs:  # each start-up tick has run: both went for the digest
            output.wait_for("scheduler caught up")
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["C0GROWTH"]
