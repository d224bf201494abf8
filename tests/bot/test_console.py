"""`roi-bot console`: slash commands typed in the terminal, answered by the real app."""

from __future__ import annotations

import io

from bot.config import Settings
from bot.console import run_console


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
