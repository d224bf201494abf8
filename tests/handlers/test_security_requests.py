"""SPEC §7 through the real app, for requests themselves: only signed, fresh requests are served, and an
unexpected failure gives the user a reference id that the log carries too, with no secret in either.
On SQLite only: request verification happens before anything is read; what the accepted command stores is tested
on both in tests/bot/registry/test_campaign_rules.py."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest

from bot import logs
from bot.fakeslack.requests import bolt_request, dispatch, sign, slash_command
from bot.registry import campaigns as campaign_registry
from conftest import SECRET, SQLITE_ONLY
from registry_support import answered_ephemeral, stored, unchanged

pytestmark = SQLITE_ONLY

# -- signatures ----------------------------------------------------------------------------------


@pytest.fixture
def create_body(slack):
    """A `/campaign create` body as Slack would send it."""
    return slash_command("/campaign", "create spring budget=5000", response_url=slack.response_url("signed"))


def test_a_correctly_signed_request_is_accepted(app, slack, sessions, settings, create_body):
    response = dispatch(app, create_body, secret=settings.signing_secret)

    assert response.status == 200
    assert "spring" in json.loads(response.body)["text"]  # answered in the acknowledgement (SPEC §2)
    assert slack.calls_to("response_url") == []
    assert len(stored(sessions)["campaigns"]) == 1


@pytest.mark.parametrize(("secret", "age"), [
    pytest.param("wrong", 0, id="signed-with-another-secret"),
    pytest.param(SECRET, 301, id="stale-by-301s"),
    pytest.param(SECRET, 600, id="stale-by-600s"),
    pytest.param(SECRET, 24 * 3600, id="stale-by-a-day"),
    pytest.param(SECRET, -600, id="from-600s-in-the-future"),
])
def test_a_request_with_another_secret_or_a_stale_timestamp_gets_401_and_changes_nothing(
        app, slack, sessions, create_body, secret, age):
    with unchanged(sessions):
        response = dispatch(app, create_body, secret=secret, timestamp=int(time.time()) - age)

    assert response.status == 401
    assert slack.calls == []


def test_a_request_a_few_minutes_old_is_still_accepted(app, sessions, settings, create_body):
    response = dispatch(app, create_body, secret=settings.signing_secret, timestamp=int(time.time()) - 240)

    assert response.status == 200
    assert len(stored(sessions)["campaigns"]) == 1


def test_a_body_changed_after_signing_gets_401_and_changes_nothing(app, slack, sessions, settings, create_body):
    headers = sign(create_body, settings.signing_secret)
    tampered = create_body.replace("budget%3D5000", "budget%3D9000")
    assert tampered != create_body

    with unchanged(sessions):
        response = app.dispatch(bolt_request(tampered, headers))

    assert response.status == 401
    assert slack.calls == []


def test_a_request_without_signature_headers_gets_401(app, slack, sessions, create_body):
    response = app.dispatch(bolt_request(create_body, {"Content-Type": "application/x-www-form-urlencoded"}))

    assert response.status == 401
    assert slack.calls == []
    assert stored(sessions)["campaigns"] == []


# -- unexpected failures -------------------------------------------------------------------------


real_update = campaign_registry.update


def failing_update(session, camp, values, **kwargs):
    """The real update, then an unexpected failure: the change must not survive."""
    real_update(session, camp, values, **kwargs)
    raise RuntimeError("database went away")


def reference_of(caplog) -> str:
    """The reference id the error handler logged (exactly one unexpected error)."""
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1
    match = re.search(r"ref=([0-9A-Za-z]+)", records[0].getMessage())
    assert match, records[0].getMessage()
    return match.group(1)


def logged_text(caplog) -> str:
    """Everything the captured log records say, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records)


def test_an_unexpected_error_gives_a_reference_that_the_log_carries(roi, sessions, settings, monkeypatch, caplog):
    answered_ephemeral(roi.command("/campaign create spring budget=5000"))
    monkeypatch.setattr(campaign_registry, "update", failing_update)
    before = stored(sessions)
    caplog.set_level(logging.INFO)

    answer = roi.command("/campaign set spring budget=1")

    text = answered_ephemeral(answer)
    ref = reference_of(caplog)
    assert ref in text
    assert "database went away" not in text and "RuntimeError" not in text
    assert "database went away" in logged_text(caplog)
    assert stored(sessions) == before
    for secret in (settings.signing_secret, settings.bot_token):
        assert secret not in text
        assert secret not in logged_text(caplog)


def test_each_unexpected_error_gets_its_own_reference(roi, monkeypatch, caplog):
    monkeypatch.setattr(campaign_registry, "create", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    caplog.set_level(logging.ERROR)

    first = answered_ephemeral(roi.command("/campaign create spring budget=1"))
    second = answered_ephemeral(roi.command("/campaign create spring budget=1"))

    refs = [re.search(r"ref=(\w+)", r.getMessage()).group(1) for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(set(refs)) == 2
    assert refs[0] in first and refs[1] in second


@pytest.fixture
def production_logging(settings, capsys):
    """Starts logging as `roi-bot serve` sets it up (stderr, through the redactor) and returns what it wrote;
    pytest's own log handlers stay in place, and the set-up is undone afterwards."""
    root = logging.getLogger()
    level, alembic_level = root.level, logging.getLogger("alembic").level
    added: list[logging.Handler] = []

    def start():
        # Called from the test body: the handler must bind the stderr that is captured while the test runs.
        before = list(root.handlers)
        capsys.readouterr()
        logs.configure(settings.secrets())
        added.extend(root.handlers)
        root.handlers[:] = before + added
        return lambda: capsys.readouterr().err

    yield start
    for handler in added:
        root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(alembic_level)


def test_a_secret_inside_an_exception_never_reaches_the_log_or_the_reply(roi, settings, monkeypatch, production_logging):
    leak = f"upstream said: token={settings.bot_token} secret={settings.signing_secret}"

    def explode(*args, **kwargs):
        raise RuntimeError(leak)

    monkeypatch.setattr(campaign_registry, "create", explode)
    written = production_logging()

    answer = roi.command("/campaign create spring budget=1")

    text = answered_ephemeral(answer)
    log_output = written()
    assert "upstream said" in log_output
    ref = re.search(r"ref=(\w+)", log_output).group(1)
    assert ref in text
    for secret in (settings.signing_secret, settings.bot_token):
        assert secret not in log_output
        assert secret not in text
