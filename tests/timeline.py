"""Plays the scheduler's part on a fake clock, so tests go through weeks of schedules without sleeping.

`Timeline.run_until(t)` does what the running scheduler does between now and `t`: it re-reads the jobs from the
database (as the scheduler's sync does), takes the next fire time of their APScheduler triggers, moves the clock
there and runs that job — the same functions APScheduler calls. `down_until(t)` moves the clock with nothing
running (the app is down); `start()` is a process start: the first tick, which posts a missed period.
Every chat.postMessage the stand-in receives is recorded with the fake time it was sent at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.fakeslack.driver import message_text
from bot.fakeslack.server import FakeSlack
from bot.wiring.scheduler import ALERTS_ID, Scheduler, plan, run_alerts, run_digest
from bot.runtime import Runtime

LATENCY = timedelta(seconds=2)  # a job starts a moment after its fire time, as in real life


@dataclass(frozen=True)
class Posted:
    at: datetime  # fake time, in ROI_TIMEZONE
    channel: str
    text: str


class Timeline:
    """A fake-time scheduler over one runtime and one Slack stand-in."""

    def __init__(self, runtime: Runtime, slack: FakeSlack, clock):
        self.runtime, self.slack, self.clock = runtime, slack, clock
        self.posted: list[Posted] = []
        self._seen = len(slack.calls_to("chat.postMessage"))

    @property
    def now(self) -> datetime:
        return self.clock.now.astimezone(self.runtime.settings.tz)

    def _collect(self) -> None:
        calls = self.slack.calls_to("chat.postMessage")
        for call in calls[self._seen:]:
            if call.error is None:
                text = message_text({"text": call.params.get("text"), "blocks": call.json("blocks") or []})
                self.posted.append(Posted(self.now, call.params["channel"], text))
        self._seen = len(calls)

    def start(self) -> None:
        """A process starting: its first tick."""
        Scheduler(self.runtime).tick()
        self._collect()

    def run_until(self, until: datetime) -> None:
        """Fire every job whose time comes before `until`, in time order."""
        while True:
            planned, _ = plan(self.runtime, now=self.clock.now)
            after = self.clock.now + timedelta(microseconds=1)
            fires = [(job.trigger.get_next_fire_time(None, after.astimezone(self.runtime.settings.tz)), job)
                     for job in planned]
            fires = [(t, job) for t, job in fires if t is not None]
            if not fires:
                break
            fire, job = min(fires, key=lambda pair: (pair[0].astimezone(timezone.utc), pair[1].id))
            if fire.astimezone(timezone.utc) > until.astimezone(timezone.utc):
                break
            self.clock.now = fire.astimezone(timezone.utc) + LATENCY
            if job.id == ALERTS_ID:
                run_alerts(self.runtime)
            else:
                run_digest(self.runtime, job.campaign_id)
            self._collect()
        self.clock.now = until.astimezone(timezone.utc)

    def down_until(self, until: datetime) -> None:
        """The app is down: time passes, nothing runs."""
        self.clock.now = until.astimezone(timezone.utc)

    def digests(self, channel: str | None = None) -> list[Posted]:
        """Posted digests (not alerts), optionally in one channel."""
        return [p for p in self.posted if "digest" in p.text.lower() and (channel is None or p.channel == channel)]

    def times(self, channel: str | None = None) -> list[str]:
        """When each digest was posted, as local `YYYY-MM-DD HH:MM` strings."""
        return [p.at.strftime("%Y-%m-%d %H:%M") for p in self.digests(channel)]
