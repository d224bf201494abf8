"""End to end over HTTP: a real `roi-bot serve` process, signed requests, the Web API stand-in, the database."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from bot.wiring.app import create_app
from bot.db import make_engine, make_sessions
from bot.fakeslack.requests import post, slash_command
from bot.models import Campaign
from bot.runtime import Runtime
from bot.wiring.web import wsgi_app
from conftest import SECRET, TOKEN
from server_support import running_server
from slackschema import assert_valid_message


@pytest.fixture
def server(slack, db_url, tmp_path):
    """A real `roi-bot serve` subprocess on 127.0.0.1, pointed at the stand-in and this test's database."""
    with running_server(slack, db_url, tmp_path) as base:
        yield base


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
        assert json.loads(response.read()) == {"status": "ok", "database": "ok"}


def test_signed_campaign_create_is_acked_fast_and_stored(server, slack, db_url):
    body = slash_command("/campaign", "create spring budget=5,000 start=2026-03-01 end=2026-03-31",
                         response_url=slack.response_url("create"))
    started = time.monotonic()
    status, _, acked = post(server + "/slack/events", body, secret=SECRET)
    acked_in = time.monotonic() - started
    assert status == 200
    assert acked_in < 1.5, f"ack took {acked_in:.2f}s; Slack allows 3s"
    reply = json.loads(acked)  # the answer is in the acknowledgement, and the campaign stored by then (SPEC §2)
    assert_valid_message(reply)
    assert "spring" in reply["text"] and reply["response_type"] == "ephemeral"
    [camp] = campaigns(db_url)
    assert (camp.name, str(camp.budget), camp.start.isoformat()) == ("spring", "5000.00", "2026-03-01")


def test_request_with_bad_signature_gets_401_and_changes_nothing(server, slack, db_url):
    body = slash_command("/campaign", "create spring budget=5000", response_url=slack.response_url("bad"))
    status, _, _ = post(server + "/slack/events", body, secret="not-the-secret")
    assert status == 401
    stale, _, _ = post(server + "/slack/events", body, secret=SECRET, timestamp=int(time.time()) - 600)
    assert stale == 401
    time.sleep(0.3)
    assert slack.calls_to("response_url") == []
    assert campaigns(db_url) == []


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
