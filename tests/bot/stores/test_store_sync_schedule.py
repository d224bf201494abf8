"""The scheduled store sync (bot.jobs.store_sync): once per ROI_SYNC_MINUTES period across processes, never two at
once for one store, a failure logged without secrets and tried again the next period. Two schedulers are two
runtimes on one database racing in threads, as the digest claims are tested (tests/bot/jobs)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db import make_sessions
from bot.fakestores.shopify import FakeShopify
from bot.jobs import claims, owners, store_sync
from bot.models import JobRun
from bot.registry import campaigns, lookup
from bot.runtime import Runtime
from bot.stores import connections
from bot.wiring.scheduler import SYNC_ID, Scheduler
from conftest import Clock

NOW = datetime(2026, 3, 16, 12, 5, tzinfo=timezone.utc)


@pytest.fixture
def fake():
    with FakeShopify(restore_rate=100_000) as shop:
        shop.add_orders(150, end=NOW)
        yield shop


def runtime(engine, db_url, clock, minutes: int = 60) -> Runtime:
    return Runtime(settings=Settings(database_url=db_url, timezone="UTC", sync_minutes=minutes), engine=engine,
                   sessions=make_sessions(engine), clock=clock)


@pytest.fixture
def connected(sessions, fake):
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        campaigns.create(session, ws, {"name": "live", "budget": Decimal(1000), "start": date(2025, 12, 1),
                                       "end": date(2026, 6, 1), "currency": "USD"})
        return connections.connect(session, ws, "shopify", fake.shop, webhook_secret=fake.client_secret,
                                   access_token=fake.access_token, api_url=fake.base_url).id


def runs(sessions) -> list[JobRun]:
    with sessions() as session:
        return list(session.scalars(select(JobRun).where(JobRun.kind == store_sync.KIND).order_by(JobRun.id)))


def test_two_schedulers_sync_a_store_once_a_period(engine, db_url, sessions, fake, connected):
    clock = Clock(NOW)
    first, second = runtime(engine, db_url, clock), runtime(engine, db_url, clock)
    outcomes: list[dict] = []
    start = threading.Barrier(2)

    def scheduler(rt: Runtime) -> None:
        start.wait()
        outcomes.append(store_sync.run_due(rt))

    threads = [threading.Thread(target=scheduler, args=(rt,)) for rt in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=len) == [{}, {"synced": 1}]
    pages = len(fake.calls_to("graphql"))
    clock.now = NOW + timedelta(minutes=50)  # the same hour: nothing
    assert store_sync.run_due(first) == {} == store_sync.run_due(second)
    assert len(fake.calls_to("graphql")) == pages
    clock.now = NOW + timedelta(minutes=56)  # the next hour: once more
    assert store_sync.run_due(second) == {"synced": 1} and store_sync.run_due(first) == {}
    assert [(r.status, r.period_key) for r in runs(sessions)] == [
        (claims.POSTED, "2026-03-16T12:00:00Z"), (claims.POSTED, "2026-03-16T13:00:00Z")]


def test_a_sync_still_running_elsewhere_is_not_started_again(engine, db_url, sessions, connected):
    clock = Clock(NOW)
    with sessions.begin() as session:
        session.add(JobRun(workspace_id=1, kind=store_sync.KIND, subject=str(connected), period_key="earlier",
                           status=claims.CLAIMED, claimed_at=NOW - timedelta(minutes=70), owner="another-host:1:1"))
    assert store_sync.run_due(runtime(engine, db_url, clock)) == {}
    clock.now = NOW + store_sync.LEASE  # its holder has been silent too long: taken to be gone
    assert store_sync.run_due(runtime(engine, db_url, clock)) == {"synced": 1}
    assert owners.me() in {r.owner for r in runs(sessions)}


def test_a_failed_sync_is_logged_without_secrets_and_tried_again_next_period(engine, db_url, sessions, fake, caplog):
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        campaigns.create(session, ws, {"name": "live", "budget": Decimal(1000), "start": date(2025, 12, 1),
                                       "end": date(2026, 6, 1), "currency": "USD"})
        connections.connect(session, ws, "shopify", fake.shop, webhook_secret="shpss_not_the_secret",
                            api_key=fake.client_id, api_url=fake.base_url)
    clock = Clock(NOW)
    rt = runtime(engine, db_url, clock)
    assert store_sync.run_due(rt) == {"failed": 1}
    assert "shpss_not_the_secret" not in caplog.text and fake.shop in caplog.text
    assert store_sync.run_due(rt) == {}  # this period is over for it
    clock.now = NOW + timedelta(hours=1)
    assert store_sync.run_due(rt) == {"failed": 1}
    assert [r.status for r in runs(sessions)] == [claims.FAILED, claims.FAILED]


def test_no_sync_job_when_roi_sync_minutes_is_0(engine, db_url, connected, fake):
    never = Scheduler(runtime(engine, db_url, Clock(NOW), minutes=0)).start()
    try:
        assert never.aps.get_job(SYNC_ID) is None
        assert store_sync.run_due(never.runtime) == {}
    finally:
        never.shutdown()
    hourly = Scheduler(runtime(engine, db_url, Clock(NOW))).start()
    try:
        assert hourly.aps.get_job(SYNC_ID) is not None
    finally:
        hourly.shutdown()
