"""The scheduler: APScheduler 3 jobs for each campaign's digest and the daily scan, kept in step with the database.

APScheduler only decides *when* to look; the jobs decide what is due and claim it in the database, so any
number of processes can run this scheduler against one database. Every minute (and at once when a campaign is
changed in this process) the jobs are re-read from the campaigns table, so a new or changed schedule takes
effect without a restart, and every due period that has not been posted (a missed one, one whose fire time fell
while another job ran) is posted then.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from bot.jobs import alerts, digests, store_sync
from bot.models import Campaign, JobRun, Workspace
from bot.runtime import Runtime
from bot.schedule import Schedule, parse_schedule
from bot.wiring.app import files, posting, sending
from metrics.status import Status

log = logging.getLogger("roi.scheduler")

TICK_SECONDS = 60
ALERTS_ID, TICK_ID, SYNC_ID = "alerts", "tick", "store-sync"
# Tests only: seconds this process's clock runs ahead of the wall clock, so a test of real scheduler processes can
# put the next minute's fire time a few seconds away instead of waiting up to a minute for it.
CLOCK_SHIFT = "ROI_TEST_CLOCK_SHIFT"


@dataclass(frozen=True)
class Planned:
    """One scheduled job as the database describes it."""

    id: str
    team: str | None
    campaign: str | None
    campaign_id: int | None
    schedule: str  # human text: "every Monday at 09:00"
    signature: str  # changes whenever the job must be rescheduled
    trigger: BaseTrigger
    next_run: datetime | None  # the next time it will post (None: not any more)


def plan(runtime: Runtime, *, now: datetime | None = None) -> tuple[list[Planned], list[tuple[str, str, str]]]:
    """The jobs to schedule now, and the campaigns that have none with why: (team, campaign, reason)."""
    tz = runtime.settings.tz
    now = now or runtime.clock()
    planned: list[Planned] = []
    idle: list[tuple[str, str, str]] = []
    with runtime.reads.begin() as session:
        rows = session.execute(select(Campaign, Workspace.team_id, Workspace.uninstalled_at)
                               .join(Workspace, Workspace.id == Campaign.workspace_id)
                               .order_by(Workspace.team_id, Campaign.name_key)).all()
        for camp, team, closed in rows:
            if closed is not None:
                idle.append((team, camp.name, f"its workspace uninstalled the app on {closed:%Y-%m-%d}"))
                continue
            try:
                sched = digests.schedule(camp)
            except Exception:
                idle.append((team, camp.name, f"its digest schedule `{camp.digest}` cannot be read"))
                continue
            why = _idle(camp, sched)
            if why:
                idle.append((team, camp.name, why))
                continue
            upcoming = digests.next_time(camp, sched, tz, now)
            if upcoming is None:
                last = digests.final_time(camp, sched, tz)
                when = f" on {last.astimezone(tz):%a %Y-%m-%d %H:%M %Z}" if last else ""
                idle.append((team, camp.name, f"finished: its last scheduled digest was due{when}"))
                continue
            planned.append(Planned(f"digest:{camp.id}", team, camp.name, camp.id, sched.describe(),
                                   f"{sched.text}|{tz.key}", sched.trigger(tz), upcoming))
    scan = parse_schedule(f"daily {runtime.settings.alert_time}")
    planned.append(Planned(ALERTS_ID, None, None, None, scan.describe(), f"{scan.text}|{tz.key}", scan.trigger(tz),
                           scan.next_fire_time(tz, now)))
    return planned, idle


def _idle(camp: Campaign, sched: Schedule) -> str | None:
    if camp.status != Status.ACTIVE:
        return "ended with /campaign end"
    if sched.kind == "off":
        return "digest=off (post one with `roi-bot jobs run digest`)"
    if not camp.channel_id:
        return "no channel to post in"
    return None


def last_posted(runtime: Runtime) -> dict[int, datetime]:
    """When each campaign's last digest was posted."""
    with runtime.reads.begin() as session:
        rows = session.execute(select(JobRun.subject, func.max(JobRun.finished_at))
                               .where(JobRun.kind == digests.KIND, JobRun.status == "posted").group_by(JobRun.subject)).all()
    return {int(subject): at for subject, at in rows if subject.isdigit() and at is not None}


def run_digest(runtime: Runtime, camp_id: int) -> None:
    """A campaign's fire time (also run at start-up and on each tick): post if due, never raise."""
    try:
        posting.scheduled(runtime, camp_id)
    except Exception:
        log.exception("scheduled digest of campaign %s failed", camp_id)


def run_alerts(runtime: Runtime) -> None:
    """The daily scan (also run on each tick: it does nothing before ROI_ALERT_TIME or once done today)."""
    try:
        sent = sending.scheduled(runtime)
        if sent:
            log.info("underperformer scan: %d alert(s) sent", sum(1 for s in sent if s.status == alerts.SENT))
    except Exception:
        log.exception("underperformer scan failed")


def run_resume(runtime: Runtime) -> None:
    """Import again the shared files whose importing process died (also on each tick): never raise."""
    try:
        files.resume(runtime)
    except Exception:
        log.exception("could not take over interrupted imports; the next tick will try again")


