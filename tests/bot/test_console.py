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
