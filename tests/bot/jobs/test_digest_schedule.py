"""Digest schedules driven through fake time (SPEC §5): weekly, daily, cron, a DST change, a period missed while
the app was down, a schedule changed on the fly, the campaign's last digest, and `/campaign end`.

The clock starts on Monday 2026-03-16 12:00 UTC; campaigns are registered through real slash commands, and each
digest is seen at the Slack stand-in with the fake time it was posted at.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from registry_support import answered
from timeline import Timeline

from handlers import chart_pool

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
GROWTH = "<#C0GROWTH|growth>"
# A 1×1 PNG: what each digest's chart is drawn as here (see `timeline`).
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc````\x00\x00\x00\x05\x00\x01\xa5\xf6E@\x00\x00\x00\x00IEND\xaeB`\x82")


def at(text: str, tz: ZoneInfo = UTC) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


@pytest.fixture
def timeline(app, slack, clock, monkeypatch):
    # Weeks of digests, each with its chart: when they are posted is under test here, not the chart's pixels (drawn
    # and uploaded for real in test_digest_post.py), so each chart is drawn as a 1×1 PNG, not by matplotlib.
    monkeypatch.setattr(chart_pool, "draw_all", lambda draws: [PNG for _ in draws])
    return Timeline(app.roi_runtime, slack, clock)


def create(roi, line: str) -> None:
    answered(roi.command(f"/campaign create {line}"))


def test_weekly_digests_run_from_the_start_until_the_first_one_after_the_attribution_window(roi, timeline):
    # ends Sunday 5 April; window 7 days -> orders count until Sunday 12 April; Monday 13 April is the last digest.
    create(roi, f'spring budget=5000 start=2026-03-16 end=2026-04-05 channel={GROWTH} digest="mon 09:00"')

    timeline.run_until(at("2026-05-01 00:00"))

    assert timeline.times() == ["2026-03-23 09:00", "2026-03-30 09:00", "2026-04-06 09:00", "2026-04-13 09:00"]
    assert {p.channel for p in timeline.digests()} == {"C0GROWTH"}
    assert "final digest" in timeline.digests()[-1].text.lower()
    assert "final digest" not in timeline.digests()[-2].text.lower()


def test_a_campaign_that_starts_later_gets_its_first_digest_after_its_start(roi, timeline):
    create(roi, f'summer budget=5000 start=2026-03-25 channel={GROWTH} digest="mon 09:00"')

    timeline.run_until(at("2026-04-07 00:00"))

    assert timeline.times() == ["2026-03-30 09:00", "2026-04-06 09:00"]


def test_a_campaign_without_an_end_keeps_its_schedule(roi, timeline):
    create(roi, f'always budget=5000 channel={GROWTH} digest="daily 08:15"')

    timeline.run_until(at("2026-04-16 00:00"))

    assert len(timeline.times()) == 30  # 17–31 March and 1–15 April
    assert timeline.times()[0] == "2026-03-17 08:15" and timeline.times()[-1] == "2026-04-15 08:15"


def test_no_channel_or_digest_off_means_no_scheduled_digest(roi, timeline):
    create(roi, 'quiet budget=5000 digest="daily 09:00"')
    create(roi, f"off budget=5000 channel={GROWTH} digest=off")

    timeline.run_until(at("2026-03-23 00:00"))

    assert timeline.posted == []


def test_cron_weekdays_only_and_standard_cron_sunday(roi, timeline):
    create(roi, 'weekdays budget=5000 channel=<#C0WEEK|week> digest="cron:0 9 * * 1-5"')
    create(roi, 'sundays budget=5000 channel=<#C0SUN|sun> digest="cron:30 7 * * 0"')

    timeline.run_until(at("2026-03-30 00:00"))

    assert timeline.times("C0WEEK") == [f"2026-03-{d} 09:00" for d in (17, 18, 19, 20, 23, 24, 25, 26, 27)]
    assert timeline.times("C0SUN") == ["2026-03-22 07:30", "2026-03-29 07:30"]


def test_a_period_missed_while_down_is_posted_once_on_start_up_if_still_inside_it(roi, timeline):
    create(roi, f'spring budget=5000 channel={GROWTH} digest="daily 18:00"')
    timeline.run_until(at("2026-03-17 20:00"))
    assert timeline.times() == ["2026-03-16 18:00", "2026-03-17 18:00"]

    # Down from Tuesday 20:00 to Wednesday 19:00: Wednesday's 18:00 digest was missed, its period runs until Thursday 18:00.
    timeline.down_until(at("2026-03-18 19:00"))
    timeline.start()
    timeline.start()  # a second process (or a restart) finds the period claimed

    assert timeline.times() == ["2026-03-16 18:00", "2026-03-17 18:00", "2026-03-18 19:00"]

    # Down from Thursday 17:00 to Friday 19:00: Thursday's period ended while down (skipped); Friday's is caught up.
    timeline.run_until(at("2026-03-19 17:00"))
    timeline.down_until(at("2026-03-20 19:00"))
    timeline.start()
    timeline.run_until(at("2026-03-21 19:00"))

    assert timeline.times() == ["2026-03-16 18:00", "2026-03-17 18:00", "2026-03-18 19:00", "2026-03-20 19:00",
                                "2026-03-21 18:00"]


def test_start_up_does_not_post_a_period_that_began_before_the_campaign_existed(roi, timeline, clock):
    # Created Monday 12:00; Monday 09:00 had passed already: nothing was missed.
    create(roi, f'spring budget=5000 channel={GROWTH} digest="mon 09:00"')

    timeline.start()
    timeline.down_until(at("2026-03-18 12:00"))
    timeline.start()

    assert timeline.posted == []


def test_a_changed_schedule_takes_effect_without_a_restart(roi, timeline):
    create(roi, f'spring budget=5000 channel={GROWTH} digest="mon 09:00"')
    timeline.run_until(at("2026-03-18 12:00"))  # Wednesday noon, nothing due yet

    answered(roi.command('/campaign set spring digest="daily 09:00"'))
    timeline.start()  # the change does not make today's 09:00 (already past) a missed period
    timeline.run_until(at("2026-03-20 12:00"))
    assert timeline.times() == ["2026-03-19 09:00", "2026-03-20 09:00"]

    answered(roi.command('/campaign set spring digest="cron:0 17 * * fri"'))
    timeline.run_until(at("2026-04-01 00:00"))
    assert timeline.times()[2:] == ["2026-03-20 17:00", "2026-03-27 17:00"]

    answered(roi.command("/campaign set spring digest=off"))
    timeline.run_until(at("2026-04-15 00:00"))
    assert len(timeline.times()) == 4


def test_campaign_end_stops_the_digests(roi, timeline):
    create(roi, f'spring budget=5000 channel={GROWTH} digest="daily 09:00"')
    timeline.run_until(at("2026-03-18 12:00"))

    answered(roi.command("/campaign end spring"))
    timeline.run_until(at("2026-03-25 00:00"))

    assert timeline.times() == ["2026-03-17 09:00", "2026-03-18 09:00"]


@pytest.fixture
def berlin(make_app, settings, slack, clock):
    from conftest import SECRET

    from bot.fakeslack.driver import SlackDriver

    app = make_app(settings.with_(timezone="Europe/Berlin"))
    return SlackDriver(app, slack, SECRET), Timeline(app.roi_runtime, slack, clock)


def test_a_weekly_digest_keeps_its_local_time_across_the_spring_dst_change(berlin):
    roi, timeline = berlin
    create(roi, f'spring budget=5000 channel={GROWTH} digest="sun 09:00"')

    timeline.run_until(at("2026-04-06 00:00", BERLIN))

    assert timeline.times() == ["2026-03-22 09:00", "2026-03-29 09:00", "2026-04-05 09:00"]
    utc_hours = [p.at.astimezone(UTC).hour for p in timeline.digests()]
    assert utc_hours == [8, 7, 7]  # CET before 29 March, CEST from then on


def test_a_daily_digest_in_the_skipped_or_repeated_dst_hour_posts_once_a_day(berlin, clock):
    roi, timeline = berlin
    create(roi, f'night budget=5000 channel={GROWTH} digest="daily 02:30"')

    timeline.run_until(at("2026-03-31 00:00", BERLIN))
    days = [p.at.date().isoformat() for p in timeline.digests()]
    assert days == ["2026-03-17", "2026-03-18", "2026-03-19", "2026-03-20", "2026-03-21", "2026-03-22", "2026-03-23",
                    "2026-03-24", "2026-03-25", "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]

    # The autumn change: 02:30 happens twice on 25 October; one digest that day.
    clock.now = at("2026-10-23 12:00", BERLIN)
    timeline.posted.clear()
    timeline.run_until(at("2026-10-28 00:00", BERLIN))
    assert [p.at.date().isoformat() for p in timeline.digests()] == ["2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"]


def test_giving_a_campaign_its_channel_mid_period_waits_for_the_next_scheduled_time(roi, timeline):
    create(roi, 'spring budget=5000 digest="daily 09:00"')
    timeline.run_until(at("2026-03-18 12:00"))

    answered(roi.command(f"/campaign set spring channel={GROWTH}"))
    timeline.start()
    timeline.run_until(at("2026-03-19 12:00"))

    assert timeline.times() == ["2026-03-19 09:00"]


def test_a_final_digest_missed_while_down_is_still_posted_within_its_period(roi, timeline):
    # Ends Sunday 22 March with no attribution window: Monday 23 March 09:00 is the final digest.
    create(roi, f'short budget=5000 start=2026-03-16 end=2026-03-22 window_days=0 channel={GROWTH} digest="mon 09:00"')
    timeline.run_until(at("2026-03-22 12:00"))
    timeline.down_until(at("2026-03-23 12:00"))

    timeline.start()
    timeline.run_until(at("2026-04-15 00:00"))

    assert timeline.times() == ["2026-03-23 12:00"]
    assert "final digest" in timeline.digests()[0].text.lower()
