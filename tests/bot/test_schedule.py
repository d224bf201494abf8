"""Digest schedules: parsing to canonical text, APScheduler triggers in standard-cron weekday terms."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InputError
from bot.schedule import Schedule, parse_schedule

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 2026-03-04 12:00 local.
WEDNESDAY_NOON = datetime(2026, 3, 4, 12, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "kind", "canonical", "description"),
    [
        ("off", "off", "off", "off"),
        (" OFF ", "off", "off", "off"),
        ("daily 18:30", "daily", "daily 18:30", "every day at 18:30"),
        ("daily 9:00", "daily", "daily 09:00", "every day at 09:00"),
        ("Daily   00:00", "daily", "daily 00:00", "every day at 00:00"),
        ("mon 09:00", "weekly", "mon 09:00", "every Monday at 09:00"),
        ("Monday 9:00", "weekly", "mon 09:00", "every Monday at 09:00"),
        ("SUNDAY 23:59", "weekly", "sun 23:59", "every Sunday at 23:59"),
        ("thu 07:15", "weekly", "thu 07:15", "every Thursday at 07:15"),
        ("cron:0 9 * * 1-5", "cron", "cron:0 9 * * 1-5", "cron `0 9 * * 1-5`"),
        ("cron: 0  9 * * MON-FRI", "cron", "cron:0 9 * * mon-fri", "cron `0 9 * * mon-fri`"),
        ("cron:*/15 8-18 1,15 jan-mar */2", "cron", "cron:*/15 8-18 1,15 jan-mar */2", None),
        ("cron:0 0 29 2 *", "cron", "cron:0 0 29 2 *", None),
        ("cron:5/10 * * * 7", "cron", "cron:5/10 * * * 7", None),
    ],
)
def test_parse_schedule_normalizes_valid_forms(text, kind, canonical, description):
    schedule = parse_schedule(text)
    assert (schedule.kind, schedule.text) == (kind, canonical)
    assert parse_schedule(schedule.text) == schedule
    if description:
        assert schedule.describe() == description


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "not a schedule"),
        ("weekly", "not a schedule"),
        ("daily", "not a schedule"),
        ("daily 24:00", "not a time of day"),
        ("daily 12:60", "not a time of day"),
        ("daily 9", "not a time of day"),
        ("mon 9:5", "not a time of day"),
        ("tues 09:00", "not `daily` or a weekday"),
        ("every day", "not `daily` or a weekday"),
        ("cron:0 9 * *", "5 fields (minute"),
        ("cron:0 9 * * * *", "5 fields"),
        ("cron:60 * * * *", "minute `60` is outside 0–59"),
        ("cron:0 24 * * *", "hour `24` is outside 0–23"),
        ("cron:0 9 0 * *", "day of month `0` is outside 1–31"),
        ("cron:0 9 * 13 *", "month `13` is outside 1–12"),
        ("cron:0 9 * * 8", "day of week `8` is outside 0–7"),
        ("cron:0 9 * * 5-1", "runs backwards"),
        ("cron:*/0 * * * *", "/0"),
        ("cron:0 9 L * *", "not a valid day of month"),
        ("cron:0 9 ? * *", "not a valid day of month"),
        ("cron:0 9 * * funday", "not a valid day of week"),
        ("cron:0 0 31 2 *", "never fires"),
        ("<!channel> 09:00", "&lt;!channel&gt;"),
    ],
)
def test_parse_schedule_refuses_bad_forms_naming_digest(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_schedule(text)
    assert caught.value.field == "digest"
    assert caught.value.message.startswith("`digest`: ")
    assert '`"cron:M H DOM MON DOW"`' in caught.value.message
    assert fragment in caught.value.message


def test_off_has_no_trigger():
    assert parse_schedule("off").trigger(BERLIN) is None


def fire_days(text: str, count: int = 7) -> list[str]:
    """Weekday names of the next `count` fire times after WEDNESDAY_NOON."""
    trigger = parse_schedule(text).trigger(BERLIN)
    days, now = [], WEDNESDAY_NOON
    for _ in range(count):
        fire = trigger.get_next_fire_time(None, now)
        days.append(fire.strftime("%a"))
        now = fire.replace(second=1)
    return days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("cron:0 9 * * 0", ["Sun"] * 3),
        ("cron:0 9 * * 7", ["Sun"] * 3),
        ("cron:0 9 * * sun", ["Sun"] * 3),
        ("cron:0 9 * * 1-5", ["Thu", "Fri", "Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("cron:0 9 * * mon-fri", ["Thu", "Fri", "Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("cron:0 9 * * 1-5/2", ["Fri", "Mon", "Wed", "Fri"]),
        ("cron:0 9 * * */2", ["Thu", "Sat", "Sun", "Tue", "Thu"]),
        ("cron:0 9 * * 5-7", ["Fri", "Sat", "Sun", "Fri"]),
        ("cron:0 9 * * sat-sun", ["Sat", "Sun", "Sat"]),
        ("cron:0 9 * * 0,3", ["Sun", "Wed", "Sun"]),
        ("mon 09:00", ["Mon"] * 3),
        ("sun 09:00", ["Sun"] * 3),
    ],
)
def test_cron_weekdays_follow_standard_numbering(text, days):
    assert fire_days(text, len(days)) == days


def test_every_minute_on_day_7_fires_on_sunday():
    trigger = parse_schedule("cron:* * * * 7").trigger(BERLIN)
    assert trigger.get_next_fire_time(None, WEDNESDAY_NOON) == datetime(2026, 3, 8, 0, 0, tzinfo=BERLIN)


def test_cron_with_day_of_month_and_weekday_fires_on_either():
    # Standard cron: both day fields restricted means "the 13th OR a Friday".
    assert fire_days("cron:0 9 13 * 1", 3) == ["Mon", "Fri", "Mon"]


def test_weekly_trigger_stays_at_local_time_across_dst():
    # Berlin moves from UTC+1 to UTC+2 on Sunday 2026-03-29.
    trigger = parse_schedule("mon 09:00").trigger(BERLIN)
    before = trigger.get_next_fire_time(None, datetime(2026, 3, 24, tzinfo=BERLIN))
    after = trigger.get_next_fire_time(None, datetime(2026, 3, 29, 12, tzinfo=BERLIN))
    assert (before.date().isoformat(), before.hour, before.utcoffset().total_seconds()) == ("2026-03-30", 9, 7200)
    assert after == before
    earlier = trigger.get_next_fire_time(None, datetime(2026, 3, 17, tzinfo=BERLIN))
    assert (earlier.hour, earlier.utcoffset().total_seconds()) == (9, 3600)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("mon 09:00", datetime(2026, 3, 2, 9, tzinfo=BERLIN), datetime(2026, 3, 9, 9, tzinfo=BERLIN)),
        ("daily 12:00", datetime(2026, 3, 4, 12, tzinfo=BERLIN), datetime(2026, 3, 5, 12, tzinfo=BERLIN)),
        ("daily 18:30", datetime(2026, 3, 3, 18, 30, tzinfo=BERLIN), datetime(2026, 3, 4, 18, 30, tzinfo=BERLIN)),
        ("cron:0 0 29 2 *", datetime(2024, 2, 29, tzinfo=BERLIN), datetime(2028, 2, 29, tzinfo=BERLIN)),
        ("off", datetime(2026, 3, 4, tzinfo=BERLIN), datetime(2026, 3, 5, tzinfo=BERLIN)),
    ],
)
def test_period_runs_from_last_scheduled_time_to_the_next(text, start, end):
    assert parse_schedule(text).period(BERLIN, WEDNESDAY_NOON) == (start, end)


def test_next_fire_time_is_strictly_after():
    schedule = parse_schedule("daily 12:00")
    assert schedule.next_fire_time(BERLIN, WEDNESDAY_NOON) == datetime(2026, 3, 5, 12, tzinfo=BERLIN)


def test_off_schedule_has_no_fire_times():
    schedule = Schedule("off", "off")
    assert (schedule.next_fire_time(BERLIN, WEDNESDAY_NOON), schedule.last_fire_time(BERLIN, WEDNESDAY_NOON)) == (
        None,
        None,
    )


def test_a_wall_time_repeated_by_the_autumn_change_is_one_period():
    # Berlin repeats 02:00–03:00 on Sunday 2026-10-25: 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC).
    schedule = parse_schedule("daily 02:30")
    utc = ZoneInfo("UTC")
    first, second = datetime(2026, 10, 25, 0, 31, tzinfo=utc), datetime(2026, 10, 25, 1, 31, tzinfo=utc)

    start_first, end_first = schedule.period(BERLIN, first)
    start_second, end_second = schedule.period(BERLIN, second)

    assert start_first.astimezone(utc) == start_second.astimezone(utc) == datetime(2026, 10, 25, 0, 30, tzinfo=utc)
    assert end_first.astimezone(utc) == end_second.astimezone(utc) == datetime(2026, 10, 26, 1, 30, tzinfo=utc)
    # Stepping past the repeated time moves on to the next day instead of looping on the fold.
    assert schedule.next_fire_time(BERLIN, second).astimezone(utc) == datetime(2026, 10, 26, 1, 30, tzinfo=utc)


def test_every_fifteen_minutes_still_fires_through_the_spring_gap():
    schedule = parse_schedule("cron:*/15 * * * *")
    utc = ZoneInfo("UTC")
    # 2026-03-29 02:00–03:00 does not exist in Berlin; the schedule goes on in real time.
    fire = schedule.next_fire_time(BERLIN, datetime(2026, 3, 29, 0, 50, tzinfo=utc))
    assert fire.astimezone(utc) == datetime(2026, 3, 29, 1, 0, tzinfo=utc)
