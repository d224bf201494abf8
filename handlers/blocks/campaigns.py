"""Messages about campaigns: confirmation, list, detail card, changes, end, usage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.models import Campaign, Enrolment
from bot.reports import campaign_status
from bot.schedule import parse_schedule
from handlers.blocks import fmt
from handlers.blocks.help import usage_reply
from handlers.blocks.kit import Reply, context, divider, fields, header, section, table
from metrics.status import Status
from metrics.tiers import tier
from metrics.windows import window


def phase(camp: Campaign, today: date) -> str:
    """Where a campaign stands: ended, upcoming, running, or finished but still counting orders."""
    status = campaign_status(camp, today)
    if status != Status.ENDED or camp.status == Status.ENDED:
        return status
    # Past its end date: it still counts orders until its attribution window closes.
    _, last = window(camp.start, camp.end, camp.window_days)
    return "counting late orders" if last and today <= last else "finished"


def next_digest_text(moment: datetime | None) -> str:
    """`next: Mon 23 Mar 09:00 UTC`, or that no scheduled digest is left."""
    return f"next: {moment:%a} {moment.day} {moment:%b %Y %H:%M %Z}" if moment else "no more scheduled digests"


def _digest(camp: Campaign, next_digest: datetime | None) -> str:
    if camp.digest == "off":
        return f"off (channel {fmt.channel(camp.channel_id)})"
    if not camp.channel_id:
        return "no channel set"
    return f"{parse_schedule(camp.digest).describe()} in {fmt.channel(camp.channel_id)} ({next_digest_text(next_digest)})"


def _settings(camp: Campaign, next_digest: datetime | None) -> list[tuple[str, str]]:
    return [
        ("Budget", fmt.money(camp.budget, camp.currency)),
        ("Dates", fmt.span(camp.start, camp.end)),
        ("Digest", _digest(camp, next_digest)),
        ("Alert when ROI below", fmt.pct(camp.min_roi)),
        ("Grace period", f"{camp.grace_days} days"),
        ("Attribution window", f"{camp.window_days} days after the end"),
    ]


def usage() -> Reply:
    """`/campaign help`."""
    return usage_reply("campaign")


def created(camp: Campaign, *, next_digest: datetime | None = None) -> Reply:
    """Confirmation of `/campaign create`, showing everything saved and when the first digest comes."""
    blocks = [
        section(f":white_check_mark: Campaign *{fmt.esc(camp.name)}* is set up."),
        *fields(_settings(camp, next_digest)),
    ]
    if camp.note:
        blocks.append(context(f"Note: {fmt.esc(camp.note)}"))
    nxt = f"Next: `/influencer add HANDLE campaign={camp.name} fee=AMOUNT`, then `/code add CODE HANDLE campaign={camp.name}`."
    if not camp.channel_id:
        nxt += f" Add `channel=#…` with `/campaign set {camp.name}` to get digests."
    blocks.append(context(nxt))
    return Reply(text=f"Campaign {camp.name} created with a budget of {fmt.money(camp.budget, camp.currency)}.", blocks=blocks)


def listing(rows: list[tuple[Campaign, int]], *, today: date) -> Reply:
    """`/campaign list` as a table."""
    if not rows:
        return Reply(
            text="No campaigns yet.",
            blocks=[section("No campaigns yet. Start with `/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31`.")],
        )
    body = [
        [c.name, phase(c, today), fmt.money(c.budget, c.currency), fmt.span(c.start, c.end), n, parse_schedule(c.digest).describe() if c.channel_id else "no channel"]
        for c, n in rows
    ]
    blocks = [
        header(f"Campaigns ({len(rows)})"),
        table(["Campaign", "Status", "Budget", "Dates", "Influencers", "Digest"], body,
              align=["left", "left", "right", "left", "right", "left"]),
    ]
    if len(rows) > 99:
        blocks.append(context(f"Showing the first 99 of {len(rows)}."))
    blocks.append(context("Details: `/campaign show NAME`"))
    return Reply(text=f"{len(rows)} campaigns: " + ", ".join(c.name for c, _ in rows[:20]), blocks=blocks)


def card(camp: Campaign, enrolled: list[tuple[Enrolment, list[str]]], *, today: date,
         next_digest: datetime | None = None) -> Reply:
    """`/campaign show NAME`: settings, the next digest, and who is in it."""
    blocks = [
        header(f"Campaign {camp.name}"),
        section(f"*Status:* {phase(camp, today)}  ·  *Currency:* {camp.currency}"),
        *fields(_settings(camp, next_digest)),
    ]
    if camp.note:
        blocks.append(context(f"Note: {fmt.esc(camp.note)}"))
    blocks.append(divider())
    if enrolled:
        rows = [
            [
                e.influencer.handle,
                e.influencer.platform,
                tier(e.influencer.followers),
                fmt.money(e.fee, camp.currency),
                fmt.pct(e.commission_pct),
                fmt.money(e.product_cost, camp.currency),
                ", ".join(codes) or "–",
                e.status,
            ]
            for e, codes in enrolled
        ]
        blocks.append(section(f"*Influencers ({len(enrolled)})*"))
        blocks.append(table(["Influencer", "Platform", "Tier", "Fee", "Commission", "Product cost", "Codes", "Status"], rows,
                            align=["left", "left", "left", "right", "right", "right", "left", "left"]))
    else:
        blocks.append(section(f"No influencers yet. Add one with `/influencer add HANDLE campaign={camp.name} fee=AMOUNT`."))
    return Reply(text=f"Campaign {camp.name}: {len(enrolled)} influencer{fmt.s(len(enrolled))}, budget {fmt.money(camp.budget, camp.currency)}.", blocks=blocks)


def show_value(key: str, value: Any, currency: str = "") -> str:
    """A changed value as people read it."""
    if value is None:
        return "none"
    if key in ("budget", "fee", "product_cost", "goal_revenue"):
        return fmt.money(value, currency)
    if key in ("min_roi", "commission"):
        return fmt.pct(value)
    if key in ("channel",):
        return fmt.channel(value)
    if key in ("manager",):
        return fmt.user(value)
    if isinstance(value, date):
        return value.isoformat()
    return fmt.esc(value)


def relinked_note(count: int) -> str:
    """A line saying how many stored tracking links were rebuilt, or nothing."""
    if not count:
        return ""
    return f"\n{count} tracking link{'s were' if count != 1 else ' was'} updated to match; `/code list` shows them."


SCHEDULING = {"digest", "channel", "start", "end", "window_days"}


def changed(camp: Campaign, changes: list[tuple[str, Any, Any]], *, relinked: int = 0,
            next_digest: datetime | None = None) -> Reply:
    """Confirmation of `/campaign set`, listing old → new (and the next digest when its timing changed)."""
    if not changes:
        return Reply(text=f"Nothing changed in {camp.name}.", blocks=[section(f"Nothing changed: *{fmt.esc(camp.name)}* already has those values.")])
    lines = [f"• *{k}*: {show_value(k, old, camp.currency)} → {show_value(k, new, camp.currency)}" for k, old, new in changes]
    blocks = [section(f":pencil2: Updated *{fmt.esc(camp.name)}*\n" + "\n".join(lines) + relinked_note(relinked))]
    if SCHEDULING & {k for k, _, _ in changes}:
        blocks.append(context(f"Digest: {_digest(camp, next_digest)}"))
    return Reply(text=f"Campaign {camp.name} updated: " + ", ".join(k for k, _, _ in changes), blocks=blocks)


def ended(camp: Campaign, *, already: bool) -> Reply:
    """Confirmation of `/campaign end`."""
    if already:
        text = f"*{fmt.esc(camp.name)}* had already ended on {fmt.day(camp.end)}."
    else:
        text = (f":checkered_flag: *{fmt.esc(camp.name)}* has ended ({fmt.span(camp.start, camp.end)}). "
                "Digests and alerts stop; its data and reports stay.")
    return Reply(text=f"Campaign {camp.name} ended.", blocks=[section(text)])
