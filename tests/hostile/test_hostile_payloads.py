"""Malformed, mistyped and oversized Slack requests (SPEC §7), signed like Slack's and sent through the real app:
in-process through the WSGI layer of `roi-bot serve` (bot/web.py), and straight into Bolt with `app.dispatch`.

No exception escapes and nothing crashes: the answer is a 2xx or a 4xx (a 400 for a body that is not Slack's,
a 413 past 2 MB, a 401 unsigned), a person who can be answered gets one clear ephemeral message, and nothing is
written to the database."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from bot.fakeslack.requests import block_actions, call_wsgi, dispatch, event, sign, slash_command, wsgi_environ
from bot.models import Campaign
from bot.wiring.web import MAX_BODY, wsgi_app
from conftest import SECRET, SQLITE_ONLY
from hostile.hostile_support import FUZZ_APP, INTERNAL, answer_text, assert_safe_message, is_refusal, stored
from registry_support import answered


def wsgi_post(application, body: str | bytes, *, signed: bool = True, content_type: str | None = None,
              length: int | str | None = None) -> tuple[int, bytes]:
    """POST `body` to /slack/events through the WSGI callable, as waitress would hand it over: (status, body)."""
    raw = body.encode() if isinstance(body, str) else body
    headers = sign(raw.decode(errors="replace"), SECRET if signed else "not-the-secret", content_type=content_type)
    return call_wsgi(application, wsgi_environ(raw, headers, length=length))


@pytest.fixture
def web(app):
    """The WSGI callable of `roi-bot serve`, around the synchronous test app."""
    return wsgi_app(app)


@pytest.fixture
def base(roi):
    """A campaign, so that a command that went through would have something to change."""
    answered(roi.command("/campaign create base budget=1000"))
    return "base"


def unexpected_errors(caplog) -> list[str]:
    """What was logged at ERROR: an unexpected failure (a refusal is logged lower, if at all)."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def messages_of(slack) -> list[dict]:
    """Every ephemeral reply and channel post sent so far."""
    return [c.params for c in slack.calls if c.method in ("response_url", "chat.postMessage")]


def alert_payload(**changes) -> dict:
    """A `roi_cut` click as Slack sends it, with `changes` applied (`...` deletes a key)."""
    payload = json.loads(dict(parse_qsl(block_actions("roi_cut", "1")))["payload"])
    for key, value in changes.items():
        if value is ...:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


def form(payload) -> str:
    return urlencode({"payload": json.dumps(payload)})


# -- bodies that are not Slack's --------------------------------------------------------------------

MALFORMED = {
    "json-syntax-in-payload": "payload={not json",
    "payload-is-a-list": form([]),
    "payload-is-a-number": form(5),
    "payload-is-a-string": form("roi_cut"),
    "payload-is-null": form(None),
    "team-is-a-number": form(alert_payload(team=5)),
    "team-is-a-string": form(alert_payload(team="T0001")),
    "user-is-a-string": form(alert_payload(user="U0001")),
    "user-is-a-list": form(alert_payload(user=["U0001"])),
    "actions-is-a-string": form(alert_payload(actions="roi_cut")),
    "actions-is-empty": form(alert_payload(actions=[])),
    "actions-hold-a-number": form(alert_payload(actions=[5])),
    "event-is-a-number": json.dumps({"type": "event_callback", "team_id": "T0001", "event": 5}),
    "event-user-is-a-number": event({"type": "app_home_opened", "user": 5, "tab": "home"}),
    "json-is-a-list": "[]",
    "json-syntax": "{",
    "json-truncated": json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}})[:-3],
    "not-utf8": b"payload=\xff\xfe",
}


@SQLITE_ONLY  # refused on the raw request, before anything is read
def test_a_body_that_is_not_slacks_gets_400_with_no_traceback_and_changes_nothing(web, slack, sessions, caplog):
    caplog.set_level(logging.WARNING)
    before = stored(sessions)
    for case, body in MALFORMED.items():
        json_body = isinstance(body, str) and body.lstrip()[:1] in ("{", "[")
        for signed in (True, False):
            status, _ = wsgi_post(web, body, signed=signed, content_type="application/json" if json_body else None)

            assert status == 400 if signed else status in (400, 401), (case, signed, status)
    assert slack.calls == [] and stored(sessions) == before
    assert unexpected_errors(caplog) == []


