"""Answers to people when Slack fails: `/roi` channel answers, other command replies, alert button clicks and the
Home tab, against the stand-in scripted to rate-limit (429), fail (5xx), stall past the client timeout, refuse the
token (`invalid_auth`) or shut the channel (`not_in_channel`, `channel_not_found`).

What must hold each time: transient failures are retried and the answer arrives whole; what still fails reaches
the asker through the response_url, never half-sent; every failure is logged exactly once, never with a token.

On SQLite only: the failures are Slack's, met after the database was read or written (a write that fails is
rolled back on either database: tests/hostile and the command tests check that on both)."""

from __future__ import annotations

import logging
import time

import pytest
from alert_support import MANAGER, alerts, register
from conftest import SECRET, SQLITE_ONLY, TOKEN
from registry_support import answered_ephemeral, seeded, unchanged

from bot.db import make_sessions
from bot.fakeslack.driver import SlackDriver, message_text
from bot.fakeslack.requests import dispatch, event
from bot.runtime import Runtime
from bot.wiring.app import create_app
from handlers import resolve
from handlers.client import make_client
from handlers.jobs import alerts as sending

TIMEOUT = 1.0  # seconds the app's client waits for Slack in these tests (15 in production)
STALL = 2.5  # seconds a stalled call takes: well past TIMEOUT, even on a busy machine
SETUP = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=1500 date=2026-03-05",
]
ANSWER = "spring: ROI 50.0% on USD 1,500.00 revenue"
DM = "D0001"  # the stand-in's DM with U0001

pytestmark = SQLITE_ONLY


@pytest.fixture
def roi(slack, settings, engine, clock):
    """The real app (synchronous), its client giving Slack TIMEOUT seconds and pausing 0.05 s before a retry."""
    runtime = Runtime(settings=settings, engine=engine, sessions=make_sessions(engine), clock=clock)
    client = make_client(settings, timeout=TIMEOUT, pause=0.05)
    return SlackDriver(create_app(settings, client=client, runtime=runtime, synchronous=True), slack, SECRET)


@pytest.fixture
def spring(roi):
    seeded(roi, SETUP)


@pytest.fixture
def logs(caplog):
    """Everything logged from here on, DEBUG included, so a token would show wherever it went."""
    caplog.set_level(logging.DEBUG)
    return caplog


def said(caplog, text: str, level: int = logging.INFO) -> list[str]:
    """The messages at `level` or above that mention `text`."""
    return [r.getMessage() for r in caplog.records if r.levelno >= level and text in r.getMessage()]


def assert_no_secret_logged(caplog) -> None:
    formatter = logging.Formatter("%(message)s")
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert TOKEN not in text
    assert "/response/" not in text  # a response_url lets anyone who has it answer as the bot


def ok_posts(slack, channel: str) -> list:
    return [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == channel and c.error is None
            and c.status == 200]


def charts_in(slack, channel: str) -> int:
    return sum(1 for u in slack.uploads.values() if u["channel_id"] == channel)


# -- /roi in a channel: retried until whole ---------------------------------------------------------


def test_a_rate_limited_answer_is_waited_out_and_posted_once_with_its_charts(roi, spring, slack, logs):
    slack.rate_limit("chat.postMessage", retry_after=0, times=1)

    answer = roi.command("/roi campaign spring")

    assert answer.replies == []
    assert [c.params["text"] for c in ok_posts(slack, "C0001")] == [ANSWER]
    assert charts_in(slack, "C0001") == 2
    assert len(said(logs, "429")) == 1


@pytest.mark.parametrize(("method", "status"), [
    ("chat.postMessage", 500),
    ("files.getUploadURLExternal", 502),
    ("file_upload", 503),  # the chart's bytes, sent to the upload URL Slack gave
    ("files.completeUploadExternal", 504),
])
def test_a_server_error_on_any_step_is_retried_and_the_answer_arrives_whole(roi, spring, slack, logs, method, status):
    slack.server_error(method, status=status, times=1)

    answer = roi.command("/roi campaign spring")

    assert answer.replies == []
    assert [c.params["text"] for c in ok_posts(slack, "C0001")] == [ANSWER]
    assert charts_in(slack, "C0001") == 2 and slack.calls_to("chat.delete") == []
    assert len(said(logs, f"HTTP {status}")) == 1


