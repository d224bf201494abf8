"""A real `roi-bot serve` subprocess for end-to-end tests over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import SECRET, TOKEN


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(slack, db_url: str, cwd: Path) -> Iterator[str]:
    """`roi-bot serve` on 127.0.0.1, pointed at the stand-in and `db_url`; yields its base URL once healthy."""
    with server_process(slack, db_url, cwd) as (base, _proc):
        yield base


@contextmanager
def server_process(slack, db_url: str, cwd: Path, *, env: dict[str, str | None] | None = None,
                   args: tuple[str, ...] = ("--no-scheduler",)) -> Iterator[tuple[str, subprocess.Popen]]:
    """`running_server`, yielding the process too; `env` adds or (with None) removes variables, `args` go to serve."""
    port = free_port()
    environ = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
               "DATABASE_URL": db_url, "PORT": str(port)}
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", *args],
                            cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail("roi-bot serve did not start:\n" + proc.stdout.read().decode())
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        finally:
            proc.kill()
            proc.stdout.close()
