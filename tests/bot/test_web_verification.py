"""A real `roi-bot serve` under forged requests (SPEC §7): each kind gets a 401 or 400 and causes nothing. The forged
bodies carry the attacker's own response_url, a recording server on 127.0.0.1 (and some one that never answers):
it and the Slack stand-in see no call at all, the database no write, the server's log no body, and a flood of them
holds no server thread, so `/health` stays fast. A correctly signed request still works, answered where it says.

One server process for the module, on SQLite only (verification happens on the raw request, before anything is
read); each test starts from a clean record of calls."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from bot.db import make_engine
from bot.fakeslack.requests import post, send, sign, slash_command
from bot.models import Campaign
from conftest import SECRET
from server_support import server_process

# Under pytest-xdist (`make test`) the module's tests run in one worker, so its shared fixtures are built once.
pytestmark = [pytest.mark.xdist_group("web_verification"),
              pytest.mark.parametrize("module_db", ["sqlite"], indirect=True, scope="module")]

CANARY = "forgedcanary"


class Recorder(ThreadingHTTPServer):
    """The attacker's response_url: records every request it gets; one under /hang is held open until `stop`."""

    daemon_threads = True

    def __init__(self):
        self.calls: list[str] = []
        self.arrived = threading.Condition()
        self.released = threading.Event()
        super().__init__(("127.0.0.1", 0), _Recording)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        """The URL of `path` on this server."""
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def wait_for(self, path: str, timeout: float = 10) -> None:
        """Block until a request to `path` arrived (AssertionError after `timeout` s)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: path in self.calls, timeout), self.calls

    def stop(self) -> None:
        """Let held requests go and stop serving."""
        self.released.set()
        self.shutdown()
        self.server_close()


class _Recording(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name for it
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.arrived:
            self.server.calls.append(self.path)
            self.server.arrived.notify_all()
        if self.path.startswith("/hang"):
            self.server.released.wait(60)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture(scope="module")
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def serving(module_slack, module_db, tmp_path_factory):
    with server_process(module_slack, module_db, tmp_path_factory.mktemp("serve"), chart_workers=False,
                        stop="kill") as (base, proc):
        os.set_blocking(proc.stdout.fileno(), False)
        # Bolt asks Slack who the bot is on the first signed request (auth.test), once: done here, not in a test.
        module_slack.reset()
        post(base + "/slack/events", slash_command("/roi", "underperformers", response_url=module_slack.response_url("warm")),
             secret=SECRET)
        module_slack.wait_for("response_url")
        yield base, proc


@pytest.fixture
def server(serving, module_slack, recorder) -> str:
    """The server's base URL, with no call recorded yet and its log so far read away."""
    module_slack.reset()
    recorder.calls.clear()
    log_of(serving[1])
    return serving[0]


def log_of(proc) -> str:
    """What the server wrote since the last look (its stdout and stderr, read without blocking)."""
    chunks = []
    while True:
        try:
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def campaign_names(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Campaign.name)))
    finally:
        engine.dispose()


def forged(recorder, path: str = "/forged") -> str:
    """A command that would create a campaign and answer through the attacker's URL, were it let through."""
    return slash_command("/campaign", f"create {CANARY} budget=1", response_url=recorder.url(path))


def forgeries(body: str) -> dict[str, tuple[bytes, dict[str, str], int]]:
    """Each kind of request that fails verification: (body, headers, the status it must get)."""
    good = sign(body, SECRET)
    now = int(time.time())

    def at(timestamp: str) -> dict[str, str]:
        return sign(body, SECRET, timestamp=timestamp)

    drop = {name: {k: v for k, v in good.items() if k != name} for name in good}
    raw = body.encode()
    return {
        **{f"timestamp {ts!r}": (raw, at(ts), 401) for ts in ("abc", "", "1e12", "1.5", "0x10", "9" * 30)},
        "stale timestamp": (raw, at(str(now - 301)), 401), "future timestamp": (raw, at(str(now + 301)), 401),
        "no timestamp": (raw, drop["X-Slack-Request-Timestamp"], 401),
        "no signature": (raw, drop["X-Slack-Signature"], 401),
        "malformed signature": (raw, {**good, "X-Slack-Signature": "v0=zz"}, 401),
        "wrong secret": (raw, sign(body, "not-the-secret"), 401),
        "signature of another body": (raw + b"&text=x", good, 401),
        "wrong content type": (raw, {**good, "Content-Type": "text/plain"}, 400),
        "unparsable body": (b"payload={not json", sign("payload={not json", SECRET), 400),
        "not utf-8": (b"payload=\xff", {**good, "Content-Type": "application/x-www-form-urlencoded"}, 400),
        "deeply nested": ((b"[" * 100_000) + (b"]" * 100_000), {**good, "Content-Type": "application/json"}, 400),
    }


def test_every_kind_of_forged_request_is_refused_and_reaches_no_url(server, serving, module_slack, recorder, module_db):
    kinds = forgeries(forged(recorder))

    statuses = {kind: send(server + "/slack/events", data, headers)[0] for kind, (data, headers, _) in kinds.items()}

    assert statuses == {kind: status for kind, (_, _, status) in kinds.items()}
    # A signed request after them, answered through the recorder: whatever the forged ones set going came first.
    control = slash_command("/roi", "underperformers", response_url=recorder.url("/control"))
    assert post(server + "/slack/events", control, secret=SECRET)[0] == 200
    recorder.wait_for("/control")
    assert recorder.calls == ["/control"]
    assert module_slack.calls == []
    assert CANARY not in campaign_names(module_db)
    log = log_of(serving[1])
    assert log.count("refused a request:") == len(kinds), log
    assert CANARY not in log and recorder.url("") not in log and "Traceback" not in log


def test_a_flood_of_forged_requests_with_a_response_url_that_never_answers_leaves_health_fast(server, recorder):
    body = forged(recorder, "/hang")
    floods = [sign(body, SECRET, timestamp=ts) for ts in ("abc", "", "1e12", "1.5", "0x10", "-1")] * 3

    with ThreadPoolExecutor(len(floods)) as pool:
        statuses = list(pool.map(lambda headers: send(server + "/slack/events", body.encode(), headers, timeout=5)[0],
                                 floods))
    started = time.monotonic()
    with urllib.request.urlopen(server + "/health", timeout=5) as response:
        assert response.status == 200
    assert time.monotonic() - started < 2
    assert statuses == [401] * len(floods)
    assert recorder.calls == []


def test_a_correctly_signed_request_still_works_and_is_answered_where_it_says(server, module_slack, recorder,
                                                                              module_db):
    body = slash_command("/campaign", "create spring budget=5000", response_url=module_slack.response_url("ok"))
    status, _, acked = post(server + "/slack/events", body, secret=SECRET)
    assert status == 200 and "spring" in json.loads(acked)["text"]  # answered in the acknowledgement
    assert "spring" in campaign_names(module_db)

    # An answer that follows the acknowledgement goes to the response_url the signed request named.
    elsewhere = slash_command("/roi", "underperformers campaign=spring", response_url=recorder.url("/signed"))
    assert post(server + "/slack/events", elsewhere, secret=SECRET)[0] == 200
    recorder.wait_for("/signed")
