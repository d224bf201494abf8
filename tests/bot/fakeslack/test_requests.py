"""Request bodies built by the helpers look like Slack's, carry valid signatures and drive a Bolt app."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.fakeslack import requests as slack_requests
from bot.fakeslack.server import FakeSlack

SECRET = "test-signing-secret"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def app(slack):
    bolt = App(token="xoxb-test", signing_secret=SECRET, process_before_response=True,
               client=WebClient(token="xoxb-test", base_url=slack.api_url))

    @bolt.command("/ping")
    def ping(ack, respond):
        ack()
        respond("pong")

    @bolt.action("go")
    def go(ack, body, respond):
        ack()
        respond(f"clicked {body['actions'][0]['value']}")

    return bolt


def test_signature_is_valid_for_the_secret_and_only_for_it():
    body = slack_requests.slash_command("/roi", "campaign spring", response_url="http://x/r")

    headers = slack_requests.sign(body, SECRET)

    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)


@pytest.mark.parametrize(("body", "content_type"), [
    (slack_requests.slash_command("/roi", "", response_url="http://x/r"), "application/x-www-form-urlencoded"),
    (slack_requests.event({"type": "app_home_opened", "user": "U1"}), "application/json"),
])
def test_sign_guesses_the_content_type_from_the_body(body, content_type):
    assert slack_requests.sign(body, SECRET, timestamp=1)["Content-Type"] == content_type


def test_slash_command_body_has_the_fields_slack_sends():
    body = slack_requests.slash_command("/campaign", 'create spring note="a & b"', response_url="http://x/r1",
                                        channel_id="C9", user_id="U9")

    fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    assert fields["command"] == "/campaign"
    assert fields["text"] == 'create spring note="a & b"'
    assert (fields["channel_id"], fields["user_id"], fields["team_id"]) == ("C9", "U9", "T0001")
    assert {"response_url", "trigger_id", "api_app_id", "user_name", "team_domain"} <= fields.keys()


def test_block_actions_payload_carries_message_container_and_action():
    body = slack_requests.block_actions("go", "spring", message_ts="1.2", response_url="http://x/r",
                                        message={"blocks": [{"type": "divider"}]})

    payload = json.loads(parse_qs(body)["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "go" and payload["actions"][0]["value"] == "spring"
    assert payload["container"] == {"type": "message", "message_ts": "1.2", "channel_id": "C0001",
                                    "is_ephemeral": False}
    assert payload["message"]["ts"] == "1.2"
    assert payload["user"]["team_id"] == payload["team"]["id"] == "T0001"


def test_event_envelope_names_the_bot_authorization():
    envelope = json.loads(slack_requests.event({"type": "message", "channel_type": "im"}, team_id="T7"))

    assert envelope["type"] == "event_callback"
    assert envelope["authorizations"][0] == {"enterprise_id": None, "team_id": "T7", "user_id": "UBOT",
                                             "is_bot": True, "is_enterprise_install": False}


def test_dispatched_slash_command_responds_through_response_url(slack, app):
    body = slack_requests.slash_command("/ping", "", response_url=slack.response_url("ping-1"))

    response = slack_requests.dispatch(app, body, secret=SECRET)

    assert response.status == 200
    call = slack.wait_for("response_url")[0]
    assert (call.name, call.params["text"]) == ("ping-1", "pong")


def test_dispatch_with_a_wrong_secret_is_refused_and_nothing_is_sent(slack, app):
    body = slack_requests.slash_command("/ping", "", response_url=slack.response_url())
    slack.reset()  # App() itself called auth.test

    response = slack_requests.dispatch(app, body, secret="wrong-secret")

    assert response.status == 401
    assert slack.calls == []


def test_dispatched_button_click_reaches_its_listener(slack, app):
    body = slack_requests.block_actions("go", "spring", response_url=slack.response_url("click"))

    assert slack_requests.dispatch(app, body, secret=SECRET).status == 200
    assert slack.wait_for("response_url")[0].params["text"] == "clicked spring"


def test_dispatched_url_verification_echoes_the_challenge(app):
    response = slack_requests.dispatch(app, slack_requests.url_verification("abc"), secret=SECRET)

    assert response.status == 200
    assert json.loads(response.body)["challenge"] == "abc"


class _Echo(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        valid = SignatureVerifier(SECRET).is_valid_request(body, dict(self.headers.items()))
        self.send_response(200 if valid else 401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def echo_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()
    server.server_close()
    thread.join()


def test_post_sends_a_signed_body_over_http(echo_url):
    body = slack_requests.url_verification("xyz")

    status, headers, text = slack_requests.post(echo_url, body, secret=SECRET)

    assert (status, text) == (200, body)
    assert headers["Content-Length"] == str(len(body))


def test_post_returns_error_statuses_instead_of_raising(echo_url):
    status, _, text = slack_requests.post(echo_url, "a=b", secret="wrong")

    assert (status, text) == (401, "a=b")
