"""Tokens and secrets never appear in logs, replies or error messages (SPEC §7).

Every test plants distinctive canaries (tests/secret_canaries.py) where a careless path would pick them up: the
settings, the message of an exception a listener raises, a Slack error's response, a bad environment variable,
an installed workspace's token that is in no setting. Then every byte the app produced is searched: what it
logged (all levels, tracebacks, `logging.lastResort`, warnings), every call the Slack stand-in received (all
but the Authorization header), CLI output, and a real `roi-bot serve` process's stdout and stderr.
The tests marked "raw" show the same emissions *without* the redaction do carry the canaries, so the others
cannot pass for want of anything to find.
"""

from __future__ import annotations

import json
import logging
import pprint

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import bot.cli
import server_support
from bot import logs
from bot.cli import main
from bot.config import Settings
from bot.errors import ConfigError
from bot.fakeslack.driver import SlackDriver
from bot.fakeslack.requests import event, post, slash_command
from bot.logs import Redactor
from import_support import register
from registry_support import answered
from secret_canaries import (
    ALL, APP_TOKEN, APP_VARIABLES, BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, DB_PASSWORD, ENV, INSTALLED_TOKEN, MARK,
    REFRESH_TOKEN, ROTATING_TOKEN, SETTINGS_SECRETS, SIGNING_SECRET, STATE_SECRET, TOKEN_SHAPED, USER_TOKEN, Recorder,
    Unwritable, assert_calls_clean, assert_no_leak, everything, leaked, read_all, reference_of, run_python, until,
)

LEVELS = ["debug", "info", "warning", "error", "critical", "exception"]
SPRING = [
    "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31",
    "/influencer add ana followers=20000 campaign=spring fee=1000",
    "/code add ANA10 ana campaign=spring",
    "/roi sale ANA10 amount=1500 date=2026-03-05",
]


@pytest.fixture
def root_logging():
    """Put the root logger, `logging.lastResort` and warnings capture back as they were (configure changes them),
    starting from a clean slate for the last two."""
    root = logging.getLogger()
    handlers, level, last_resort = root.handlers[:], root.level, logging.lastResort.filters[:]
    logging.lastResort.filters[:] = []
    logging.captureWarnings(False)
    yield root
    logging.captureWarnings(False)
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.lastResort.filters[:] = last_resort


def _boom(token: str, *, secret: str) -> None:
    """Raise an exception whose message, cause and note carry canaries (its arguments and locals carry them too)."""
    state = STATE_SECRET  # noqa: F841 - a local holding a secret; the traceback must not show it
    try:
        raise ValueError(f"inner: {REFRESH_TOKEN}")
    except ValueError as inner:
        error = RuntimeError(everything("outer"))
        error.add_note(f"note: {ROTATING_TOKEN} {secret}")
        raise error from inner


def emit(logger: logging.Logger, level: str) -> None:
    """Log canaries at `level` every way a call site can: in the message, as %s and %r arguments, in a traceback."""
    if level == "exception":
        try:
            _boom(INSTALLED_TOKEN, secret=SIGNING_SECRET)
        except RuntimeError:
            logger.exception("unhandled error ref=ABC123 (%s)", BOT_TOKEN)
        return
    log = getattr(logger, level)
    log("plain %s %s %s %s %s", *SETTINGS_SECRETS)
    log("repr %r", {"token": INSTALLED_TOKEN, "text": "line\n" + USER_TOKEN, "refresh": REFRESH_TOKEN})
    log(everything(f"{level} message"))
    log("%(token)s and %(app)s", {"token": ROTATING_TOKEN, "app": APP_TOKEN})


# -- the redactor's patterns -----------------------------------------------------------------------------


@pytest.mark.parametrize("token", TOKEN_SHAPED + (BOT_TOKEN, APP_TOKEN, "xoxa-2-SECRET-LEAK-x", "xoxr-SECRET-LEAK-x",
                                                   "xoxs-SECRET-LEAK-x", "xoxc-SECRET-LEAK-x", "xoxd-SECRET-LEAK-x"))
@pytest.mark.parametrize("around", ["{}", "Bearer {}", "token={}&ok=1", "token%3D{}", "'line\\n{}'", '"{}"', "_{}.",
                                    "(error: {})", "{{'token': '{}'}}"])
def test_every_slack_token_shape_is_redacted_by_shape_alone_wherever_it_stands(token, around):
    text = around.format(token)

    redacted = Redactor([]).redact(text)

    assert MARK not in redacted and "***" in redacted


def test_known_secret_values_are_redacted_even_without_a_token_shape():
    redacted = Redactor(list(SETTINGS_SECRETS)).redact(everything())
    assert leaked(redacted) == []


