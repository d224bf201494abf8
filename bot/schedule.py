"""Digest schedules (SPEC §2 `digest=SCHEDULE`): parsing, canonical text, APScheduler triggers, periods.

A schedule is `off`, `"daily HH:MM"`, `"mon HH:MM"` (weekly) or `"cron:M H DOM MON DOW"` in standard
cron, read in ROI_TIMEZONE. Standard cron counts weekdays 0–7 with 0 and 7 both Sunday, while
APScheduler 3.x counts 0 = Monday and `CronTrigger.from_crontab` does not translate; so the DOW field
is expanded here into explicit day names before a trigger is built.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.errors import InputError

FIELD = "digest"
ACCEPTED = '`off`, `"daily HH:MM"`, `"mon HH:MM"` or `"cron:M H DOM MON DOW"`'
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # index = standard cron number
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# (name, lowest, highest, names that stand for numbers starting at `lowest`)
CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, DAYS),
)
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_ELEMENT = re.compile(r"(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/([0-9]+))?")
# Look-back windows for the latest past fire time: short first, up to 8 years for a 29 February.
_LOOKBACK = tuple(timedelta(days=d) for d in (1 / 24, 1, 8, 32, 367, 1462, 2923))
_REFERENCE = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))


def utc(moment: datetime) -> datetime:
    """Compare in UTC: aware datetimes sharing a zone compare by wall clock, wrong in a DST fold."""
    return moment.astimezone(timezone.utc)


def _after(moment: datetime, tz: ZoneInfo) -> datetime:
    """One second later in real time (wall-clock arithmetic would lose the DST fold and step back an hour)."""
    return (utc(moment) + timedelta(seconds=1)).astimezone(tz)


def _error(problem: str) -> InputError:
    """An InputError about the digest schedule with the accepted forms."""
    return InputError(FIELD, problem, ACCEPTED)


@dataclass(frozen=True)
class Schedule:
    """A validated digest schedule; `text` is its canonical form (`"mon 09:00"`, `"cron:0 9 * * 1-5"`)."""

    kind: str  # off | daily | weekly | cron
    text: str

    def trigger(self, tz: ZoneInfo) -> BaseTrigger | None:
        """The APScheduler trigger in `tz` (a CronTrigger; an OrTrigger for cron with both DOM and DOW)."""
        if self.kind == "off":
            return None
        if self.kind == "cron":
            return _cron_trigger(self.text.removeprefix("cron:").split(), tz)
        day, clock = self.text.split() if self.kind == "weekly" else (None, self.text.split()[1])
        hour, minute = clock.split(":")
        return CronTrigger(day_of_week=day, hour=int(hour), minute=int(minute), timezone=tz)

    def describe(self) -> str:
        """Human text: "every Monday at 09:00", "every day at 18:30", "cron `0 9 * * 1-5`", "off"."""
        if self.kind == "off":
            return "off"
        if self.kind == "cron":
            return f"cron `{self.text.removeprefix('cron:')}`"
        day, clock = self.text.split()
        if self.kind == "daily":
            return f"every day at {clock}"
        return f"every {DAY_NAMES[DAYS.index(day)]} at {clock}"

    def next_fire_time(self, tz: ZoneInfo, after: datetime) -> datetime | None:
        """The first scheduled time strictly after the aware datetime `after` (None when off)."""
        trigger = self.trigger(tz)
        if trigger is None:
            return None
        after = after.astimezone(tz)
        fire = trigger.get_next_fire_time(None, after)
        if fire is not None and utc(fire) <= utc(after):
            fire = trigger.get_next_fire_time(None, _after(fire, tz))
        # APScheduler may hand back a wall time skipped by a DST gap; show it as the real local time.
        return None if fire is None else fire.astimezone(tz)

    def last_fire_time(self, tz: ZoneInfo, now: datetime) -> datetime | None:
        """The latest scheduled time at or before the aware datetime `now` (None when off or none yet)."""
        trigger = self.trigger(tz)
        if trigger is None:
            return None
        now = now.astimezone(tz)
        for window in _LOOKBACK:
            latest = None
            fire = trigger.get_next_fire_time(None, now - window)
            while fire is not None and utc(fire) <= utc(now):
                if latest is not None and utc(fire) <= utc(latest):
                    break  # wall-clock steps inside a DST fold can repeat a time; never loop on it
                latest = fire
                fire = trigger.get_next_fire_time(None, _after(fire, tz))
            if latest is not None:
                return latest.astimezone(tz)
        return None

    def period(self, tz: ZoneInfo, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The digest period holding `now`: last scheduled time to the next; the calendar day when off."""
        if self.kind == "off":
            day = now.astimezone(tz).date()
            start = datetime.combine(day, time(), tzinfo=tz)
            end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
            return start, end
        start, end = self.last_fire_time(tz, now), self.next_fire_time(tz, now)
        if start is not None and self._repeat(tz, start):
            start = start.replace(fold=0)
        while end is not None and self._repeat(tz, end):
            end = self.next_fire_time(tz, end)
        return start, end

    def _repeat(self, tz: ZoneInfo, fire: datetime) -> bool:
        """True for the second run of a wall time the autumn DST change repeats, when its first run fired too.

        Like cron, a schedule fires once at 02:30 on the night 02:30 happens twice: both belong to one period.
        """
        fire = fire.astimezone(tz)
        if fire.fold != 1:
            return False
        first = fire.replace(fold=0)
        if utc(first) == utc(fire):
            return False  # not an ambiguous wall time
        earlier = self.last_fire_time(tz, first)
        return earlier is not None and utc(earlier) == utc(first)


