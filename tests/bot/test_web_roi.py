"""`/roi campaign` end to end over HTTP: a real `roi-bot serve` process acks at once, then posts the report and
uploads its charts through the Web API stand-in (or, when it may not post in the channel, into the asker's DM).

The database is prepared through the real app in-process: spring with ana (fee 1,000, 10% commission) and two
sales through her code, 2,000 and 1,000 with 200 refunded -> revenue 2,800, cost 1,000 + 280 = 1,280. The tests
only read it, so one database and one server process serve the module. On SQLite only: what is tested here is
the path over HTTP (ack, then message and uploads, or the DM); the report itself is tested on both databases in
tests/handlers/test_roi_campaign.py.
"""

from __future__ import annotations

import time

import pytest

from bot.config import Settings
from bot.db import make_engine, make_sessions
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.requests import post, slash_command
from bot.runtime import Runtime
from bot.wiring.app import create_app
from conftest import NOW, SECRET, TOKEN, Clock, assert_sent_valid
from server_support import running_server
from registry_support import answered
from slackschema import assert_valid_message

# Under pytest-xdist (`make test`) the module's tests run in one worker, so its shared fixtures are built once.
pytestmark = [pytest.mark.xdist_group("web_roi"),
              pytest.mark.parametrize("module_db", ["sqlite"], indirect=True, scope="module")]

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000 commission=10",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=2000 date=2026-03-05",
    "/roi sale ANA10 amount=1000 refunded=200 date=2026-03-06",
]


@pytest.fixture(scope="module")
def prepared(module_slack, module_db):
    """The registrations and sales, written by the in-process app (as of NOW) into the module's database."""
    engine = make_engine(module_db)
    settings = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=module_slack.api_url,
                        database_url=module_db, timezone="UTC")
    runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=Clock(NOW))
    roi = SlackDriver(create_app(settings, runtime=runtime, synchronous=True), module_slack, SECRET)
    for line in SETUP:
        answered(roi.command(line))
    engine.dispose()
    assert_sent_valid(list(module_slack.calls))


@pytest.fixture(scope="module")
def serving(prepared, module_slack, module_db, tmp_path_factory):
    """A real `roi-bot serve` subprocess on 127.0.0.1, pointed at the stand-in and the prepared database."""
    with running_server(module_slack, module_db, tmp_path_factory.mktemp("serve"), chart_workers=True) as base:
        yield base


@pytest.fixture
def server(serving, module_slack):
    """The server's base URL, with no call and no upload recorded yet; afterwards every message it sent is checked
    as `slack`'s."""
    module_slack.reset()
    module_slack.uploads.clear()
    yield serving
    assert_sent_valid(list(module_slack.calls))


def ask(server: str, slack, text: str, name: str) -> tuple[int, str, float]:
    body = slash_command("/roi", text, response_url=slack.response_url(name))
    started = time.monotonic()
    status, _, ack = post(server + "/slack/events", body, secret=SECRET)
    return status, ack, time.monotonic() - started


def test_roi_campaign_over_http_is_acked_fast_then_posted_with_its_charts(server, module_slack):
    before = len(module_slack.calls_to("chat.postMessage"))

    status, ack, took = ask(server, module_slack, "campaign spring", "report")

    assert status == 200 and ack == ""
    assert took < 1.5, f"ack took {took:.2f}s; Slack allows 3s"
    [complete] = module_slack.wait_for("files.completeUploadExternal", timeout=30)
    message = module_slack.calls_to("chat.postMessage")[before]
    assert_valid_message(message.params)
    assert message.params["channel"] == "C0001"
    assert message.params["text"].startswith("spring: ROI ")
    blocks = str(message.json("blocks"))
    assert "USD 2,800.00" in blocks and "USD 1,280.00" in blocks
    assert complete.params["channel_id"] == "C0001" and message.at <= complete.at
    assert len(module_slack.uploads) == 2
    assert all(u["bytes"].startswith(b"\x89PNG") and u["channel_id"] == "C0001" for u in module_slack.uploads.values())
    assert not [c for c in module_slack.calls if c.method == "response_url" and c.name == "report"]


def test_roi_campaign_over_http_goes_to_the_dm_when_the_bot_is_not_in_the_channel(server, module_slack):
    module_slack.fail("chat.postMessage", "not_in_channel", channel="C0001")

    status, _, _ = ask(server, module_slack, "campaign spring", "fallback")

    assert status == 200
    [complete] = module_slack.wait_for("files.completeUploadExternal", timeout=30)
    assert complete.params["channel_id"] == "D0001"
    dm = [c.params for c in module_slack.calls_to("chat.postMessage") if c.params.get("channel") == "D0001"]
    assert len(dm) == 1 and "USD 2,800.00" in str(dm[0]["blocks"])
    assert {u["channel_id"] for u in module_slack.uploads.values()} == {"D0001"}
    deadline = time.monotonic() + 10
    while not (notes := [c for c in module_slack.calls if c.method == "response_url" and c.name == "fallback"]):
        assert time.monotonic() < deadline, "no ephemeral note about the DM"
        time.sleep(0.05)
    assert_valid_message(notes[0].params)
    assert "/invite @ROI bot" in str(notes[0].params)
