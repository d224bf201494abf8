"""What the slash-command tests in tests/handlers share: reading the app's replies, snapshotting and reading
back the database, and the campaigns, channel and member most of them start from.

Plain functions only: a test module that wants one of the starting points as a fixture binds it itself,
e.g. `spring = pytest.fixture(spring_campaign)`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from contextlib import contextmanager

from sqlalchemy import func, select, text

from bot.fakeslack.driver import Answer
from bot.models import Base, Campaign, Code, EngagementStat, Enrolment, Influencer
from bot.registry import campaigns, influencers, lookup
from bot.registry import codes as code_registry  # `codes` below lists the stored ones
from slackschema import assert_valid_message

GROWTH = {"id": "C0GROWTH01", "name": "growth"}
BEN = {"id": "U0BEN00001", "name": "ben", "real_name": "Ben Ode", "profile": {"display_name": "benji"}}


# -- replies -------------------------------------------------------------------------------------


def answered(answer: Answer) -> str:
    """The reply's text, after checking Slack got a 200 and one valid Block Kit message."""
    assert answer.status == 200
    assert_valid_message(answer.reply)
    return answer.text


def answered_ephemeral(answer: Answer) -> str:
    """The reply's text, after checking Slack got a 200 and one valid, ephemeral Block Kit message."""
    text = answered(answer)
    assert answer.reply.get("response_type") == "ephemeral"
    return text


def refused(answer: Answer, field: str) -> str:
    """The reply's text, after checking it is a valid message that names `field`."""
    text = answered(answer)
    assert f"`{field}`" in text, text
    return text


def only_post(answer: Answer, channel: str = "C0001") -> dict:
    """The one message a channel answer posted (with chat.postMessage, in `channel`); nothing went to the asker."""
    assert answer.status == 200 and answer.replies == [], answer.replies
    [post] = answer.posts
    assert post["channel"] == channel
    return post


def table_rows(reply: dict) -> list[list[str]]:
    """The cells of the reply's table block, header row first."""
    tables = [b for b in reply["blocks"] if b["type"] == "table"]
    assert len(tables) == 1
    return [[cell["text"] for cell in row] for row in tables[0]["rows"]]


# -- the database --------------------------------------------------------------------------------


def stored(sessions) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: a snapshot to prove nothing was written."""
    with sessions() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


@contextmanager
def unchanged(sessions) -> Iterator[None]:
    """Checks that what runs inside writes nothing: afterwards every table is as `stored` saw it before."""
    before = stored(sessions)
    yield
    assert stored(sessions) == before


def count(sessions, model) -> int:
    """How many rows `model`'s table holds."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def campaign_row(sessions, name: str) -> Campaign | None:
    """The stored campaign called `name` (case-insensitive), or None."""
    with sessions() as session:
        return session.scalar(select(Campaign).where(Campaign.name_key == name.lower()))


def person(sessions, handle: str) -> Influencer | None:
    """The stored influencer with `handle` (case-insensitive), or None."""
    with sessions() as session:
        return session.scalar(select(Influencer).where(Influencer.handle_key == handle.lower()))


def enrolment(sessions, handle: str, campaign: str) -> Enrolment | None:
    """The stored enrolment of `handle` in `campaign`, or None."""
    with sessions() as session:
        return session.scalar(
            select(Enrolment)
            .join(Influencer, Enrolment.influencer_id == Influencer.id)
            .join(Campaign, Enrolment.campaign_id == Campaign.id)
            .where(Influencer.handle_key == handle.lower(), Campaign.name_key == campaign.lower())
        )


def stats_of(sessions, handle: str) -> list[EngagementStat]:
    """The stored engagement rows of `handle`, oldest first."""
    with sessions() as session:
        return list(session.scalars(
            select(EngagementStat)
            .join(Enrolment, EngagementStat.enrolment_id == Enrolment.id)
            .join(Influencer, Enrolment.influencer_id == Influencer.id)
            .where(Influencer.handle_key == handle.lower())
            .order_by(EngagementStat.id)
        ))


