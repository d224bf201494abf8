"""Logging never lets a token or secret through, including inside tracebacks."""

from __future__ import annotations

import io
import logging

from bot.logs import Redactor


def test_secrets_and_token_shapes_are_redacted_in_messages_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor(["my-signing-secret"]))
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token %s and secret %s", "xoxb-111-222-abc", "my-signing-secret")
        try:
            raise RuntimeError("failed with xapp-1-A0-secretvalue and my-signing-secret")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "boom" in out and "RuntimeError" in out
    for secret in ("xoxb-111-222-abc", "my-signing-secret", "xapp-1-A0-secretvalue"):
        assert secret not in out
