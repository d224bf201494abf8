"""Claiming a job's period in the database: a row with a unique key, written before anything is posted.

Whoever inserts the row posts; everyone else (another process, a restart, a second `jobs run`) finds it and
posts nothing. A claim whose post failed before anything reached Slack is marked `failed` and may be taken over
(atomically, by one caller) by a run by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.models import JobRun
from bot.runtime import Runtime

CLAIMED, POSTED, FAILED = "claimed", "posted", "failed"


@dataclass(frozen=True)
class Key:
    """What a claim is about: one workspace's job `kind` for `subject` in one period."""

    workspace_id: int
    kind: str
    subject: str
    period: str

    def where(self):
        return (JobRun.workspace_id == self.workspace_id, JobRun.kind == self.kind, JobRun.subject == self.subject,
                JobRun.period_key == self.period)


def holder(runtime: Runtime, key: Key) -> JobRun | None:
    """The run holding `key`, if any."""
    with runtime.reads.begin() as session:
        run = session.scalar(select(JobRun).where(*key.where()))
        if run is not None:
            session.expunge(run)
        return run


def claim(runtime: Runtime, key: Key, *, now: datetime, retake_failed: bool = False) -> int | None:
    """Insert the claim for `key` in its own transaction; its id, or None when someone holds it already."""
    existing = holder(runtime, key)  # look first: most calls find a claim, and a failed INSERT is noisy
    if existing is None:
        try:
            with runtime.sessions.begin() as session:
                run = JobRun(workspace_id=key.workspace_id, kind=key.kind, subject=key.subject, period_key=key.period,
                             status=CLAIMED, claimed_at=now)
                session.add(run)
                session.flush()
                return run.id
        except IntegrityError:
            existing = holder(runtime, key)  # another process won the race
    if existing is None or not retake_failed or existing.status != FAILED:
        return None
    with runtime.sessions.begin() as session:
        taken = session.execute(
            update(JobRun).where(JobRun.id == existing.id, JobRun.status == FAILED)
            .values(status=CLAIMED, claimed_at=now, finished_at=None, result=None)
        )
        return existing.id if taken.rowcount == 1 else None


def finish(runtime: Runtime, run_id: int, *, status: str, now: datetime, result: dict | None = None) -> None:
    """Record how a claimed run ended."""
    with runtime.sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.id == run_id).values(status=status, finished_at=now, result=result))
