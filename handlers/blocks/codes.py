"""Messages about discount codes and tracking links."""

from __future__ import annotations

from bot.models import Campaign, Code, Influencer
from handlers.blocks import fmt
from handlers.blocks.help import usage_reply
from handlers.blocks.kit import Reply, context, header, section, table
from metrics.windows import describe, window


def usage() -> Reply:
    """`/code help`."""
    return usage_reply("code")


def discount_text(in_store, currency: str) -> str:
    """`15% off` or `USD 10.00 off`, for all customers, and when."""
    d = in_store.discount
    off = f"{fmt.number(d.percent)}% off" if d.percent is not None else f"{fmt.money(d.amount, currency)} off"
    return f"{off} for all customers, {fmt.span(in_store.starts, in_store.ends)}"


def added(row: Code, person: Influencer, camp: Campaign, *, in_store=None) -> Reply:
    """Confirmation of `/code add`, with the tracking link ready to hand to the influencer, and what the store got
    when the code was created there (`in_store`, a handlers.code.InStore)."""
    lines = [f":white_check_mark: Code `{fmt.esc(row.code)}` now credits *{fmt.esc(person.handle)}* in *{fmt.esc(camp.name)}*."]
    if in_store is not None:
        lines.insert(0, f":shopping_bags: Created in {in_store.store}: `{fmt.esc(row.code)}`, "
                        f"{discount_text(in_store, camp.currency)}.")
    if row.url:
        lines.append(f"Tracking link to give them:\n```{fmt.esc(row.url)}```")
    win = describe(window(camp.start, camp.end, camp.window_days))
    blocks = [section("\n".join(lines)), context(f"Orders using it count from {win} (the campaign plus {camp.window_days} days). Orders already imported are credited too.")]
    made = f" (created in {in_store.store})" if in_store is not None else ""
    return Reply(text=f"Code {row.code} added for {person.handle} in {camp.name}{made}.", blocks=blocks)


def listing(rows: list[Code], camp: Campaign | None) -> Reply:
    """`/code list` as a table."""
    where = f" in {camp.name}" if camp else ""
    if not rows:
        return Reply(text=f"No codes{where}.", blocks=[section(f"No codes{fmt.esc(where)} yet. Add one with `/code add CODE HANDLE campaign=NAME`.")])
    body = [[r.code, r.enrolment.influencer.handle, r.enrolment.campaign.name, r.url or "–"] for r in rows]
    blocks = [header(f"Codes{where} ({len(rows)})"),
              table(["Code", "Influencer", "Campaign", "Tracking link"], body, align=["left", "left", "left", "left"])]
    if len(rows) > 99:
        blocks.append(context(f"Showing the first 99 of {len(rows)}; narrow it with `campaign=NAME`."))
    return Reply(text=f"{len(rows)} codes{where}", blocks=blocks)


def removed(row: Code) -> Reply:
    """Confirmation of `/code remove`."""
    camp = row.enrolment.campaign.name
    return Reply(
        text=f"Code {row.code} removed from {camp}.",
        blocks=[section(f":wastebasket: Code `{fmt.esc(row.code)}` no longer counts in *{fmt.esc(camp)}*; orders that used it are no longer credited to *{fmt.esc(row.enrolment.influencer.handle)}*.")],
    )
