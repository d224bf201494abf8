"""Distinctive secret values ("canaries") for the no-leak tests, and the check that none reached captured output.

Every canary carries MARK, so a search for MARK also catches a secret that was redacted only in part (a prefix
replaced, the rest left). The values are shaped like the real thing: the settings' tokens pass
`Settings.validate`, and the token-shaped ones that are *not* settings (an OAuth-installed workspace's bot
token, refresh and rotating tokens) can only be caught by their shape.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

MARK = "SECRET-LEAK"

BOT_TOKEN = "xoxb-SECRET-LEAK-CANARY-bot-0001"
SIGNING_SECRET = "canary-signing-SECRET-LEAK-0002"
APP_TOKEN = "xapp-1-SECRET-LEAK-CANARY-app-0003"
CLIENT_SECRET = "canary-client-SECRET-LEAK-0004"
STATE_SECRET = "canary-state-SECRET-LEAK-0005"
CLIENT_ID = "1111111111.2222222222"  # an identifier, not a secret: it may be shown

# Never in Settings: a workspace installed through OAuth keeps its tokens in the database.
INSTALLED_TOKEN = "xoxb-9-SECRET-LEAK-CANARY-installed-0006"
REFRESH_TOKEN = "xoxe-1-SECRET-LEAK-CANARY-refresh-0007"
ROTATING_TOKEN = "xoxe.xoxb-1-SECRET-LEAK-CANARY-rotating-0008"
USER_TOKEN = "xoxp-9-SECRET-LEAK-CANARY-user-0009"
DB_PASSWORD = "canary-dbpass-SECRET-LEAK-0010"

SETTINGS_SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, CLIENT_SECRET, STATE_SECRET)
TOKEN_SHAPED = (INSTALLED_TOKEN, REFRESH_TOKEN, ROTATING_TOKEN, USER_TOKEN)
ALL = SETTINGS_SECRETS + TOKEN_SHAPED

ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_APP_TOKEN": APP_TOKEN,
       "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_STATE_SECRET": STATE_SECRET}
APP_VARIABLES = (*ENV, "SLACK_API_URL", "DATABASE_URL", "PORT", "ROI_ADMINS", "ROI_TIMEZONE", "ROI_ALERT_TIME")


def everything(prefix: str = "failed") -> str:
    """A message carrying every canary, some the way they turn up in real text: quoted, after an escaped
    newline (a repr), URL-encoded in a form body, in a bearer header."""
    return (f"{prefix}: token={BOT_TOKEN} signing={SIGNING_SECRET!r} app={APP_TOKEN} client={CLIENT_SECRET} "
            f"state={STATE_SECRET} installed={'bad' + chr(10) + INSTALLED_TOKEN!r} "
            f"body=token%3D{REFRESH_TOKEN}&x=1 header=Bearer {ROTATING_TOKEN} user={USER_TOKEN}")


def text_of(captured: Any) -> str:
    """Captured output as text: bytes decoded leniently, dataclasses and containers through their repr."""
    if isinstance(captured, bytes | bytearray):
        return bytes(captured).decode("utf-8", errors="replace")
    if isinstance(captured, str):
        return captured
    if is_dataclass(captured) and not isinstance(captured, type):
        return repr(asdict(captured))
    return repr(captured)


def leaked(*captured: Any, canaries: tuple[str, ...] = ALL + (DB_PASSWORD,)) -> list[str]:
    """The canaries (and MARK, for a partial leak) found anywhere in `captured`."""
    text = "\n".join(text_of(c) for c in captured)
    return [c for c in (*canaries, MARK) if c in text]


def assert_no_leak(*captured: Any, where: str = "output") -> None:
    """Fail naming every canary found in `captured`, with the text around the first one."""
    found = leaked(*captured)
    if found:
        text = "\n".join(text_of(c) for c in captured)
        at = text.find(found[0])
        raise AssertionError(f"secret(s) leaked into {where}: {found}\n...{text[max(0, at - 300):at + 200]}...")


def run_python(code: str, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (real stderr, no pytest capture or warning filters), output merged."""
    tests = Path(__file__).resolve().parent
    base = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES and k != "PYTHONWARNINGS"}
    path = os.pathsep.join([str(tests.parent), str(tests)])
    return subprocess.run([sys.executable, "-c", code], cwd=cwd or tests.parent, env={**base, "PYTHONPATH": path, **(env or {})},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, check=False)


class Recorder(logging.Handler):
    """Keeps the records themselves, to show what the exceptions behind them carried."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def exceptions(self) -> list[BaseException]:
        """The exceptions logged with the records."""
        return [r.exc_info[1] for r in self.records if r.exc_info]


class Unwritable(io.StringIO):
    """A stream that cannot take the text (as stderr in an ASCII locale cannot take an emoji)."""

    def write(self, text: str) -> int:
        raise UnicodeEncodeError("ascii", text, 0, 1, "ordinal not in range(128)")


def assert_calls_clean(calls, token: str) -> None:
    """No canary anywhere in what the Slack stand-in received, but `token` in the Authorization header of the Web
    API calls (it must be there: the app did hold and use it)."""
    assert calls
    for call in calls:
        headers = {k: v for k, v in call.headers.items() if k.lower() != "authorization"}
        assert_no_leak(call.method, call.name, call.params, call.body, headers, call.response,
                       where=f"the {call.method} call")
        if call.method != "response_url":
            assert call.token == token


def reference_of(text: str) -> str:
    """The reference id an error reply gives the user to quote."""
    assert "(reference " in text, text
    return text.split("(reference ")[1].split(")")[0]


def read_all(proc: subprocess.Popen, into: list[bytes]) -> threading.Thread:
    """Collect a process's output as it comes (the pipe is read while it runs, and to its end)."""
    def read() -> None:
        for line in iter(proc.stdout.readline, b""):
            into.append(line)

    thread = threading.Thread(target=read, name="process-output", daemon=True)
    thread.start()
    return thread


def until(seen, timeout: float = 30) -> None:
    """Wait for `seen()` to be true."""
    deadline = time.monotonic() + timeout
    while not seen():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def boom(token: str, *, secret: str) -> None:
    """Raise an exception whose message, cause and note carry canaries (its arguments and locals carry them too)."""
    state = STATE_SECRET  # noqa: F841 - a local holding a secret; the traceback must not show it
    try:
        raise ValueError(f"inner: {REFRESH_TOKEN}")
    except ValueError as inner:
        error = RuntimeError(everything("outer"))
        error.add_note(f"note: {ROTATING_TOKEN} {secret}")
        raise error from inner
