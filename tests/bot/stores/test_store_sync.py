"""Pulling orders from the stores (bot.stores.sync, SPEC §8 "Pulling") against the stand-ins: every order stored
once, throttling obeyed, tokens renewed, a run killed half-way resumed after its last stored page, and an order
synced and delivered by webhook one order with the same fields."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.fakestores import graphql
from bot.fakestores.shopify import FakeShopify
from bot.fakestores.woocommerce import FakeWooCommerce
from bot.models import Order, StoreConnection
from bot.registry import campaigns, lookup
from bot.stores import connections, payloads
from bot.stores.shopify_api import ORDER_FIELDS, ShopifyAdmin, StoreError, order_payload
from bot.stores.sync import sync
from conftest import SQLITE_ONLY

UTC = ZoneInfo("UTC")
NOW = datetime.now(timezone.utc).replace(microsecond=0)
SINCE = (NOW - timedelta(days=120)).date()


def shopify(**options) -> FakeShopify:
    """The stand-in with a bucket refilling fast (Shopify Plus restores 1,000 points a second; tests have no time)."""
    return FakeShopify(**{"restore_rate": 100_000, **options})


class Killed(Exception):
    """Stands for the process dying between two pages."""


def workspace(sessions, team: str = "T1", *, start: date | None = SINCE) -> None:
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        if start is not None:
            campaigns.create(session, ws, {"name": "live", "budget": Decimal(1000), "start": start,
                                           "end": NOW.date() + timedelta(days=30), "currency": "USD"})


def connect_shopify(sessions, fake: FakeShopify, *, token: str | None = None, team: str = "T1") -> int:
    """The stand-in connected with its client credentials (tokens by the grant) or a fixed token."""
    with sessions.begin() as session:
        found = connections.connect(session, lookup.workspace(session, team), "shopify", fake.shop,
                                    webhook_secret=fake.client_secret, api_key=fake.client_id, access_token=token,
                                    api_url=fake.base_url)
        return found.id


def connect_woo(sessions, fake: FakeWooCommerce, team: str = "T1") -> int:
    with sessions.begin() as session:
        found = connections.connect(session, lookup.workspace(session, team), "woocommerce", fake.store_url,
                                    webhook_secret=fake.webhook_secret, api_key=fake.consumer_key,
                                    api_secret=fake.consumer_secret, api_url=fake.store_url)
        return found.id


def stored(sessions, source: str) -> tuple[int, int]:
    """(orders stored, distinct store ids among them)."""
    with sessions() as session:
        return session.execute(select(func.count(), func.count(func.distinct(Order.store_order_id)))
                               .where(Order.source == source)).one()


def connection(sessions, connection_id: int) -> StoreConnection:
    with sessions() as session:
        return session.get(StoreConnection, connection_id)


def live(fake: FakeShopify) -> int:
    return sum(1 for o in fake.orders.values() if not o.test)


def graphql_calls(fake) -> int:
    return len(fake.calls_to("graphql"))


# -- the mapping ---------------------------------------------------------------------------------------------------

ONE_ORDER = graphql.parse("query One($id: ID!) { order(id: $id) {" + ORDER_FIELDS + "} }", None)


def synced_node(fake: FakeShopify, order_id: int) -> dict:
    """The order as the sync's query selects it from the stand-in."""
    root = {"__typename": "QueryRoot", "order": lambda args: fake.graphql_order(order_id)}
    return graphql.execute(root, ONE_ORDER, {"id": f"gid://shopify/Order/{order_id}"})["order"]



