"""The app factory: one place where the Bolt app, its Web API client and every listener are put together."""

from __future__ import annotations

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient
from slack_sdk.http_retry import (BackoffRetryIntervalCalculator, ConnectionErrorRetryHandler, HttpRequest, HttpResponse,
                                  Jitter, RateLimitErrorRetryHandler, RetryHandler, RetryIntervalCalculator, RetryState)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

import handlers
from bot import install
from handlers import envelope
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger(__name__)


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment and warns that the client given wins: it is the same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


# -- the Web API client: how hard each call is tried ------------------------------------------------

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


LISTENER_THREADS = 64


def create_app(settings: Settings, *, client: WebClient | None = None, runtime: Runtime | None = None,
               synchronous: bool = False) -> App:
    """Build the Bolt app. `synchronous` runs listeners before the HTTP response (tests, demo, console)."""
    runtime = runtime or Runtime.build(settings)
    oauth = authorize = None
    if settings.oauth_enabled:
        # Each request gets its workspace's token from the installations (Bolt's authorize); the app's own client
        # carries none, only SLACK_API_URL, the timeout and the retries, which Bolt copies to each request's.
        oauth = install.oauth_settings(settings, runtime.engine)
        settings = settings.with_(bot_token=None)
    client = client or make_client(settings)
    if oauth is not None:
        # Bolt checks each token with auth.test before the listener may even ack; the answer is kept per token
        # (a workspace's token is looked up afresh on every request, so an uninstall still takes effect at once).
        authorize = InstallationStoreAuthorize(logger=logging.getLogger("roi.install.authorize"),
                                               installation_store=oauth.installation_store, client_id=oauth.client_id,
                                               client_secret=oauth.client_secret, bot_only=True, cache_enabled=True,
                                               client=client)
    bolt_log = logging.getLogger("roi.bolt")
    if not any(isinstance(f, _SameToken) for f in bolt_log.filters):
        bolt_log.addFilter(_SameToken())
    app = App(
        signing_secret=settings.signing_secret or "unset",
        client=client,
        process_before_response=synchronous,
        token_verification_enabled=False,
        oauth_settings=oauth,
        authorize=authorize,
        # Shapes first: Bolt's authorization and its own middleware read ids and `view.type` from the body.
        before_authorize=envelope.Envelope(),
        logger=bolt_log,
        # Each listener keeps its thread until its answer is out; with Bolt's default of 5 threads, the sixth
        # person asking at once waited for someone's answer before even the ack (10 at once: ack p99 about 1 s).
        # Answers queue in handlers.roi instead, where waiting costs nothing.
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="roi-listener"),
    )

    @app.middleware
    def provide_runtime(context, next):  # noqa: A002 - Bolt passes `next` by this name
        # Only the runtime (settings, sessionmaker, clock) is shared here; sessions open in the listeners.
        context["roi"] = runtime
        next()

    handlers.register(app)
    app.roi_runtime = runtime  # type: ignore[attr-defined]
    return app
