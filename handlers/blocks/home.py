"""The App Home tab."""

from __future__ import annotations

from datetime import date

from bot.models import Campaign
from handlers.blocks import fmt
from handlers.blocks.campaigns import phase
from handlers.blocks.kit import context, divider, header, section

MAX_CAMPAIGNS = 40


def home_view(camps: list[Campaign], *, today: date) -> dict:
    """The Home tab: campaigns with their phase, budget and dates, and how to get started."""
    blocks = [header("ROI bot"), section("Which influencers make you money: campaigns, codes and results in one place.")]
    live = [c for c in camps if phase(c, today) != "ended"]
    if live:
        blocks.append(divider())
        for camp in live[:MAX_CAMPAIGNS]:
            blocks.append(section(
                f"*{fmt.esc(camp.name)}* · {phase(camp, today)}\n"
                f"Budget {fmt.money(camp.budget, camp.currency)} · {fmt.span(camp.start, camp.end)} · "
                f"{len(camp.enrolments)} influencer{'s' if len(camp.enrolments) != 1 else ''}"
            ))
        if len(live) > MAX_CAMPAIGNS:
            blocks.append(context(f"And {len(live) - MAX_CAMPAIGNS} more: `/campaign list`."))
    else:
        blocks.append(section("No running campaigns yet. Start with `/campaign create spring budget=5000 start=2026-03-01`."))
    blocks += [divider(), context("Commands: `/campaign help` · `/influencer help` · `/code help` · `/roi help`")]
    return {"type": "home", "blocks": blocks}
