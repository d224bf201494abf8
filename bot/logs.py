"""Logging set-up that never lets a token or secret through, even inside tracebacks."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")


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


def configure(secrets: list[str], level: int = logging.INFO) -> None:
    """Log to stderr through the redactor."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces every plugin and context at INFO; upgrades are logged once by bot.db instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler announces every run of every job at INFO (the tick, once a minute); bot.jobs logs what they did.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
