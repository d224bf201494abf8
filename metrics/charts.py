"""The chart images the bot uploads next to its answers, as PNG bytes.

Built for Slack, which previews an image 360–480 px wide: one message per chart, large type, direct labels
instead of legends where possible, no chart junk. Only `Figure` + the Agg canvas are used: `pyplot` keeps
global state that a long-running, multi-threaded bot must not share between requests.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, DayLocator, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from metrics.roi import Side
from metrics.series import break_even
from metrics.tiers import TIERS

WIDTH, HEIGHT, DPI = 8.0, 4.5, 110
TITLE, LABEL, SMALL = 15, 12, 11
GREEN, RED, GREY, INK = "#2f9e5b", "#d64545", "#9aa3ad", "#2d3748"
REVENUE, COST = "#2b6cb0", "#b7bec7"
SIDES = ("#2b6cb0", "#dd8a2b")
MAX_BARS = 15
MAX_GROUPS = 6  # wider groups would squeeze the ROI labels into each other
BUDGET_REACH = 2.0  # a budget above this many times the highest line would squash the lines into the bottom of the plot
NOT_STARTED = "not started"  # what a campaign or enrolment shows before its start, instead of a loss (SPEC §4)
TIER_LABELS = {"nano": ("Nano", "<10k"), "micro": ("Micro", "10k–100k"), "macro": ("Macro", "100k–1M"),
               "mega": ("Mega", "1M+"), "unknown": ("Unknown", "")}


def _text(value: str, limit: int = 60) -> str:
    # `$` would switch matplotlib into math mode, and user-typed names may be long.
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return value.replace("$", r"\$")


def _name(value: str, limit: int) -> str:
    """A handle or campaign name cut to `limit` in the middle: names that share a long start (`spring-2025`,
    `spring-2026`) stay told apart by their ends."""
    if len(value) > limit:
        head = (limit - 1) // 2
        value = value[:head] + "…" + value[head + 1 - limit:]
    return _text(value, limit)


def _half_up(v, places: str) -> Decimal:
    return Decimal(v).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _pct(v: Decimal | None) -> str:
    # One decimal, as Slack messages show percentages (SPEC §4), so chart and text agree.
    return "n/a" if v is None else f"{_half_up(v, '0.1'):+,}%"


def _money_tick(v: float, _pos=None) -> str:
    if abs(v) >= 1e6:
        return _short(v, places=2)  # `1,200,000,000` would take a third of the chart's width
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}"


def _short(v: float, places: int = 1) -> str:
    """`9.7k`, `960M`, `1.25B` (with `places=2`): at most `places` decimals, none that are zero, none past 100."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            text = f"{v / size:,.{0 if abs(v) >= 100 * size else places}f}"
            return (text.rstrip("0").rstrip(".") if "." in text else text) + suffix
    return f"{v:,.0f}"


def _figure(title: str, height: float = HEIGHT, ncols: int = 1, **subplots):
    fig = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    # Names are typed by users, in letters of any width: the names (before `: `, either side of ` vs `) are cut in the
    # middle until the title fits the image, measured; what the chart draws ("ROI by influencer") stays whole.
    name, colon, what = title.rpartition(": ") if ": " in title else (title, "", "")
    names = name.split(" vs ")
    heading = fig.suptitle(_text(title, 120), fontsize=TITLE, fontweight="bold", color=INK, x=0.02, ha="left")
    renderer, limit = fig.canvas.get_renderer(), max(map(len, names))
    while limit > 6 and heading.get_window_extent(renderer).x1 > 0.98 * fig.bbox.width:
        limit -= 1
        heading.set_text(" vs ".join(_name(n, limit) for n in names) + colon + _text(what, 120))
    axes = fig.subplots(1, ncols, squeeze=False, **subplots)[0]
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=LABEL, colors=INK)
    return fig, axes


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def _empty(title: str, message: str = "No results yet") -> bytes:
    fig, (ax,) = _figure(title)
    ax.set_axis_off()
    ax.text(0.5, 0.55, message, ha="center", va="center", fontsize=TITLE + 3, color=GREY, transform=ax.transAxes)
    ax.text(0.5, 0.38, "Charts appear once orders or stats come in.", ha="center", va="center", fontsize=LABEL,
            color=GREY, transform=ax.transAxes)
    return _png(fig)


