"""Tokens and secrets never appear in replies, error messages or reports (SPEC §7): what Slack received when a
listener raises with secrets in its message or Slack refuses the token, CLI output (configuration errors,
unexpected errors, reports, import summaries), and a real `roi-bot serve` process's stdout and stderr.

Every test plants distinctive canaries (tests/secret_canaries.py), including an installed workspace's token that
is in no setting, and searches every byte produced: all calls the Slack stand-in received but the Authorization
header, and everything printed or logged. Logs themselves: test_secrets_in_logs.py.
"""

from __future__ import annotations

import json
import logging

import pytest

import bot.wiring.cli
import server_support
from bot import logs
from bot.wiring.cli import main
from bot.config import Settings
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.requests import event, post, slash_command
from import_support import register
from registry_support import answered
from secret_canaries import (
    APP_TOKEN, APP_VARIABLES, BOT_TOKEN, DB_PASSWORD, ENV, INSTALLED_TOKEN,
    REFRESH_TOKEN, ROTATING_TOKEN, SETTINGS_SECRETS, SIGNING_SECRET, TOKEN_SHAPED, USER_TOKEN, Recorder,
    assert_calls_clean, assert_no_leak, boom, everything, leaked, read_all, reference_of, until,
)

SPRING = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=1500 date=2026-03-05",
]


# -- replies to users, and every other call Slack received -------------------------------------------------


@pytest.fixture
def canary_roi(make_app, settings, slack):
    """The real app holding canary secrets, driven by requests signed with the canary signing secret."""
    app = make_app(settings.with_(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, app_token=APP_TOKEN))
    return SlackDriver(app, slack, SIGNING_SECRET)


def log_like_serve() -> Recorder:
    """Logging as `roi-bot serve` sets it up with every canary secret known (call it in the test itself, so the
    handler writes to this phase's captured stderr); returns a recorder of the records beside it."""
    logs.configure(list(SETTINGS_SECRETS))
    recorder = Recorder()
    logging.getLogger().addHandler(recorder)
    return recorder


def test_a_listener_raising_with_secrets_in_its_message_answers_with_a_reference_only(canary_roi, slack, root_logging,
                                                                                      capsys, monkeypatch):
    answered(canary_roi.command("/campaign create spring budget=5000 channel=#general"))

    def broken(*args, **kwargs):
        raise RuntimeError(everything("listing broke"))

    monkeypatch.setattr("handlers.blocks.campaigns.listing", broken)
    logged = log_like_serve()

    answer = canary_roi.command("/campaign list")

    ref = reference_of(answered(answer))
    assert_no_leak(answer.ack, answer.reply, where="the reply")
    assert_calls_clean(slack.calls, BOT_TOKEN)
    [error] = logged.exceptions()
    assert set(leaked(str(error))) >= {*SETTINGS_SECRETS, *TOKEN_SHAPED}  # the error did carry them
    err = capsys.readouterr().err
    assert f"ref={ref}" in err and "RuntimeError: listing broke" in err
    assert_no_leak(err, where="the log")


def test_a_slack_api_error_mid_answer_is_answered_with_a_reference_only(canary_roi, slack, root_logging, capsys):
    for line in SPRING:
        answered(canary_roi.command(line))
    slack.fail("chat.postMessage", "invalid_auth", channel="C0001")  # the bot's token refused: it is in the error
    before = len(slack.calls)
    log_like_serve()

    answer = canary_roi.command("/roi campaign spring")

    ref = reference_of(answered(answer))
    assert_no_leak(answer.ack, answer.reply, where="the reply")
    assert_calls_clean(slack.calls[before:], BOT_TOKEN)
    assert [c.token for c in slack.calls[before:] if c.method == "chat.postMessage"] == [BOT_TOKEN]
    err = capsys.readouterr().err
    assert f"ref={ref}" in err and "invalid_auth" in err
    assert_no_leak(err, where="the log")


