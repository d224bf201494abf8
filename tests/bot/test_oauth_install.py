"""Multi-workspace installs end to end: two workspaces install the app through the OAuth flow of a real
`roi-bot serve` against the Web API stand-in (`oauth.v2.access`), each registers its own data, and each sees, and
is posted, only its own, each with its own bot token; an uninstalled workspace gets no more jobs, its data kept."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from bot.wiring import cli
from bot.db import make_engine
from bot.fakeslack.requests import event, post, slash_command
from bot.models import Campaign, Workspace, slack_bots
from conftest import SECRET
from server_support import server_process

CLIENT = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "client-secret-for-tests",
          "SLACK_STATE_SECRET": "state-secret-for-tests"}
TEAMS = {"TALPHA": ("Alpha Co", "xoxb-alpha-1-token", "code-alpha", "C0ALPHA"),
         "TBRAVO": ("Bravo Inc", "xoxb-bravo-2-token", "code-bravo", "C0BRAVO")}


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers.items()), err.read().decode()


def install(base: str, code: str) -> tuple[int, str]:
    """What a person does: open /slack/install, go to Slack, come back to /slack/oauth_redirect with Slack's code."""
    status, headers, page = _get(base + "/slack/install")
    assert status == 200
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page).group(1)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT["SLACK_CLIENT_ID"]]
    assert set(query["scope"][0].split(",")) >= {"commands", "chat:write"}
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, page = _get(f"{base}/slack/oauth_redirect?code={code}&state={query['state'][0]}", cookie)
    return status, page


@pytest.fixture
def workspaces(slack):
    """The stand-in knows the two workspaces' installs, and honours only tokens it issued."""
    slack.valid_tokens = {"xoxb-nobody-has-this"}  # non-empty: tokens are checked (oauth.v2.access adds its own)
    for team, (name, token, code, _channel) in TEAMS.items():
        slack.oauth_installs[code] = {
            "access_token": token, "token_type": "bot", "scope": "commands,chat:write,im:write",
            "bot_user_id": f"UBOT{team[1:]}", "app_id": "A0001", "team": {"id": team, "name": name},
            "enterprise": None, "is_enterprise_install": False,
            "authed_user": {"id": f"U{team[1:]}", "scope": "", "token_type": "user"}}
    return slack


@pytest.fixture
def server(workspaces, db_url, tmp_path):
    """A `roi-bot serve` with OAuth installs, one per test (the installs, and the tokens it caches, are its state).
    Without chart workers: what is under test is whose data and token each answer uses, not where its charts are
    drawn (tests/bot/test_web_roi.py covers the workers over HTTP)."""
    env = {**CLIENT, "SLACK_BOT_TOKEN": None}
    with server_process(workspaces, db_url, tmp_path, env=env, chart_workers=False, stop="kill") as (base, proc):
        yield base


def ask(base: str, slack, team: str, text: str, command: str = "/roi", name: str = "r") -> str:
    channel = TEAMS[team][3]
    body = slash_command(command, text, team_id=team, user_id=f"U{team[1:]}", channel_id=channel,
                         response_url=slack.response_url(f"{team}-{name}"))
    status, _, acked = post(base + "/slack/events", body, secret=SECRET)
    assert status == 200
    if command != "/roi":  # registration commands answer in the acknowledgement
        assert "created" in json.loads(acked)["text"], acked
    return channel