@SQLITE_ONLY  # refused on the raw request, before anything is read
def test_a_body_over_2_mb_gets_413_before_it_is_read(web, slack, sessions):
    body = slash_command("/campaign", "create big budget=1 note=\"" + "x" * (MAX_BODY + 1) + "\"",
                         response_url=slack.response_url("big"))

    assert wsgi_post(web, body)[0] == 413
    assert wsgi_post(web, b"", length=MAX_BODY + 1)[0] == 413
    assert slack.calls == [] and stored(sessions)["campaigns"] == []


@pytest.mark.parametrize("length", ["abc", "", "0", "-1", " 12 "])
@SQLITE_ONLY  # refused on the raw request, before anything is read
def test_an_odd_content_length_never_crashes(web, slack, length):
    status, _ = wsgi_post(web, slash_command("/campaign", "create x budget=1", response_url=slack.response_url("x")),
                          length=length)

    assert status in (200, 400, 401, 404)


@SQLITE_ONLY  # refused on the raw request, before anything is read
def test_a_well_formed_unsigned_request_still_gets_401(web, slack, sessions):
    body = slash_command("/campaign", "create spring budget=1", response_url=slack.response_url("u"))

    assert wsgi_post(web, body, signed=False)[0] == 401
    assert slack.calls == [] and stored(sessions)["campaigns"] == []


@pytest.mark.parametrize("text", ['create spring budget=1 note="the payload ships monday"', "show payload",
                                  "create payload budget=1"])
def test_a_command_that_mentions_payload_is_still_a_command_over_http(web, slack, text):
    # Bolt reads any form body holding the word "payload" as an interactivity payload and drops every field.
    status, out = wsgi_post(web, slash_command("/campaign", text, response_url=slack.response_url("p")))

    assert status == 200
    reply = json.loads(out)  # registration commands answer in the acknowledgement (SPEC §2)
    assert not [c for c in slack.calls if c.method == "response_url"]
    assert_safe_message(reply)
    assert INTERNAL not in reply["text"]


# -- slash commands with missing, odd or oversized fields ---------------------------------------


def command_body(slack, typed: str, **changes) -> str:
    """A `/campaign` body with `changes` applied: None drops a field, a list repeats it."""
    fields = dict(token="t", team_id="T0001", team_domain="acme", channel_id="C0001", channel_name="general",
                  user_id="U0001", user_name="ana", command="/campaign", text=typed, api_app_id="A0001",
                  response_url=slack.response_url("c"), trigger_id="1.2.3")
    for key, value in changes.items():
        if value is None:
            fields.pop(key)
        else:
            fields[key] = value
    return urlencode(fields, doseq=True)


ODD_FIELDS = [
    {"team_id": None}, {"user_id": None}, {"channel_id": None}, {"text": None}, {"team_domain": None},
    {"user_name": None}, {"channel_name": None}, {"trigger_id": None}, {"api_app_id": None}, {"response_url": None},
    {"team_id": ""}, {"user_id": ""}, {"channel_id": ""}, {"text": ["list", "create x budget=1"]},
    {"user_id": "U" + "9" * 5000}, {"team_domain": "<!channel>"}, {"user_name": "<!here>"},
]


# Slack always sends these: a command without one is not Slack's, and is refused whole (400, no reply, no write).
ALWAYS_SENT = ("team_id", "user_id", "channel_id")