def test_a_post_slack_does_not_answer_in_time_is_not_sent_twice_and_the_asker_is_told(roi, spring, slack, logs):
    slack.delay("chat.postMessage", STALL, times=1)  # Slack may have posted it: sending it again could post it twice

    text = answered_ephemeral(roi.command("/roi campaign spring"))

    assert "Slack did not answer in time" in text and "shows up" in text
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(said(logs, "timeout", logging.WARNING)) == 1


# -- /roi in a channel: failing for good ------------------------------------------------------------


def test_a_post_slack_keeps_failing_is_reported_to_the_asker_once(roi, spring, slack, logs):
    slack.server_error("chat.postMessage", status=503, times=3)

    answer = roi.command("/roi campaign spring")

    text = answered_ephemeral(answer)
    assert "Slack had a problem" in text and "try again" in text
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert slack.uploads == {} and slack.calls_to("files.getUploadURLExternal") == []
    [final] = said(logs, "HTTP 503", logging.WARNING)
    assert "chat.postMessage" in final and final.split("ref=")[1].split()[0] in text
    assert len(said(logs, "HTTP 503")) == 3  # two retries, then the end: one line per failure
    assert_no_secret_logged(logs)


def test_a_post_slack_never_answers_tells_the_asker_it_timed_out(roi, spring, slack, logs):
    slack.delay("chat.postMessage", STALL)

    answer = roi.command("/roi campaign spring")

    assert "Slack did not answer in time" in answered_ephemeral(answer)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert said(logs, "timeout", logging.WARNING) == [
        said(logs, "slack chat.postMessage failed: timeout", logging.WARNING)[0]]
    assert not said(logs, "Failed to send a request")  # slack_sdk's own line would be the same failure again


@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"])
def test_charts_that_cannot_be_uploaded_take_their_message_back(roi, spring, slack, logs, method):
    slack.server_error(method, status=503, times=3)

    answer = roi.command("/roi campaign spring")

    [posted] = ok_posts(slack, "C0001")
    [deleted] = slack.calls_to("chat.delete")
    assert (deleted.params["channel"], deleted.params["ts"]) == ("C0001", posted.response["ts"])
    assert slack.uploads == {}
    text = answered_ephemeral(answer)
    assert "try again" in text and "Nothing was changed" in text
    assert len(said(logs, "HTTP 503", logging.WARNING)) == 1


def test_a_message_that_cannot_be_taken_back_is_named_to_the_asker(roi, spring, slack, logs):
    slack.server_error("files.completeUploadExternal", status=503, times=3)
    slack.fail("chat.delete", "cant_delete_message")

    text = answered_ephemeral(roi.command("/roi campaign spring"))

    assert "<#C0001> without its charts" in text
    assert len(said(logs, "HTTP 503", logging.WARNING)) == 1
    assert len(said(logs, "cant_delete_message")) == 1


# -- invalid_auth: nothing retried, logged once, the asker told through the response_url -------------


def test_a_refused_token_is_not_retried_and_the_asker_is_told_through_the_response_url(roi, spring, slack, logs):
    slack.fail("chat.postMessage", "invalid_auth")

    answer = roi.command("/roi campaign spring")

    text = answered_ephemeral(answer)
    assert "`invalid_auth`" in text and "reinstall" in text
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert slack.calls_to("conversations.open") == [] and slack.calls_to("files.getUploadURLExternal") == []
    [line] = said(logs, "invalid_auth")
    assert "chat.postMessage" in line
    assert [r.levelname for r in logs.records if "invalid_auth" in r.getMessage()] == ["ERROR"]
    assert_no_secret_logged(logs)
    assert TOKEN not in text


