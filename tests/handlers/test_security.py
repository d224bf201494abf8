"""SPEC §7 through the real app: signed requests only, one workspace never sees or changes another's data,
ROI_ADMINS guards every changing command, user text is escaped on the way out, and an unexpected failure
gives the user a reference id that the log carries too, with no secret in either."""

from __future__ import annotations

import logging
import re
import time

import pytest
from sqlalchemy import select

from bot import logs
from bot.fakeslack.driver import Answer, SlackDriver
from bot.fakeslack.requests import bolt_request, dispatch, sign, slash_command
from bot.models import Base, Campaign, Influencer, Workspace
from bot.registry import campaigns as campaign_registry
from handlers.values import escape_mrkdwn
from slackschema import assert_valid_message

ADMIN = "UADMIN0001"
MEMBER = "UMEMBER001"
OTHER_TEAM = "T0002"


def answered(answer: Answer) -> str:
    """The reply's text, after checking Slack got a 200 and one valid, ephemeral Block Kit message."""
    assert answer.status == 200
    assert_valid_message(answer.reply)
    assert answer.reply.get("response_type") == "ephemeral"
    return answer.text


def stored(sessions) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: a snapshot to prove nothing was written."""
    with sessions() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def registered(roi, *, team: str | None = None, user: str | None = None) -> None:
    """Campaign spring with ana enrolled and code ANA10, registered by `user` in `team`."""
    for line in ("/campaign create spring budget=5437 start=2026-03-01 end=2026-03-31 note=first",
                 "/influencer add ana platform=twitch followers=31k campaign=spring fee=317",
                 "/code add ANA10 ana campaign=spring url=https://shop.example/",
                 "/influencer stats ana campaign=spring likes=10"):
        answered(roi.command(line, team=team, user=user))


# -- signatures ----------------------------------------------------------------------------------


@pytest.fixture
def create_body(slack):
    """A `/campaign create` body as Slack would send it."""
    return slash_command("/campaign", "create spring budget=5000", response_url=slack.response_url("signed"))


def test_a_correctly_signed_request_is_accepted(app, slack, sessions, settings, create_body):
    response = dispatch(app, create_body, secret=settings.signing_secret)

    assert response.status == 200
    assert len(slack.calls_to("response_url")) == 1
    assert len(stored(sessions)["campaigns"]) == 1


def test_a_request_signed_with_another_secret_gets_401_and_changes_nothing(app, slack, sessions, create_body):
    before = stored(sessions)

    response = dispatch(app, create_body, secret="wrong")

    assert response.status == 401
    assert slack.calls == []
    assert stored(sessions) == before


@pytest.mark.parametrize("age", [301, 600, 24 * 3600, -600])
def test_a_request_with_a_stale_timestamp_gets_401_and_changes_nothing(app, slack, sessions, settings, create_body, age):
    before = stored(sessions)

    response = dispatch(app, create_body, secret=settings.signing_secret, timestamp=int(time.time()) - age)

    assert response.status == 401
    assert slack.calls == []
    assert stored(sessions) == before


def test_a_request_a_few_minutes_old_is_still_accepted(app, sessions, settings, create_body):
    response = dispatch(app, create_body, secret=settings.signing_secret, timestamp=int(time.time()) - 240)

    assert response.status == 200
    assert len(stored(sessions)["campaigns"]) == 1


def test_a_body_changed_after_signing_gets_401_and_changes_nothing(app, slack, sessions, settings, create_body):
    headers = sign(create_body, settings.signing_secret)
    tampered = create_body.replace("budget%3D5000", "budget%3D9000")
    assert tampered != create_body
    before = stored(sessions)

    response = app.dispatch(bolt_request(tampered, headers))

    assert response.status == 401
    assert slack.calls == []
    assert stored(sessions) == before


def test_a_request_without_signature_headers_gets_401(app, slack, sessions, create_body):
    response = app.dispatch(bolt_request(create_body, {"Content-Type": "application/x-www-form-urlencoded"}))

    assert response.status == 401
    assert slack.calls == []
    assert stored(sessions)["campaigns"] == []


# -- workspaces ----------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "/campaign list",
    "/campaign show spring",
    "/campaign show sprin",
    "/influencer list",
    "/influencer list campaign=spring",
    "/influencer show ana",
    "/influencer show an",
    "/code list",
    "/code list campaign=spring",
    "/code remove ANA1",
])
def test_another_workspace_cannot_see_the_first_ones_data(roi, line):
    registered(roi)

    text = answered(roi.command(line, team=OTHER_TEAM))

    # What only the first workspace knows; a name is echoed back only when it was typed.
    for private in ("5,437", "first", "shop.example", "twitch", "31,000", "317.00", "ANA10"):
        assert private not in text
    for name in ("spring", "ana"):
        if not re.search(rf"\b{name}\b", line):
            assert f"`{name}`" not in text


@pytest.mark.parametrize("line", [
    "/campaign set spring budget=1",
    "/campaign set spring name=stolen",
    "/campaign end spring",
    "/influencer set ana followers=1",
    "/influencer set ana campaign=spring status=cut",
    "/influencer stats ana campaign=spring likes=999",
    "/influencer add ana campaign=spring",
    "/influencer remove ana",
    "/code add ANA20 ana campaign=spring",
    "/code remove ANA10",
    "/code remove ANA10 campaign=spring",
])
def test_another_workspace_cannot_change_the_first_ones_data(roi, sessions, line):
    registered(roi)
    answered(roi.command("/campaign list", team=OTHER_TEAM))  # the second workspace exists from here on
    before = stored(sessions)

    answered(roi.command(line, team=OTHER_TEAM))

    assert stored(sessions) == before


def test_another_workspace_may_reuse_the_same_names_and_codes(roi, sessions):
    registered(roi)

    registered(roi, team=OTHER_TEAM)

    with sessions() as session:
        owners = session.execute(
            select(Workspace.team_id, Campaign.name, Campaign.note).join(Campaign, Campaign.workspace_id == Workspace.id)
            .order_by(Workspace.team_id)
        ).all()
        handles = session.execute(
            select(Workspace.team_id, Influencer.handle).join(Influencer, Influencer.workspace_id == Workspace.id)
            .order_by(Workspace.team_id)
        ).all()
    assert [tuple(r) for r in owners] == [("T0001", "spring", "first"), (OTHER_TEAM, "spring", "first")]
    assert [tuple(r) for r in handles] == [("T0001", "ana"), (OTHER_TEAM, "ana")]
    assert len(stored(sessions)["codes"]) == 2


def test_each_workspace_changes_only_its_own_copy(roi, sessions):
    registered(roi)
    registered(roi, team=OTHER_TEAM)

    answered(roi.command("/campaign set spring note=second", team=OTHER_TEAM))
    answered(roi.command("/influencer remove ana", team=OTHER_TEAM))

    with sessions() as session:
        notes = dict(session.execute(
            select(Workspace.team_id, Campaign.note).join(Campaign, Campaign.workspace_id == Workspace.id)).all())
        handles = session.execute(
            select(Workspace.team_id).join(Influencer, Influencer.workspace_id == Workspace.id)).scalars().all()
    assert notes == {"T0001": "first", OTHER_TEAM: "second"}
    assert handles == ["T0001"]
    assert "ANA10" in answered(roi.command("/code list"))
    assert "ANA10" not in answered(roi.command("/code list", team=OTHER_TEAM))


# -- ROI_ADMINS ----------------------------------------------------------------------------------


@pytest.fixture
def guarded(make_app, settings, slack):
    """A driver for an app whose ROI_ADMINS names only ADMIN, with the usual data registered by ADMIN."""
    driver = SlackDriver(make_app(settings.with_(admins=frozenset({ADMIN}))), slack, settings.signing_secret)
    registered(driver, user=ADMIN)
    return driver


CHANGING = [
    "/campaign create autumn budget=1000",
    "/campaign set spring budget=1",
    "/campaign end spring",
    "/influencer add ben",
    "/influencer add ben campaign=spring",
    "/influencer remove ana",
    "/influencer set ana followers=1",
    "/influencer set ana campaign=spring status=cut",
    "/influencer stats ana campaign=spring likes=999",
    "/code add ANA20 ana campaign=spring",
    "/code remove ANA10",
]


@pytest.mark.parametrize("line", CHANGING)
def test_a_non_admin_is_refused_every_changing_command_and_nothing_is_written(guarded, sessions, line):
    before = stored(sessions)

    answer = guarded.command(line, user=MEMBER)

    text = answered(answer)
    assert "admin" in text.lower()
    assert answer.posts == []
    assert stored(sessions) == before


@pytest.mark.parametrize("line", [
    "/campaign list", "/campaign show spring", "/influencer list", "/influencer show ana", "/code list",
    "/campaign help", "/influencer", "/code help",
])
def test_a_non_admin_can_still_read(guarded, line):
    text = answered(guarded.command(line, user=MEMBER))

    assert "admin" not in text.lower()


@pytest.mark.parametrize("line", CHANGING)
def test_an_admin_can_run_every_changing_command(guarded, sessions, line):
    before = stored(sessions)

    text = answered(guarded.command(line, user=ADMIN))

    assert "admin" not in text.lower()
    assert stored(sessions) != before


def test_the_admin_refusal_comes_before_any_validation(guarded, sessions):
    before = stored(sessions)

    text = answered(guarded.command("/campaign create sp!ng budget=abc", user=MEMBER))

    assert "admin" in text.lower() and "`budget`" not in text
    assert stored(sessions) == before


# -- escaping of user text -----------------------------------------------------------------------


def assert_nothing_pings(answer: Answer) -> None:
    """No text of the reply can mention anyone or hold a double escape."""
    text = answer.text
    for markup in ("<!", "<@", "<#"):
        assert markup not in text, text
    assert "&amp;lt;" not in text and "&amp;gt;" not in text and "&amp;amp;" not in text, text


@pytest.mark.parametrize("handle", ["<!channel>", "<!here>", "<!everyone>", "<@U0001>", "<@U0001|ana>",
                                    "<!subteam^S0001|@growth>", "<#C0001|general>"])
def test_a_handle_that_is_slack_markup_is_refused_and_shown_escaped(roi, sessions, handle):
    answer = roi.command(f"/influencer add {handle}")

    assert "`handle`" in answered(answer)
    assert_nothing_pings(answer)
    assert escape_mrkdwn(handle) in answer.text
    assert stored(sessions)["influencers"] == []


def test_a_note_with_mentions_is_stored_as_typed_and_shown_escaped(roi, sessions):
    # What Slack sends when someone types: note="ping @channel & @here, cc @ana <3"
    create = roi.command('/campaign create spring budget=1 note="ping <!channel> &amp; <!here>, cc <@U0001> &lt;3"')

    answered(create)
    assert_nothing_pings(create)
    with sessions() as session:
        assert session.scalar(select(Campaign.note)) == "ping <!channel> & <!here>, cc <@U0001> <3"

    show = roi.command("/campaign show spring")

    answered(show)
    assert_nothing_pings(show)
    assert "ping &lt;!channel&gt; &amp; &lt;!here&gt;, cc &lt;@U0001&gt; &lt;3" in show.text


def test_a_changed_note_is_shown_escaped_in_the_confirmation(roi):
    answered(roi.command("/campaign create spring budget=1"))

    answer = roi.command('/campaign set spring note="<!here> Q&amp;A"')

    answered(answer)
    assert_nothing_pings(answer)
    assert "&lt;!here&gt; Q&amp;A" in answer.text


@pytest.mark.parametrize("line", [
    "/campaign <!channel>",
    "/campaign create <!here> budget=1",
    "/campaign create spring budget=<!channel>",
    "/campaign create spring budget=1 currency=<!here>",
    "/campaign create spring budget=1 start=<!channel>",
    '/campaign create spring budget=1 digest="mon <!here>"',
    "/campaign create spring budget=1 channel=<!channel>",
    "/campaign create spring budget=1 <!channel>",
    "/campaign create spring budget=1 <!channel>=1",
    "/campaign show <!channel>",
    "/campaign create spring budget=1 &lt;!channel&gt;",
    "/influencer add ana manager=<!here>",
    "/influencer add ana platform=<!channel>",
    "/influencer add ana followers=<!channel>",
    "/code add <!channel> ana campaign=spring",
    "/code add ANA10 ana campaign=spring url=<!here>",
])
def test_refusals_quote_what_was_typed_escaped_once(roi, sessions, line):
    answer = roi.command(line)

    answered(answer)
    assert_nothing_pings(answer)
    assert stored(sessions)["campaigns"] == []


def test_a_fallback_text_never_carries_markup_either(roi):
    answer = roi.command("/campaign create spring budget=1 currency=<!channel>")

    answered(answer)
    assert "<!" not in answer.reply["text"]


# -- unexpected failures -------------------------------------------------------------------------


real_update = campaign_registry.update


def failing_update(session, camp, values):
    """The real update, then an unexpected failure: the change must not survive."""
    real_update(session, camp, values)
    raise RuntimeError("database went away")


def reference_of(caplog) -> str:
    """The reference id the error handler logged (exactly one unexpected error)."""
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1
    match = re.search(r"ref=([0-9A-Za-z]+)", records[0].getMessage())
    assert match, records[0].getMessage()
    return match.group(1)


def logged_text(caplog) -> str:
    """Everything the captured log records say, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records)


