"""The Web API client every Slack call goes through: how hard each call is tried, and what is logged.

429s are waited out (Retry-After); 5xx answers, timeouts and dropped connections are retried twice with a jittered
backoff; a `chat.postMessage` or response_url post that timed out is not retried, since Slack may have taken it.
Listeners get a copy of the app's client per request (Bolt copies its retries and logger); jobs build their own per
workspace (handlers.tokens).
"""

from __future__ import annotations

import logging
import random
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry import (BackoffRetryIntervalCalculator, ConnectionErrorRetryHandler, HttpRequest, HttpResponse,
                                  Jitter, RateLimitErrorRetryHandler, RetryHandler, RetryIntervalCalculator, RetryState)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from bot.config import Settings

SERVER_ERRORS = (500, 502, 503, 504)
# Calls that post something new: when Slack took one and never answered (a read timeout, unlike a connection that
# never opened), it may be out already. The digests and alerts look for it before trying again (bot.jobs); an asker
# is told it may still show up.
NOT_REPEATABLE = frozenset({"chat.postMessage", "response_url"})
slack_log = logging.getLogger("roi.slack")  # one line per retried failure; the caller logs the final one
_sdk_log = logging.getLogger("roi.slack.sdk")  # the logger handed to slack_sdk's clients


class _Reported(logging.Filter):
    """slack_sdk logs a failed request at ERROR before its retry handlers even look at it, retried or not, and again
    when a body is not JSON; here every retry is logged once by the handler and the final failure once by whoever
    gives up, so those lines would be the same failure twice."""

    SAID = ("Failed to send a request to Slack API server", "Going to retry the same request",
            "Failed to decode Slack API response")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.SAID)


def slack_method(url: str) -> str:
    """What a request URL calls: the Web API method (`chat.postMessage`), a `file upload` or a `response_url`
    (never the URL itself: a response_url or an upload URL works for anyone who has it)."""
    path = urlsplit(url).path
    if "/api/" in path:
        return path.rsplit("/api/", 1)[1]
    return "file upload" if "/upload" in path else "response_url"


def _what(response: HttpResponse | None, error: Exception | None) -> str:
    if response is not None:
        waits = {k.lower(): v for k, v in response.headers.items()}.get("retry-after")
        return f"HTTP {response.status_code}" + (f", Retry-After {waits[0]} s" if waits else "")
    timed_out = isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError)
    return "no answer in time (timeout)" if timed_out else f"connection failed ({type(error).__name__})"


class _Logged:
    """Logs each retry once (INFO): which call, what it got, which retry this is."""

    max_retry_count: int

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        slack_log.info("slack %s: %s; retry %d of %d", slack_method(request.url), _what(response, error),
                       state.current_attempt + 1, self.max_retry_count)
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)  # type: ignore[misc]


class _RateLimited(_Logged, RateLimitErrorRetryHandler):
    """HTTP 429: waits the Retry-After Slack sent, then tries again."""


class _ServerError(_Logged, ServerErrorRetryHandler):
    """HTTP 500, 502, 503, 504 (slack_sdk's own handler knows only 500 and 503)."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


class _NoAnswer(_Logged, ConnectionErrorRetryHandler):
    """Timeouts and dropped connections. slack_sdk's handler knows connection errors, but a read timeout (Slack took
    the request and never answered) arrives as a bare TimeoutError."""

    def __init__(self, max_retry_count: int, interval_calculator: RetryIntervalCalculator):
        super().__init__(max_retry_count, interval_calculator, error_types=[URLError, ConnectionError, TimeoutError])

    def can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                  error: Exception | None = None) -> bool:
        if error is not None:
            # An exception does not say which call it broke; whoever gives up reads it here to say so.
            error.slack_method = slack_method(request.url)  # type: ignore[attr-defined]
            if isinstance(error, TimeoutError) and error.slack_method in NOT_REPEATABLE:
                return False  # Slack may have posted it: trying again could post it twice (the caller decides)
        return super().can_retry(state=state, request=request, response=response, error=error)


class _Jitter(Jitter):
    """Up to a quarter more than the backoff, so clients that failed together do not retry together."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random() / 4)


def retry_handlers(pause: float = 0.5) -> list[RetryHandler]:
    """429s waited out (up to 5 times); 5xx, timeouts and dropped connections retried twice, after `pause` s, then
    twice that. The count is per call and shared: a call is tried at most 6 times."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=pause, jitter=_Jitter())
    return [_RateLimited(max_retry_count=5), _ServerError(max_retry_count=2, interval_calculator=backoff),
            _NoAnswer(max_retry_count=2, interval_calculator=backoff)]


def make_client(settings: Settings, token: str | None = None, *, timeout: float = 15, pause: float = 0.5) -> WebClient:
    """A Web API client for SLACK_API_URL: 429s waited out, 5xx, timeouts (no answer within `timeout` s) and dropped
    connections retried twice; Bolt copies its retries and logger to the client each request gets."""
    if not any(isinstance(f, _Reported) for f in _sdk_log.filters):
        _sdk_log.addFilter(_Reported())
        # Below INFO slack_sdk formats a debug line of every request and response, bodies included.
        _sdk_log.setLevel(logging.INFO)
    return WebClient(token=token or settings.bot_token, base_url=settings.slack_api_url, timeout=timeout,
                     logger=_sdk_log, retry_handlers=retry_handlers(pause))
