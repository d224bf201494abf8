"""How an import's outcome looks in Slack: the counts, the rejected rows, and refusals."""

from __future__ import annotations

from bot.imports.summary import Summary
from handlers.blocks import fmt
from handlers.blocks.kit import Reply, context, fields, section

esc = fmt.esc
SHOWN_REJECTS = 10
KINDS = {"orders": "orders", "roster": "roster", "stats": "engagement stats"}
FORMATS = {"shopify": "Shopify export", "woocommerce": "WooCommerce export", "csv": "orders CSV",
           "roster": "roster", "stats": "stats"}


def summary(s: Summary) -> Reply:
    """The import summary of SPEC §3, with the first rejected rows and their reasons."""
    title = f"Imported *{esc(s.file)}* ({FORMATS.get(s.format, s.format)}): {s.rows_read:,} rows read."
    if s.kind == "orders":
        pairs = [("Orders", f"{s.orders:,}"), ("New / updated / unchanged", f"{s.new:,} / {s.updated:,} / {s.unchanged:,}"),
                 ("Attributed", f"{s.attributed:,}"), ("Unattributed", f"{s.unattributed:,}"),
                 ("Outside window", f"{s.outside_window:,}"), ("Other currency", f"{s.other_currency:,}")]
        text = (f"{s.file}: {s.orders:,} orders ({s.new:,} new, {s.updated:,} updated), {s.attributed:,} attributed, "
                f"{s.rejected_total:,} rows rejected")
    else:
        pairs = [("New", f"{s.new:,}"), ("Updated", f"{s.updated:,}"), ("Unchanged", f"{s.unchanged:,}")]
        pairs += [(f"{k.capitalize()} added", f"{n:,}") for k, n in s.added.items()]
        text = f"{s.file}: {KINDS[s.kind]} — {s.new:,} new, {s.updated:,} updated, {s.rejected_total:,} rows rejected"
    blocks = [section(f":white_check_mark: {title}"), *fields(pairs)]
    if s.rejected_total:
        # Reasons are already safe mrkdwn: every value from the file in them went through `shown()`.
        lines = [f"• row {row}: {reason}" for row, reason in s.rejected[:SHOWN_REJECTS]]
        more = s.rejected_total - len(lines)
        blocks.append(section(f":warning: *{s.rejected_total:,} rows rejected* (the rest were imported):\n" + "\n".join(lines)
                              + (f"\n…and {more:,} more." if more > 0 else "")))
    if s.kind == "orders" and s.unattributed and s.orders:
        blocks.append(context("Unattributed orders carry no registered code or link. Register codes with `/code add`: "
                              "orders already imported are credited as soon as you do."))
    return Reply(text=text, blocks=blocks)


def refused(message: str) -> Reply:
    """A file that was not imported, and why: nothing was saved."""
    return Reply(text=f"Not imported: {message}", blocks=[section(f":warning: {message}"),
                                                           context("Nothing was imported from this file.")])