MAX_TEXT = 80  # the `campaigns.digest` column


def parse_schedule(text: str) -> Schedule:
    """Parse a `digest=` value into a Schedule, or raise InputError naming `digest`."""
    cleaned = " ".join((text or "").split()).lower()
    if cleaned == "off":
        return Schedule("off", "off")
    if cleaned.startswith("cron:"):
        fields = cleaned.removeprefix("cron:").split()
        if len(fields) != 5:
            raise _error(f"cron takes 5 fields (minute hour day-of-month month day-of-week), not {len(fields)}")
        for spec, (name, low, high, names) in zip(fields, CRON_FIELDS):
            _expand(spec, name, low, high, names)
        if _cron_trigger(fields, ZoneInfo("UTC")).get_next_fire_time(None, _REFERENCE) is None:
            raise _error(f"cron `{' '.join(fields)}` never fires (no such date)")
        text = "cron:" + " ".join(fields)
        if len(text) > MAX_TEXT:
            raise _error(f"this cron is {len(text)} characters long; at most {MAX_TEXT} fit. Use ranges and steps "
                         "(`0-59/5`, `mon-fri`) instead of long lists")
        return Schedule("cron", text)
    parts = cleaned.split()
    if len(parts) != 2:
        raise _error(f"`{_safe(text)}` is not a schedule")
    day, clock = parts
    if day == "daily":
        return Schedule("daily", f"daily {_clock(clock)}")
    short = day[:3]
    if short in DAYS and day in (short, DAY_NAMES[DAYS.index(short)].lower()):
        return Schedule("weekly", f"{short} {_clock(clock)}")
    raise _error(f"`{_safe(day)}` is not `daily` or a weekday (mon … sun)")


def _safe(text: str) -> str:
    """User text made harmless for a Slack message (no mentions, no broken code spans)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")[:60]


def _clock(text: str) -> str:
    """`9:00` -> `09:00`, checking 00:00–23:59."""
    match = _TIME.fullmatch(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _error(f"`{_safe(text)}` is not a time of day HH:MM between 00:00 and 23:59")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _value(token: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    """One number or name of a cron field, range-checked."""
    if token in names:
        return names.index(token) + low
    if not token.isdigit():
        raise _error(f"`{_safe(token)}` is not a valid {name}")
    number = int(token)
    if not low <= number <= high:
        raise _error(f"{name} `{number}` is outside {low}–{high}")
    return number


def _expand(spec: str, name: str, low: int, high: int, names: tuple[str, ...] = ()) -> set[int]:
    """All values a standard cron field matches: lists, ranges, `*`, steps (`*/2`, `1-5/2`, `5/10`)."""
    values: set[int] = set()
    for element in spec.split(","):
        match = _ELEMENT.fullmatch(element)
        if not match:
            raise _error(f"`{_safe(element)}` is not a valid {name}")
        span, step = match.group(1), match.group(2)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first_text, last_text = span.split("-")
            first = _value(first_text, name, low, high, names)
            last = _value(last_text, name, low, high, names)
            if names is DAYS and last_text == "sun" and first > 0:
                last = 7  # `sat-sun`: Sunday closes the week
        else:
            first = _value(span, name, low, high, names)
            last = high if step else first
        if first > last:
            raise _error(f"{name} range `{_safe(span)}` runs backwards")
        if step is not None and int(step) == 0:
            raise _error(f"{name} step `/0` must be 1 or more")
        values.update(range(first, last + 1, int(step or 1)))
    return values


def _cron_trigger(fields: list[str], tz: ZoneInfo) -> BaseTrigger:
    """Build the trigger for 5 validated standard-cron fields, translating the weekday numbering."""
    minute, hour, dom, month, dow = fields
    days = sorted({day % 7 for day in _expand(dow, "day of week", 0, 7, DAYS)}, key=lambda d: (d + 6) % 7)
    day_names = ",".join(DAYS[day] for day in days)
    common = {"minute": minute, "hour": hour, "month": month, "timezone": tz}
    try:
        if dom.startswith("*") or dow.startswith("*"):
            # Standard cron: when either day field is `*`, both must match.
            return CronTrigger(day=dom, day_of_week=day_names, **common)
        # Standard cron: when both day fields are restricted, either one matching is enough.
        return OrTrigger([CronTrigger(day=dom, **common), CronTrigger(day_of_week=day_names, **common)])
    except ValueError as error:
        raise _error(f"cron `{' '.join(fields)}` is not valid: {error}") from None
