"""End to end over HTTP: a real `roi-bot serve` process, signed requests, the Web API stand-in, the database.

One server process serves the module's tests (per database backend); they share its database, so each checks only
what it did itself, and each starts from a clean record of calls."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from sqlalchemy import select

from bot.wiring.app import create_app
from bot.db import make_engine, make_sessions
from bot.fakeslack.requests import post, slash_command
from bot.models import Campaign
from bot.runtime import Runtime
from bot.wiring.web import wsgi_app
from conftest import SECRET, assert_sent_valid
from server_support import running_server
from slackschema import assert_valid_message

# Under pytest-xdist (`make test`) the module's tests run in one worker, so its shared fixtures are built once.
pytestmark = pytest.mark.xdist_group("web")


@pytest.fixture(scope="module")
def serving(module_slack, module_db, tmp_path_factory):
    """A real `roi-bot serve` subprocess on 127.0.0.1, pointed at the module's stand-in and database."""
    with running_server(module_slack, module_db, tmp_path_factory.mktemp("serve")) as base:
        yield base


@pytest.fixture
def server(serving, module_slack):
    """The server's base URL, with no call recorded yet; afterwards every message it sent is checked as `slack`'s."""
    module_slack.reset()
    yield serving
    assert_sent_valid(list(module_slack.calls))


def campaigns(db_url: str) -> list[Campaign]:
    engine = make_engine(db_url)
    try:
        with make_sessions(engine)() as session:
            return list(session.scalars(select(Campaign)))
    finally:
        engine.dispose()


def test_health_reports_database_ok(server):
    with urllib.request.urlopen(server + "/health", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok", "database": "ok", "stores": []}


def test_signed_campaign_create_is_acked_fast_and_stored(server, module_slack, module_db):
    body = slash_command("/campaign", "create spring budget=5,000 start=2026-03-01 end=2026-03-31",
                         response_url=module_slack.response_url("create"))
    started = time.monotonic()
    status, _, acked = post(server + "/slack/events", body, secret=SECRET)
    acked_in = time.monotonic() - started
    assert status == 200
    assert acked_in < 1.5, f"ack took {acked_in:.2f}s; Slack allows 3s"
    reply = json.loads(acked)  # the answer is in the acknowledgement, and the campaign stored by then (SPEC §2)
    assert_valid_message(reply)
    assert "spring" in reply["text"] and reply["response_type"] == "ephemeral"
    [camp] = [c for c in campaigns(module_db) if c.name == "spring"]
    assert (camp.name, str(camp.budget), camp.start.isoformat()) == ("spring", "5000.00", "2026-03-01")


def test_request_with_bad_signature_gets_401_and_changes_nothing(server, module_slack, module_db):
    before = sorted(c.name for c in campaigns(module_db))
    body = slash_command("/campaign", "create unsigned budget=5000", response_url=module_slack.response_url("bad"))
    status, _, _ = post(server + "/slack/events", body, secret="not-the-secret")
    assert status == 401
    stale, _, _ = post(server + "/slack/events", body, secret=SECRET, timestamp=int(time.time()) - 600)
    assert stale == 401
    # A signed request after them, answered through its response_url: whatever the refused ones set going came first.
    control = slash_command("/roi", "underperformers", response_url=module_slack.response_url("control"))
    assert post(server + "/slack/events", control, secret=SECRET)[0] == 200
    module_slack.wait_for("response_url", timeout=10)
    assert [c.name for c in module_slack.calls_to("response_url")] == ["control"]
    assert sorted(c.name for c in campaigns(module_db)) == before


def test_unknown_path_is_404(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server + "/nope", timeout=5)
    err.value.close()
    assert err.value.code == 404


def call_wsgi(application, path: str, method: str = "GET") -> tuple[str, dict]:
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "wsgi.input": None, "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1"}
    body = b"".join(application(environ, start_response))
    return seen["status"], json.loads(body)


def test_health_is_503_when_database_is_unreachable(settings, slack, clock):
    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    runtime = Runtime(settings=settings, engine=dead, sessions=make_sessions(dead), clock=clock)
    status, payload = call_wsgi(wsgi_app(create_app(settings, runtime=runtime)), "/health")
    dead.dispose()
    assert status.startswith("503")
    assert payload == {"status": "error", "database": "unreachable"}


def test_health_shows_each_store_connection_with_its_last_delivery_and_sync_and_never_a_secret(app, sessions):
    from datetime import datetime, timezone

    from bot.registry import lookup
    from bot.stores import connections

    delivered = datetime(2026, 3, 16, 11, 55, tzinfo=timezone.utc)
    with sessions.begin() as session:
        shop = connections.connect(session, lookup.workspace(session, "T0001"), "shopify", "roi-test.myshopify.com",
                                   webhook_secret="shpss-SECRET-LEAK-1", api_key="client-id-1",
                                   access_token="shpat-SECRET-LEAK-2")
        shop.last_delivery_at, shop.last_sync_at = delivered, datetime(2026, 3, 16, 11, 0, tzinfo=timezone.utc)
        woo = connections.connect(session, lookup.workspace(session, "T0002"), "woocommerce", "https://shop.example/",
                                  webhook_secret="woo-SECRET-LEAK-3", api_key="ck-SECRET-LEAK-4",
                                  api_secret="cs-SECRET-LEAK-5")
        woo.uninstalled_at = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)

    status, payload = call_wsgi(wsgi_app(app), "/health")

    assert status.startswith("200")
    assert (payload["status"], payload["database"]) == ("ok", "ok")
    assert payload["stores"] == [
        {"kind": "shopify", "shop": "roi-test.myshopify.com", "status": "connected", "uninstalled_at": None,
         "last_delivery_at": "2026-03-16T11:55:00+00:00", "last_sync_at": "2026-03-16T11:00:00+00:00"},
        {"kind": "woocommerce", "shop": "shop.example", "status": "uninstalled",
         "uninstalled_at": "2026-03-10T08:00:00+00:00", "last_delivery_at": None, "last_sync_at": None},
    ]
    assert "SECRET-LEAK" not in json.dumps(payload) and "client-id-1" not in json.dumps(payload)

