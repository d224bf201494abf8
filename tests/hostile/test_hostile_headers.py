"""Forged and mangled requests to /slack/events (SPEC §7), through the WSGI callable of `roi-bot serve` and straight
into Bolt with `app.dispatch`: whatever fails verification in any way gets a 401 (a 400 when the body is not one of
Slack's) and causes nothing — no reply, no Web API call, no write, no log of what it carried.

Every forged body here asks for a change (`/campaign create forgedcanary`) and carries a response_url on the Slack
stand-in, so a request that got through, or an error answered through it, shows up in `slack.calls`."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt import BoltRequest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.fakeslack.requests import block_actions, bolt_request, call_wsgi, event, sign, slash_command, wsgi_environ
from bot.models import Campaign
from bot.wiring.web import wsgi_app
from conftest import SECRET, SQLITE_ONLY
from hostile.hostile_support import FUZZ, INTERNAL

# Verification happens on the raw request, before anything is read or written: on SQLite only (the database is
# there to show that nothing was written).
pytestmark = SQLITE_ONLY

CANARY = "forgedcanary"
FUZZ_HEADERS = settings(FUZZ, max_examples=60)  # each example is one refused request: cheap


@pytest.fixture
def web(app):
    """The WSGI callable of `roi-bot serve`, around the synchronous test app."""
    return wsgi_app(app)


@pytest.fixture
def forged_body(slack) -> str:
    """A command that would create a campaign and answer through the stand-in, were it let through."""
    return slash_command("/campaign", f"create {CANARY} budget=1", response_url=slack.response_url(CANARY))


def send(web, body: str | bytes, **changes: str | None) -> int:
    """Sign `body` as Slack would, apply header `changes` (None drops one; `X_Slack_Signature` style names), and run it
    through the WSGI callable; the status."""
    raw = body.encode() if isinstance(body, str) else body
    headers = sign(raw.decode(errors="replace"), SECRET)
    for name, value in changes.items():
        headers.pop(name.replace("_", "-"), None)
        if value is not None:
            headers[name.replace("_", "-")] = value
    return call_wsgi(web, wsgi_environ(raw, headers))[0]


def answered(web, body: str) -> tuple[int, dict]:
    """Send `body` signed as Slack would; the status and the message its acknowledgement carried."""
    raw = body.encode()
    status, out = call_wsgi(web, wsgi_environ(raw, sign(body, SECRET)))
    return status, json.loads(out)


def signed_with(body: str, timestamp: str) -> dict[str, str]:
    """The timestamp and signature headers for `body` signed over exactly `timestamp`, however odd."""
    headers = sign(body, SECRET, timestamp=timestamp)
    return {"X_Slack_Request_Timestamp": timestamp, "X_Slack_Signature": headers["X-Slack-Signature"]}


def campaign_names(sessions) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Campaign.name)))


def nothing_happened(slack, sessions, caplog, *, but: tuple[str, ...] = ()) -> None:
    """No call reached the stand-in (`but` those), nothing was written, and nothing the requests carried was logged."""
    assert [c.method for c in slack.calls if c.method not in but] == []
    assert campaign_names(sessions) == []
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records if r.levelno >= logging.INFO]
    assert not [line for line in logged if CANARY in line]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


NOW = str(int(time.time()))
# What int() takes but Slack never sends; the strict parser refuses them even when the signature is right.
LOOSE = {"space-before": " " + NOW, "space-after": NOW + " ", "newline-after": NOW + "\n", "plus-sign": "+" + NOW,
         "underscore": NOW[:4] + "_" + NOW[4:], "13-digits": "000" + NOW,
         "arabic-digits": NOW.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
         "fullwidth-digits": NOW.translate(str.maketrans("0123456789", "０１２３４５６７８９"))}
MALFORMED = {"abc": "abc", "empty": "", "exponent": "1e12", "decimal": "1.5", "hex": "0x10", "negative": "-1",
             "huge": "9" * 40, "trailing-letters": NOW + "abc"}


@pytest.mark.parametrize("timestamp", [*MALFORMED.values(), *LOOSE.values()], ids=[*MALFORMED, *LOOSE])
def test_a_malformed_timestamp_gets_401_even_signed_over_it(web, slack, sessions, caplog, forged_body, timestamp):
    caplog.set_level(logging.INFO)

    assert send(web, forged_body, **signed_with(forged_body, timestamp)) == 401
    nothing_happened(slack, sessions, caplog)


@pytest.mark.parametrize("age", [301, 3600, -301, -10 ** 9])
def test_a_stale_or_future_timestamp_gets_401(web, slack, sessions, caplog, forged_body, age):
    caplog.set_level(logging.INFO)

    assert send(web, forged_body, **signed_with(forged_body, str(int(time.time()) - age))) == 401
    nothing_happened(slack, sessions, caplog)
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        "refused a request: stale timestamp"]


def right_signature(body: str) -> str:
    return sign(body, SECRET)["X-Slack-Signature"]


SIGNATURES = {
    "missing": lambda body: None, "empty": lambda body: "", "bare-v0": lambda body: "v0=",
    "another-secret": lambda body: sign(body, "not-the-secret")["X-Slack-Signature"],
    "another-body": lambda body: right_signature(body + "&text=x"),
    "upper-case": lambda body: right_signature(body).upper(), "v1": lambda body: "v1" + right_signature(body)[2:],
    "padded": lambda body: right_signature(body) + " ", "truncated": lambda body: right_signature(body)[:-1],
    "non-ascii": lambda body: right_signature(body)[:-1] + "é", "not-hex": lambda body: "v0=" + "g" * 64,
}


@pytest.mark.parametrize("forge", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_a_missing_malformed_or_wrong_signature_gets_401(web, slack, sessions, caplog, forged_body, forge):
    caplog.set_level(logging.INFO)

    assert send(web, forged_body, X_Slack_Signature=forge(forged_body)) == 401
    nothing_happened(slack, sessions, caplog)


def test_a_request_without_a_timestamp_gets_401(web, slack, sessions, caplog, forged_body):
    assert send(web, forged_body, X_Slack_Request_Timestamp=None) == 401
    nothing_happened(slack, sessions, caplog)


@pytest.mark.parametrize("content_type", ["text/plain", "", "multipart/form-data", "application/jsonp", "text/html"])
def test_a_signed_body_under_a_content_type_slack_never_sends_is_refused(web, slack, sessions, caplog, forged_body,
                                                                          content_type):
    assert send(web, forged_body, Content_Type=content_type) == 400
    nothing_happened(slack, sessions, caplog)


def test_a_correctly_signed_request_still_goes_through(web, slack, sessions, forged_body):
    assert send(web, forged_body, Content_Type="application/x-www-form-urlencoded; charset=utf-8") == 200
    assert slack.calls_to("response_url") == []  # answered in the acknowledgement
    assert campaign_names(sessions) == [CANARY]


# -- generated headers ----------------------------------------------------------------------------------


timestamps = st.one_of(
    st.text(max_size=16).filter(lambda t: not (t.isascii() and t.isdigit())),
    st.integers().filter(lambda n: abs(n - time.time()) > 330).map(str),
    # The right time, loosely written; the last one is what a server makes of the header sent twice.
    st.sampled_from([*LOOSE.values(), *(NOW + c for c in "\t\r\x00;,"), f"{NOW}, {NOW}"]),
)


@FUZZ_HEADERS
@given(timestamp=timestamps)
def test_any_malformed_stale_or_future_timestamp_gets_401(web, slack, sessions, caplog, forged_body, timestamp):
    assert send(web, forged_body, **signed_with(forged_body, timestamp)) == 401
    nothing_happened(slack, sessions, caplog)


@FUZZ_HEADERS
@given(signature=st.one_of(st.text(max_size=80), st.from_regex(r"v0=[0-9a-fA-F]{0,70}", fullmatch=True)))
def test_any_signature_but_the_right_one_gets_401(web, slack, sessions, caplog, forged_body, signature):
    if signature == right_signature(forged_body):
        return
    assert send(web, forged_body, X_Slack_Signature=signature) == 401
    nothing_happened(slack, sessions, caplog)


slack_content_types = ("application/json", "application/x-www-form-urlencoded")


@FUZZ_HEADERS
@given(content_type=st.one_of(st.text(max_size=40), st.sampled_from(["text/plain", "application/xml", "image/png"])
                              .flatmap(lambda t: st.just(t) | st.builds("{}; {}".format, st.just(t), st.text()))))
def test_any_other_content_type_is_refused(web, slack, sessions, caplog, forged_body, content_type):
    if content_type.split(";")[0].strip().lower() in slack_content_types:
        return
    assert send(web, forged_body, Content_Type=content_type) in (400, 401)
    nothing_happened(slack, sessions, caplog)


# -- bodies: nesting and envelopes ---------------------------------------------------------------------------

DEEP = {
    "list": "[" * 100_000 + "]" * 100_000,
    "object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "event": '{"type": "event_callback", "team_id": "T0001", "event": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "payload": "payload=" + "%5B" * 50_000 + "%5D" * 50_000,
}


def content_type_of(body: str) -> str:
    return "application/x-www-form-urlencoded" if body.startswith("payload") else "application/json"


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_a_body_nested_past_what_json_can_parse_gets_400_signed_or_not(web, slack, sessions, caplog, body, signed):
    forged = {} if signed else {"X_Slack_Signature": "v0=" + "0" * 64}

    assert send(web, body, Content_Type=content_type_of(body), **forged) == 400
    nothing_happened(slack, sessions, caplog)


def test_a_signed_body_nested_deeper_than_slacks_gets_400(web, slack, sessions, caplog):
    body = json.dumps({"type": "event_callback", "team_id": "T0001", "event": {"type": "app_home_opened", "a": []}})

    assert send(web, body.replace("[]", "[" * 70 + "]" * 70), Content_Type="application/json") == 400
    nothing_happened(slack, sessions, caplog)


def interaction(slack, **changes) -> str:
    """A button click as Slack sends it, with `changes` applied (`...` deletes a key)."""
    clicked = block_actions("roi_cut", "1", response_url=slack.response_url(CANARY))
    payload = {**json.loads(dict(parse_qsl(clicked))["payload"]), **changes}
    return urlencode({"payload": json.dumps({k: v for k, v in payload.items() if v is not ...})})


def command(slack, drop: str) -> str:
    fields = dict(parse_qsl(slash_command("/campaign", f"create {CANARY} budget=1",
                                          response_url=slack.response_url(CANARY))))
    fields.pop(drop)
    return urlencode(fields)


ENVELOPES = {
    "view-submission-without-view-type": lambda slack: interaction(
        slack, type="view_submission", actions=..., view={"id": "V1", "callback_id": "x", "state": {"values": {}}}),
    "team-id-is-an-object": lambda slack: interaction(slack, team={"id": {"id": "T0001"}}),
    "user-id-is-a-number": lambda slack: interaction(slack, user={"id": 5}),
    "action-id-is-a-list": lambda slack: interaction(slack, actions=[{"action_id": ["roi_cut"], "value": "1"}]),
    "authorizations-is-a-number": lambda slack: event({"type": "app_home_opened", "user": "U0001"})[:-1]
    + ', "authorizations": 5}',
    "event-without-team-id": lambda slack: json.dumps({"type": "event_callback", "event": {
        "type": "app_home_opened", "user": "U0001", "tab": "home"}}),
    "response-url-is-an-object": lambda slack: interaction(slack, response_url={"url": slack.response_url()}),
    "command-without-user-id": lambda slack: command(slack, "user_id"),
    "command-without-channel-id": lambda slack: command(slack, "channel_id"),
    "command-without-team-id": lambda slack: command(slack, "team_id"),
}


@pytest.mark.parametrize("build", ENVELOPES.values(), ids=ENVELOPES.keys())
def test_a_signed_body_of_an_odd_shape_gets_400_and_causes_nothing(web, slack, sessions, caplog, build):
    caplog.set_level(logging.INFO)
    body = build(slack)

    assert send(web, body) == 400
    nothing_happened(slack, sessions, caplog)


# Only the HTTP layer sees this one: Bolt cannot even build a request from it.
THROUGH_BOLT = [k for k in ENVELOPES if k != "authorizations-is-a-number"]


@pytest.mark.parametrize("name", THROUGH_BOLT)
def test_app_dispatch_refuses_a_signed_body_of_an_odd_shape_too(app, slack, sessions, caplog, name):
    body = ENVELOPES[name](slack)

    assert app.dispatch(bolt_request(body, sign(body, SECRET))).status == 400
    # The shape check runs before Bolt's authorization: not even auth.test is called.
    nothing_happened(slack, sessions, caplog)


# -- app.dispatch: errors before verification are never answered --------------------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "", "1e12", "1.5", "0x10"])
def test_app_dispatch_answers_a_timestamp_that_breaks_bolts_check_with_401_and_nothing_else(
        app, slack, sessions, caplog, forged_body, timestamp):
    caplog.set_level(logging.INFO)
    headers = {**sign(forged_body, SECRET), "X-Slack-Request-Timestamp": timestamp}

    assert app.dispatch(bolt_request(forged_body, headers)).status == 401
    nothing_happened(slack, sessions, caplog)


def test_app_dispatch_logs_a_refused_signature_in_one_line_without_the_body(app, slack, sessions, caplog, forged_body):
    caplog.set_level(logging.DEBUG, logger="slack_bolt")
    caplog.set_level(logging.INFO)

    assert app.dispatch(bolt_request(forged_body, sign(forged_body, "not-the-secret"))).status == 401
    nothing_happened(slack, sessions, caplog)
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        "refused a request: bad signature or stale timestamp"]


def socket_request(body: str) -> BoltRequest:
    """The request Bolt's Socket Mode handler builds: the payload as a dict, no signature (the socket is Slack's)."""
    return BoltRequest(body=dict(parse_qsl(body)), mode="socket_mode")


def test_a_socket_mode_request_whose_authorization_fails_is_still_answered(app, slack, sessions, monkeypatch):
    monkeypatch.setattr(WebClient, "auth_test", lambda *a, **k: (_ for _ in ()).throw(TimeoutError("no answer")))
    body = slash_command("/campaign", "create spring budget=1", response_url=slack.response_url("socket"))

    response = app.dispatch(socket_request(body))

    assert INTERNAL in json.loads(response.body)["text"]  # the acknowledgement, which the socket carries back
    assert slack.calls_to("response_url") == []
    assert campaign_names(sessions) == []


def test_an_http_request_whose_authorization_fails_is_still_answered(web, slack, sessions, monkeypatch):
    monkeypatch.setattr(WebClient, "auth_test", lambda *a, **k: (_ for _ in ()).throw(TimeoutError("no answer")))
    body = slash_command("/campaign", "create spring budget=1", response_url=slack.response_url("http"))

    status, message = answered(web, body)

    assert status == 200 and INTERNAL in message["text"] and message["response_type"] == "ephemeral"
    assert campaign_names(sessions) == []


def test_a_socket_mode_request_is_served(app, slack, sessions):
    body = slash_command("/campaign", "create spring budget=1", response_url=slack.response_url("socket"))

    response = app.dispatch(socket_request(body))

    assert response.status == 200 and "spring" in json.loads(response.body)["text"]
    assert campaign_names(sessions) == ["spring"]
