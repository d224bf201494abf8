"""Which process holds a piece of work (a digest claim, an alert being sent, a shared file being imported), and
whether that process is gone, so another one takes the work over instead of it being lost.

An owner is `host:pid:start`, the start being the process's start time in clock ticks since boot (from /proc),
so a pid reused by some later process is not mistaken for the holder. On the holder's own machine, a dead holder
is seen at once; from another machine (or without /proc), only once the work's lease has run out.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

# How long work may be held before another process may assume its holder is gone, whatever machine it is on:
# generous next to what the work takes (a digest: seconds; a 200 MB import: a few minutes).
DIGEST_LEASE = timedelta(minutes=10)
IMPORT_LEASE = timedelta(minutes=30)


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot, or None when there is no such process (or no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22 of proc(5), counted after the command name


@cache
def _me(pid: int) -> str:
    return f"{socket.gethostname()[:80]}:{pid}:{_started(pid) or '?'}"


def me() -> str:
    """This process's owner string (computed per pid, so a forked child is its own owner)."""
    return _me(os.getpid())


def alive(owner: str | None) -> bool | None:
    """True/False when `owner` runs on this machine and we can tell; None when we cannot (another host, no /proc)."""
    if not owner:
        return None
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname()[:80] or not pid_text.isdigit() or start == "?":
        return None
    if not Path("/proc/self/stat").exists():
        return None
    return _started(int(pid_text)) == start


def gone(owner: str | None, *, since: datetime, now: datetime, lease: timedelta) -> bool:
    """Whether work held by `owner` since `since` may be taken over: its holder is dead, or the lease ran out."""
    if owner == me():
        return False
    living = alive(owner)
    if living is False:
        return True
    return now - since > lease