def test_a_token_refused_after_the_message_went_out_leaves_it_and_says_so(roi, spring, slack, logs):
    slack.fail("files.completeUploadExternal", "invalid_auth")

    text = answered_ephemeral(roi.command("/roi campaign spring"))

    assert "reinstall" in text and "<#C0001> without its charts" in text
    assert slack.calls_to("chat.delete") == []  # Slack takes nothing more with that token
    assert len(said(logs, "invalid_auth")) == 1


# -- a closed channel: the answer goes to the DM, never lost -----------------------------------------


def test_a_closed_channel_for_the_charts_takes_the_message_back_and_sends_both_to_the_dm(roi, spring, slack, logs):
    slack.fail("files.completeUploadExternal", "channel_not_found", channel="C0001")

    answer = roi.command("/roi campaign spring")

    [deleted] = slack.calls_to("chat.delete")
    assert deleted.params["channel"] == "C0001"
    assert [c.params["text"] for c in ok_posts(slack, DM)] == [ANSWER] and charts_in(slack, DM) == 2
    assert "direct messages" in answered_ephemeral(answer)
    assert len(said(logs, "channel_not_found")) == 1


def test_when_the_dm_fails_too_the_asker_is_told_once_per_failure(roi, spring, slack, logs):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0001")
    slack.server_error("conversations.open", status=503, times=3)

    text = answered_ephemeral(roi.command("/roi campaign spring"))

    assert "Slack had a problem" in text
    assert ok_posts(slack, DM) == []
    assert len(said(logs, "not_in_channel")) == 1
    assert len(said(logs, "HTTP 503", logging.WARNING)) == 1


# -- answers through the response_url ---------------------------------------------------------------


def test_an_asker_only_answer_is_retried_when_the_response_url_fails(roi, slack, logs):
    slack.server_error("response_url", status=503, times=1)

    answer = roi.command("/roi import")

    assert [c.status for c in answer.calls if c.method == "response_url"] == [503, 200]
    assert len(said(logs, "HTTP 503")) == 1
    assert_no_secret_logged(logs)


def test_a_response_url_that_keeps_failing_is_logged_once_without_the_url(roi, slack, logs):
    slack.server_error("response_url", status=503, times=3)

    roi.command("/roi import")

    assert len(slack.calls_to("response_url")) == 3
    assert len(said(logs, "HTTP 503", logging.WARNING)) == 1
    assert_no_secret_logged(logs)


# -- other commands --------------------------------------------------------------------------------


def test_another_command_whose_slack_lookup_is_retried_succeeds(roi, slack, logs):
    slack.server_error("conversations.list", status=502, times=1)

    text = answered_ephemeral(roi.command("/campaign create spring budget=5000 channel=#general"))

    assert "<#C0001>" in text
    assert len(said(logs, "HTTP 502")) == 1


def test_another_command_whose_slack_lookup_never_answers_changes_nothing_and_says_why(roi, slack, sessions, logs):
    slack.delay("conversations.list", STALL)

    started = time.monotonic()
    with unchanged(sessions):
        text = answered_ephemeral(roi.command("/campaign create spring budget=5000 channel=#general"))

    # Refused within the lookup budget, inside Slack's 3 s for the acknowledgement that carries the answer.
    assert time.monotonic() - started < resolve.BUDGET + 1
    assert "Slack took too long to look up `#general`" in text and "autocomplete" in text
    assert "Nothing was changed" in text


@pytest.mark.parametrize("error, said_to_asker", [("invalid_auth", "reinstall the app"), ("HTTP 503", "Slack had a problem")])
def test_a_lookup_slack_fails_is_not_mistaken_for_a_missing_channel(roi, slack, sessions, logs, error, said_to_asker):
    if error.startswith("HTTP"):
        slack.server_error("conversations.list", status=503, times=3)
    else:
        slack.fail("conversations.list", error)

    with unchanged(sessions):
        text = answered_ephemeral(roi.command("/campaign create spring budget=5000 channel=#general"))

    assert said_to_asker in text and "no channel called" not in text
    assert len(said(logs, "conversations.list failed", logging.WARNING)) == 1


