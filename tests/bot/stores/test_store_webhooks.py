"""Signed store webhooks through the serve WSGI app (SPEC §8), on both backends: verified on the raw bytes, kept
once, processed through the importers' path into one order per store order, whatever the order they arrive in."""

from __future__ import annotations

import copy
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.imports.run import Job, run_import
from bot.models import Order, StoreConnection, StoreDelivery, Workspace
from bot.stores import inbox
from order_files import line_items, shopify_csv
from store_support import SHOP, WOO, connect, register, sample, sample_names, shopify_headers

SHOPIFY_ORDERS = [n for n in sample_names("shopify_order") if "refunds" not in n]
WOO_ORDERS = sample_names("woocommerce_")
PG1229 = "shopify_orders_create__discount_code_and_utm_landing_site.json"
FIXTURE = "shopify_order__partially_refunded__shopify_docs_fixture.json"


def expected_shopify(payload: dict) -> Decimal:
    amount = Decimal(payload["current_subtotal_price_set"]["shop_money"]["amount"])
    if payload["taxes_included"]:
        amount -= Decimal(payload["current_total_tax_set"]["shop_money"]["amount"])
    return Decimal(0) if payload["cancelled_at"] or payload["financial_status"] == "voided" else max(amount, Decimal(0))


def orders(sessions) -> list[Order]:
    with sessions() as session:
        return list(session.scalars(select(Order).order_by(Order.id)))


def deliveries(sessions) -> list[StoreDelivery]:
    with sessions() as session:
        return list(session.scalars(select(StoreDelivery).order_by(StoreDelivery.id)))


def moved(payload: dict, *, updated: str, subtotal: str | None = None) -> dict:
    """`payload` as a later (or earlier) version: another updated_at and, when given, current subtotal."""
    changed = copy.deepcopy(payload)
    changed["updated_at"] = updated
    if subtotal is not None:
        changed["current_subtotal_price_set"]["shop_money"]["amount"] = subtotal
    return changed


@pytest.mark.parametrize("name", SHOPIFY_ORDERS)
def test_every_shopify_sample_becomes_one_order_with_the_spec_revenue(stores, sessions, name):
    payload = sample(name)
    assert stores.shopify(payload, "orders/updated") == 200
    assert stores.process() == {"done": 1}

    [order] = orders(sessions)
    assert (order.source, order.order_id, order.store_order_id) == ("shopify", payload["name"], str(payload["id"]))
    assert order.revenue == expected_shopify(payload)
    assert order.currency == payload["current_subtotal_price_set"]["shop_money"]["currency_code"]
    assert order.order_date == datetime.fromisoformat(payload["created_at"]).astimezone(timezone.utc).date()
    assert [(d.processed_at is not None, d.body) for d in deliveries(sessions)] == [(True, b"")]


@pytest.mark.parametrize("name", WOO_ORDERS)
def test_every_woocommerce_sample_becomes_one_order_with_the_spec_revenue(stores, sessions, name):
    raw = sample(name)
    payload = raw.get("body", raw)
    topic = raw.get("headers", {}).get("x-wc-webhook-topic", "order.updated")
    assert stores.woo(payload, topic) == 200
    stores.process()

    [order] = orders(sessions)
    lines = (sum(Decimal(i["total"]) for i in payload["line_items"])
             + sum(Decimal(r["total"]) for r in payload["refunds"]))
    assert (order.source, order.order_id) == ("woocommerce", payload["number"])
    assert order.store_order_id == str(payload["id"])
    assert order.revenue == max(lines, Decimal(0)) and order.counted
    assert order.codes == ("," + ",".join(c["code"].lower() for c in payload["coupon_lines"]) + ","
                           if payload["coupon_lines"] else None)


def test_the_refunds_create_sample_waits_for_its_order_and_is_kept(stores, sessions):
    refund = sample("shopify_refunds_create__amount_only_refund_discrepancy.json")
    assert stores.shopify(refund, "refunds/create") == 200
    assert stores.process() == {"waiting": 1}
    [kept] = deliveries(sessions)
    assert kept.processed_at is None and kept.store_order_id == str(refund["order_id"]) and "waiting" in kept.last_error
    assert orders(sessions) == []


def test_a_code_in_the_order_credits_its_influencer_and_utm_comes_from_the_landing_site(stores, sessions):
    register(sessions, "T1", "welcome400", start=date(2025, 12, 1), end=date(2025, 12, 31), currency="INR")
    stores.shopify(sample(PG1229))
    stores.process()
    [order] = orders(sessions)
    assert (order.attribution, order.codes, order.revenue) == ("code", ",welcome400,", Decimal("2085.71"))
    assert order.utm_campaign == "120238505458210315"


def test_a_draft_orders_manual_discount_credits_nobody_even_when_registered(stores, sessions):
    register(sessions, "T1", "STAFF-TEST-0123B", start=date(2025, 1, 1), end=date(2025, 1, 31), currency="HKD")
    stores.shopify(sample("shopify_orders_create__draft_order_manual_discount.json"))
    stores.process()
    [order] = orders(sessions)
    assert (order.attribution, order.codes) == (None, None)


