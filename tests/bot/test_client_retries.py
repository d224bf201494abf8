"""The Web API client `make_client` builds, against the local Slack stand-in: 429s waited out for as long as Slack
says, 5xx and stalls longer than the client timeout retried a bounded number of times, refusals never retried;
each failed attempt logged once, without the token."""

from __future__ import annotations

import logging
import time

import pytest
from slack_sdk.errors import SlackApiError

from handlers.client import make_client
from bot.config import Settings
from conftest import SECRET, TOKEN
from handlers.deliver import Failure, failure

TIMEOUT = 0.5  # seconds the client waits for an answer in these tests (15 in production)
STALL = 1.5  # seconds a stalled call takes: well past TIMEOUT, even on a busy machine


@pytest.fixture
def client(slack):
    settings = Settings(bot_token=TOKEN, signing_secret=SECRET, slack_api_url=slack.api_url, timezone="UTC")
    return make_client(settings, timeout=TIMEOUT, pause=0.05)


@pytest.fixture
def logged(caplog):
    """Every record from INFO up, as text: what production logging would show."""
    caplog.set_level(logging.DEBUG)
    return lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def post(client):
    return client.chat_postMessage(channel="C0001", text="hello")


def statuses(slack, method="chat.postMessage"):
    return [c.status for c in slack.calls_to(method)]


def test_the_default_client_waits_15_seconds_for_an_answer(slack):
    settings = Settings(bot_token=TOKEN, slack_api_url=slack.api_url)

    assert make_client(settings).timeout == 15


def test_a_rate_limited_call_waits_out_retry_after_then_succeeds(client, slack, logged):
    slack.rate_limit("chat.postMessage", retry_after=1, times=1)

    assert post(client)["ok"]

    first, second = slack.calls_to("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1
    assert [m for m in logged() if "429" in m] == ["slack chat.postMessage: HTTP 429, Retry-After 1 s; retry 1 of 5"]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retried_then_succeeds(client, slack, logged, status):
    slack.server_error("chat.postMessage", status=status, times=2)

    assert post(client)["ok"]

    assert statuses(slack) == [status, status, 200]
    assert len([m for m in logged() if f"HTTP {status}" in m]) == 2  # one line per failed attempt


def test_server_errors_are_retried_twice_and_no_more(client, slack):
    slack.server_error("chat.postMessage", status=503, times=5)

    with pytest.raises(SlackApiError) as raised:
        post(client)

    assert statuses(slack) == [503, 503, 503]
    assert failure(raised.value) == Failure("chat.postMessage", "HTTP 503")


def test_a_stall_longer_than_the_timeout_is_retried(client, slack, logged):
    slack.delay("conversations.open", STALL, times=1)
    started = time.monotonic()

    assert client.conversations_open(users="U0001")["ok"]

    assert time.monotonic() - started < STALL  # the client gave up on the stalled call; it did not wait it out
    assert len(slack.calls_to("conversations.open")) == 2
    stalls = [m for m in logged() if "timed out" in m or "timeout" in m]
    assert stalls == ["slack conversations.open: no answer in time (timeout); retry 1 of 2"]


def test_a_post_that_stalls_is_not_sent_again(client, slack, logged):
    slack.delay("chat.postMessage", STALL, times=1)  # Slack took it and did not answer: it may be in the channel

    with pytest.raises(TimeoutError) as raised:
        post(client)

    assert len(slack.calls_to("chat.postMessage")) == 1
    assert failure(raised.value) == Failure("chat.postMessage", "timeout")
    assert not [m for m in logged() if "retry" in m]


def test_a_call_that_never_gets_an_answer_gives_up_after_two_retries_naming_the_call(client, slack, logged):
    slack.delay("views.publish", STALL)

    with pytest.raises(TimeoutError) as raised:
        client.views_publish(user_id="U0001", view={"type": "home", "blocks": []})

    assert len(slack.calls_to("views.publish")) == 3
    assert failure(raised.value) == Failure("views.publish", "timeout")
    assert len([m for m in logged() if "timeout" in m or "timed out" in m]) == 2  # the retries; the caller logs the end


@pytest.mark.parametrize("error", ["invalid_auth", "channel_not_found", "not_in_channel"])
def test_refusals_are_never_retried(client, slack, logged, error):
    slack.fail("chat.postMessage", error)

    with pytest.raises(SlackApiError) as raised:
        post(client)

    assert len(slack.calls_to("chat.postMessage")) == 1
    assert failure(raised.value) == Failure("chat.postMessage", error)
    assert [m for m in logged() if error in m] == []  # the client leaves the telling to whoever gives up


def test_nothing_the_client_logs_carries_the_token(client, slack, caplog):
    caplog.set_level(logging.DEBUG)
    slack.rate_limit("chat.postMessage", retry_after=0, times=1)
    slack.server_error("chat.postMessage", status=500, times=1)
    slack.fail("chat.postMessage", "invalid_auth")

    with pytest.raises(SlackApiError):
        post(client)

    assert statuses(slack) == [429, 500, 200]
    assert caplog.records
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]