@pytest.mark.parametrize("typed", ["create spring budget=1", "create spring budget=-1", "show nope"])
def test_a_command_with_a_missing_or_odd_field_is_answered_or_ignored_never_crashes(app, slack, sessions, base, caplog,
                                                                                   typed):
    for changes in ODD_FIELDS:
        before = stored(sessions)
        calls = len(slack.calls)

        response = dispatch(app, command_body(slack, typed, **changes), secret=SECRET)

        acked = [json.loads(response.body)] if response.body.startswith("{") and "text" in response.body else []
        sent = acked + [c.params for c in slack.calls[calls:] if c.method in ("response_url", "chat.postMessage")]
        if any(key in changes and not changes[key] for key in ALWAYS_SENT):
            assert (response.status, sent, stored(sessions)) == (400, [], before), changes
            continue
        assert response.status in (200, 404), (changes, response.status)
        assert len(sent) <= 1, changes
        for message in sent:
            reply_text = assert_safe_message(message)
            assert INTERNAL not in reply_text, (changes, reply_text)
            if is_refusal(reply_text):
                assert stored(sessions) == before, changes
        if "response_url" not in changes and response.status == 200:
            assert len(sent) == 1, changes  # whoever can be answered is answered
        effective = changes.get("text", typed)
        if (effective[-1] if isinstance(effective, list) else effective) not in ("create spring budget=1",
                                                                                 "create x budget=1"):
            assert stored(sessions) == before, changes
        with sessions.begin() as session:  # start each case from the same campaigns
            session.execute(delete(Campaign).where(Campaign.name_key != "base"))
    assert unexpected_errors(caplog) == []


OVERSIZED = [
    ("/campaign create spring budget=1 note=\"" + "x" * 100_000 + "\"", "arguments"),
    ("/influencer add " + "a" * 5000, "arguments"),
    ("/influencer add " + "a" * 3900, "handle"),
    ("/campaign create spring budget=1 note=\"" + "x" * 3900 + "\"", "note"),
    ("/code add " + "C" * 3000 + " ana campaign=base", "code"),
    ("/roi campaign " + "b" * 3000, "campaign"),
]


def test_oversized_text_is_refused_naming_the_field_and_stores_nothing(roi, sessions, base):
    before = stored(sessions)
    for line, field in OVERSIZED:
        text = answer_text(roi.command(line))

        assert is_refusal(text) and f"`{field}`" in text and len(text) < 2000, text
    assert stored(sessions) == before


# -- button clicks with missing, odd or unknown parts -----------------------------------------------


CLICKS = {
    "no-team": alert_payload(team=...),
    "no-user": alert_payload(user=...),
    "user-is-null": alert_payload(user=None),
    "no-actions": alert_payload(actions=...),
    "no-type": alert_payload(type=...),
    "type-is-a-number": alert_payload(type=5),
    "no-response-url": alert_payload(),
    "unknown-action-id": alert_payload(actions=[{"action_id": "roi_nuke", "value": "1", "type": "button",
                                                 "block_id": "b"}]),
    "action-id-is-a-number": alert_payload(actions=[{"action_id": 5, "value": "1", "type": "button", "block_id": "b"}]),
    "value-is-a-list": alert_payload(actions=[{"action_id": "roi_cut", "value": [1], "type": "button",
                                               "block_id": "b"}]),
    "value-is-a-number": alert_payload(actions=[{"action_id": "roi_keep", "value": 7, "type": "button",
                                                 "block_id": "b"}]),
    "value-is-text": alert_payload(actions=[{"action_id": "roi_snooze", "value": "'; DROP TABLE alerts;--",
                                             "type": "button", "block_id": "b"}]),
    "view-submission-without-view": alert_payload(type="view_submission"),
    "shortcut-unknown": {"type": "shortcut", "callback_id": "nope", "team": {"id": "T0001"}, "user": {"id": "U0001"}},
}


def test_a_click_with_missing_or_odd_parts_is_answered_or_ignored_and_writes_nothing(web, slack, sessions, base,
                                                                                    caplog):
    before = stored(sessions)
    for case, payload in CLICKS.items():
        if case != "no-response-url":
            payload = {**payload, "response_url": slack.response_url(case)}
        calls = len(slack.calls)

        status, _ = wsgi_post(web, form(payload))

        assert status in (200, 400, 404), (case, status)
        sent = [c.params for c in slack.calls[calls:]
                if c.method in ("response_url", "chat.postMessage", "chat.update")]
        assert len(sent) <= 1, case
        for message in sent:
            assert INTERNAL not in assert_safe_message(message), case
            assert message.get("response_type", "ephemeral") == "ephemeral", case
    assert stored(sessions) == before
    assert unexpected_errors(caplog) == []


