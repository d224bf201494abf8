"""What an import reports (SPEC §3): counts per outcome and the rejected rows with their row number and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

KEEP_REJECTED = 1000  # a file of garbage must not turn its summary into a second copy of itself


@dataclass
class Summary:
    """The outcome of one file. `kind` is orders, roster or stats; `format` the detected shape."""

    kind: str
    format: str
    file: str
    dry_run: bool = False
    rows_read: int = 0
    orders: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    attributed: int = 0
    unattributed: int = 0
    outside_window: int = 0
    other_currency: int = 0
    rejected_total: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)  # roster: influencers / enrolments / codes created

    def reject(self, row: int, reason: str) -> None:
        """Record a row that was skipped, and why."""
        self.rejected_total += 1
        if len(self.rejected) < KEEP_REJECTED:
            self.rejected.append((row, reason))

    def as_json(self) -> dict:
        """The summary as `--json` prints it."""
        data: dict = {"kind": self.kind, "format": self.format, "file": self.file, "dry_run": self.dry_run,
                      "rows_read": self.rows_read}
        if self.kind == "orders":
            data.update(orders=self.orders, new=self.new, updated=self.updated, unchanged=self.unchanged,
                        attributed=self.attributed, unattributed=self.unattributed,
                        outside_window=self.outside_window, other_currency=self.other_currency)
        else:
            data.update(new=self.new, updated=self.updated, unchanged=self.unchanged)
            if self.kind == "roster":
                data["added"] = dict(self.added)
        data["rejected"] = [{"row": row, "reason": reason} for row, reason in self.rejected]
        data["rejected_total"] = self.rejected_total
        return data


def as_text(summary: Summary, *, shown: int = 20) -> str:
    """The summary for a terminal: one line of counts, then the first rejected rows."""
    s = summary
    head = f"{'Dry run — nothing was saved. ' if s.dry_run else ''}{s.file}: {s.format} {s.kind}, {s.rows_read:,} row{'' if s.rows_read == 1 else 's'} read"
    if s.kind == "orders":
        lines = [
            head,
            f"  orders {s.orders:,}: new {s.new:,}, updated {s.updated:,}, unchanged {s.unchanged:,}",
            f"  attributed {s.attributed:,}, unattributed {s.unattributed:,}, outside window {s.outside_window:,}, "
            f"other currency {s.other_currency:,}",
        ]
    else:
        lines = [head, f"  new {s.new:,}, updated {s.updated:,}, unchanged {s.unchanged:,}"]
        if s.added:
            lines.append("  added " + ", ".join(f"{n:,} {k}" for k, n in s.added.items()))
    lines.append(f"  rejected rows {s.rejected_total:,}")
    lines += [f"    row {row}: {reason}" for row, reason in s.rejected[:shown]]
    if s.rejected_total > shown:
        lines.append(f"    … and {s.rejected_total - shown:,} more (--json lists up to {KEEP_REJECTED:,})")
    return "\n".join(lines)