def test_an_event_listener_failing_is_only_logged_and_without_secrets(canary_roi, slack, root_logging, capsys):
    slack.fail("views.publish", f"token_revoked:{REFRESH_TOKEN}")
    log_like_serve()

    answer = canary_roi.event({"type": "app_home_opened", "user": "U0001", "tab": "home"})

    assert answer.replies == []  # nobody to answer: Slack only sees an HTTP error status
    assert_no_leak(answer.ack, where="the HTTP answer")
    [publish] = [c for c in answer.calls if c.method == "views.publish"]
    assert publish.token == BOT_TOKEN and "token" not in publish.params
    err = capsys.readouterr().err
    assert "ref=" in err and "token_revoked:xox?-***" in err
    assert_no_leak(err, where="the log")


# -- the command line ------------------------------------------------------------------------------------


def set_canary_env(monkeypatch) -> None:
    """The app's environment with every canary secret set, and nothing else of the app's."""
    for name in APP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def as_a_new_process() -> None:
    """No handler on the root logger until main() configures one (pytest puts its own back for each test phase)."""
    logging.getLogger().handlers[:] = []


@pytest.fixture
def canary_env(monkeypatch, tmp_path, root_logging):
    """A `roi-bot` run's environment with every canary secret set, in an empty folder (no .env)."""
    set_canary_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize(("env", "named"), [
    ({"ROI_TIMEZONE": "Mars/Olympus"}, "ROI_TIMEZONE"),
    ({"ROI_ADMINS": INSTALLED_TOKEN}, "ROI_ADMINS"),  # a token pasted into the wrong variable is echoed...
    ({"ROI_TIMEZONE": REFRESH_TOKEN}, "ROI_TIMEZONE"),
    ({"ROI_ALERT_TIME": ROTATING_TOKEN}, "ROI_ALERT_TIME"),
    ({"PORT": USER_TOKEN}, "PORT"),
    ({"SLACK_BOT_TOKEN": USER_TOKEN}, "SLACK_BOT_TOKEN"),
    ({"SLACK_APP_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
    ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_SECRET"),
    ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),  # required by serve
])
def test_a_configuration_error_names_the_variable_on_one_line_without_its_secret(canary_env, capsys, env, named):
    for name, value in env.items():
        canary_env.setenv(name, value)
    canary_env.setattr("bot.wiring.web.serve", lambda *a, **k: pytest.fail("the configuration was accepted: serving"))
    as_a_new_process()

    assert main(["serve"]) == 2

    captured = capsys.readouterr()
    assert named in captured.err and len(captured.err.strip().splitlines()) == 1
    assert_no_leak(captured.out, captured.err, where="stderr")


def test_an_unexpected_error_exits_1_with_a_redacted_traceback(canary_env, capsys, monkeypatch):
    def broken(settings, args):
        boom(INSTALLED_TOKEN, secret=settings.signing_secret)

    monkeypatch.setitem(bot.wiring.cli.COMMANDS, "db", broken)
    as_a_new_process()

    assert main(["db", "upgrade"]) == 1

    captured = capsys.readouterr()
    assert "roi-bot db failed" in captured.err and "RuntimeError: outer" in captured.err
    assert "xox?-***" in captured.err and "***" in captured.err
    assert_no_leak(captured.out, captured.err, where="stderr")


def test_an_unexpected_error_before_the_settings_are_read_is_redacted_too(canary_env, capsys, monkeypatch):
    def broken(cls, *args, **kwargs):
        raise RuntimeError(f"could not read .env: {INSTALLED_TOKEN} {REFRESH_TOKEN} {ROTATING_TOKEN}")

    monkeypatch.setattr(Settings, "from_env", classmethod(broken))
    as_a_new_process()

    assert main(["report", "campaign", "spring"]) == 1

    err = capsys.readouterr().err
    assert "roi-bot report failed" in err and "could not read .env" in err
    assert_no_leak(err, where="stderr")


def test_an_unreachable_database_with_a_password_is_reported_without_it(canary_env, capsys):
    as_a_new_process()
    canary_env.setenv("DATABASE_URL", f"postgresql+psycopg://roi:{DB_PASSWORD}@127.0.0.1:1/roi?connect_timeout=2")

    assert main(["db", "upgrade"]) == 1

    captured = capsys.readouterr()
    assert "roi-bot db failed" in captured.err and "OperationalError" in captured.err
    assert_no_leak(captured.out, captured.err, where="stderr")


@pytest.fixture
def cli_db(roi, db_url, monkeypatch, tmp_path, root_logging):
    """The canary environment on this test's database, with the spring campaign registered through Slack first
    (Bolt would read SLACK_CLIENT_ID from the environment and expect OAuth installations)."""
    register(roi)
    set_canary_env(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orders.csv").write_text("order_id,date,amount,code\n1,2026-03-05,200.00,ANA10\n2,2026-03-06,12x,BEN5\n")
    return tmp_path


@pytest.mark.parametrize("argv", [
    ["import", "orders", "orders.csv", "--json"],
    ["import", "orders", "orders.csv", "--dry-run"],
    ["report", "campaign", "spring", "--json"],
    ["report", "campaign", "spring", "--csv"],
    ["report", "campaign", "spring"],
    ["report", "influencer", "ana", "--json"],
])
def test_reports_and_import_summaries_carry_no_secret(cli_db, capsys, argv):
    as_a_new_process()
    assert main(["import", "orders", "orders.csv"]) == 0
    capsys.readouterr()

    assert main(argv) == 0

    captured = capsys.readouterr()
    assert "spring" in captured.out or "orders" in captured.out
    if "--json" in argv:
        json.loads(captured.out)
    assert_no_leak(captured.out, captured.err, where=" ".join(argv))


# -- a real server -----------------------------------------------------------------------------------------


def test_a_real_server_hitting_unexpected_errors_prints_and_answers_no_secret(roi, slack, db_url, tmp_path, monkeypatch):
    for line in SPRING:
        answered(roi.command(line))
    monkeypatch.setattr(server_support, "TOKEN", BOT_TOKEN)
    monkeypatch.setattr(server_support, "SECRET", SIGNING_SECRET)
    for name in APP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    slack.fail("chat.postMessage", "invalid_auth", channel="C0001")  # the bot's token is in this error's request
    slack.fail("views.publish", f"token_revoked:{INSTALLED_TOKEN}:{REFRESH_TOKEN}")  # and tokens in this one's text
    before = len(slack.calls)
    output: list[bytes] = []

    with server_support.server_process(slack, db_url, tmp_path) as (base, proc):
        reader = read_all(proc, output)
        replied = len(slack.calls_to("response_url"))
        command = slash_command("/roi", "campaign spring", response_url=slack.response_url("oops"))
        status, headers, ack = post(base + "/slack/events", command, secret=SIGNING_SECRET)
        home = event({"type": "app_home_opened", "user": "U0001", "tab": "home"})
        event_status, event_headers, event_ack = post(base + "/slack/events", home, secret=SIGNING_SECRET)
        replies = slack.wait_for("response_url", count=replied + 1, timeout=30)
        until(lambda: b"token_revoked" in b"".join(output))
        proc.terminate()
        proc.wait(timeout=15)
        reader.join(10)

    assert status == event_status == 200
    [reply] = [c for c in replies if c.name == "oops"]
    ref = reference_of(reply.params["text"])
    text = b"".join(output).decode(errors="replace")
    assert "listening on" in text and f"ref={ref}" in text and "token_revoked:xox?-***:xox?-***" in text
    assert_no_leak(*output, where="the server's stdout and stderr")
    assert_no_leak(ack, headers, event_ack, event_headers, where="the HTTP answers")
    calls = slack.calls[before:]
    [publish] = [c for c in calls if c.method == "views.publish"]
    assert INSTALLED_TOKEN in publish.response["error"]  # the scripted answer; every other byte must be clean
    assert_calls_clean([c for c in calls if c is not publish], BOT_TOKEN)
    assert publish.token == BOT_TOKEN
    assert_no_leak(publish.params, publish.body, {k: v for k, v in publish.headers.items() if k != "Authorization"})
