"""Which influencer an order is credited to (SPEC §3), as a pure function of the order and the registrations.

Rules, in order: the first code on the order that is registered for a campaign whose window contains the
order's date wins; otherwise the UTM values: `utm_content` names an influencer enrolled in the campaign named by
`utm_campaign` (or, without `utm_campaign`, in exactly one campaign whose window contains the date). A `cut`
enrolment credits no order dated after its cut; such an order goes on to the next rule. Everything matches
case-insensitively. An order whose code or link points at a campaign but falls outside its window is reported
as `outside` for that campaign (the nearest window when the code is registered in several seasons).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from metrics.windows import contains

Window = tuple[date | None, date | None]


@dataclass(frozen=True)
class Target:
    """One enrolment an order can be credited to, with its campaign's window and the enrolment's cut date."""

    campaign_id: Hashable
    enrolment_id: Hashable
    window: Window
    cut_on: date | None = None

    def takes(self, day: date) -> bool:
        """False for orders dated after the enrolment was cut."""
        return self.cut_on is None or day <= self.cut_on


@dataclass(frozen=True)
class Registry:
    """The registrations of one workspace, keyed the way orders name them (all keys lower-case)."""

    codes: Mapping[str, Sequence[Target]] = field(default_factory=dict)  # code -> one target per campaign
    links: Mapping[tuple[str, str], Target] = field(default_factory=dict)  # (campaign name, handle) -> target
    handles: Mapping[str, Sequence[Target]] = field(default_factory=dict)  # handle -> every enrolment


@dataclass(frozen=True)
class Attribution:
    """The outcome for one order: kind `code`, `utm`, `outside` or None (nobody's), and whose."""

    kind: str | None = None
    campaign_id: Hashable | None = None
    enrolment_id: Hashable | None = None

    @property
    def credited(self) -> bool:
        """True when the order counts for an influencer."""
        return self.kind in ("code", "utm")


NOBODY = Attribution()


def _distance(window: Window, day: date) -> int:
    first, last = window
    if first is not None and day < first:
        return (first - day).days
    if last is not None and day > last:
        return (day - last).days
    return 0


def _handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


def attribute(day: date, codes: Sequence[str], utm_campaign: str | None, utm_content: str | None,
              registry: Registry) -> Attribution:
    """Credit an order dated `day` carrying `codes` and UTM values, following SPEC §3."""
    near: Target | None = None
    for code in codes:
        targets = registry.codes.get(code.strip().lower(), ())
        for target in targets:
            if contains(target.window, day) and target.takes(day):
                return Attribution("code", target.campaign_id, target.enrolment_id)
        outside = [t for t in targets if not contains(t.window, day)]
        if near is None and outside:
            near = min(outside, key=lambda t: _distance(t.window, day))
    if utm_content and utm_content.strip():
        handle = _handle(utm_content)
        if utm_campaign and utm_campaign.strip():
            target = registry.links.get((utm_campaign.strip().lower(), handle))
            if target is not None and target.takes(day):
                if contains(target.window, day):
                    return Attribution("utm", target.campaign_id, target.enrolment_id)
                near = near or target
        else:
            live = [t for t in registry.handles.get(handle, ()) if contains(t.window, day) and t.takes(day)]
            if len(live) == 1:
                return Attribution("utm", live[0].campaign_id, live[0].enrolment_id)
    if near is not None:
        return Attribution("outside", near.campaign_id, near.enrolment_id)
    return NOBODY