def codes(sessions) -> list[tuple[str, str, str]]:
    """Every stored code as (code, handle, campaign), in the order they were added."""
    with sessions() as session:
        return [tuple(row) for row in session.execute(
            select(Code.code, Influencer.handle, Campaign.name)
            .join(Enrolment, Code.enrolment_id == Enrolment.id)
            .join(Influencer, Enrolment.influencer_id == Influencer.id)
            .join(Campaign, Code.campaign_id == Campaign.id)
            .order_by(Code.id)
        )]


def stored_url(sessions, code: str) -> str | None:
    """The tracking link stored with `code` (the only registration of it)."""
    with sessions() as session:
        return session.scalars(select(Code.url).where(Code.code_key == code.lower())).one()


# -- starting points -----------------------------------------------------------------------------


def seed_march(sessions, team: str, *, budget, people: dict[str, tuple[dict, str]], today) -> None:
    """Without Slack: workspace `team` with campaign spring (March 2026, `budget`) and each of `people`
    (handle -> (enrolment terms, code)) enrolled with their code, as the registry functions store them."""
    with sessions.begin() as session:
        ws = lookup.workspace(session, team)
        camp = campaigns.create(session, ws, {"name": "spring", "budget": budget, "start": date(2026, 3, 1),
                                              "end": date(2026, 3, 31)})
        for handle, (terms, code) in people.items():
            row = influencers.enrol(session, influencers.create(session, ws, handle, {}), camp, terms, today=today)
            code_registry.add(session, row, code, url=None, user_id=None)


_SEEDS: dict[tuple, dict[str, list[tuple]] | None] = {}  # what each seed wrote, None where it cannot be reused


def seeded(roi, lines: Sequence[str]) -> None:
    """Type `lines` as signed slash commands, each answered with a valid message, into an empty database.

    The first time this process sees these lines in the same setting (backend, settings, clock, who types where,
    the stand-in's channels and people), they run through the app and the rows they wrote are kept; after that the
    rows are put back instead, in one transaction. Each command's own behaviour is tested where it is the subject;
    a test that only needs their result starts from it without paying for a dozen requests again. A seed that
    changed the stand-in (a channel joined, say) is always run for real."""
    runtime, slack = roi.app.roi_runtime, roi.slack
    around = repr((slack.channels, slack.users))
    setting = runtime.settings.with_(slack_api_url="", database_url="")  # where they are does not matter
    key = (runtime.engine.dialect.name, tuple(lines), roi.team_id, roi.user_id, roi.channel_id, setting,
           runtime.clock(), around)
    empty = not any(stored(runtime.sessions).values())
    if empty and _SEEDS.get(key) is not None:
        _put_back(runtime.engine, _SEEDS[key])
        return
    for line in lines:
        answered(roi.command(line))
    if empty and key not in _SEEDS:
        _SEEDS[key] = stored(runtime.sessions) if repr((slack.channels, slack.users)) == around else None


def _put_back(engine, rows: dict[str, list[tuple]]) -> None:
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if found := rows.get(table.name):
                columns = table.c.keys()
                connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in found])
                if engine.dialect.name == "postgresql" and "id" in columns:
                    connection.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                                       {"t": f'"{table.name}"', "n": max(row[columns.index("id")] for row in found)})




def growth_channel(slack) -> dict:
    """A #growth channel the bot can see."""
    slack.channels.append(dict(GROWTH))
    return GROWTH


def spring_campaign(roi) -> str:
    """A campaign with dates (March 2026), the usual one to enrol people in."""
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    return "spring"


def autumn_campaign(roi) -> str:
    """A campaign without dates."""
    answered(roi.command("/campaign create autumn budget=3000"))
    return "autumn"


def spring_with_ana_and_ben(roi) -> str:
    """Spring with the default 7-day window (orders count 2026-03-01 → 2026-04-07); ana (instagram) and
    ben (tiktok) enrolled."""
    spring_campaign(roi)
    answered(roi.command("/influencer add ana platform=instagram campaign=spring"))
    answered(roi.command("/influencer add ben platform=tiktok campaign=spring"))
    return "spring"


def season(roi, name: str, dates: str, enrol: str = "") -> None:
    """Create campaign `name` with `dates` and enrol ana in it (with `enrol` terms)."""
    answered(roi.command(f"/campaign create {name} budget=1000 {dates}"))
    answered(roi.command(f"/influencer add ana campaign={name} {enrol}"))