def run_store_sync(runtime: Runtime) -> None:
    """The stores' sync (every minute: it syncs each store once per ROI_SYNC_MINUTES period): never raise."""
    try:
        done = store_sync.run_due(runtime)
        if done:
            log.info("store sync: %s", ", ".join(f"{n} {outcome}" for outcome, n in sorted(done.items())))
    except Exception:
        log.exception("store sync could not start; the next minute tries again")


class _Shifted(BaseTrigger):
    """A trigger read on a clock `shift` ahead of the wall clock: fires when that clock reaches its times."""

    def __init__(self, trigger: BaseTrigger, shift: timedelta):
        self.trigger, self.shift = trigger, shift

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        previous = None if previous_fire_time is None else previous_fire_time + self.shift
        fire = self.trigger.get_next_fire_time(previous, now + self.shift)
        return None if fire is None else fire - self.shift

    def __str__(self) -> str:
        return f"{self.trigger} on a clock {self.shift} ahead"


class Scheduler:
    """APScheduler in a background thread, its jobs synced from the database."""

    def __init__(self, runtime: Runtime, *, tick_seconds: int = TICK_SECONDS):
        self.shift = timedelta(seconds=float(os.environ.get(CLOCK_SHIFT) or 0))
        if self.shift:
            wall_clock = runtime.clock
            runtime.clock = lambda: wall_clock() + self.shift
        self.runtime = runtime
        self.tick_seconds = tick_seconds
        self.aps = BackgroundScheduler(
            timezone=runtime.settings.tz,
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._signatures: dict[str, str] = {}
        # APScheduler's shutdown holds its job store lock while it waits for running jobs, so a job that edits
        # jobs then would deadlock it: edits happen under this lock, and not at all once closing.
        self._edit = threading.Lock()
        self._closing = False
        self._caught_up = False

    def sync(self) -> list[Planned]:
        """Add, reschedule and remove jobs so they match the campaigns as stored now."""
        with self._edit:  # read and apply together: two syncs never apply an older plan over a newer one
            planned, _ = plan(self.runtime)
            if not self._closing:
                self._apply(planned)
        return planned

    def _apply(self, planned: list[Planned]) -> None:
        wanted = {p.id: p for p in planned}
        for job_id in list(self._signatures):
            if job_id not in wanted:
                self.aps.remove_job(job_id)
                del self._signatures[job_id]
                log.info("unscheduled %s", job_id)
        for p in planned:
            if self._signatures.get(p.id) == p.signature:
                continue
            trigger = _Shifted(p.trigger, self.shift) if self.shift else p.trigger
            if p.id in self._signatures:
                self.aps.reschedule_job(p.id, trigger=trigger)
                log.info("rescheduled %s (%s): %s", p.id, p.campaign, p.schedule)
            else:
                func, args = (run_alerts, [self.runtime]) if p.id == ALERTS_ID else (run_digest, [self.runtime, p.campaign_id])
                self.aps.add_job(func, trigger, args=args, id=p.id, name=p.campaign or "underperformer scan",
                                 replace_existing=True)
            self._signatures[p.id] = p.signature

    def tick(self) -> None:
        """Re-read the schedules, then post whatever is due and not yet posted (missed periods included)."""
        try:
            self.sync()
        except Exception:
            log.exception("could not read the schedules")
            return
        run_resume(self.runtime)
        # Every campaign that may still post, not only those with a next run: a final digest missed while the
        # app was down is still due within its period, after which the campaign has no job any more.
        for camp_id in digests.candidates(self.runtime):
            run_digest(self.runtime, camp_id)
        run_alerts(self.runtime)
        if not self._caught_up:
            self._caught_up = True
            log.info("scheduler caught up: every due digest and scan since the last run checked")

    def wake(self) -> None:
        """A campaign changed in this process: re-read the jobs now (a few milliseconds), not at the next tick."""
        try:
            self.sync()
        except Exception:
            log.exception("could not re-read the schedules; the next tick will")

    def start(self) -> Scheduler:
        """Start the jobs; the first tick (which posts a missed period) runs at once."""
        self.aps.start()
        self.sync()
        self.aps.add_job(self.tick, IntervalTrigger(seconds=self.tick_seconds, timezone=self.runtime.settings.tz),
                         id=TICK_ID, next_run_time=datetime.now(self.runtime.settings.tz))
        if self.runtime.settings.sync_minutes > 0:
            # Its own job, not the tick: a long sync must not hold up digests. Checked each tick period, it syncs
            # each store once per ROI_SYNC_MINUTES period, a period missed while down as soon as it is back.
            every = IntervalTrigger(seconds=self.tick_seconds, timezone=self.runtime.settings.tz)
            self.aps.add_job(run_store_sync, every, args=[self.runtime], id=SYNC_ID, name="store sync",
                             next_run_time=datetime.now(self.runtime.settings.tz))
        self.runtime.on_campaigns_changed.append(self.wake)
        log.info("scheduler started (time zone %s, underperformer scan daily at %s)",
                 self.runtime.settings.timezone, self.runtime.settings.alert_time)
        return self

    def shutdown(self) -> None:
        """Stop taking new jobs and wait for running ones."""
        if self.wake in self.runtime.on_campaigns_changed:
            self.runtime.on_campaigns_changed.remove(self.wake)
        with self._edit:
            self._closing = True
        if self.aps.running:
            self.aps.shutdown(wait=True)