@pytest.mark.parametrize("signature", [None, "", "bad", "A" * 43 + "=", "ünicode=", "x" * 500])
def test_a_forged_or_missing_signature_gets_401_and_keeps_nothing(stores, sessions, signature, caplog):
    raw = b'{"id": 1, "name": "#1", "created_at": "2026-03-01T10:00:00Z", "note": "forgedcanary"}'
    headers = shopify_headers(raw, "orders/create")
    headers.pop("X-Shopify-Hmac-Sha256")
    if signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature
    assert stores.post("/shopify/webhooks", raw, headers)[0] == 401
    signed_for_another_body = shopify_headers(raw + b" ", "orders/create")
    assert stores.post("/shopify/webhooks", raw, signed_for_another_body)[0] == 401
    woo = stores.post("/woocommerce/webhooks", raw, {"X-WC-Webhook-Source": WOO, "X-WC-Webhook-Topic": "order.updated",
                                                     **({"X-WC-Webhook-Signature": signature} if signature else {})})
    assert woo[0] == 401
    assert stores.process() == {}
    assert (deliveries(sessions), orders(sessions)) == ([], [])
    assert "forgedcanary" not in caplog.text


def test_an_unknown_shop_gets_404(stores, sessions):
    raw = b'{"id": 1}'
    assert stores.shopify(raw, shop="elsewhere.myshopify.com") == 404
    headers = shopify_headers(raw, "orders/create")
    headers.pop("X-Shopify-Shop-Domain")
    assert stores.post("/shopify/webhooks", raw, headers)[0] == 404
    assert stores.woo(raw, source="https://other.example/") == 404
    assert deliveries(sessions) == []


