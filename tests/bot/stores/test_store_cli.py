"""`roi-bot store connect|list|disconnect|sync` (SPEC §8, exit codes of §1): secrets from the environment or stdin,
never printed; one line and exit 2 for what the user can fix."""

from __future__ import annotations

import io
import json
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from import_support import command_line
from sqlalchemy import select

from bot.fakestores.shopify import FakeShopify
from bot.fakestores.woocommerce import FakeWooCommerce
from bot.models import StoreConnection
from bot.registry import campaigns, lookup
from bot.wiring.cli import main

STORE_ENV = ("SHOPIFY_SHOP", "SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET", "SHOPIFY_ACCESS_TOKEN", "SHOPIFY_API_URL",
             "SHOPIFY_API_VERSION", "WOOCOMMERCE_URL", "WOOCOMMERCE_KEY", "WOOCOMMERCE_SECRET",
             "WOOCOMMERCE_WEBHOOK_SECRET", "ROI_SYNC_MINUTES")


@pytest.fixture
def cli(monkeypatch, tmp_path, db_url, sessions):
    """`roi-bot` on the test database, no store variable set, workspaces T1 (with a campaign) and T2."""
    command_line(monkeypatch, tmp_path, db_url)
    for name in STORE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with sessions.begin() as session:
        ws = lookup.workspace(session, "T1")
        campaigns.create(session, ws, {"name": "live", "budget": Decimal(1000), "start": date.today() - timedelta(90),
                                       "end": date.today() + timedelta(30), "currency": "USD"})
        lookup.workspace(session, "T2")
    return monkeypatch


@pytest.fixture
def shop():
    with FakeShopify(restore_rate=100_000) as fake:
        yield fake


def connection(sessions, kind: str) -> StoreConnection | None:
    with sessions() as session:
        return session.scalar(select(StoreConnection).where(StoreConnection.kind == kind))


def test_connect_shopify_from_the_environment_never_prints_the_secrets(cli, shop, capsys, sessions):
    cli.setenv("SHOPIFY_SHOP", shop.shop)
    cli.setenv("SHOPIFY_CLIENT_ID", shop.client_id)
    cli.setenv("SHOPIFY_CLIENT_SECRET", shop.client_secret)
    cli.setenv("SHOPIFY_API_URL", shop.base_url)
    assert main(["store", "connect", "shopify", "--team", "T1"]) == 0
    out, err = capsys.readouterr()
    assert shop.shop in out and "T1" in out and shop.client_secret not in out + err
    found = connection(sessions, "shopify")
    assert (found.webhook_secret, found.api_key, found.api_url) == (shop.client_secret, shop.client_id, shop.base_url)


def test_connect_woocommerce_from_stdin(cli, capsys, sessions):
    lines = ("# keys from WooCommerce → Settings → Advanced → REST API\nWOOCOMMERCE_URL=https://shop.example/\n"
             "WOOCOMMERCE_KEY=ck_secret_key_1\nWOOCOMMERCE_SECRET=cs_secret_2\n"
             "WOOCOMMERCE_WEBHOOK_SECRET=wh_secret_3\n")
    cli.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["store", "connect", "woocommerce", "--team", "T2"]) == 0
    out, err = capsys.readouterr()
    assert "shop.example" in out and not any(s in out + err for s in ("ck_secret", "cs_secret", "wh_secret"))
    found = connection(sessions, "woocommerce")
    assert (found.shop, found.api_key, found.api_secret, found.webhook_secret) == (
        "shop.example", "ck_secret_key_1", "cs_secret_2", "wh_secret_3")


