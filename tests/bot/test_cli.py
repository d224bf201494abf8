"""The `roi-bot` command line: exit codes, one-line reasons, no secrets in output."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import inspect

from bot.wiring.cli import main
from bot.db import current_revision, head_revision, make_engine

ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", "PORT", "ROI_ADMINS",
       "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "ROI_TIMEZONE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """Each test starts in an empty folder (no .env) with none of the app's variables set."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    logging.getLogger().handlers[:] = []


def test_serve_without_signing_secret_exits_2_naming_it(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-token-value")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET" in err
    assert "xoxb-secret-token-value" not in err
    assert len(err.strip().splitlines()) == 1


def test_socket_without_app_token_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["socket"]) == 2
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_bad_setting_in_dotenv_exits_2(tmp_path, capsys):
    (tmp_path / ".env").write_text("ROI_TIMEZONE=Nowhere/Land\n")
    assert main(["db", "upgrade"]) == 2
    assert "ROI_TIMEZONE" in capsys.readouterr().err


def test_unknown_command_is_bad_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2


def test_db_upgrade_migrates_a_fresh_sqlite_database(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    assert {"campaigns", "influencers", "enrolments", "codes", "orders", "engagement_stats", "alerts", "job_runs"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
    assert main(["db", "upgrade"]) == 0  # a second run is a no-op
    assert capsys.readouterr().out.count(head_revision()) == 2


def test_socket_mode_starts_bolts_handler_with_the_app_token(monkeypatch, tmp_path):
    import slack_bolt.adapter.socket_mode as socket_mode

    from bot.fakeslack.server import FakeSlack

    started = {}

    class FakeHandler:
        def __init__(self, app, app_token):
            started["app"], started["token"] = app, app_token

        def start(self):
            started["started"] = True

    monkeypatch.setattr(socket_mode, "SocketModeHandler", FakeHandler)
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-socket")
        monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-socket")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'socket.db'}")
        assert main(["socket", "--no-scheduler"]) == 0
        api_url = slack.api_url
    assert started["token"] == "xapp-1-socket" and started["started"]
    assert started["app"].client.base_url == api_url
