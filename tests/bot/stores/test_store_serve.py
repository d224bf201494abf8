"""A real `roi-bot serve` with the store variables set (SPEC §8): it connects the database's one workspace, acks a
signed webhook fast, the order appears; killed right after a 200, a restarted server processes what was kept."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select, text

from bot.attribution import _LOCK_SPACE
from bot.models import Order, StoreDelivery, Workspace
from server_support import server_process
from store_support import SHOP, body, sample, shopify_headers

FIXTURE = "shopify_order__partially_refunded__shopify_docs_fixture.json"
SECRET = "serve-shopify-client-secret"
ENV = {"SHOPIFY_SHOP": SHOP, "SHOPIFY_CLIENT_SECRET": SECRET, "ROI_CHART_WORKERS": "0"}
pytestmark = pytest.mark.xdist_group("store_serve")


def post(base: str, raw: bytes, headers: dict[str, str]) -> tuple[int, float]:
    """POST a webhook; its status and how long the answer took."""
    request = urllib.request.Request(base + "/shopify/webhooks", data=raw, headers=headers, method="POST")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def wait_for(check, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


@pytest.fixture
def workspace(sessions):
    with sessions.begin() as session:
        session.add(Workspace(team_id="T1"))
    return sessions


def stored(sessions) -> list[Order]:
    with sessions() as session:
        return list(session.scalars(select(Order)))


def test_serve_acks_a_webhook_fast_and_the_order_appears(workspace, slack, db_url, tmp_path):
    raw = body(sample(FIXTURE))
    with server_process(slack, db_url, tmp_path, env=ENV, chart_workers=False, stop="kill") as (base, _proc):
        status, took = post(base, raw, shopify_headers(raw, "orders/create", secret=SECRET))
        assert status == 200 and took < 1.0
        assert post(base, raw, shopify_headers(raw, "orders/create", secret="forged"))[0] == 401
        [order] = wait_for(lambda: stored(workspace))
    assert (order.order_id, order.source) == ("#1001", "shopify")


def test_a_server_killed_right_after_the_200_loses_nothing(workspace, slack, db_url, engine, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("holding the worker right after the 200 takes a PostgreSQL lock; SQLite has one writer at a time")
    raw = body(sample(FIXTURE))
    held, release = threading.Event(), threading.Event()

    def hold_the_workspace_lock():
        # The worker claims the delivery, then waits on the workspace's attribution lock: the kill lands there.
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT pg_advisory_xact_lock(:space, 1)"), {"space": _LOCK_SPACE})
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_workspace_lock)
    holder.start()
    try:
        assert held.wait(10)
        with server_process(slack, db_url, tmp_path, env=ENV, chart_workers=False, stop="kill") as (base, first):
            assert post(base, raw, shopify_headers(raw, "orders/create", secret=SECRET))[0] == 200

            def claimed():
                with workspace() as session:
                    return session.scalar(select(StoreDelivery.owner))

            wait_for(claimed)
            first.kill()
            first.wait(10)
    finally:
        release.set()
        holder.join()
    with workspace() as session:
        kept = session.scalar(select(StoreDelivery))
    assert kept.processed_at is None and stored(workspace) == []
    with server_process(slack, db_url, tmp_path, env=ENV, chart_workers=False, stop="kill"):
        [order] = wait_for(lambda: stored(workspace))
    assert order.order_id == "#1001"
    with workspace() as session:
        assert session.scalar(select(StoreDelivery.processed_at)) is not None