def test_a_lookup_slack_refuses_for_want_of_a_scope_is_a_missing_channel(roi, slack, sessions):
    slack.fail("conversations.list", "missing_scope")

    with unchanged(sessions):
        text = answered_ephemeral(roi.command("/campaign create spring budget=5000 channel=#general"))

    assert "no channel called" in text


# -- alert buttons: the decision is saved, the message shows it one way or another -------------------


@pytest.fixture
def sent(roi):
    register(roi)
    runtime = roi.app.roi_runtime
    sending.scan(runtime)
    return {a.handle: a for a in alerts(runtime)}


def decide(roi, alert, action: str = "roi_keep"):
    return roi.click(action, str(alert.id), user=MANAGER, channel=alert.channel_id, message_ts=alert.message_ts)


@pytest.mark.parametrize(("error", "level"), [
    ("not_in_channel", "WARNING"), ("channel_not_found", "WARNING"), ("invalid_auth", "ERROR"),
])
def test_an_alert_message_slack_will_not_update_is_rewritten_through_the_response_url(roi, sent, slack, logs, error, level):
    slack.fail("chat.update", error)

    answer = decide(roi, sent["dee"])

    assert len(slack.calls_to("chat.update")) == 1
    [reply] = answer.replies
    assert reply["replace_original"] is True and "response_type" not in reply
    assert "Kept by" in message_text(reply)
    assert next(a for a in alerts(roi.app.roi_runtime) if a.id == sent["dee"].id).decision == "keep"
    assert [r.levelname for r in logs.records if error in r.getMessage()] == [level]
    assert_no_secret_logged(logs)


def test_an_alert_update_slack_keeps_failing_is_retried_then_rewritten_through_the_response_url(roi, sent, slack, logs):
    slack.server_error("chat.update", status=503, times=3)

    answer = decide(roi, sent["dee"], "roi_snooze")

    assert len(slack.calls_to("chat.update")) == 3
    [reply] = answer.replies
    assert reply["replace_original"] is True and "Snoozed by" in message_text(reply)
    assert len(said(logs, "HTTP 503")) == 3 and len(said(logs, "HTTP 503", logging.WARNING)) == 1


def test_a_rate_limited_alert_update_is_waited_out(roi, sent, slack, logs):
    slack.rate_limit("chat.update", retry_after=0, times=1)

    answer = decide(roi, sent["dee"])

    assert [c.status for c in slack.calls_to("chat.update")] == [429, 200]
    assert answer.replies == []
    assert len(said(logs, "429")) == 1


# -- the Home tab ----------------------------------------------------------------------------------


def open_home(roi):
    return dispatch(roi.app, event({"type": "app_home_opened", "user": "U0001", "tab": "home"}, team_id="T0001"),
                    secret=SECRET)


def test_a_home_tab_publish_that_fails_once_is_retried(roi, spring, slack, logs):
    slack.server_error("views.publish", status=500, times=1)

    assert open_home(roi).status == 200

    assert [c.status for c in slack.calls_to("views.publish")] == [500, 200]
    assert len(said(logs, "HTTP 500")) == 1


def test_a_home_tab_publish_with_a_refused_token_is_logged_once_and_not_retried(roi, spring, slack, logs):
    slack.fail("views.publish", "invalid_auth")

    open_home(roi)

    assert len(slack.calls_to("views.publish")) == 1
    [line] = said(logs, "invalid_auth")
    assert "views.publish" in line and "app_home_opened" in line
    assert [r.levelname for r in logs.records if "invalid_auth" in r.getMessage()] == ["ERROR"]
    assert_no_secret_logged(logs)
