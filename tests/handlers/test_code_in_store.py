"""`/code add … discount=` end to end (SPEC §8 "Codes in the store"): the code is created in the workspace's connected
Shopify store (a local stand-in) before it is registered, or refused there and registered nowhere.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_code_rules.py
(the check before the store is asked, the workspace's own connected store, an uninstalled one)."""

from __future__ import annotations

import pytest

from bot.fakestores.shopify import FakeShopify
from bot.models import StoreConnection
from bot.registry import lookup
from bot.stores import connections
from conftest import SQLITE_ONLY
from registry_support import answered, codes, refused, season, spring_with_ana_and_ben, stored, unchanged

pytestmark = SQLITE_ONLY

spring = pytest.fixture(spring_with_ana_and_ben)


@pytest.fixture
def shopify():
    """A Shopify store stand-in, not yet connected to any workspace."""
    with FakeShopify() as fake:
        yield fake


def connect(sessions, fake: FakeShopify, team: str = "T0001") -> None:
    """Connect the stand-in to `team` as `roi-bot store connect shopify` does (access token and API address)."""
    with sessions.begin() as session:
        connections.connect(session, lookup.workspace(session, team), "shopify", fake.shop,
                            webhook_secret=fake.client_secret, api_key=fake.client_id,
                            access_token=fake.access_token, api_url=fake.base_url)


@pytest.fixture
def connected(sessions, shopify, spring):
    """The stand-in connected to the workspace the commands come from, with spring, ana and ben set up."""
    connect(sessions, shopify)
    return shopify


def created(fake: FakeShopify, code: str) -> dict:
    """The discountCodeBasicCreate input the store received for `code`."""
    return fake.discounts[code.lower()]["input"]


def graphql_calls(fake: FakeShopify) -> list:
    return [c for c in fake.calls if c.path.endswith("/graphql.json")]


def test_a_percentage_discount_is_created_in_shopify_for_the_campaigns_dates_then_registered(roi, sessions, connected):
    text = answered(roi.command("/code add MIA10 ana campaign=spring discount=15%"))

    made = created(connected, "MIA10")
    assert made["code"] == "MIA10"
    assert (made["startsAt"], made["endsAt"]) == ("2026-03-01T00:00:00Z", "2026-03-31T23:59:59Z")
    assert made["customerGets"]["value"] == {"percentage": 0.15}
    assert made["context"] == {"all": "ALL"}
    assert codes(sessions) == [("MIA10", "ana", "spring")]
    assert "Created in Shopify" in text and "15% off" in text and "2026-03-01 → 2026-03-31" in text


def test_an_amount_discount_is_in_the_campaign_currency(roi, sessions, connected):
    text = answered(roi.command("/code add BEN5 ben campaign=spring discount=5.50"))

    assert created(connected, "BEN5")["customerGets"]["value"] == {
        "discountAmount": {"amount": "5.50", "appliesOnEachItem": False}}
    assert codes(sessions) == [("BEN5", "ben", "spring")]
    assert "USD 5.50 off" in text


def test_a_campaign_without_dates_runs_the_code_from_today_with_no_end(roi, sessions, shopify):
    connect(sessions, shopify)
    season(roi, "always", "")

    answered(roi.command("/code add ANA20 ana campaign=always discount=20%"))

    made = created(shopify, "ANA20")
    assert (made["startsAt"], made["endsAt"]) == ("2026-03-16T00:00:00Z", None)


def test_a_code_shopify_refuses_as_taken_is_not_registered_and_the_reply_says_why(roi, sessions, connected):
    connected.add_discount_code("MIA10")

    with unchanged(sessions):
        text = answered(roi.command("/code add mia10 ana campaign=spring discount=15%"))

    assert "Shopify refused `mia10`: Code must be unique. Please try a different code." in text
    assert "Nothing was registered" in text


def test_discount_without_a_connected_shopify_store_is_refused_naming_the_field(roi, sessions, shopify, spring):
    with unchanged(sessions):
        text = refused(roi.command("/code add MIA10 ana campaign=spring discount=15%"), "discount")

    assert "Shopify" in text
    assert shopify.calls == []


def test_another_workspaces_store_is_never_used(roi, sessions, shopify, spring):
    connect(sessions, shopify, team="T0OTHER01")

    with unchanged(sessions):
        refused(roi.command("/code add MIA10 ana campaign=spring discount=15%"), "discount")

    assert shopify.calls == [] and shopify.discounts == {}


