"""Roster and stats imports: what `/influencer add`, `/code add` and `/influencer stats` would do, in bulk."""

import pytest
from sqlalchemy import func, select

from bot.models import Code, EngagementStat, Enrolment, Influencer
from import_support import register, run

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


def test_a_stats_reimport_replaces_rows_by_post_or_day(spring, sessions):
    run(sessions, STATS, kind="stats")
    again = run(sessions, STATS.replace("5000,,100", "5000,,180"), kind="stats")
    assert (again.new, again.updated, again.unchanged) == (0, 1, 2)
    assert count(sessions, EngagementStat) == 3