def test_the_redactor_leaves_ordinary_text_alone():
    text = "SLACK_BOT_TOKEN must be a bot token starting with xoxb- (see xapp- for Socket Mode); ROI 15% on USD 1,500"
    assert Redactor([]).redact(text) == text


# -- logs --------------------------------------------------------------------------------------------------


def test_raw_without_the_redactor_every_emission_would_carry_the_canaries(root_logging, capsys):
    root_logging.handlers[:] = [logging.StreamHandler()]
    root_logging.setLevel(logging.DEBUG)

    for level in LEVELS:
        emit(logging.getLogger("roi.canary"), level)

    err = capsys.readouterr().err
    assert set(leaked(err)) == {*ALL, MARK}


@pytest.mark.parametrize("level", LEVELS)
def test_logs_at_every_level_show_no_secret_and_no_token(root_logging, capsys, level):
    logs.configure(list(SETTINGS_SECRETS), level=logging.DEBUG)
    recorder = Recorder()
    root_logging.addHandler(recorder)

    emit(logging.getLogger("roi.canary"), level)

    err = capsys.readouterr().err
    assert_no_leak(err, where="the log")
    assert f" {level.upper() if level != 'exception' else 'ERROR'} roi.canary: " in err
    assert "xox?-***" in err
    if level == "exception":
        assert "unhandled error ref=ABC123" in err and "RuntimeError: outer" in err and "ValueError: inner" in err
        assert "note:" in err and "The above exception was the direct cause" in err
        [error] = recorder.exceptions()
        assert set(leaked(str(error), error.__notes__, error.__cause__)) >= {*TOKEN_SHAPED, BOT_TOKEN}


@pytest.mark.parametrize("configured", [False, True], ids=["raw", "configured"])
def test_a_handler_that_cannot_write_reports_its_own_failure_without_secrets(root_logging, capsys, configured):
    if configured:
        logs.configure(list(SETTINGS_SECRETS))
        root_logging.handlers[0].setStream(Unwritable())
    else:  # the redacting filter on a plain handler, as before: its failure report prints the logged exception
        handler = logging.StreamHandler(Unwritable())
        handler.addFilter(Redactor(list(SETTINGS_SECRETS)))
        root_logging.handlers[:] = [handler]

    emit(logging.getLogger("roi.canary"), "exception")

    err = capsys.readouterr().err
    assert "Logging error" in err and "UnicodeEncodeError" in err
    if configured:
        assert_no_leak(err, where="the logging error report")
    else:
        assert set(leaked(err)) >= {*SETTINGS_SECRETS, *TOKEN_SHAPED}


def test_a_logger_with_no_handler_of_its_own_falls_back_to_last_resort_redacted(root_logging, capsys):
    logs.configure(list(SETTINGS_SECRETS))
    lonely = logging.getLogger("roi.canary.lonely")
    lonely.propagate = False
    try:
        for level in ("warning", "error", "exception"):
            emit(lonely, level)
    finally:
        lonely.propagate = True

    err = capsys.readouterr().err
    assert "unhandled error ref=ABC123" in err and "RuntimeError" in err  # it did reach lastResort
    assert_no_leak(err, where="logging.lastResort")


def test_raw_last_resort_without_configure_would_print_the_canaries(root_logging, capsys):
    root_logging.handlers[:] = []

    emit(logging.getLogger("roi.canary"), "exception")

    assert set(leaked(capsys.readouterr().err)) >= {BOT_TOKEN, *TOKEN_SHAPED}


def test_every_handler_of_the_app_and_its_libraries_redacts(root_logging, capsys):
    import alembic.runtime.migration  # noqa: F401 - the libraries create their loggers on import
    import apscheduler.schedulers.background  # noqa: F401
    import slack_bolt  # noqa: F401
    import waitress  # noqa: F401

    import bot.app  # noqa: F401
    import bot.web  # noqa: F401

    logs.configure(list(SETTINGS_SECRETS), level=logging.DEBUG)
    names = ["roi.errors", "roi.bolt", "roi.commands", "bot.web", "slack_bolt.App", "slack_sdk.web.base_client",
             "waitress", "waitress.queue", "apscheduler.scheduler", "apscheduler.executors.default",
             "sqlalchemy.engine.Engine", "alembic.runtime.migration", "py.warnings"]
    for name in names:
        logging.getLogger(name).error("from %s: %s", name, everything(), exc_info=RuntimeError(everything()))

    err = capsys.readouterr().err
    assert all(f"from {name}" in err for name in names)
    assert_no_leak(err, where="the log")
    ours = ("roi", "bot", "handlers", "metrics", "slack_bolt", "slack_sdk", "waitress", "apscheduler", "alembic",
            "sqlalchemy", "py.warnings", "dotenv", "urllib3", "matplotlib", "psycopg")
    loggers = [logging.getLogger(), *(lg for name, lg in logging.root.manager.loggerDict.items()
                                      if isinstance(lg, logging.Logger) and any(name == o or name.startswith(o + ".") for o in ours))]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.NullHandler):  # writes nothing anywhere
                continue
            assert any(isinstance(f, Redactor) for f in handler.filters), f"{logger.name}: {handler!r} does not redact"
    assert any(isinstance(f, Redactor) for f in logging.lastResort.filters)