def _money_axis(ax, currency: str) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(_money_tick))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_ylabel(_text(currency), fontsize=LABEL, color=INK)


def _pct_axis(axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}%"))
    axis.set_major_locator(MaxNLocator(5))
    axis.set_label_text("ROI", fontsize=LABEL, color=INK)


def _room(values: list[float], pad: float) -> tuple[float, float]:
    """Axis limits that include 0 and leave `pad` of the span beyond each end that has bars, for their labels."""
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 100.0
    return low - (pad * span if low < 0 else 0.05 * span), high + (pad * span if high > 0 or low == 0 else 0.12 * span)


def roi_by_influencer(rows: Sequence[tuple[str, Decimal | None, Decimal]], *, title: str,
                      not_started: Collection[str] = ()) -> bytes:
    """Horizontal ROI % bars per influencer, best at top, green at or above break-even and red below; the handles in
    `not_started` get no bar, only the words, and go after the others."""
    if not rows:
        return _empty(title)
    waiting = set(not_started)
    rows = [(handle, None if handle in waiting else roi, profit) for handle, roi, profit in rows]
    ranked = sorted(rows, key=lambda r: (r[1] is None, r[0] in waiting, -(r[1] or 0), -(r[2] or 0)))
    shown, hidden = ranked[:MAX_BARS], len(ranked) - MAX_BARS
    # Taller for many bars so each label stays readable once Slack shrinks the image.
    fig, (ax,) = _figure(title, height=max(HEIGHT, 1.4 + 0.36 * (len(shown) + (hidden > 0))))
    values = [float(r[1]) if r[1] is not None else 0.0 for r in shown]
    y = list(range(len(shown)))[::-1]
    low, high = _room(values, 0.28)
    ax.set_xlim(low, high)
    pad = 0.012 * (high - low)
    for yi, v, (handle, roi, _profit) in zip(y, values, shown):
        if roi is None:
            ax.text(pad, yi, NOT_STARTED if handle in waiting else "n/a", va="center", ha="left", fontsize=LABEL,
                    color=GREY)
            continue
        ax.barh(yi, v, height=0.65, color=GREEN if roi >= 0 else RED)
        ax.text(v + pad if v >= 0 else v - pad, yi, _pct(roi), va="center", ha="left" if v >= 0 else "right",
                fontsize=LABEL, fontweight="bold", color=INK)
    labels = [_name(r[0], 22) for r in shown]
    if hidden > 0:
        # One more row at the bottom says how many were left out, where the eye ends up anyway.
        y, labels = [*y, -1], [*labels, f"+{hidden} more"]
    ax.set_yticks(y, labels, fontsize=LABEL)
    if hidden > 0:
        ax.get_yticklabels()[-1].set_color(GREY)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(min(y) - 0.7, len(shown) - 0.3)
    ax.axvline(0, color=INK, linewidth=1.2)
    ax.text(0, 1.0, " break-even", transform=ax.get_xaxis_transform(), fontsize=SMALL, color=INK, va="bottom")
    _pct_axis(ax.xaxis)
    ax.spines["left"].set_visible(False)
    return _png(fig)


