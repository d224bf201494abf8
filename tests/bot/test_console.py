"""`roi-bot console`: slash commands typed in the terminal, answered by the real app."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from bot.config import Settings
from bot.wiring.console import run_console
from bot.db import make_engine
from bot.models import ImportRun


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
