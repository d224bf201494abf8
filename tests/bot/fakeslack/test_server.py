"""The Slack stand-in answers the real slack_sdk clients the way Slack does, and records what they sent."""

import threading
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.fakeslack.server import FakeSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*ROI* 120%"}}]


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def download(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


def test_post_message_is_recorded_with_decodable_blocks(slack, client):
    first = client.chat_postMessage(channel="C1", text="ROI", blocks=BLOCKS)
    second = client.chat_postMessage(channel="C1", text="again")

    call = slack.calls_to("chat.postMessage")[0]
    assert call.token == "xoxb-test"
    assert call.params["channel"] == "C1"
    assert call.json("blocks") == BLOCKS
    assert first["message"]["blocks"] == BLOCKS
    assert float(second["ts"]) > float(first["ts"])


def test_json_helper_decodes_json_strings_from_form_bodies(slack, client):
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "x", "blocks": '[{"type": "divider"}]'})

    assert slack.calls_to("chat.postMessage")[0].json("blocks") == [{"type": "divider"}]


def test_auth_test_answers_the_configured_identity(client):
    answer = client.auth_test()

    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "UBOT", "BBOT")


def test_files_upload_v2_keeps_the_bytes_and_the_channel(slack, client):
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    answer = client.files_upload_v2(channel="C1", content=content, filename="x.png", title="Spring ROI",
                                    initial_comment="chart")

    upload = slack.uploads[answer["file"]["id"]]
    assert upload["bytes"] == content
    assert (upload["channel_id"], upload["title"], upload["initial_comment"]) == ("C1", "Spring ROI", "chart")
    assert slack.calls_to("file_upload")[0].body == content


def test_upload_url_accepts_a_multipart_body(slack, client):
    target = client.files_getUploadURLExternal(filename="a.csv", length=3)
    body = (b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\na,b\r\n--XX--\r\n")
    request = urllib.request.Request(target["upload_url"], data=body, method="POST",
                                     headers={"Content-Type": "multipart/form-data; boundary=XX"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200

    client.files_completeUploadExternal(files=[{"id": target["file_id"]}], channel_id="C1")
    assert slack.uploads[target["file_id"]]["bytes"] == b"a,b"


def test_completing_an_upload_that_never_happened_is_invalid_file_id(client):
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": "F404"}], channel_id="C1")

    assert raised.value.response["error"] == "invalid_file_id"


def test_fail_raises_that_error_once_then_succeeds(slack, client):
    slack.fail("chat.postMessage", "not_in_channel")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response["error"] == "not_in_channel"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.error for c in slack.calls_to("chat.postMessage")] == ["not_in_channel", None]


def test_fail_for_one_channel_leaves_others_alone(slack, client):
    slack.fail("chat.postMessage", "channel_not_found", channel="C2")

    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C2", text="x")


def test_rate_limit_is_waited_out_by_the_retry_handler(slack, client):
    slack.rate_limit("chat.postMessage", retry_after=1)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))

    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="x")["ok"]

    assert time.monotonic() - started >= 1
    calls = slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}


def test_server_error_answers_the_status_then_recovers(slack, client):
    slack.server_error("chat.postMessage", status=503)
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))

    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [503, 200]


def test_delay_makes_a_short_client_timeout_fire(slack):
    slack.delay("auth.test", 2)
    impatient = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.2)

    with pytest.raises(TimeoutError):
        impatient.auth_test()


def test_failed_upload_to_one_channel_can_go_to_a_dm_instead(slack, client):
    slack.fail("files.completeUploadExternal", "not_in_channel", channel="C1")

    with pytest.raises(SlackApiError, match="not_in_channel"):
        client.files_upload_v2(channel="C1", content=b"png", filename="x.png")
    dm = client.conversations_open(users="U0001")["channel"]["id"]
    client.files_upload_v2(channel=dm, content=b"png", filename="x.png")

    assert [u["channel_id"] for u in slack.uploads.values()] == [dm]