def test_a_slack_api_error_that_holds_the_token_is_logged_without_it(root_logging, capsys, slack):
    logs.configure(list(SETTINGS_SECRETS), level=logging.DEBUG)  # slack_sdk logs every request at DEBUG
    recorder = Recorder()
    root_logging.addHandler(recorder)
    slack.fail("auth.test", "invalid_auth")
    client = WebClient(token=INSTALLED_TOKEN, base_url=slack.api_url)

    try:
        client.auth_test()
    except SlackApiError as error:
        log = logging.getLogger("roi.jobs")
        log.exception("could not reach team T0001: %s (response %r)", error, error.response)
        log.debug("the request was %r", error.response.req_args)  # a careless debugging line

    [error] = recorder.exceptions()
    assert f"Bearer {INSTALLED_TOKEN}" in repr(error.response.req_args)  # the exception does hold the token...
    err = capsys.readouterr().err
    assert "invalid_auth" in err and "Sending a request" in err and "Bearer xox?-***" in err
    assert_no_leak(err, where="the log")  # ...and the log never shows it, though it is in no setting


@pytest.mark.parametrize("configured", [False, True], ids=["raw", "configured"])
def test_warnings_go_through_the_redactor(configured):
    code = (
        "import logging, warnings\n"
        "from bot import logs\n"
        "from secret_canaries import SETTINGS_SECRETS, everything\n"
        f"if {configured}:\n"
        "    logs.configure(list(SETTINGS_SECRETS))\n"
        "warnings.warn(everything('deprecated'), UserWarning)\n"
        "warnings.warn(everything('resource'), ResourceWarning)\n"
    )
    out = run_python(code, env={"PYTHONWARNINGS": "default"})

    assert out.returncode == 0, out.stdout.decode()
    text = out.stdout.decode()
    assert "UserWarning" in text and "deprecated" in text
    if configured:
        assert "WARNING py.warnings:" in text
        assert_no_leak(text, where="a warning")
    else:
        assert set(leaked(text)) >= {BOT_TOKEN, *TOKEN_SHAPED}


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
    canary_env.setattr("bot.web.serve", lambda *a, **k: pytest.fail("the configuration was accepted: serving"))
    as_a_new_process()

    assert main(["serve"]) == 2

    captured = capsys.readouterr()
    assert named in captured.err and len(captured.err.strip().splitlines()) == 1
    assert_no_leak(captured.out, captured.err, where="stderr")


def test_an_unexpected_error_exits_1_with_a_redacted_traceback(canary_env, capsys, monkeypatch):
    def broken(settings, args):
        _boom(INSTALLED_TOKEN, secret=settings.signing_secret)

    monkeypatch.setitem(bot.cli.COMMANDS, "db", broken)
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


# -- settings ----------------------------------------------------------------------------------------------


def test_settings_never_print_a_secret_however_they_are_shown(tmp_path):
    settings = Settings.from_env({**ENV, "DATABASE_URL": f"postgresql+psycopg://roi:{DB_PASSWORD}@db.internal:5432/roi"},
                                 dotenv=tmp_path / ".env")

    shown = [str(settings), repr(settings), f"{settings}", f"{settings!r}", "%s %r" % (settings, settings),
             str([settings]), pprint.pformat(settings), str({"settings": settings})]

    assert_no_leak(*shown, where="the settings' text")
    assert CLIENT_ID in str(settings) and "db.internal" in str(settings)  # what is not secret is still shown
    assert str(settings).count("***") == 6
    assert {BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, CLIENT_SECRET, STATE_SECRET, DB_PASSWORD} <= set(settings.secrets())


def test_a_settings_error_names_the_variable_not_the_secrets_beside_it(tmp_path):
    with pytest.raises(ConfigError) as error:
        Settings.from_env({**ENV, "ROI_ALERT_TIME": "25:00"}, dotenv=tmp_path / ".env")
    assert "ROI_ALERT_TIME" in error.value.message
    assert_no_leak(error.value.message, str(error.value), repr(error.value), where="the error")


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
