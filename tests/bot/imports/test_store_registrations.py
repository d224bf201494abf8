"""Roster and stats imports: what `/influencer add`, `/code add` and `/influencer stats` would do, in bulk."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from import_support import command_line, register, run
from sqlalchemy import func, select

from bot.models import Code, EngagementStat, Enrolment, Influencer
from bot.wiring.cli import main

ROSTER = (
    "handle,platform,followers,manager,campaign,fee,commission,product_cost,goal_revenue,start,code,url\n"
    "@zoe,tiktok,12000,U0MANAGER1,spring,400,10,50,2000,2026-03-02,ZOE10,https://shop.example.com/p?x=1\n"
    "yan,instagram,,,,,,,,,,\n"
    "ana,,,,spring,1200,,,,,ANA10,\n"        # already enrolled with ANA10: updates her fee
    "ben,,,,winter,100,,,,,,\n"              # no such campaign
    "kim,,,,spring,,,,,,BEN5,\n"             # ben's code
    "lee,youtube,lots,,,,,,,,,\n"            # garbage followers
)


@pytest.fixture
def spring(roi):
    register(roi)


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_roster_registers_influencers_enrolments_and_codes(spring, sessions):
    summary = run(sessions, ROSTER, kind="roster", name="roster.csv")
    assert (summary.format, summary.rows_read) == ("roster", 6)
    assert (summary.new, summary.updated, summary.unchanged) == (2, 1, 0)
    assert summary.added == {"influencers": 2, "enrolments": 1, "codes": 1}
    reasons = dict(summary.rejected)
    assert sorted(reasons) == [5, 6, 7]
    assert "winter" in reasons[5] and "ben" in reasons[6] and "followers" in reasons[7]
    with sessions() as session:
        zoe = session.scalar(select(Influencer).where(Influencer.handle == "zoe"))
        assert (zoe.platform, zoe.followers, zoe.manager_id) == ("tiktok", 12000, "U0MANAGER1")
        code = session.scalar(select(Code).where(Code.code_key == "zoe10"))
        assert "utm_content=zoe" in code.url and "x=1" in code.url
        ana_fee = session.scalar(select(Enrolment.fee).join(Influencer).where(Influencer.handle == "ana"))
        assert ana_fee == 1200


def test_a_rejected_roster_row_leaves_nothing_behind(spring, sessions):
    run(sessions, ROSTER, kind="roster")
    with sessions() as session:
        assert session.scalar(select(Influencer).where(Influencer.handle.in_(["kim", "lee"]))) is None  # kim's row failed on the code


def test_reimporting_a_roster_updates_rather_than_duplicates(spring, sessions):
    run(sessions, ROSTER, kind="roster")
    before = (count(sessions, Influencer), count(sessions, Enrolment), count(sessions, Code))
    again = run(sessions, ROSTER, kind="roster")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert (count(sessions, Influencer), count(sessions, Enrolment), count(sessions, Code)) == before


STATS = (
    "handle,campaign,date,post,impressions,reach,likes,comments,shares,saves,clicks,views\n"
    "ana,spring,2026-03-05,https://ig.example/p/1,10000,8000,300,40,10,25,120,\n"
    "ana,spring,2026-03-06,,5000,,100,,,,,\n"
    "ben,spring,2026-03-05,,\"1,200\",,30,,,,,\n"
    "zed,spring,2026-03-05,,1,,,,,,,\n"
    "ana,spring,2026-03-07,https://ig.example/p/1,1,,,,,,,\n"   # the same post again
    "ana,spring,2026-03-08,,-4,,,,,,,\n"
)


def test_stats_rows_are_stored_and_bad_ones_named(spring, sessions):
    summary = run(sessions, STATS, kind="stats", name="stats.csv")
    assert (summary.rows_read, summary.new) == (6, 3)
    reasons = dict(summary.rejected)
    assert sorted(reasons) == [5, 6, 7]
    assert "zed" in reasons[5] and "row 2" in reasons[6] and "impressions" in reasons[7]
    with sessions() as session:
        rows = {s.stat_key: s for s in session.scalars(select(EngagementStat))}
    assert rows["post:https://ig.example/p/1"].likes == 300 and rows["date:2026-03-06"].comments is None


def test_stats_dated_after_tomorrow_are_rejected_by_row_and_the_rest_stored(spring, sessions):
    rows = ("handle,campaign,date,likes\nana,spring,2026-03-16,10\nben,spring,2026-03-20,20\n"
            "ben,spring,2026-03-17,30\n")  # today is 2026-03-16 (import_support.TODAY); a day ahead is time zones

    summary = run(sessions, rows, kind="stats", name="stats.csv")

    assert (summary.rows_read, summary.new) == (3, 2)
    [(row, why)] = summary.rejected
    assert row == 3 and why == ("`date`: 2026-03-20 is in the future (today is 2026-03-16) — use the day the results "
                                "were seen, today or earlier")
    with sessions() as session:
        assert sorted(session.scalars(select(EngagementStat.likes))) == [10, 30]


def test_roi_bot_import_stats_rejects_rows_dated_after_the_clocks_today(spring, sessions, monkeypatch, tmp_path,
                                                                         db_url, capsys):
    # The command line runs on the real clock: its today, in ROI_TIMEZONE (UTC here), is what a row is held to.
    today = datetime.now(UTC).date()
    later = today + timedelta(days=5)
    command_line(monkeypatch, tmp_path, db_url)
    (tmp_path / "stats.csv").write_text(f"handle,campaign,date,likes\nana,spring,{today},10\nben,spring,{later},20\n")
    try:
        assert main(["import", "stats", "stats.csv", "--json"]) == 0
    finally:
        logging.getLogger().handlers[:] = []

    summary = json.loads(capsys.readouterr().out)
    assert (summary["new"], [r["row"] for r in summary["rejected"]]) == (1, [3])
    assert f"{later} is in the future (today is " in summary["rejected"][0]["reason"]
    assert count(sessions, EngagementStat) == 1


def test_a_stats_reimport_replaces_rows_by_post_or_day(spring, sessions):
    run(sessions, STATS, kind="stats")
    again = run(sessions, STATS.replace("5000,,100", "5000,,180"), kind="stats")
    assert (again.new, again.updated, again.unchanged) == (0, 1, 2)
    assert count(sessions, EngagementStat) == 3