def test_two_workspaces_install_and_each_sees_and_is_posted_only_its_own(server, workspaces, db_url, monkeypatch,
                                                                         tmp_path):
    slack = workspaces
    for team, (_name, _token, code, _channel) in TEAMS.items():
        status, page = install(server, code)
        assert status == 200, page
    engine = make_engine(db_url)
    with engine.connect() as connection:
        stored = dict(connection.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token)).all())
    assert stored == {team: token for team, (_n, token, _c, _ch) in TEAMS.items()}
    assert [c.params["code"] for c in slack.calls_to("oauth.v2.access")] == ["code-alpha", "code-bravo"]

    # Each registers a campaign of the same name, with its own budget and channel.
    ask(server, slack, "TALPHA", "create spring budget=1,000 start=2026-01-01 channel=<#C0ALPHA|alpha>", "/campaign", "c")
    ask(server, slack, "TBRAVO", "create spring budget=7,000 start=2026-01-01 channel=<#C0BRAVO|bravo>", "/campaign", "c")
    ask(server, slack, "TBRAVO", "create autumn budget=500 start=2026-01-01", "/campaign", "c2")

    # Each asks; each answer is computed from its own workspace and posted with its own token.
    ask(server, slack, "TALPHA", "campaign spring", name="a1")
    ask(server, slack, "TBRAVO", "campaign autumn", name="b1")
    ask(server, slack, "TALPHA", "campaign autumn", name="a2")
    replies = {c.name: c for c in slack.wait_for("response_url", 1, timeout=20)}
    assert "no campaign `autumn`" in _text(replies["TALPHA-a2"])  # Bravo's autumn is not Alpha's
    posts = slack.wait_for("chat.postMessage", 2, timeout=20)
    by_channel = {c.params["channel"]: c for c in posts if c.params.get("channel") in ("C0ALPHA", "C0BRAVO")}
    assert by_channel["C0ALPHA"].token == TEAMS["TALPHA"][1] and "1,000" in _all_text(by_channel["C0ALPHA"])
    assert by_channel["C0BRAVO"].token == TEAMS["TBRAVO"][1] and "500" in _all_text(by_channel["C0BRAVO"])
    # Each workspace's token is checked with auth.test once (at install, and at its first request), not per request.
    assert len(slack.calls_to("auth.test")) == 4
    assert all(c.error is None for c in slack.calls if c.method != "oauth.v2.access"), \
        [(c.method, c.error) for c in slack.calls if c.error]

    # Jobs: each workspace's digest goes to its own channel, with its own token.
    monkeypatch.chdir(tmp_path)
    for name, value in {**CLIENT, "DATABASE_URL": db_url, "SLACK_API_URL": slack.api_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    slack.reset()
    for team in TEAMS:
        assert cli.main(["jobs", "run", "digest", "--campaign", "spring", "--team", team]) == 0
    digests = [(c.params["channel"], c.token) for c in slack.calls_to("chat.postMessage")]
    assert digests == [("C0ALPHA", TEAMS["TALPHA"][1]), ("C0BRAVO", TEAMS["TBRAVO"][1])]

    # Bravo uninstalls: its token is forgotten, it gets no more jobs, and its data stays.
    body = event({"type": "app_uninstalled"}, team_id="TBRAVO")
    assert post(server + "/slack/events", body, secret=SECRET)[0] == 200
    deadline = time.monotonic() + 15  # the event is acked first and handled just after
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == "TBRAVO")):
                break
        time.sleep(0.1)
    with engine.connect() as connection:
        assert connection.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == "TBRAVO")) is not None
        assert connection.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == "TALPHA")) is None
        assert set(connection.scalars(select(slack_bots.c.team_id))) == {"TALPHA"}
        kept = connection.execute(select(Campaign.name).join(Workspace).where(Workspace.team_id == "TBRAVO")).all()
    assert sorted(n for (n,) in kept) == ["autumn", "spring"]
    slack.reset()
    assert cli.main(["jobs", "run", "digest", "--campaign", "spring", "--team", "TBRAVO", "--force"]) != 0
    assert cli.main(["jobs", "run", "digest", "--campaign", "spring", "--team", "TALPHA", "--force"]) == 0
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["C0ALPHA"]

    # Installing again brings Bravo back, with its data.
    assert install(server, "code-bravo")[0] == 200
    with engine.connect() as connection:
        assert connection.scalar(select(Workspace.uninstalled_at).where(Workspace.team_id == "TBRAVO")) is None
    engine.dispose()


def test_a_forged_or_replayed_state_installs_nothing(server, workspaces, db_url):
    status, headers, page = _get(server + "/slack/install")
    state = re.search(r"state=([^&\"]+)", page).group(1)
    cookie = headers["Set-Cookie"].split(";")[0]
    forged = f"{state.rpartition('.')[0]}.{'0' * 32}"  # a real state id, but not signed with SLACK_STATE_SECRET
    redirect = f"{server}/slack/oauth_redirect?code=code-alpha&state="
    assert _get(redirect + forged, f"slack-app-oauth-state={forged}")[0] == 401
    assert _get(redirect + state, cookie)[0] == 200
    assert _get(redirect + state, cookie)[0] == 401  # a state is good once
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(select(slack_bots.c.team_id)).all() == [("TALPHA",)]
    engine.dispose()
    assert len(workspaces.calls_to("oauth.v2.access")) == 1


def test_a_workspace_that_never_installed_is_told_to_install(server, workspaces):
    ask(server, workspaces, "TALPHA", "campaign spring")
    reply = workspaces.wait_for("response_url", timeout=10)[0]
    assert "install" in _text(reply).lower()
    assert not workspaces.calls_to("chat.postMessage")


def _text(call) -> str:
    return call.params.get("text") or ""


def _all_text(call) -> str:
    return (call.params.get("text") or "") + str(call.params.get("blocks") or "")