@pytest.mark.parametrize("value", ["9" * 30, "9" * 5000, "-1", "١٢"])
def test_a_click_with_an_out_of_range_alert_id_gets_a_calm_answer(web, slack, sessions, base, value):
    payload = alert_payload(actions=[{"action_id": "roi_cut", "value": value, "type": "button", "block_id": "b"}],
                            response_url=slack.response_url("big"))
    calls = len(slack.calls)

    assert wsgi_post(web, form(payload))[0] == 200
    [reply] = [c.params for c in slack.calls[calls:] if c.method == "response_url"]
    assert INTERNAL not in reply["text"]


def test_a_home_report_click_without_a_user_is_ignored(app, slack, caplog):
    payload = alert_payload(user=..., actions=[{"action_id": "roi_home_report", "value": "1", "type": "button",
                                                "block_id": "b"}], response_url=slack.response_url("home"))

    dispatch(app, form(payload), secret=SECRET)

    assert unexpected_errors(caplog) == []


# -- events with missing or odd parts ----------------------------------------------------------------


EVENTS = {
    "unknown-type": {"type": "reaction_added", "user": "U0001"},
    "no-type": {"user": "U0001"},
    "home-of-another-tab": {"type": "app_home_opened", "user": "U0001", "tab": "messages"},
    "uninstalled": {"type": "app_uninstalled"},
    "dm-without-files": {"type": "message", "channel_type": "im", "channel": "D0001", "user": "U0001", "text": "hi"},
    "dm-from-a-bot": {"type": "message", "channel_type": "im", "channel": "D0001", "bot_id": "B1", "files": [{}]},
    "channel-message-with-files": {"type": "message", "channel_type": "channel", "channel": "C1", "files": "x"},
}


def test_an_event_with_missing_or_odd_parts_is_ignored_without_an_error(web, slack, sessions, base, caplog):
    for case, payload in EVENTS.items():
        before = stored(sessions)

        status, _ = wsgi_post(web, event(payload))

        assert status in (200, 404), (case, status)
        if payload.get("type") != "app_uninstalled":
            assert stored(sessions) == before, case
    assert [c for c in slack.calls if c.method == "chat.postMessage"] == []
    assert unexpected_errors(caplog) == []


BROKEN_EVENTS = {
    "home-without-user": {"type": "app_home_opened"},
    "files-is-a-string": {"type": "message", "channel_type": "im", "channel": "D0001", "user": "U0001", "files": "x"},
    "file-without-id": {"type": "message", "channel_type": "im", "channel": "D0001", "user": "U0001", "files": [{}]},
    "dm-without-channel": {"type": "message", "channel_type": "im", "user": "U0001", "files": [{"id": "F1"}]},
    # files.info fails: the file was deleted before the bot fetched it
    "file-gone": {"type": "message", "channel_type": "im", "channel": "D0001", "user": "U0001", "files": [{"id": "F404"}]},
}


@pytest.mark.parametrize("payload", BROKEN_EVENTS.values(), ids=BROKEN_EVENTS.keys())
def test_a_broken_event_gets_no_error_and_at_most_a_refusal(app, slack, caplog, payload):
    dispatch(app, event(payload), secret=SECRET)

    assert unexpected_errors(caplog) == []
    assert not any(INTERNAL in json.dumps(m) for m in messages_of(slack))


# -- generated payloads ---------------------------------------------------------------------------------

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                       max_size=3), max_leaves=6)
KEYS = ["type", "team", "user", "actions", "channel", "container", "message", "view", "trigger_id", "api_app_id",
        "enterprise", "is_enterprise_install", "state"]


@FUZZ_APP
@given(changes=st.dictionaries(st.sampled_from(KEYS), st.one_of(st.just(...), json_values), max_size=3))
def test_any_mistyped_click_gets_a_2xx_or_4xx_and_writes_nothing(web, slack, sessions, base, changes):
    payload = {**alert_payload(**changes), "response_url": slack.response_url("fuzz")}
    before = stored(sessions)
    calls = len(slack.calls)

    status, _ = wsgi_post(web, form(payload))

    assert status in (200, 400, 401, 404), status
    for message in [c.params for c in slack.calls[calls:] if c.method in ("response_url", "chat.postMessage")]:
        assert_safe_message(message)
    assert stored(sessions) == before
