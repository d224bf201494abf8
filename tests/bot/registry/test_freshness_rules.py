"""Where a campaign's orders came from and how fresh they are (SPEC §8 "Freshness"), at the domain level on both
databases: `bot.freshness.of_campaigns` (its GROUP BY and the MAX aggregates each backend returns in its own types)
seeded directly, no Slack. The same data as tests/handlers/test_freshness.py, which runs on SQLite only.

spring (2026-03-01 → 2026-03-31): ana with ANA10, ben with BEN5; now is Monday 2026-03-16 12:00 UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import freshness, sales
from bot.models import Campaign
from bot.registry import lookup
from conftest import NOW
from freshness_support import connect_store, csv_import, live_order
from registry_support import seed_march

UTC = timezone.utc


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def spring(sessions):
    seed_march(sessions, "T0001", budget=Decimal(5000), today=NOW.date(),
               people={"ana": ({}, "ANA10"), "ben": ({}, "BEN5")})
    return sessions


def fresh(sessions, team: str = "T0001") -> freshness.Freshness:
    with sessions() as session:
        ws = lookup.workspace(session, team)
        camp_ids = list(session.scalars(select(Campaign.id).where(Campaign.workspace_id == ws.id)))
        return freshness.of_campaigns(session, ws.id, camp_ids, tz=ZoneInfo("UTC"))


def newest(found: freshness.Freshness) -> tuple[datetime | None, bool]:
    return (found.newest_order and found.newest_order.astimezone(UTC)), found.newest_order_timed


def test_each_source_with_its_delivery_and_the_newest_order(spring):
    connect_store(spring, delivered=NOW - timedelta(minutes=5))
    live_order(spring, "#1001", "ANA10", at(16, 11, 2))
    csv_import(spring, "A1,2026-03-14,200,BEN5\n", at(15, 10))

    found = fresh(spring)

    assert (found.live, found.imported, found.manual) == (("shopify",), True, False)
    assert newest(found) == (at(16, 11, 2), True)
    assert found.last_import.astimezone(UTC) == at(15, 10)
    [store] = found.stores
    assert (store.kind, store.connected, store.last_delivery_at.astimezone(UTC)) == ("shopify", True,
                                                                                      NOW - timedelta(minutes=5))
    assert found.newest_data()[0] == "shopify delivery" and not found.stale(NOW)


def test_a_campaign_without_orders_has_none(spring):
    found = fresh(spring)

    assert not found.any_orders and newest(found) == (None, False) and found.newest_data() is None


def test_a_connected_store_that_sent_nothing_for_the_campaign_is_listed_and_a_day_only_order_is_untimed(spring):
    connect_store(spring, delivered=NOW - timedelta(hours=3), synced=NOW - timedelta(minutes=40))
    csv_import(spring, "A1,2026-03-14,200,BEN5\n", at(14, 18))

    found = fresh(spring)

    assert (found.live, found.imported) == ((), True)
    assert newest(found) == (at(14), False)
    [store] = found.stores
    assert store.last_sync_at.astimezone(UTC) == NOW - timedelta(minutes=40)
    assert found.newest_data() == ("shopify sync", store.last_sync_at)


def test_hand_recorded_sales_are_known_by_their_day(spring):
    with spring.begin() as session:
        sales.record(session, lookup.workspace(session, "T0001"), code="ANA10", day=NOW.date(), amount=Decimal(120),
                     refunded=Decimal(0), order_id=None)

    found = fresh(spring)

    assert (found.live, found.imported, found.manual) == ((), False, True)
    assert newest(found) == (at(16), False)


def test_every_store_is_listed_and_an_uninstalled_one_says_since_when(spring):
    connect_store(spring, synced=NOW - timedelta(days=2))
    connect_store(spring, kind="woocommerce", uninstalled=at(10, 8))
    live_order(spring, "#1001", "ANA10", at(12, 9, 30))
    live_order(spring, "#2001", "BEN5", at(9, 9, 30), kind="woocommerce")

    found = fresh(spring)

    assert found.live == ("shopify", "woocommerce")
    assert newest(found) == (at(12, 9, 30), True)
    assert [(s.kind, s.connected) for s in found.stores] == [("shopify", True), ("woocommerce", False)]
    assert found.stores[1].uninstalled_at.astimezone(UTC) == at(10, 8)


def test_another_workspaces_stores_and_imports_are_never_counted(spring):
    connect_store(spring, team="T0OTHER01", delivered=NOW - timedelta(minutes=5))
    csv_import(spring, "A1,2026-03-14,200,BEN5\n", at(15, 10), team="T0OTHER01")

    found = fresh(spring)

    assert not found.any_orders and found.stores == () and found.last_import is None