def test_an_order_synced_maps_to_the_same_record_as_its_webhook():
    fake = FakeShopify(taxes_included=True, tax_rate=0.2)
    made = fake.add_orders(300, seed=3)
    fake.refund_order(made[0].id)  # in full: not counted, as its webhook says
    fake.refund_order(made[1].id, line_ids=(made[1].lines[0].id,))
    fake.refund_order(made[2].id, amount=150)
    fake.cancel_order(made[3].id)
    fake.add_order(code="ANA10", name="PG1229", note_attributes=[("utm_campaign", "live"), ("utm_content", "ana")])
    for order in fake.orders.values():
        by_webhook = payloads.shopify_order(fake.rest_order(order.id), UTC)
        by_sync = payloads.shopify_order(order_payload(synced_node(fake, order.id)), UTC)
        assert by_sync == by_webhook, order.name
    refunded = payloads.shopify_order(order_payload(synced_node(fake, made[0].id)), UTC)
    assert refunded.refunded == refunded.subtotal > 0


# -- Shopify ------------------------------------------------------------------------------------------------------


# Enough for dozens of pages; the 20,000-order run belongs to the benchmarks (bench/), not to every `make test`.
MANY = 3_000


@SQLITE_ONLY
def test_thousands_of_orders_sync_within_the_rate_limit_each_stored_once(sessions):
    workspace(sessions)
    with shopify(throttle=True, bucket_size=2000, restore_rate=100_000, access_token=None) as fake:
        fake.add_orders(MANY)
        connection_id = connect_shopify(sessions, fake)
        summary = sync(sessions, connection_id, tz=UTC, now=NOW)
        assert fake.violations == 0 and fake.throttled == 0
    assert summary.rows_read == MANY and summary.orders == summary.new == live(fake)
    assert stored(sessions, "shopify") == (live(fake), live(fake))
    done = connection(sessions, connection_id)
    assert done.synced_until == NOW and done.sync_started_at is None and done.sync_cursor is None
    assert done.last_sync_at == NOW