def test_the_woocommerce_ping_gets_200_and_nothing_else(stores, sessions):
    status, _ = stores.post("/woocommerce/webhooks", b"webhook_id=16",
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert (deliveries(sessions), orders(sessions)) == ([], [])


def test_a_signed_body_that_is_not_json_is_refused(stores, sessions):
    assert stores.shopify(b"webhook_id=16") == 400
    assert deliveries(sessions) == []


def test_a_repeated_delivery_is_acknowledged_and_changes_nothing(stores, sessions):
    payload = sample(FIXTURE)
    for _ in range(3):
        assert stores.shopify(payload, event_id="evt-1") == 200
    assert stores.woo(sample(WOO_ORDERS[0])) == 200 and stores.woo(sample(WOO_ORDERS[0])) == 200
    stores.process()
    assert stores.shopify(payload, event_id="evt-1") == 200
    assert stores.process() == {}
    assert len(deliveries(sessions)) == 2 and len(orders(sessions)) == 2


def test_an_older_version_never_overwrites_a_newer_one(stores, sessions):
    payload = sample(FIXTURE)
    newer = moved(payload, updated="2024-04-02T09:00:00-05:00", subtotal="100.00")
    older = moved(payload, updated="2024-04-01T09:00:00-05:00", subtotal="150.00")
    stores.shopify(newer, "orders/updated")
    stores.shopify(older, "orders/create")  # delivered late
    stores.process()
    [order] = orders(sessions)
    assert order.revenue == Decimal("100.00")
    assert order.store_updated_at == datetime(2024, 4, 2, 14, 0, tzinfo=timezone.utc)
    stores.shopify(moved(payload, updated="2024-04-03T09:00:00-05:00", subtotal="90.00"), "orders/updated")
    stores.process()
    assert orders(sessions)[0].revenue == Decimal("90.00")


def test_a_refund_before_its_order_is_not_lost(stores, sessions):
    payload = sample(FIXTURE)
    refund = {"id": 9, "order_id": payload["id"], "created_at": "2024-04-02T08:59:11-05:00",
              "processed_at": "2024-04-02T08:59:11-05:00", "refund_line_items": [], "transactions": [],
              "order_adjustments": []}
    stores.shopify(refund, "refunds/create")
    assert stores.process() == {"waiting": 1}
    # The order as created, before the refund: stored, and the refund still waits for a version that has it.
    stores.shopify(moved(payload, updated="2024-04-01T00:00:00-05:00", subtotal="597.00"), "orders/create")
    assert stores.process() == {"done": 1, "waiting": 1}
    assert deliveries(sessions)[0].processed_at is None
    # Shopify's orders/updated after the refund carries the refunded subtotal: the refund is settled with it.
    stores.shopify(moved(payload, updated="2024-04-02T09:00:00-05:00"), "orders/updated")
    assert stores.process() == {"done": 2}
    [order] = orders(sessions)
    assert order.revenue == expected_shopify(payload)
    assert all(d.processed_at is not None for d in deliveries(sessions))


def test_a_webhook_credits_only_codes_of_its_own_workspace(stores, sessions):
    register(sessions, "T2", "welcome400", start=date(2025, 12, 1), end=date(2025, 12, 31), currency="INR")
    connect(sessions, "T2", "shopify", "other-shop.myshopify.com", "other-secret")
    stores.shopify(sample(PG1229))  # SHOP belongs to T1
    stores.process()
    [order] = orders(sessions)
    with sessions() as session:
        assert session.get(Workspace, order.workspace_id).team_id == "T1"
    assert (order.attribution, order.campaign_id, order.enrolment_id) == (None, None, None)


def test_a_csv_export_row_and_a_webhook_of_one_order_are_one_order(stores, sessions):
    payload = sample(FIXTURE)
    export = shopify_csv(line_items(payload["name"], 2, Subtotal="597.00", Currency="USD",
                                    Created_at="2008-01-10 11:00:00 -0500", Discount_Code="TENOFF"))
    csv = run_import(sessions, "T1", io.BytesIO(export), Job(name="orders_export.csv"), tz=ZoneInfo("UTC"),
                     today=date(2026, 3, 16))
    assert csv.new == 1
    stores.shopify(payload, "orders/updated")
    stores.process()
    [order] = orders(sessions)
    assert order.revenue == expected_shopify(payload)  # the store's own version wins over the export's
    again = run_import(sessions, "T1", io.BytesIO(export), Job(name="orders_export.csv"), tz=ZoneInfo("UTC"),
                       today=date(2026, 3, 16))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    [order] = orders(sessions)
    assert order.revenue == expected_shopify(payload)


def test_a_failed_processing_is_kept_with_its_error_and_retried(stores, sessions, monkeypatch, clock):
    real, calls = inbox.store_orders, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(inbox, "store_orders", flaky)
    stores.shopify(sample(FIXTURE))
    assert stores.process() == {"failed": 1}
    [kept] = deliveries(sessions)
    assert (kept.processed_at, kept.attempts, kept.last_error) == (None, 1, "RuntimeError: database went away")
    assert kept.next_attempt_at == clock.now + inbox.backoff(1) and orders(sessions) == []
    assert stores.process() == {}  # not due yet
    clock.now += timedelta(minutes=2)
    assert stores.process() == {"done": 1}
    assert len(orders(sessions)) == 1 and deliveries(sessions)[0].processed_at is not None


def test_app_uninstalled_stops_the_shops_order_webhooks_and_compliance_topics_keep_only_a_record(stores, sessions):
    for topic in ("customers/data_request", "customers/redact"):
        assert stores.shopify({"shop_id": 1, "customer": {"id": 7, "email": "buyer@example.com"}}, topic) == 200
    assert stores.shopify({"id": 1, "name": "roi-test"}, "app/uninstalled") == 200
    stores.process()
    with sessions() as session:
        assert session.scalar(select(StoreConnection.uninstalled_at).where(StoreConnection.kind == "shopify"))
    assert stores.shopify(sample(PG1229)) == 200
    assert stores.shopify({"shop_id": 1}, "shop/redact") == 200
    stores.process()
    assert orders(sessions) == []
    kept = deliveries(sessions)
    assert [d.topic for d in kept] == ["customers/data_request", "customers/redact", "app/uninstalled", "shop/redact"]
    assert all(d.body == b"" and d.processed_at is not None for d in kept)  # no customer data stays


def test_a_deleted_woocommerce_order_is_taken_out_and_a_restored_one_comes_back(stores, sessions):
    payload = copy.deepcopy(sample("woocommerce_order__partial_refunds__wc_rest_docs.json"))
    stores.woo(payload, "order.created")
    stores.process()
    stores.woo({"id": payload["id"]}, "order.deleted")
    stores.process()
    [order] = orders(sessions)
    assert (order.counted, order.revenue, order.financial_status) == (False, 0, "deleted")
    payload["date_modified_gmt"] = "2030-01-01T00:00:00"
    stores.woo(payload, "order.restored")
    stores.process()
    [order] = orders(sessions)
    assert (order.counted, order.revenue) == (True, Decimal("10.00"))


def test_an_unpaid_woocommerce_order_is_stored_not_counted_until_it_is_paid(stores, sessions):
    payload = copy.deepcopy(sample("woocommerce_order__partial_refunds__wc_rest_docs.json"))
    stores.woo({**payload, "status": "pending", "date_modified_gmt": "2017-03-21T19:00:00"}, "order.created")
    stores.process()
    assert (orders(sessions)[0].counted, orders(sessions)[0].revenue) == (False, 0)
    stores.woo(payload)
    stores.process()
    [order] = orders(sessions)
    assert (order.counted, order.revenue) == (True, Decimal("10.00"))


def test_the_configured_store_connects_the_only_workspace_when_its_first_webhook_arrives(make_app, settings, sessions):
    from bot.wiring.web import wsgi_app
    from store_support import Stores

    with sessions.begin() as session:
        session.add(Workspace(team_id="T9"))
    app = make_app(settings.with_(shopify_shop=SHOP, shopify_client_secret="configured-secret"))
    stores = Stores(wsgi_app(app))
    assert stores.shopify(sample(FIXTURE), secret="configured-secret") == 200
    stores.process()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1
        connection = session.scalar(select(StoreConnection))
    assert (connection.shop, connection.webhook_secret) == (SHOP, "configured-secret")
