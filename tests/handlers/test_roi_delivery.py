"""Where channel answers go: the command's channel, or, when the bot may not post there, the asker's DM
(message and charts both), with an ephemeral note saying so. Also `/roi import`, the asker-only guide.

On SQLite only: where an answer goes, and when, is decided after the database was read (the reports themselves are
tested on both databases in test_roi_campaign.py and test_roi_views.py)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.wiring.app import create_app
from bot.db import make_sessions
from bot.fakeslack.requests import dispatch, slash_command
from bot.runtime import Runtime
from conftest import SECRET, SQLITE_ONLY
from registry_support import answered_ephemeral, seeded

SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=1500 date=2026-03-05",
]
DM = "D0001"  # the stand-in's DM with U0001
pytestmark = SQLITE_ONLY
# How long the stand-in takes to answer each chat.postMessage in the test of many people asking at once: an ack
# that waited for someone's answer comes at least this long after the first answer was sent.
HELD = 0.75


@pytest.fixture
def spring(roi):
    seeded(roi, SETUP)


def channels_of(slack) -> set[str]:
    return {u["channel_id"] for u in slack.uploads.values()}


@pytest.mark.parametrize(("method", "error"), [
    ("chat.postMessage", "not_in_channel"),
    ("chat.postMessage", "channel_not_found"),
    ("files.completeUploadExternal", "channel_not_found"),
    ("files.completeUploadExternal", "not_in_channel"),
])
def test_when_the_bot_cannot_post_in_the_channel_message_and_charts_go_to_the_askers_dm(roi, spring, slack, method, error):
    slack.fail(method, error, channel="C0001")

    answer = roi.command("/roi campaign spring")

    dm_posts = [p for p in answer.posts if p["channel"] == DM]
    assert [p["text"] for p in dm_posts] == ["spring: ROI 50.0% on USD 1,500.00 revenue"]
    assert channels_of(slack) == {DM} and len(slack.uploads) == 2
    assert all(u["bytes"].startswith(b"\x89PNG") for u in slack.uploads.values())
    [opened] = [c for c in answer.calls if c.method == "conversations.open"]
    assert opened.params["users"] == "U0001"
    notice = answered_ephemeral(answer)
    assert "<#C0001>" in notice and "direct messages" in notice and "`/invite @ROI bot`" in notice


def test_the_dm_answer_comes_before_its_charts(roi, spring, slack):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0001")

    answer = roi.command("/roi campaign spring")

    methods = [(c.method, c.params.get("channel") or c.params.get("channel_id")) for c in answer.calls]
    assert methods.index(("chat.postMessage", DM)) < methods.index(("files.completeUploadExternal", DM))


def test_answers_without_a_chart_fall_back_to_the_dm_too(roi, spring, slack):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0001")

    answer = roi.command("/roi top")

    assert [p["channel"] for p in answer.posts] == ["C0001", DM]
    assert "`/invite @ROI bot`" in answered_ephemeral(answer)


def test_other_slack_errors_are_reported_with_a_reference_and_no_chart_goes_out(roi, spring, slack):
    slack.fail("chat.postMessage", "msg_too_long", channel="C0001")

    answer = roi.command("/roi campaign spring")

    text = answered_ephemeral(answer)
    assert "Something went wrong on our side" in text and "reference" in text
    assert slack.uploads == {} and slack.calls_to("files.getUploadURLExternal") == []
    assert slack.calls_to("conversations.open") == []


def test_in_a_channel_the_bot_is_in_nothing_goes_to_the_dm(roi, spring, slack):
    answer = roi.command("/roi campaign spring")

    assert [p["channel"] for p in answer.posts] == ["C0001"]
    assert answer.replies == [] and slack.calls_to("conversations.open") == []


def test_import_explains_how_to_share_an_export_to_the_asker_only(roi):
    answer = roi.command("/roi import")

    text = answered_ephemeral(answer)
    assert answer.posts == []
    for words in ("direct message", "Shopify", "WooCommerce", "order_id,date,amount", "Roster", "Engagement stats",
                  "200 MB", "/roi sale"):
        assert words in text


def test_import_takes_no_options(roi):
    answer = roi.command("/roi import orders")

    assert "`arguments`" in answered_ephemeral(answer)


def test_many_people_asking_at_once_are_all_acked_before_any_answer_is_out(spring, slack, settings, engine, clock):
    # Each answering listener keeps its thread until its answer is out; with Bolt's default of 5 listener threads
    # the sixth person's ack waited for someone's answer. Answers now queue after the ack instead.
    runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=clock)
    app = create_app(settings, runtime=runtime)  # not synchronous: acked first, answered after, as served
    slack.delay("chat.postMessage", HELD)  # every answer takes at least this long to get out
    askers = 8

    def ask(i: int) -> float:
        body = slash_command("/roi", "campaign spring", response_url=slack.response_url(f"many{i}"),
                             user_id=f"U{i:04d}")
        assert dispatch(app, body, secret=SECRET).status == 200
        return time.time()

    with ThreadPoolExecutor(askers) as pool:
        acked = list(pool.map(ask, range(askers)))
    posts = slack.wait_for("chat.postMessage", askers, timeout=30)
    first_out = min(call.at for call in posts) + HELD
    assert max(acked) < first_out, "an ack waited for another person's answer"
    assert len(slack.wait_for("files.completeUploadExternal", askers, timeout=30)) == askers
