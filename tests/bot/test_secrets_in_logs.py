"""Tokens and secrets never appear in logs (SPEC §7): the redactor's patterns, every level and every way a call
site logs, tracebacks (messages, causes, notes, locals), `logging.lastResort`, warnings, a handler that cannot
write, every library's handlers, and how settings print.

Every test plants distinctive canaries (tests/secret_canaries.py) and searches every byte produced. The tests
marked "raw" show the same emissions *without* the redaction do carry the canaries, so the others cannot pass
for want of anything to find. Replies, the command line and a real server: test_secrets_in_answers.py.
"""

from __future__ import annotations

import logging
import pprint

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import logs
from bot.config import Settings
from bot.errors import ConfigError
from bot.logs import Redactor
from secret_canaries import (
    ALL, APP_TOKEN, BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, DB_PASSWORD, ENV, INSTALLED_TOKEN, MARK,
    REFRESH_TOKEN, ROTATING_TOKEN, SETTINGS_SECRETS, SIGNING_SECRET, STATE_SECRET, TOKEN_SHAPED, USER_TOKEN, Recorder,
    Unwritable, assert_no_leak, boom, everything, leaked, run_python,
)

LEVELS = ["debug", "info", "warning", "error", "critical", "exception"]


def emit(logger: logging.Logger, level: str) -> None:
    """Log canaries at `level` every way a call site can: in the message, as %s and %r arguments, in a traceback."""
    if level == "exception":
        try:
            boom(INSTALLED_TOKEN, secret=SIGNING_SECRET)
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

    import bot.wiring.app  # noqa: F401
    import bot.wiring.web  # noqa: F401

    logs.configure(list(SETTINGS_SECRETS), level=logging.DEBUG)
    names = ["roi.errors", "roi.bolt", "roi.commands", "bot.wiring.web", "slack_bolt.App", "slack_sdk.web.base_client",
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
