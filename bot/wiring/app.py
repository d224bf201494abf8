"""The app factory: one place where the Bolt app, its Web API client and every listener are put together.

It is also the one module outside handlers/ that imports it: the rest of bot/wiring (the web server, the command
line, the scheduler, the demo) takes the Slack side it drives from here (`chart_pool`, `envelope`, `files`,
`posting`, `sending`), so the layers' single upward edge is this file (tests/test_layers.py)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient

import handlers
from bot import install
from bot.config import Settings
from bot.runtime import Runtime
from handlers import chart_pool, envelope, files  # noqa: F401 - chart_pool, files: for the rest of bot/wiring
from handlers.client import make_client
from handlers.jobs import alerts as sending  # noqa: F401 - for the rest of bot/wiring
from handlers.jobs import digests as posting  # noqa: F401 - for the rest of bot/wiring

log = logging.getLogger(__name__)


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment and warns that the client given wins: it is the same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


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