def test_connect_refuses_with_one_line_naming_what_is_missing(cli, capsys, sessions):
    cli.setattr(sys, "stdin", io.StringIO("SHOPIFY_CLIENT_ID=abc\n"))
    assert main(["store", "connect", "shopify", "--team", "T1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SHOPIFY_SHOP" in err and "SHOPIFY_CLIENT_SECRET" in err
    cli.setattr(sys, "stdin", io.StringIO("SHOPIFY_SHOP=x.myshopify.com\nTOKEN shpat_leaked\n"))
    assert main(["store", "connect", "shopify", "--team", "T1"]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "shpat_leaked" not in err
    assert connection(sessions, "shopify") is None


def test_list_and_disconnect(cli, shop, capsys, sessions):
    cli.setattr(sys, "stdin", io.StringIO(f"SHOPIFY_SHOP={shop.shop}\nSHOPIFY_ACCESS_TOKEN=shpat_list_secret\n"))
    assert main(["store", "connect", "shopify", "--team", "T1"]) == 0
    capsys.readouterr()
    assert main(["store", "list"]) == 0
    out = capsys.readouterr().out
    assert shop.shop in out and "T1" in out and "connected" in out and "never" in out
    assert "shpat_list_secret" not in out
    assert main(["store", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [{"kind": "shopify", "shop": shop.shop, "team": "T1", "status": "connected",
                       "last_delivery_at": None, "last_sync_at": None, "sync_under_way": False}]
    assert main(["store", "disconnect", "shopify", "--team", "T1"]) == 0
    assert connection(sessions, "shopify") is None
    capsys.readouterr()
    assert main(["store", "disconnect", "shopify", "--team", "T1"]) == 2
    assert "no shopify store" in capsys.readouterr().err


def test_sync_prints_the_summary_as_json(cli, shop, capsys, sessions):
    shop.add_orders(120)
    cli.setattr(sys, "stdin", io.StringIO(f"SHOPIFY_SHOP={shop.shop}\nSHOPIFY_ACCESS_TOKEN={shop.access_token}\n"
                                          f"SHOPIFY_API_URL={shop.base_url}\n"))
    assert main(["store", "connect", "shopify", "--team", "T1"]) == 0
    capsys.readouterr()
    assert main(["store", "sync", "--team", "T1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    live = sum(1 for o in shop.orders.values() if not o.test)
    assert (summary["store"], summary["rows_read"], summary["new"]) == ("shopify", 120, live)
    assert main(["store", "sync", "--team", "T1", "--since", "2020-01-01"]) == 0
    out = capsys.readouterr().out
    assert f"shopify store {shop.shop}" in out and f"unchanged {live}" in out
    assert connection(sessions, "shopify").last_sync_at is not None


def test_sync_errors_exit_2_with_one_line(cli, capsys):
    for argv, words in ((["store", "sync"], "several workspaces"), (["store", "sync", "--team", "T9"], "T9"),
                        (["store", "sync", "--team", "T1"], "no store is connected"),
                        (["store", "sync", "--team", "T1", "--since", "yesterday"], "--since")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, (argv, err)


def test_a_store_that_fails_is_one_line_naming_it_and_exit_1(cli, capsys):
    with FakeWooCommerce() as woo:
        cli.setenv("WOOCOMMERCE_URL", woo.store_url)
        cli.setenv("WOOCOMMERCE_KEY", woo.consumer_key)
        cli.setenv("WOOCOMMERCE_SECRET", "cs_wrong_secret")
        assert main(["store", "connect", "woocommerce", "--team", "T1"]) == 0
        capsys.readouterr()
        assert main(["store", "sync", "--team", "T1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "woocommerce store 127.0.0.1" in err and "cs_wrong_secret" not in err


def test_a_store_connected_without_api_access_exits_2_saying_what_to_set(cli, capsys):
    cli.setenv("SHOPIFY_SHOP", "my-shop.myshopify.com")
    cli.setenv("SHOPIFY_CLIENT_SECRET", "shpss_webhooks_only")
    assert main(["store", "connect", "shopify", "--team", "T1"]) == 0
    capsys.readouterr()
    assert main(["store", "sync", "--team", "T1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SHOPIFY_ACCESS_TOKEN" in err and "shpss_webhooks_only" not in err
