"""`roi-bot console`: slash commands typed in the terminal, answered by the real app; on the demo's database, as the
demo answered."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from bot.config import Settings
from bot.db import make_engine
from bot.models import Campaign, ImportRun, Influencer, Order
from bot.wiring.cli import main
from bot.wiring.console import run_console
from bot.wiring.demo import CHANNELS, DEMO_NOW, USERS, _DIRECTIVE, demo_lines, run_demo


def test_console_runs_commands_against_the_database_and_prints_replies(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}")
    typed = io.StringIO("/campaign create spring budget=5000\n# a comment\n/campaign list\n/nope\n/campaign create x budget=<b>\n")
    out = io.StringIO()
    assert run_console(settings, stdin=typed, stdout=out) == 0
    text = out.getvalue()
    assert "Campaign spring is set up." in text
    assert "spring" in text.split("Campaigns (1)")[1]
    assert "Not a ROI bot command: /nope" in text
    # Typed `<b>` is escaped the way Slack would, so it is refused as a number, not as markup.
    assert "`budget`: `<b>` is not a number" in text


def test_console_shares_a_csv_and_saves_the_charts_of_an_answer(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}")
    (tmp_path / "march.csv").write_text("order_id,date,amount,code\n1,2026-03-05,200.00,ANA10\n")
    typed = io.StringIO(
        "/campaign create spring budget=5000 start=2026-03-01\n"
        "/influencer add ana campaign=spring fee=100\n"
        "/code add ANA10 ana campaign=spring\n"
        f"share {tmp_path / 'march.csv'}\n"
        f"share {tmp_path / 'missing.csv'}\n"
        "/roi campaign spring\n"
    )
    out = io.StringIO()
    assert run_console(settings, stdin=typed, stdout=out, charts_dir=tmp_path / "charts") == 0
    text = out.getvalue()
    assert "Imported march.csv" in text and "No such file" in text
    assert "USD 200.00" in text and "ROI" in text
    charts = sorted((tmp_path / "charts").glob("*.png"))
    assert len(charts) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in charts)
    assert str(charts[0]) in text


def session(settings: Settings, tmp_path, *lines: str) -> str:
    """One `roi-bot console` session on `settings`' database: what it printed for `lines`."""
    out = io.StringIO()
    assert run_console(settings, stdin=io.StringIO("".join(f"{line}\n" for line in lines)), stdout=out,
                       charts_dir=tmp_path / "charts") == 0
    return out.getvalue()


def shared_file_ids(settings: Settings) -> list[str]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(ImportRun.file_id).order_by(ImportRun.id)))
    finally:
        engine.dispose()


def test_a_csv_shared_again_in_a_second_console_session_is_imported_again_and_found_unchanged(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}")
    march = tmp_path / "march.csv"
    march.write_text("order_id,date,amount,code\n1,2026-03-05,200.00,ANA10\n")
    first = session(settings, tmp_path, "/campaign create spring budget=5000 start=2026-03-01",
                    "/influencer add ana campaign=spring fee=100", "/code add ANA10 ana campaign=spring", f"share {march}")
    assert "New / updated / unchanged: 1 / 0 / 0" in first

    second = session(settings, tmp_path, f"share {march}")

    assert "(no reply)" not in second and "already" not in second
    assert "Imported march.csv" in second and "New / updated / unchanged: 0 / 0 / 1" in second
    ids = shared_file_ids(settings)  # a new Slack file id in each session, in the form Slack gives
    assert len(set(ids)) == 2 and all(re.fullmatch(r"F[A-Z0-9]{10}", i) for i in ids)


def test_a_refused_file_shared_again_in_a_second_console_session_is_answered(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}")
    people = tmp_path / "people.csv"
    people.write_text("name;email\nana;a@example.com\n")

    answers = [session(settings, tmp_path, f"share {people}") for _ in range(2)]

    assert all("Nothing was imported from this file" in a and "(no reply)" not in a for a in answers)


class Terminal(io.StringIO):
    """Typed input as if at a terminal, where the console greets and prompts."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    """The demo's output folder, built once for this module."""
    out = tmp_path_factory.mktemp("demo") / "roi-demo"
    run_demo(out)
    return out


@pytest.fixture
def demo_settings(demo_out, tmp_path):
    """Settings on a copy of the demo's database, which a test may change."""
    for name in ("roi.db", "roi.db-wal"):
        if (demo_out / name).exists():
            shutil.copy(demo_out / name, tmp_path / name)
    return Settings(database_url=f"sqlite:///{tmp_path / 'roi.db'}")


def demo_answer(demo_out, line: str) -> str:
    """The text the demo wrote for one of its commands, without its `> command` heading."""
    (path,) = [p for p in (demo_out / "messages").glob("*.txt") if p.read_text().startswith(f"> {line}\n")]
    return path.read_text().split("\n", 2)[2]


def sales_after(line: str) -> list[str]:
    """The order ids of the demo's `/roi sale`s typed after `line`: the demo's answer to `line` came before them."""
    lines = [_DIRECTIVE.match(raw).group("line") for raw in demo_lines()]
    later = lines[lines.index(line) + 1:]
    return [m.group(1) for m in (re.search(r"\bid=(\S+)", s) for s in later if s.startswith("/roi sale")) if m]


def parts(answer: str) -> tuple[list[str], list[str]]:
    """An answer's lines without its chart notes, and the titles of its charts."""
    lines = answer.strip("\n").splitlines()
    charts = [re.match(r"\[chart: (.+?) (?:→|saved to) ", x).group(1) for x in lines if x.startswith("[chart: ")]
    body = [x for x in lines if not x.startswith("[chart: ")]
    while body and not body[-1].strip():
        body.pop()
    return body, charts


