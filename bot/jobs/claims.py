"""Claiming a job's period in the database: a row with a unique key, written before anything is posted.

Whoever inserts the row posts; everyone else (another process, a restart, a second `jobs run`) finds it and
posts nothing. A claim whose post failed before anything reached Slack is marked `failed` and may be taken over
(atomically, by one caller) by a later run. A claim still `claimed` whose holder died (bot.jobs.owners) is taken
over the same way; whoever takes it over first checks whether the dead holder's message reached Slack after all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.jobs import owners
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


def claim(runtime: Runtime, key: Key, *, now: datetime) -> int | None:
    """Insert the claim for `key` in its own transaction; its id, or None when someone holds it already."""
    if holder(runtime, key) is not None:  # look first: most calls find a claim, and a failed INSERT is noisy
        return None
    try:
        with runtime.sessions.begin() as session:
            run = JobRun(workspace_id=key.workspace_id, kind=key.kind, subject=key.subject, period_key=key.period,
                         status=CLAIMED, claimed_at=now, owner=owners.me())
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:
        return None  # another process won the race


def take_over(runtime: Runtime, run: JobRun, *, now: datetime) -> int | None:
    """Move a failed or orphaned claim to this process, if nobody changed it since it was read: of several processes
    trying at once, one gets it. Its id, or None."""
    with runtime.sessions.begin() as session:
        taken = session.execute(
            update(JobRun).where(JobRun.id == run.id, JobRun.status == run.status, JobRun.claimed_at == run.claimed_at)
            .values(status=CLAIMED, claimed_at=now, finished_at=None, owner=owners.me(),
                    result=run.result if run.status == CLAIMED else None)
        )
        return run.id if taken.rowcount == 1 else None


def orphaned(runtime: Runtime, key: Key, *, now: datetime, lease: timedelta) -> JobRun | None:
    """The claim of `key` if it is still `claimed` but its holder is gone (killed mid-run), else None."""
    existing = holder(runtime, key)
    if existing is None or existing.status != CLAIMED:
        return None
    return existing if owners.gone(existing.owner, since=existing.claimed_at, now=now, lease=lease) else None


def note(runtime: Runtime, run_id: int, result: dict) -> None:
    """Record progress on a claim still held (e.g. where its message is going), for whoever may take it over."""
    with runtime.sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.id == run_id, JobRun.status == CLAIMED).values(result=result))


def finish(runtime: Runtime, run_id: int, *, status: str, now: datetime, result: dict | None = None) -> None:
    """Record how a claimed run ended."""
    with runtime.sessions.begin() as session:
        session.execute(update(JobRun).where(JobRun.id == run_id).values(status=status, finished_at=now, result=result))


RECENT = 200  # how many of a conversation's latest messages are searched for a message whose sender died


def found_in_slack(client, channel: str, event_type: str, key: str, value: int) -> str | None:
    """The ts of the message whose metadata is `event_type` with `{key: value}`, if a holder that died had got it
    out after all (None: it had not). Only the latest messages are read: the holder died minutes ago, not days."""
    page = client.conversations_history(channel=channel, include_all_metadata=True, limit=RECENT)
    for message in page.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == event_type and (meta.get("event_payload") or {}).get(key) == value:
            return message.get("ts")
    return None