def test_a_sync_killed_half_way_resumes_after_its_last_stored_page(sessions):
    workspace(sessions)
    with shopify(throttle=True, restore_rate=50_000) as fake:
        fake.add_orders(400)
        connection_id = connect_shopify(sessions, fake, token=fake.access_token)

        def die(pages: int) -> None:
            if pages == 3:
                raise Killed
        with pytest.raises(Killed):
            sync(sessions, connection_id, tz=UTC, now=NOW, on_page=die)
        half = connection(sessions, connection_id)
        assert half.sync_started_at == NOW and half.sync_cursor and half.synced_until is not None
        first_run = graphql_calls(fake)
        assert 0 < stored(sessions, "shopify")[0] < live(fake)

        later = NOW + timedelta(minutes=3)
        summary = sync(sessions, connection_id, tz=UTC, now=later)
        assert graphql_calls(fake) - first_run == -(-400 // 49) - 3  # only the pages not stored yet
        assert summary.new == summary.orders  # nothing stored before is pulled again
    assert stored(sessions, "shopify") == (live(fake), live(fake))
    done = connection(sessions, connection_id)
    assert done.synced_until == NOW and done.sync_started_at is None and done.last_sync_at == later


def test_tokens_expiring_mid_sync_are_renewed(sessions):
    workspace(sessions)
    with shopify(access_token=None) as fake:
        fake.add_orders(300)
        connection_id = connect_shopify(sessions, fake)
        sync(sessions, connection_id, tz=UTC, now=NOW, on_page=lambda n: n == 2 and fake.expire_tokens())
        assert len(fake.calls_to("token")) == 2
        assert [c.status for c in fake.calls_to("graphql")].count(401) == 1
    assert stored(sessions, "shopify") == (live(fake), live(fake))


def test_a_store_answering_429_is_waited_out(sessions):
    workspace(sessions)
    with shopify(throttle=True, throttle_status=429, bucket_size=1000, restore_rate=20_000) as fake:
        fake.add_orders(150)
        connection_id = connect_shopify(sessions, fake, token=fake.access_token)
        # After the first page the bucket is emptied behind the client's back (another app of the store spent it):
        # the client's own estimate lets it ask too early, and the 429 that follows is waited out.
        sync(sessions, connection_id, tz=UTC, now=NOW, on_page=lambda n: n == 1 and fake.drain(-5000))
        assert fake.throttled >= 1 and 429 in {c.status for c in fake.calls_to("graphql")}
    assert stored(sessions, "shopify") == (live(fake), live(fake))


def test_since_pulls_from_that_day_and_the_next_sync_from_the_last(sessions):
    workspace(sessions)
    with shopify() as fake:
        fake.add_orders(200, start=NOW - timedelta(days=60), end=NOW - timedelta(days=1))
        connection_id = connect_shopify(sessions, fake, token=fake.access_token)
        day = (NOW - timedelta(days=20)).date()
        summary = sync(sessions, connection_id, tz=UTC, now=NOW, since=day)
        cut = datetime.combine(day, datetime.min.time(), timezone.utc) - timedelta(minutes=5)
        expected = sum(1 for o in fake.orders.values() if o.updated_at > cut and not o.test)
        assert 0 < summary.orders == expected < live(fake)

        old = min((o for o in fake.orders.values() if not o.test), key=lambda o: o.updated_at)
        fake.refund_order(old.id, at=NOW + timedelta(minutes=10))
        again = sync(sessions, connection_id, tz=UTC, now=NOW + timedelta(minutes=30))
        assert (again.rows_read, again.new, again.updated) == (1, 1, 0)  # older than --since: new to us


def test_rejected_orders_are_reported_by_name_and_the_rest_stored(sessions):
    workspace(sessions)
    with shopify() as fake:
        fake.add_orders(20)
        fake.add_order(name="#" + "9" * 200)
        connection_id = connect_shopify(sessions, fake, token=fake.access_token)
        summary = sync(sessions, connection_id, tz=UTC, now=NOW)
    assert summary.rejected_total == 1 and "order #999" in summary.rejected[0][1]
    assert "`name`" in summary.rejected[0][1]
    assert stored(sessions, "shopify")[0] == live(fake) - 1


def test_a_store_refusing_the_credentials_is_a_clear_error_naming_it(sessions):
    workspace(sessions)
    with shopify(access_token=None) as fake:
        fake.add_orders(10)
        with sessions.begin() as session:
            found = connections.connect(session, lookup.workspace(session, "T1"), "shopify", fake.shop,
                                        webhook_secret="shpss_wrong_secret", api_key=fake.client_id,
                                        api_url=fake.base_url)
            connection_id = found.id
        with pytest.raises(StoreError) as refused:
            sync(sessions, connection_id, tz=UTC, now=NOW)
    assert refused.value.message.startswith(f"shopify store {fake.shop}: ")
    assert "shpss_wrong_secret" not in refused.value.message
    assert stored(sessions, "shopify")[0] == 0


def test_a_first_sync_without_campaigns_asks_for_since(sessions):
    workspace(sessions, start=None)
    with shopify() as fake:
        connection_id = connect_shopify(sessions, fake, token=fake.access_token)
        with pytest.raises(Exception, match="--since"):
            sync(sessions, connection_id, tz=UTC, now=NOW)


def test_the_client_waits_for_the_bucket_instead_of_being_throttled():
    with shopify(throttle=True, bucket_size=1000, restore_rate=20_000) as fake:
        fake.add_orders(400)
        waits: list[float] = []
        api = ShopifyAdmin(fake.base_url, access_token=fake.access_token,
                           sleep=lambda seconds: waits.append(seconds) or time.sleep(seconds))
        assert sum(len(page.orders) for page in api.order_pages(None)) == 400
        assert fake.violations == 0 and len(waits) >= 5 and all(0 < w < 0.06 for w in waits)


def test_a_page_too_costly_for_one_query_is_asked_for_smaller():
    with shopify(max_query_cost=500) as fake:
        fake.add_orders(120)
        api = ShopifyAdmin(fake.base_url, access_token=fake.access_token)
        got = [o["name"] for page in api.order_pages(None) for o in page.orders]
        assert sorted(got) == sorted(o.name for o in fake.orders.values())
        assert api.page < 49


# -- WooCommerce ----------------------------------------------------------------------------------------------------


def test_woocommerce_orders_are_pulled_a_page_of_100_at_a_time(sessions):
    workspace(sessions)
    with FakeWooCommerce() as fake:
        fake.add_orders(350)
        connection_id = connect_woo(sessions, fake)
        summary = sync(sessions, connection_id, tz=UTC, now=NOW)
        assert len(fake.calls_to("orders")) == 4
        assert {c.query["per_page"] for c in fake.calls_to("orders")} == {"100"}
    assert summary.rows_read == summary.orders == 350
    assert stored(sessions, "woocommerce") == (350, 350)


def test_a_woocommerce_sync_killed_half_way_resumes_at_the_next_page(sessions):
    workspace(sessions)
    with FakeWooCommerce() as fake:
        fake.add_orders(450)
        connection_id = connect_woo(sessions, fake)
        with pytest.raises(Killed):
            sync(sessions, connection_id, tz=UTC, now=NOW, on_page=lambda n: n == 2 and (_ for _ in ()).throw(Killed))
        assert connection(sessions, connection_id).sync_cursor == "3"
        fake.reset_calls()
        sync(sessions, connection_id, tz=UTC, now=NOW)
        assert [c.query["page"] for c in fake.calls_to("orders")] == ["3", "4", "5"]
    assert stored(sessions, "woocommerce") == (450, 450)


# -- with the webhooks ---------------------------------------------------------------------------------------------


def test_orders_synced_and_delivered_by_webhook_are_one_order_each(stores, sessions):
    workspace(sessions)
    with shopify(client_secret="shpss_test-client-secret") as fake:
        made = fake.add_orders(120)
        for order in made[:40]:
            assert stores.shopify(fake.rest_order(order.id)) == 200
        stores.process()
        with sessions.begin() as session:
            found = connections.find(session, "shopify", fake.shop)
            found.access_token, found.api_url = fake.access_token, fake.base_url
            connection_id = found.id
        summary = sync(sessions, connection_id, tz=UTC, now=NOW)
        for order in made[40:60]:
            stores.shopify(fake.rest_order(order.id), topic="orders/updated")
        stores.process()
    assert summary.unchanged == sum(1 for o in made[:40] if not o.test)
    assert stored(sessions, "shopify") == (live(fake), live(fake))


# -- a real process killed -----------------------------------------------------------------------------------------


@SQLITE_ONLY
def test_a_real_sync_process_killed_once_a_page_is_stored_resumes_after_it(sessions, db_url, tmp_path):
    workspace(sessions)
    with shopify(throttle=True, bucket_size=1000, restore_rate=4000) as fake:
        fake.add_orders(1500)
        connection_id = connect_shopify(sessions, fake, token=fake.access_token)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "WOOCOMMERCE_", "SLACK_", "ROI_"))}
        env.update(DATABASE_URL=db_url, PYTHONPATH=str(Path(__file__).resolve().parents[3]))
        child = subprocess.Popen([sys.executable, "-m", "bot", "store", "sync"], cwd=tmp_path, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while connection(sessions, connection_id).sync_cursor is None:
                assert child.poll() is None and time.monotonic() < deadline, "the sync ended before a page was stored"
                time.sleep(0.02)
            child.kill()
        finally:
            child.wait()
        fake.bucket.rate = 100_000  # the slow bucket only kept the process busy long enough to be killed
        half = stored(sessions, "shopify")[0]
        assert 0 < half < live(fake)
        summary = sync(sessions, connection_id, tz=UTC, now=NOW)
        assert summary.orders < live(fake)  # resumed, not started over
    assert stored(sessions, "shopify") == (live(fake), live(fake))
    assert connection(sessions, connection_id).sync_started_at is None
