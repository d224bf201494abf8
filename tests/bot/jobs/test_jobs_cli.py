"""`roi-bot jobs list` and `roi-bot jobs run digest|alerts` from the terminal (SPEC §1, §5, §6): what they print,
what reaches the Slack stand-in, exit codes. These run on the real clock, so campaigns are dated around today."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from registry_support import answered
from sqlalchemy import select

from bot.models import Alert
from bot.wiring.cli import main

ENV = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PORT", "ROI_ADMINS", "ROI_TIMEZONE",
       "ROI_ALERT_TIME", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")
TODAY = datetime.now(timezone.utc).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def cli(monkeypatch, tmp_path, db_url, slack, roi):
    """The command line on the test database and the stand-in, after campaigns were registered through Slack."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli-test")
    monkeypatch.chdir(tmp_path)
    for line in [
        f"/campaign create now budget=5000 start={day(-20)} end={day(10)} channel=<#C0NOW|now> digest=\"daily 09:00\"",
        "/campaign create later budget=100 start=2099-01-05 channel=<#C0LATER|later> digest=\"mon 09:00\"",
        "/campaign create done budget=100 start=2020-01-01 end=2020-01-31 channel=<#C0DONE|done>",
        "/campaign create offline budget=100 digest=off channel=<#C0OFF|off>",
        "/campaign create nochannel budget=100",
        f"/influencer add ana followers=20000 manager=<@U0LENA> campaign=now fee=1000 start={day(-20)}",
        f"/influencer add ben followers=20000 campaign=now fee=500 start={day(-20)}",
        "/code add ANA10 ana campaign=now",
        f"/roi sale ANA10 amount=100 date={day(-15)}",
    ]:
        answered(roi.command(line))
    slack.reset()
    yield
    logging.getLogger().handlers[:] = []


def digests_posted(slack):
    return [c for c in slack.calls_to("chat.postMessage") if c.error is None and " digest" in c.params["text"]]


def test_jobs_list_shows_each_scheduled_job_with_its_next_run_and_why_others_have_none(cli, capsys, monkeypatch):
    monkeypatch.setenv("ROI_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("ROI_ALERT_TIME", "08:45")

    assert main(["jobs", "list"]) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["JOB", "TEAM", "CAMPAIGN", "SCHEDULE", "NEXT", "RUN", "(Europe/Berlin)", "LAST", "DIGEST"]
    later = next(line for line in lines if " later " in line)
    assert "every Monday at 09:00" in later and "Mon 2099-01-05 09:00 CET" in later and later.startswith("digest")
    now = next(line for line in lines if " now " in line)
    assert "every day at 09:00" in now and (day(0) in now or day(1) in now)
    alerts = next(line for line in lines if line.startswith("alerts"))
    assert "every day at 08:45" in alerts
    assert "done (T0001): finished: its last scheduled digest was due on Mon 2020-02-10 09:00 CET" in out
    assert "offline (T0001): digest=off" in out and "nochannel (T0001): no channel to post in" in out


def test_jobs_run_digest_posts_once_per_period_and_again_only_with_force(cli, capsys, slack):
    assert main(["jobs", "run", "digest", "--campaign", "now"]) == 0
    assert "now's digest posted" in capsys.readouterr().out
    assert main(["jobs", "run", "digest", "--campaign", "NOW"]) == 0
    assert "already posted" in capsys.readouterr().out
    assert len(digests_posted(slack)) == 1

    assert main(["jobs", "run", "digest", "--campaign", "now", "--force"]) == 0
    assert [c.params["channel"] for c in digests_posted(slack)] == ["C0NOW", "C0NOW"]
    assert len(slack.uploads) == 2  # each with its chart


def test_jobs_run_digest_posts_whatever_the_schedule(cli, capsys, slack):
    assert main(["jobs", "run", "digest", "--campaign", "offline"]) == 0
    assert main(["jobs", "run", "digest", "--campaign", "done"]) == 0
    assert [c.params["channel"] for c in digests_posted(slack)] == ["C0OFF", "C0DONE"]


@pytest.mark.parametrize("argv, says", [
    (["jobs", "run", "digest"], "--campaign"),
    (["jobs", "run", "digest", "--campaign", "nope"], "nope"),
    (["jobs", "run", "digest", "--campaign", "nochannel"], "channel=#channel"),
    (["jobs", "run", "digest", "--campaign", "now", "--team", "T0NOPE"], "--team"),
    (["jobs", "run", "alerts", "--force"], "--force"),
])
def test_bad_usage_exits_2_with_one_line_and_posts_nothing(cli, capsys, slack, argv, says):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1
    assert digests_posted(slack) == []


def test_jobs_need_the_bot_token(cli, capsys, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["jobs", "run", "alerts"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_jobs_run_alerts_sends_each_alert_once_a_day(cli, capsys, slack, db_url, engine):
    assert main(["jobs", "run", "alerts", "--campaign", "now"]) == 0
    out = capsys.readouterr().out
    assert "ana in now: DM to U0LENA" in out and "ben in now: channel C0NOW" in out and "2 sent" in out

    assert main(["jobs", "run", "alerts"]) == 0
    assert "2 already" in capsys.readouterr().out
    with engine.connect() as connection:
        assert len(connection.execute(select(Alert.id)).all()) == 2


def test_a_slack_failure_exits_1_and_says_why(cli, capsys, slack):
    slack.fail("chat.postMessage", "not_in_channel", channel="C0NOW")

    assert main(["jobs", "run", "digest", "--campaign", "now"]) == 1

    assert "not_in_channel" in capsys.readouterr().err