def test_on_the_demo_database_roi_campaign_spring_is_answered_as_in_the_demo(demo_out, demo_settings, tmp_path):
    engine = make_engine(demo_settings.database_url)
    with engine.begin() as connection:  # the database as it was when the demo asked
        connection.execute(delete(Order).where(Order.source == "manual",
                                               Order.order_id.in_(sales_after("/roi campaign spring"))))
    engine.dispose()

    shown = session(demo_settings, tmp_path, "/roi campaign spring")

    body, charts = parts(shown)
    demo_body, demo_charts = parts(demo_answer(demo_out, "/roi campaign spring"))
    assert any("Revenue" in x for x in body) and len(charts) == 2
    # The demo's marketer asked there; here it is whoever sits at the console.
    assert body == [x.replace("Asked by @sam ", "Asked by @you ") for x in demo_body]
    assert charts == demo_charts


def test_the_console_has_the_demo_channels_and_people(demo_settings, tmp_path):
    shown = session(demo_settings, tmp_path, "/campaign create autumn budget=500 channel=#growth",
                    "/influencer add newface manager=@lena", "/influencer show newface")

    assert "Campaign autumn is set up." in shown and "in #growth" in shown
    assert "newface is registered." in shown and "Manager: @lena" in shown
    engine = make_engine(demo_settings.database_url)
    with engine.connect() as connection:
        channel = connection.scalar(select(Campaign.channel_id).where(Campaign.name_key == "autumn"))
        manager = connection.scalar(select(Influencer.manager_id).where(Influencer.handle_key == "newface"))
    engine.dispose()
    ids = {x["name"]: x["id"] for x in CHANNELS + USERS}
    assert (channel, manager) == (ids["growth"], ids["lena"])


def test_the_welcome_and_help_name_the_date_the_channels_and_the_people(demo_settings):
    out = io.StringIO()
    assert run_console(demo_settings, stdin=Terminal("help\n"), stdout=out) == 0

    welcome, again = out.getvalue().split("roi> ")[:2]
    assert welcome.strip() == again.strip()
    assert f"as of {DEMO_NOW:%Y-%m-%d}" in welcome
    for item in CHANNELS:
        assert f"#{item['name']}" in welcome
    for item in USERS:
        assert f"@{item['name']}" in welcome
    assert "#C0" not in welcome and "@U0" not in welcome  # names, never ids


def test_a_database_without_a_date_of_its_own_answers_as_of_today(tmp_path):
    before = datetime.now(timezone.utc).date()
    shown = session(Settings(database_url=f"sqlite:///{tmp_path / 'plain.db'}"), tmp_path, "help")
    after = datetime.now(timezone.utc).date()
    assert f"as of {before:%Y-%m-%d}" in shown or f"as of {after:%Y-%m-%d}" in shown


@pytest.mark.parametrize("word", ["quit", "exit", "QUIT"])
def test_quit_and_exit_end_the_session_and_an_empty_line_does_nothing(tmp_path, word):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}")
    out = io.StringIO()
    typed = Terminal(f"\n   \n/campaign create spring budget=5000\n\n{word}\n/campaign create summer budget=10\n")

    assert run_console(settings, stdin=typed, stdout=out) == 0

    text = out.getvalue()
    assert "Campaign spring is set up." in text and "summer" not in text
    assert "Not a ROI bot command" not in text
    assert text.count("roi> ") == 5  # two empty lines, the command, another empty line, the word that quits


def test_help_is_not_sent_to_the_app(tmp_path):
    shown = session(Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}"), tmp_path, "help", "?")
    assert "Not a ROI bot command" not in shown and shown.count("Type a slash command") == 2


def test_charts_of_two_sessions_are_both_kept(demo_settings, tmp_path):
    shown = [session(demo_settings, tmp_path, "/roi campaign spring") for _ in range(2)]

    saved = [re.findall(r"saved to (\S+\.png)\]", text) for text in shown]
    assert [len(paths) for paths in saved] == [2, 2]
    paths = saved[0] + saved[1]
    assert len(set(paths)) == 4
    assert sorted((tmp_path / "charts").glob("*.png")) == sorted(map(Path, paths))
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in (tmp_path / "charts").glob("*.png"))


def status_of(shown: str, campaign: str) -> str:
    """A campaign's status in `/campaign list` as the console printed it."""
    row = next(x for x in shown.splitlines() if x.startswith(f"{campaign} "))
    return row.split()[1]


def test_the_console_answers_as_of_the_demo_day_or_of_today_when_given(demo_settings, tmp_path):
    stored = session(demo_settings, tmp_path, "/campaign list")
    out = io.StringIO()
    run_console(demo_settings, stdin=io.StringIO("/campaign list\nhelp\n"), stdout=out, today=date(2026, 4, 20),
                charts_dir=tmp_path / "charts")
    later = out.getvalue()

    assert status_of(stored, "spring") == "running"  # 2026-03-16, the demo's day
    assert status_of(later, "spring") not in ("running", "upcoming") and "as of 2026-04-20" in later


def test_roi_bot_console_takes_today_from_the_command_line(demo_settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", demo_settings.database_url)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    monkeypatch.setattr("sys.stdin", io.StringIO("/campaign list\nhelp\n"))

    assert main(["console", "--today", "2026-02-20"]) == 0
    shown = capsys.readouterr().out
    assert status_of(shown, "spring") not in ("running", "finished", "ended") and "as of 2026-02-20" in shown

    assert main(["console", "--today", "2026-02-30"]) == 2
    assert "--today" in capsys.readouterr().err