def revenue_vs_cost(points: Sequence[tuple[date, Decimal, Decimal]], *, title: str, currency: str,
                    end: date | None = None, budget: Decimal | None = None) -> bytes:
    """Cumulative revenue and cost over time, profit shaded green and loss red, break-even day marked; the campaign's
    `end` marked when it falls inside the days drawn, and its `budget` as a line when it fits the scale."""
    if not any(p[1] or p[2] for p in points):
        return _empty(title)  # two flat lines at zero say less than the words do
    fig, (ax,) = _figure(title)
    days = [p[0] for p in points]
    revenue = [float(p[1]) for p in points]
    cost = [float(p[2]) for p in points]
    ahead = [r >= c for r, c in zip(revenue, cost)]
    ax.fill_between(days, revenue, cost, where=ahead, interpolate=True, color=GREEN, alpha=0.18, linewidth=0)
    ax.fill_between(days, revenue, cost, where=[not a for a in ahead], interpolate=True, color=RED, alpha=0.15,
                    linewidth=0)
    marker = "o" if len(points) == 1 else None
    ax.plot(days, revenue, color=REVENUE, linewidth=2.6, marker=marker)
    ax.plot(days, cost, color=INK, linewidth=2.0, linestyle="--", marker=marker)
    top = max([*revenue, *cost, 1.0])
    limit = float(budget) if budget is not None and 0 < budget <= BUDGET_REACH * top else None
    # The band above the highest line stays empty, for the campaign-end label.
    ax.set_ylim(bottom=0, top=max(top, limit or 0.0) * 1.2)
    _money_axis(ax, currency)
    ax.set_ylabel(f"{_text(currency)}, cumulative", fontsize=LABEL, color=INK)
    _date_axis(ax, days[0], days[-1])
    names = [(revenue[-1], "Revenue", REVENUE), (cost[-1], "Cost", INK)]
    if limit is not None:
        ax.axhline(limit, color=GREY, linewidth=1.5, linestyle=":")
        names.append((limit, "Budget", GREY))
    if end is not None and days[0] <= end <= days[-1]:
        _end_marker(ax, end, late=end > days[0] + (days[-1] - days[0]) * 0.6)
    day = break_even(points)
    if day is not None:
        i = days.index(day)
        ax.axvline(day, color=GREEN, linewidth=1.2, linestyle=":")
        ax.plot([day], [revenue[i]], "o", color=GREEN, markersize=8)
        # Both lines only ever rise, so up-left of the point and down-right of it no line passes: the label goes
        # there, on the side with room (up-right, as the lines leave it, when the point is too low for down-right).
        late, low = i > len(days) * 0.6, revenue[i] < 0.25 * top
        below = not late and not low
        ax.annotate(f"Break-even {day:%b} {day.day}", (day, revenue[i]),
                    xytext=(-10 if late else 10, -12 if below else 12), textcoords="offset points",
                    ha="right" if late else "left", va="top" if below else "baseline", fontsize=LABEL,
                    fontweight="bold", color=GREEN,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"})
    profit = revenue[-1] - cost[-1]
    verdict = "Profit" if profit >= 0 else ("Loss" if day is None else "Loss now")
    ax.set_title(f"{verdict} {_text(currency)} {abs(profit):,.0f}", loc="right", fontsize=LABEL, fontweight="bold",
                 color=GREEN if profit >= 0 else RED)
    _line_names(ax, names)
    return _png(fig)


def _end_marker(ax, end: date, *, late: bool) -> None:
    """A vertical line on the campaign's last day, named in the empty band at the top of the plot."""
    ax.axvline(end, color=GREY, linewidth=1.5, linestyle="-.")
    # A blended transform skips the date conversion data coordinates get: convert by hand.
    ax.annotate(f"Campaign end {end:%b} {end.day}", (date2num(end), 1), xycoords=ax.get_xaxis_transform(),
                xytext=(-5 if late else 5, -4), textcoords="offset points", ha="right" if late else "left", va="top",
                fontsize=SMALL, color=INK)


def _line_names(ax, names: list[tuple[float, str, str]]) -> None:
    """Each line's name right of its last point, outside the plot, nudged apart where they would touch: a legend
    inside the plot sits on the lines it explains, and its dashed sample strikes through the words."""
    low, high = ax.get_ylim()
    gap = 0.09 * (high - low)
    ys: list[float] = []
    for y, _, _ in sorted(names):
        ys.append(max(y, ys[-1] + gap) if ys else y)
    shift = max(0.0, ys[-1] - high)
    for y, (_, name, color) in zip(ys, sorted(names)):
        ax.annotate(name, (1, y - shift), xycoords=ax.get_yaxis_transform(), xytext=(6, 0), textcoords="offset points",
                    va="center", ha="left", fontsize=LABEL, fontweight="bold", color=color, annotation_clip=False)


def _date_axis(ax, first: date, last: date) -> None:
    """Whole days on the x axis: a short range gets one tick per day or few, never hours."""
    span = (last - first).days
    # A single day gives the axis no range at all; show it with a day on either side.
    pad = timedelta(days=1 if span == 0 else 0)
    ax.set_xlim(first - pad, last + pad)
    if span <= 120:
        # Campaign-length ranges read best as plain dates ("Mar 05"), about five of them.
        ax.xaxis.set_major_locator(DayLocator(interval=max(1, (span + 2) // 5)))
        ax.xaxis.set_major_formatter(DateFormatter("%b %d"))
    else:
        locator = AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _groups(ax, labels: list[str], revenue: list[Decimal], cost: list[Decimal], roi: list[Decimal | None],
            currency: str, started: Sequence[bool] | None = None) -> None:
    """Revenue and cost bars side by side per group, with each group's ROI written above it (or, for a group whose
    `started` is False, that it has not started)."""
    x = range(len(labels))
    size = LABEL if len(labels) <= 4 else SMALL  # five or six groups leave each label less room
    rev, cst = [float(v) for v in revenue], [float(v) for v in cost]
    ax.bar([i - 0.2 for i in x], rev, width=0.4, color=REVENUE, label="Revenue")
    ax.bar([i + 0.2 for i in x], cst, width=0.4, color=COST, label="Cost")
    top = max([*rev, *cst, 1.0])
    for i, r, c, pct, begun in zip(x, rev, cst, roi, started or [True] * len(labels)):
        color = GREY if pct is None or not begun else (GREEN if pct >= 0 else RED)
        label = f"ROI\n{_pct(pct)}" if begun else NOT_STARTED.replace(" ", "\n")
        ax.text(i, max(r, c, 0) + 0.03 * top, label, ha="center", va="bottom", fontsize=size,
                fontweight="bold", color=color, linespacing=1.1)
    ax.set_xticks(list(x), labels, fontsize=size)
    ax.tick_params(axis="x", length=0)
    ax.set_ylim(bottom=min([0.0, *rev, *cst]), top=top * 1.25)
    _money_axis(ax, currency)
    # Above the plot, where it cannot cover a bar or an ROI label.
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), frameon=False, fontsize=LABEL, ncols=2)


def _tier_label(name: str, n: int) -> str:
    """`Micro`, its follower range and `n=3` under it: a tier's ROI from one influencer is an anecdote, and shows it.
    One line each, so six tiers still fit side by side."""
    head, band = TIER_LABELS.get(name, (_name(name, 10), ""))
    return "\n".join(part for part in (head, band, f"n={n:,}") if part)


def tiers(rows: Sequence[tuple[str, int, Decimal, Decimal, Decimal | None]], *, title: str, currency: str) -> bytes:
    """Revenue vs cost per follower tier (nano → mega, then unknown), ROI % above each tier; `rows` are (tier,
    influencers in it, revenue, cost, ROI %), and each tier's label says how many influencers it holds."""
    if not any(r[2] or r[3] for r in rows):
        return _empty(title)  # an axis with no bar on it says less than the words do
    order = {name: i for i, name in enumerate(TIERS)}
    rows = sorted(rows, key=lambda r: order.get(r[0], len(TIERS)))
    fig, (ax,) = _figure(title)
    labels = [_tier_label(r[0], r[1]) for r in rows]
    _groups(ax, labels, [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows], currency)
    ax.set_xlabel("n = influencers in the tier", fontsize=SMALL, color=GREY, loc="right")
    return _png(fig)


def influencer(rows: Sequence[tuple[str, date | None, Decimal | None, Decimal, Decimal]], *, title: str,
               currency: str, not_started: Collection[str] = ()) -> bytes:
    """One influencer's revenue vs cost in each campaign, oldest first, ROI % above each campaign, or *not started*
    above the campaigns named in `not_started`. `rows` are (campaign, start, ROI %, revenue, cost); past MAX_GROUPS
    the latest campaigns are shown."""
    if not any(r[3] or r[4] for r in rows):
        return _empty(title)
    # Stable: campaigns without a start keep the order they were given in, after the dated ones.
    rows = sorted(rows, key=lambda r: (r[1] is None, r[1] or date.min))
    shown, hidden = list(rows[-MAX_GROUPS:]), len(rows) - MAX_GROUPS
    fig, (ax,) = _figure(title)
    width = max(9, min(20, 60 // len(shown)))  # characters that fit under a group of bars
    labels = [_name(r[0], width) + (f"\n{r[1]:%b %Y}" if r[1] else "") for r in shown]
    _groups(ax, labels, [r[3] for r in shown], [r[4] for r in shown], [r[2] for r in shown], currency,
            [r[0] not in not_started for r in shown])
    if hidden > 0:
        ax.set_xlabel(f"+{hidden} earlier not shown", fontsize=SMALL, color=GREY, loc="left")
    return _png(fig)


def _outcome(side: Side) -> str:
    """`profit USD 1,200`, `loss USD 300`, or `not started`."""
    if not side.started:
        return NOT_STARTED
    return f"{'profit' if side.profit >= 0 else 'loss'} {_text(side.currency)} {abs(float(side.profit)):,.0f}"


def _money_sides(ax, a: Side, b: Side, names: list[str]) -> None:
    """Revenue, cost and profit of both campaigns as grouped bars, or why they cannot be put side by side."""
    if a.currency != b.currency:
        # Comparing USD to EUR amounts would mislead; ROI and ROAS are unitless, so the other panel still holds.
        ax.set_axis_off()
        lines = [f"{name}: {_outcome(s)}" for name, s in zip(names, (a, b))]
        headline = f"Different currencies ({_text(a.currency)} vs {_text(b.currency)})\nmoney is not comparable"
        ax.text(0.5, 0.62, headline, ha="center", va="center", fontsize=LABEL + 1, fontweight="bold", color=INK,
                transform=ax.transAxes)
        ax.text(0.5, 0.38, "\n".join(lines), ha="center", va="center", fontsize=LABEL, color=INK,
                transform=ax.transAxes, linespacing=1.6)
        return
    for k, (side, color) in enumerate(zip((a, b), SIDES)):
        # Before its start a campaign's profit is only its fees: no bar for it, the words instead.
        values = [float(side.revenue), float(side.cost), float(side.profit) if side.started else 0.0]
        bars = ax.bar([i + (k - 0.5) * 0.38 for i in range(3)], values, width=0.38, color=color, label=names[k])
        labels = [_short(v) for v in values[:2]] + [_short(values[2]) if side.started else NOT_STARTED]
        ax.bar_label(bars, labels, padding=3, fontsize=SMALL, color=INK)
    ax.set_xticks(range(3), ["Revenue", "Cost", "Profit"], fontsize=LABEL)
    ax.tick_params(axis="x", length=0)
    ax.axhline(0, color=INK, linewidth=1)
    ax.margins(y=0.18)
    _money_axis(ax, a.currency)
    # Above the plot, where it cannot cover a bar or its label; side by side while the names are short.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), frameon=False, fontsize=LABEL, borderaxespad=0.2,
              ncols=2 if sum(map(len, names)) <= 24 else 1)


def compare(a: Side, b: Side, *, title: str) -> bytes:
    """Two campaigns side by side: revenue, cost and profit on the left, ROI % (and ROAS) on the right."""
    fig, (money, ratio) = _figure(title, ncols=2, width_ratios=[3, 2])
    _money_sides(money, a, b, [_name(a.name, 20), _name(b.name, 20)])
    values = [float(s.roi_pct) if s.roi_pct is not None and s.started else 0.0 for s in (a, b)]
    ratio.bar([0, 1], values, width=0.6, color=[GREEN if v >= 0 else RED for v in values])
    ratio.axhline(0, color=INK, linewidth=1.2)
    ratio.set_ylim(*_room(values, 0.3))
    for i, (side, v) in enumerate(zip((a, b), values)):
        roas = "" if side.roas is None else f"\n{_half_up(side.roas, '0.01'):,}x"
        label = _pct(side.roi_pct) + roas if side.started else NOT_STARTED
        ratio.annotate(label, (i, v), xytext=(0, 4 if v >= 0 else -4), textcoords="offset points",
                       ha="center", va="bottom" if v >= 0 else "top", fontsize=LABEL, fontweight="bold",
                       color=GREY if side.roi_pct is None or not side.started else INK)
    ratio.set_xticks([0, 1], [_name(a.name, 12), _name(b.name, 12)], fontsize=LABEL)
    ratio.tick_params(axis="x", length=0)
    _pct_axis(ratio.yaxis)
    ratio.set_title("ROI and ROAS", fontsize=LABEL, color=INK, loc="left")
    return _png(fig)
