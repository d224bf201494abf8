"""Logging set-up that never lets a token or secret through, even inside tracebacks."""

from __future__ import annotations

import logging
import re
import sys

# Every Slack token shape: bot, user, app-level, legacy and session tokens (xoxb-, xoxp-, xapp-, xoxa-, xoxc-, …),
# refresh tokens (xoxe-1-…) and rotating access tokens (xoxe.xoxb-1-…). No word boundary in front: a token
# also hides behind a letter, as in a repr's "\nxoxb-…" or a form body's "token%3Dxoxb-…".
_TOKEN = re.compile(r"(?:xox[a-z]|xapp)(?:\.xox[a-z])?-[A-Za-z0-9%-]+")


class Redactor(logging.Filter):
    """Replaces known secret values and anything shaped like a Slack token with `***`."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        """The text with secrets removed."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _TOKEN.sub("xox?-***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg, record.args = self.redact(message), None
        return True


class _Handler(logging.StreamHandler):
    """Stderr, reporting its own failures redacted: the default report prints the exception being handled when
    the write failed (the one being logged, secrets and all) straight to stderr."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redactor = redactor

    def handleError(self, record: logging.LogRecord) -> None:
        if logging.raiseExceptions and sys.stderr:
            error = sys.exc_info()[1]
            try:
                sys.stderr.write(self.redactor.redact(
                    f"--- Logging error: {ascii(error)}; record from {record.name} at {record.pathname}:{record.lineno}\n"))
            except (OSError, ValueError):
                pass


def configure(secrets: list[str], level: int = logging.INFO) -> None:
    """Log to stderr through the redactor; warnings and `logging.lastResort` go through it too."""
    redactor = Redactor(secrets)
    handler = _Handler(redactor)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # A logger that does not propagate and has no handler of its own ends up in lastResort, straight to stderr.
    last_resort = logging.lastResort
    if last_resort is not None:
        for old in [f for f in last_resort.filters if isinstance(f, Redactor)]:
            last_resort.removeFilter(old)
        last_resort.addFilter(redactor)
    # warnings.warn writes to stderr itself, unless logging captures it.
    logging.captureWarnings(True)
    # Alembic announces every plugin and context at INFO; upgrades are logged once by bot.db instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler announces every run of every job at INFO (the tick, once a minute); bot.jobs logs what they did.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # httpx logs every request to a store at INFO; bot.stores logs what a sync or a code creation did.
    logging.getLogger("httpx").setLevel(logging.WARNING)
