"""`/roi campaign` end to end over HTTP: a real `roi-bot serve` process acks at once, then posts the report and
uploads its charts through the Web API stand-in (or, when it may not post in the channel, into the asker's DM).

The database is prepared through the real app in-process: spring with ana (fee 1,000, 10% commission) and two
sales through her code, 2,000 and 1,000 with 200 refunded -> revenue 2,800, cost 1,000 + 280 = 1,280.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from bot.fakeslack.requests import post, slash_command
from conftest import SECRET
from server_support import running_server
from registry_support import answered
from slackschema import assert_valid_message

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000 commission=10",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=2000 date=2026-03-05",
    "/roi sale ANA10 amount=1000 refunded=200 date=2026-03-06",
]


@pytest.fixture
def prepared(roi):
    """The registrations and sales, written by the in-process app into this test's database."""
    for line in SETUP:
        answered(roi.command(line))


@pytest.fixture
def server(prepared, slack, db_url, tmp_path):
    """A real `roi-bot serve` subprocess on 127.0.0.1, pointed at the stand-in and the prepared database."""
    with running_server(slack, db_url, tmp_path) as base:
        yield base


def ask(server: str, slack, text: str, name: str) -> tuple[int, str, float]:
    body = slash_command("/roi", text, response_url=slack.response_url(name))
    started = time.monotonic()
    status, _, ack = post(server + "/slack/events", body, secret=SECRET)
    return status, ack, time.monotonic() - started


def test_roi_campaign_over_http_is_acked_fast_then_posted_with_its_charts(server, slack):
    before = len(slack.calls_to("chat.postMessage"))

    status, ack, took = ask(server, slack, "campaign spring", "report")

    assert status == 200 and ack == ""
    assert took < 1.5, f"ack took {took:.2f}s; Slack allows 3s"
    [complete] = slack.wait_for("files.completeUploadExternal", timeout=30)
    message = slack.calls_to("chat.postMessage")[before]
    assert_valid_message(message.params)
    assert message.params["channel"] == "C0001"
    assert message.params["text"].startswith("spring: ROI ")
    blocks = str(message.json("blocks"))
    assert "USD 2,800.00" in blocks and "USD 1,280.00" in blocks
    assert complete.params["channel_id"] == "C0001" and message.at <= complete.at
    assert len(slack.uploads) == 2
    assert all(u["bytes"].startswith(b"\x89PNG") and u["channel_id"] == "C0001" for u in slack.uploads.values())
    assert not [c for c in slack.calls if c.method == "response_url" and c.name == "report"]


def test_roi_campaign_over_http_goes_to_the_dm_when_the_bot_is_not_in_the_channel(server, slack):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0001")

    status, _, _ = ask(server, slack, "campaign spring", "fallback")

    assert status == 200
    [complete] = slack.wait_for("files.completeUploadExternal", timeout=30)
    assert complete.params["channel_id"] == "D0001"
    dm = [c.params for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "D0001"]
    assert len(dm) == 1 and "USD 2,800.00" in str(dm[0]["blocks"])
    assert {u["channel_id"] for u in slack.uploads.values()} == {"D0001"}
    deadline = time.monotonic() + 10
    while not (notes := [c for c in slack.calls if c.method == "response_url" and c.name == "fallback"]):
        assert time.monotonic() < deadline, "no ephemeral note about the DM"
        time.sleep(0.05)
    assert_valid_message(notes[0].params)
    assert "/invite @ROI bot" in str(notes[0].params)