def test_an_unexpected_error_gives_a_reference_that_the_log_carries(roi, sessions, settings, monkeypatch, caplog):
    answered(roi.command("/campaign create spring budget=5000"))
    monkeypatch.setattr(campaign_registry, "update", failing_update)
    before = stored(sessions)
    caplog.set_level(logging.INFO)

    answer = roi.command("/campaign set spring budget=1")

    text = answered(answer)
    ref = reference_of(caplog)
    assert ref in text
    assert "database went away" not in text and "RuntimeError" not in text
    assert "database went away" in logged_text(caplog)
    assert stored(sessions) == before
    for secret in (settings.signing_secret, settings.bot_token):
        assert secret not in text
        assert secret not in logged_text(caplog)


def test_each_unexpected_error_gets_its_own_reference(roi, monkeypatch, caplog):
    monkeypatch.setattr(campaign_registry, "create", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    caplog.set_level(logging.ERROR)

    first = answered(roi.command("/campaign create spring budget=1"))
    second = answered(roi.command("/campaign create spring budget=1"))

    refs = [re.search(r"ref=(\w+)", r.getMessage()).group(1) for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(set(refs)) == 2
    assert refs[0] in first and refs[1] in second


@pytest.fixture
def production_logging(settings, capsys):
    """Starts logging as `roi-bot serve` sets it up (stderr, through the redactor) and returns what it wrote;
    pytest's own log handlers stay in place, and the set-up is undone afterwards."""
    root = logging.getLogger()
    level, alembic_level = root.level, logging.getLogger("alembic").level
    added: list[logging.Handler] = []

    def start():
        # Called from the test body: the handler must bind the stderr that is captured while the test runs.
        before = list(root.handlers)
        capsys.readouterr()
        logs.configure(settings.secrets())
        added.extend(root.handlers)
        root.handlers[:] = before + added
        return lambda: capsys.readouterr().err

    yield start
    for handler in added:
        root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(alembic_level)


def test_a_secret_inside_an_exception_never_reaches_the_log_or_the_reply(roi, settings, monkeypatch, production_logging):
    leak = f"upstream said: token={settings.bot_token} secret={settings.signing_secret}"

    def explode(*args, **kwargs):
        raise RuntimeError(leak)

    monkeypatch.setattr(campaign_registry, "create", explode)
    written = production_logging()

    answer = roi.command("/campaign create spring budget=1")

    text = answered(answer)
    log_output = written()
    assert "upstream said" in log_output
    ref = re.search(r"ref=(\w+)", log_output).group(1)
    assert ref in text
    for secret in (settings.signing_secret, settings.bot_token):
        assert secret not in log_output
        assert secret not in text