def test_conversations_list_pages_with_cursors(slack, client):
    slack.channels = [{"id": f"C{i}", "name": f"chan-{i}"} for i in range(5)]

    pages = [p["channels"] for p in client.conversations_list(limit=2)]

    assert [len(p) for p in pages] == [2, 2, 1]
    assert [c["id"] for p in pages for c in p] == ["C0", "C1", "C2", "C3", "C4"]


def test_users_list_and_info_come_from_configured_users(slack, client):
    slack.users = [{"id": "U1", "name": "ana"}, {"id": "U2", "name": "bo"}]

    assert [m["id"] for m in client.users_list(limit=1)["members"]] == ["U1"]
    assert client.users_info(user="U2")["user"]["name"] == "bo"
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="U9")


def test_conversations_open_gives_a_stable_dm_per_user(client):
    first = client.conversations_open(users="U123")["channel"]["id"]

    assert first.startswith("D")
    assert client.conversations_open(users=["U123"])["channel"]["id"] == first
    assert client.conversations_open(users="U456")["channel"]["id"] != first


def test_files_info_and_download_require_a_bot_token(slack, client):
    slack.add_file("F1", b"order_id,amount\n1,10\n", name="orders.csv")

    file = client.files_info(file="F1")["file"]

    assert download(file["url_private_download"], "xoxb-test") == (200, b"order_id,amount\n1,10\n")
    assert download(file["url_private"])[0] == 401
    assert [c.status for c in slack.calls_to("file_download")] == [200, 401]


def test_response_url_posts_are_recorded_under_their_name(slack):
    WebhookClient(slack.response_url("cmd-1")).send(text="only you", response_type="ephemeral")

    call = slack.wait_for("response_url")[0]
    assert (call.name, call.params["text"], call.params["response_type"]) == ("cmd-1", "only you", "ephemeral")


def test_oauth_access_returns_the_scripted_installation(slack, client):
    slack.oauth_installs["code-2"] = {"access_token": "xoxb-two", "team": {"id": "T2", "name": "Two"},
                                      "bot_user_id": "UB2", "app_id": "A0001"}
    anonymous = WebClient(base_url=slack.api_url)

    default = anonymous.oauth_v2_access(client_id="id", client_secret="s", code="code-1")
    scripted = anonymous.oauth_v2_access(client_id="id", client_secret="s", code="code-2")

    assert default["access_token"] == "xoxb-fake-T0001"
    assert scripted["team"]["id"] == "T2"
    assert WebClient(token="xoxb-two", base_url=slack.api_url).auth_test()["team_id"] == "T2"


def test_unknown_token_is_invalid_auth_when_tokens_are_checked(slack, client):
    slack.valid_tokens = {"xoxb-good"}

    with pytest.raises(SlackApiError, match="invalid_auth"):
        client.auth_test()
    assert WebClient(token="xoxb-good", base_url=slack.api_url).auth_test()["ok"]


def test_unknown_method_is_refused(client):
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("chat.teleport")


def test_views_publish_echoes_the_view(client):
    answer = client.views_publish(user_id="U1", view={"type": "home", "blocks": BLOCKS})

    assert answer["view"]["blocks"] == BLOCKS


def test_concurrent_calls_are_all_recorded(slack, client):
    threads = [threading.Thread(target=client.chat_postMessage, kwargs={"channel": "C1", "text": str(i)})
               for i in range(20)]
    for thread in threads:
        thread.start()

    calls = slack.wait_for("chat.postMessage", count=20)
    for thread in threads:
        thread.join()
    assert len({c.response["ts"] for c in calls}) == 20


def test_wait_for_times_out_listing_the_calls_seen(slack, client):
    client.auth_test()

    with pytest.raises(AssertionError, match="auth.test"):
        slack.wait_for("chat.postMessage", timeout=0.1)


def test_reset_forgets_calls_and_scripts(slack, client):
    slack.fail("auth.test")
    client.chat_postMessage(channel="C1", text="x")

    slack.reset()

    assert slack.calls == []
    assert client.auth_test()["ok"]


def test_stop_twice_is_harmless():
    slack = FakeSlack().start()
    url = slack.api_url

    slack.stop()
    slack.stop()

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "auth.test", timeout=1)