def test_an_uninstalled_store_is_not_used(roi, sessions, connected):
    with sessions.begin() as session:
        for connection in session.query(StoreConnection):
            connection.uninstalled_at = connection.created_at

    refused(roi.command("/code add MIA10 ana campaign=spring discount=15%"), "discount")

    assert connected.discounts == {}


def test_without_discount_nothing_is_asked_of_the_store(roi, sessions, connected):
    answered(roi.command("/code add MIA10 ana campaign=spring"))

    assert codes(sessions) == [("MIA10", "ana", "spring")]
    assert connected.calls == []


@pytest.mark.parametrize(("value", "why"), [
    ("0%", "takes nothing off"),
    ("101%", "above the maximum of 100%"),
    ("-5%", "below the minimum"),
    ("12.345%", "more than 2 decimals"),
    ("0", "takes nothing off"),
    ("-10", "negative"),
    ("2,000,000,000", "more than 1,000,000,000"),
    ("ten", "not a number"),
    ("", "has no value"),
])
def test_discounts_out_of_bounds_are_refused_naming_the_field_before_the_store_is_asked(
        roi, sessions, connected, value, why):
    with unchanged(sessions):
        text = refused(roi.command(f"/code add MIA10 ana campaign=spring discount={value}"), "discount")

    assert why in text
    assert connected.calls == []


@pytest.mark.parametrize("value", ["100%", "0.01%", "0.01", "1,000,000,000"])
def test_discounts_at_the_bounds_are_created(roi, sessions, connected, value):
    answered(roi.command(f"/code add MIA10 ana campaign=spring discount={value}"))

    assert "mia10" in connected.discounts
    assert codes(sessions) == [("MIA10", "ana", "spring")]


def test_a_code_that_cannot_be_registered_is_refused_before_the_store_is_asked(roi, sessions, connected):
    answered(roi.command("/code add MIA10 ana campaign=spring"))
    before = stored(sessions)

    text = answered(roi.command("/code add MIA10 ben campaign=spring discount=15%"))

    assert "already registered" in text
    assert stored(sessions) == before and graphql_calls(connected) == []


def test_an_unknown_influencer_or_campaign_is_refused_before_the_store_is_asked(roi, sessions, connected):
    answered(roi.command("/code add MIA10 nobody campaign=spring discount=15%"))
    answered(roi.command("/code add MIA10 ana campaign=winter discount=15%"))

    assert connected.calls == [] and codes(sessions) == []


def test_a_store_that_refuses_the_token_is_told_and_nothing_is_registered(roi, sessions, connected):
    connected.expire_tokens()

    with unchanged(sessions):
        text = answered(roi.command("/code add MIA10 ana campaign=spring discount=15%"))

    assert "Could not create `MIA10` in Shopify" in text and "nothing was registered" in text


def test_when_registering_fails_after_shopify_created_the_code_the_reply_says_it_exists_there(
        roi, sessions, connected, monkeypatch):
    from bot.errors import Conflict
    from bot.registry import codes as registry

    def refuse(*args, **kwargs):
        raise Conflict("Someone registered it a moment ago.")

    monkeypatch.setattr(registry, "add", refuse)

    with unchanged(sessions):
        text = answered(roi.command("/code add MIA10 ana campaign=spring discount=15%"))

    assert "mia10" in connected.discounts
    assert "was created in Shopify, but registering it here failed: Someone registered it a moment ago." in text
    assert "The code exists in Shopify" in text


def test_no_database_connection_is_held_while_shopify_is_called(roi, sessions, connected, monkeypatch, engine):
    from bot.stores.shopify_api import ShopifyAdmin

    original = ShopifyAdmin.create_code
    held = []

    def watched(self, *args, **kwargs):
        held.append(engine.pool.checkedout())  # a transaction open around the call would hold a connection
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ShopifyAdmin, "create_code", watched)

    answered(roi.command("/code add MIA10 ana campaign=spring discount=15%"))

    assert held == [0] and codes(sessions) == [("MIA10", "ana", "spring")]


def test_a_store_too_slow_for_the_acknowledgement_is_told_as_maybe_created_and_nothing_is_registered(
        roi, sessions, connected, monkeypatch):
    import time

    from bot.stores.shopify_api import ShopifyAdmin
    from handlers import code

    original = ShopifyAdmin.create_code

    def slow(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(code, "STORE_BUDGET", 0.05)
    monkeypatch.setattr(ShopifyAdmin, "create_code", slow)

    with unchanged(sessions):
        text = answered(roi.command("/code add MIA10 ana campaign=spring discount=15%"))

    assert "Shopify did not answer in time" in text and "may or may not exist in Shopify" in text
