"""Real `roi-bot serve` subprocesses for end-to-end tests over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from conftest import SECRET, TOKEN

def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(slack, db_url: str, cwd: Path, *, chart_workers: bool = False) -> Iterator[str]:
    """`roi-bot serve` on 127.0.0.1, pointed at the stand-in and `db_url`; yields its base URL once healthy. Chart
    workers only when asked for (a test of `/roi campaign`'s charts). The test is done with it at the end of the
    block: it is killed then, not stopped gracefully (that costs a second; tests/handlers/test_chart_pool.py checks
    the graceful stop)."""
    with server_process(slack, db_url, cwd, chart_workers=chart_workers, stop="kill") as (base, _proc):
        yield base


@contextmanager
def server_process(slack, db_url: str, cwd: Path, *, env: dict[str, str | None] | None = None,
                   args: tuple[str, ...] = ("--no-scheduler",), chart_workers: bool = True,
                   stop: str = "terminate") -> Iterator[tuple[str, subprocess.Popen]]:
    """`roi-bot serve` as `running_server` starts it, with its chart workers unless told otherwise, yielding the
    process too; `env` adds or (with None) removes variables, `args` go to serve. At the end of the block the server
    is stopped with SIGTERM and waited for (its scheduler finishes the jobs it started), or with `stop="kill"`
    killed."""
    with server_processes(1, slack, db_url, cwd, env=env, args=args, chart_workers=chart_workers,
                          stop=stop) as [server]:
        yield server


@contextmanager
def server_processes(count: int, slack, db_url: str, cwd: Path, *, env: dict[str, str | None] | None = None,
                     args: tuple[str, ...] = ("--no-scheduler",), chart_workers: bool = True,
                     stop: str = "terminate") -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """`count` servers like `server_process`, started side by side (their start-ups overlap) on one database;
    yields [(base URL, process)] once every one is healthy."""
    with ExitStack() as stack:
        started = [stack.enter_context(_started(slack, db_url, cwd, env=env, args=args, chart_workers=chart_workers,
                                                stop=stop)) for _ in range(count)]
        for base, proc in started:
            _wait_until_healthy(base, proc)
        yield started


@contextmanager
def _started(slack, db_url: str, cwd: Path, *, env, args, chart_workers: bool,
             stop: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    environ = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
               "DATABASE_URL": db_url, "PORT": str(port)}
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    if not chart_workers:
        environ["ROI_CHART_WORKERS"] = "0"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", *args],
                            cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if stop == "kill":
            proc.kill()
        else:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        finally:
            proc.kill()
            proc.stdout.close()


def _wait_until_healthy(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("roi-bot serve did not start:\n" + proc.stdout.read().decode())
            time.sleep(0.05)


class Output:
    """A process's output, read as it comes (the pipe never fills), so a test can wait for a line."""

    def __init__(self, proc: subprocess.Popen):
        self._lines: list[str] = []
        self._arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(proc,), name="server-output", daemon=True)
        self._reader.start()

    def _read(self, proc: subprocess.Popen) -> None:
        try:
            for line in iter(proc.stdout.readline, b""):
                with self._arrived:
                    self._lines.append(line.decode(errors="replace"))
                    self._arrived.notify_all()
        except ValueError:
            pass  # the pipe was closed once the process had stopped

    @property
    def text(self) -> str:
        """Everything read so far."""
        with self._arrived:
            return "".join(self._lines)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Block until a line holding `text` was written (AssertionError with the output after `timeout` s)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: any(text in line for line in self._lines), timeout):
                raise AssertionError(f"no {text!r} in the output:\n{''.join(self._lines)}")
