"""Chart images: real PNGs of a size Slack previews well, for empty, partial (None) and very large inputs; what each
draws and names (titles, n per tier, end and budget marks, campaign order), and no text drawn over other text or off
the image at any size."""

import ast
import struct
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from itertools import combinations, pairwise
from pathlib import Path
from unittest import mock

import pytest
from matplotlib.colors import to_rgb
from matplotlib.dates import date2num
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import metrics
from metrics import charts
from metrics.charts import Side

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2026, 3, 1)


def size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which PNG requires to come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", png[16:24])


def assert_slack_sized(png: bytes) -> None:
    width, height = size(png)
    # Wide enough to stay sharp when Slack shows it 360–480 px wide, not so large it uploads slowly.
    assert 700 <= width <= 1000
    assert 350 <= height <= 1000
    assert len(png) < 300_000


SPRING = Side("spring", "USD", D("24500"), D("16000"), D("8500"), D("53.125"), D("1.53125"))
FALL = Side("fall", "USD", D("9000"), D("12000"), D("-3000"), D("-25"), D("0.75"))
DAYS = [(START + timedelta(days=i), D(150 * i), D(1000 + 20 * i)) for i in range(30)]

EXAMPLES = {
    "roi_by_influencer": lambda: charts.roi_by_influencer(
        [("ana", D("54.26"), D("1200")), ("ben", D("-35.5"), D("-400")), ("cy", None, D("0"))], title="Spring: ROI"),
    "revenue_vs_cost": lambda: charts.revenue_vs_cost(DAYS, title="Spring: revenue vs cost", currency="USD"),
    "tiers": lambda: charts.tiers([("mega", 2, D(5000), D(9000), D("-44.44")), ("nano", 1, D(3200), D(1500),
                                                                                   D("113.3"))],
                                  title="Spring by tier", currency="USD"),
    "compare": lambda: charts.compare(SPRING, FALL, title="spring vs fall"),
    "influencer": lambda: charts.influencer([("spring", START, D("54.3"), D(5000), D(3240)),
                                             ("fall", date(2026, 9, 1), D(-12), D(2000), D(2272))],
                                            title="@ana", currency="USD"),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_chart_is_a_png_sized_for_slack(name):
    assert_slack_sized(EXAMPLES[name]())


@pytest.mark.parametrize("render", [
    lambda: charts.roi_by_influencer([], title="Spring: ROI"),
    lambda: charts.revenue_vs_cost([], title="Spring", currency="USD"),
    lambda: charts.tiers([], title="Tiers", currency="USD"),
    lambda: charts.influencer([], title="@ana", currency="EUR"),
], ids=["roi_by_influencer", "revenue_vs_cost", "tiers", "influencer"])
def test_empty_input_draws_a_no_results_chart(render):
    assert_slack_sized(render())


@pytest.mark.parametrize("render", [
    lambda: charts.roi_by_influencer([("ana", None, D("0")), ("ben", None, D("-5"))], title="All n/a"),
    lambda: charts.tiers([("unknown", 1, D(0), D(0), None), ("micro", 2, D(10), D(0), None)], title="T",
                         currency="USD"),
    lambda: charts.influencer([("spring", START, None, D(0), D(0))], title="@ana", currency="USD"),
    lambda: charts.compare(Side("a", "USD", D("0"), D("0"), D("0"), None, None), FALL, title="a vs fall"),
], ids=["roi_by_influencer", "tiers", "influencer", "compare"])
def test_unknown_ratios_draw_without_a_bar(render):
    assert_slack_sized(render())


def test_a_hundred_influencers_are_capped_to_a_readable_chart():
    many = [(f"influencer_{i:03d}", D(i * 7 - 300), D(i)) for i in range(100)]
    capped = charts.roi_by_influencer(many, title="Big campaign")
    assert_slack_sized(capped)
    # Past the cap the image stops growing: 100 rows draw exactly like 16 (15 bars and a "+N more" row).
    assert size(capped) == size(charts.roi_by_influencer(many[:16], title="Big campaign"))


def test_many_campaigns_for_one_influencer_are_capped():
    rows = [(f"season-{i}", START + timedelta(days=30 * i), D(i), D(100 + i), D(100)) for i in range(40)]
    assert_slack_sized(charts.influencer(rows, title="@ana", currency="USD"))


@pytest.mark.parametrize("points", [
    DAYS[:1],                                                                      # one day
    [(START + timedelta(days=i), D("0"), D("0")) for i in range(5)],                # nothing yet: "No results yet"
    [(START + timedelta(days=i), D(500 * i), D("100")) for i in range(400)],        # over a year, profitable
], ids=["one-day", "all-zero", "long"])
def test_revenue_vs_cost_handles_short_flat_and_long_ranges(points):
    assert_slack_sized(charts.revenue_vs_cost(points, title="Spring", currency="USD"))


def test_compare_with_different_currencies_still_draws():
    winter = Side("winter", "EUR", D("9000"), D("12000"), D("-3000"), D("-25"), D("0.75"))
    assert_slack_sized(charts.compare(SPRING, winter, title="spring vs winter"))


def test_user_typed_text_with_dollar_signs_is_drawn_literally():
    # Two `$` would otherwise start matplotlib's math mode (and fail on unbalanced markup).
    assert_slack_sized(charts.roi_by_influencer([("$ana$", D("1"), D("1")), ("b$n", D("2"), D("1"))], title="$$ spring $"))


def test_tiers_with_an_unexpected_tier_name_goes_last():
    rows = [("giga", 1, D(1), D(1), D(0)), ("nano", 1, D(1), D(2), D(-50))]
    assert_slack_sized(charts.tiers(rows, title="T", currency="USD"))


@pytest.fixture
def drawn(monkeypatch):
    """The charts' figures themselves instead of their PNG bytes, to look at what was drawn."""
    monkeypatch.setattr(charts, "_png", lambda fig: fig)


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def red_bars(fig) -> int:
    return sum(p.get_facecolor()[:3] == to_rgb(charts.RED) for ax in fig.axes for p in ax.patches)


def test_an_influencer_not_started_gets_no_red_bar_and_says_so(drawn):
    rows = [("ana", D("54.26"), D("1200")), ("mia", D("-100"), D("-1800"))]
    fig = charts.roi_by_influencer(rows, title="summer", not_started={"mia"})
    assert red_bars(fig) == 0
    assert charts.NOT_STARTED in texts(fig) and "-100.0%" not in texts(fig)
    # Without the hint the same figures are a loss, drawn red: the hint is what changes it.
    assert red_bars(charts.roi_by_influencer(rows, title="summer")) == 1


def test_a_campaign_not_started_is_not_drawn_as_a_loss_in_compare(drawn):
    summer = Side("summer", "USD", D("0"), D("1800"), D("-1800"), D("-100"), D("0"), started=False)
    fig = charts.compare(SPRING, summer, title="spring vs summer")
    assert red_bars(fig) == 0 and charts.NOT_STARTED in texts(fig)
    profit_bars = [p.get_height() for p in fig.axes[0].patches]
    assert -1800 not in profit_bars and 8500 in profit_bars  # spring's profit is drawn, summer's fees are not a loss


def test_a_campaign_not_started_is_labelled_so_in_the_influencer_chart(drawn):
    rows = [("summer", date(2026, 6, 1), D(-100), D(0), D(1800)),
            ("spring", START, D("73.6"), D(3402), D(1960))]
    labels = texts(charts.influencer(rows, title="mia", currency="USD", not_started={"summer"}))
    assert labels == ["ROI\n+73.6%", charts.NOT_STARTED.replace(" ", "\n")]  # spring first: it started first


# -- what each chart says it draws, and nothing drawn over anything else -----------------------------------------


def drawn_texts(fig) -> list[tuple[str, Bbox]]:
    """Every piece of text the figure really draws (tick labels off the axis are not), with its box in pixels."""
    seen = []
    draw = Text.draw

    def spy(self, renderer):
        draw(self, renderer)
        if self.get_visible() and self.get_text().strip():
            seen.append((self.get_text(), self.get_window_extent(renderer)))

    with mock.patch.object(Text, "draw", spy):
        fig.canvas.draw()
    return seen


def touching(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1


def crossed(fig, box: Bbox) -> bool:
    """Whether a revenue or cost line runs through `box` (points sampled along each segment, in pixels)."""
    for line in fig.axes[0].lines:
        if line.get_linestyle() not in ("-", "--") or len(line.get_xdata()) < 2:
            continue
        xy = line.get_transform().transform(line.get_xydata())
        for (x0, y0), (x1, y1) in pairwise(xy):
            if any(box.contains(x0 + (x1 - x0) * k / 50, y0 + (y1 - y0) * k / 50) for k in range(51)):
                return True
    return False


def tick_labels(ax, axis: str = "x") -> list[str]:
    return [t.get_text() for t in getattr(ax, f"get_{axis}ticklabels")()]


LONG = "a_really_long_influencer_handle_number_{:02d}"
BIG = D(1200000000)
SIZES = {
    "roi_by_influencer-tiny": lambda: charts.roi_by_influencer([("a", D(0), D(0))], title="t: ROI by influencer"),
    "roi_by_influencer-large": lambda: charts.roi_by_influencer(
        [(LONG.format(i), D(i * 997 - 5000), D(i) * BIG) for i in range(20)], title="a" * 40 + ": ROI by influencer"),
    "revenue_vs_cost-tiny": lambda: charts.revenue_vs_cost([(START, D(5), D(3))], title="t: cumulative revenue",
                                                           currency="USD", end=START, budget=D(10)),
    "revenue_vs_cost-large": lambda: charts.revenue_vs_cost(
        [(START + timedelta(days=i), BIG * i / 200, BIG * D("0.4") + BIG * i / 400) for i in range(400)],
        title="a" * 40 + ": cumulative revenue vs cost", currency="USD", end=START + timedelta(days=330),
        budget=BIG * D("1.5")),
    "revenue_vs_cost-late-break-even": lambda: charts.revenue_vs_cost(
        [(START + timedelta(days=i), D(300 * i), D(6000 + 20 * i)) for i in range(31)], title="t", currency="USD",
        end=START + timedelta(days=28), budget=D(7000)),
    "revenue_vs_cost-lines-end-together": lambda: charts.revenue_vs_cost(
        [(START + timedelta(days=i), D(100 * i), D(100 * i + 5)) for i in range(20)], title="t", currency="EUR",
        budget=D(1905)),
    "tiers-tiny": lambda: charts.tiers([("nano", 1, D(0), D(1), D(-100))], title="t: revenue and cost by tier",
                                       currency="USD"),
    "tiers-large": lambda: charts.tiers(
        [(t, 100 + 37 * i, BIG * (i + 1), BIG * (5 - i), D(40 * i - 60))
         for i, t in enumerate(["nano", "micro", "macro", "mega", "unknown", "giga-super-long-tier"])],
        title="all campaigns: revenue and cost by follower tier", currency="USD"),
    "influencer-tiny": lambda: charts.influencer([("s", START, None, D(0), D(1))], title="a", currency="USD"),
    "influencer-large": lambda: charts.influencer(
        [(f"campaign-with-long-name-{i:02d}", START + timedelta(days=40 * i), D(i * 13 - 50), BIG * (i + 1) / 15,
          BIG / 3) for i in range(15)], title="h" * 64 + ": revenue and cost by campaign", currency="USD"),
    "compare-tiny": lambda: charts.compare(Side("a", "USD", D(0), D(0), D(0), None, None),
                                           Side("b", "USD", D(0), D(1), D(-1), D(-100), D(0)), title="a vs b"),
    "compare-large": lambda: charts.compare(
        Side("a" * 40, "USD", BIG, BIG * D("0.8"), BIG * D("0.2"), D(25), D("1.25")),
        Side("b" * 40, "USD", BIG * D("0.3"), BIG * D("0.9"), -BIG * D("0.6"), D("-66.67"), D("0.33")),
        title="a" * 40 + " vs " + "b" * 40),
}


@pytest.mark.parametrize("name", SIZES)
def test_no_text_overlaps_other_text_or_is_cut_off(drawn, name):
    fig = SIZES[name]()
    found = drawn_texts(fig)
    assert len(found) > 3
    edge = fig.bbox
    outside = [t for t, box in found if box.x0 < -1 or box.y0 < -1 or box.x1 > edge.x1 + 1 or box.y1 > edge.y1 + 1]
    assert outside == []
    assert [(a, b) for (a, box_a), (b, box_b) in combinations(found, 2) if touching(box_a, box_b)] == []


def test_tiers_show_how_many_influencers_each_tier_holds(drawn):
    rows = [("micro", 3, D(4000), D(2600), D("53.8")), ("nano", 1, D(1900), D(670), D("183.6"))]
    fig = charts.tiers(rows, title="spring: revenue and cost by follower tier", currency="USD")
    (ax,) = fig.axes
    assert tick_labels(ax) == ["Nano\n<10k\nn=1", "Micro\n10k–100k\nn=3"]
    assert "n = influencers" in ax.get_xlabel()
    assert fig.get_suptitle() == "spring: revenue and cost by follower tier"
    # What the title says is drawn: a revenue and a cost bar per tier, at those amounts.
    assert sorted(p.get_height() for p in ax.patches) == [670, 1900, 2600, 4000]


def test_revenue_vs_cost_names_its_lines_outside_the_plot_instead_of_a_legend(drawn):
    # The case that struck "Cost" through: fees booked on day one keep the dashed line across the top left.
    points = [(START + timedelta(days=i), D(120 * i), D(5000)) for i in range(30)]
    fig = charts.revenue_vs_cost(points, title="spring: cumulative revenue vs cost", currency="USD")
    (ax,) = fig.axes
    assert ax.get_legend() is None
    names = {t: box for t, box in drawn_texts(fig) if t in ("Revenue", "Cost")}
    assert set(names) == {"Revenue", "Cost"}
    plot = ax.get_window_extent()
    for box in names.values():
        assert box.x0 >= plot.x1 and not crossed(fig, box)
    assert "cumulative" in ax.get_ylabel()


def test_lines_ending_at_the_same_amount_get_names_that_do_not_touch(drawn):
    points = [(START + timedelta(days=i), D(100 * i), D(100 * i)) for i in range(1, 10)]
    names = [box for t, box in drawn_texts(charts.revenue_vs_cost(points, title="t", currency="USD"))
             if t in ("Revenue", "Cost")]
    assert len(names) == 2 and not touching(*names)


@pytest.mark.parametrize(("end", "marked"), [
    (date(2026, 3, 20), True),
    (date(2026, 3, 30), True),       # the last day drawn
    (date(2026, 4, 15), False),      # still running: its end is past the days drawn
    (date(2026, 2, 20), False),      # the range asked starts after it
    (None, False),                   # no end set
])
def test_revenue_vs_cost_marks_the_campaign_end_only_inside_the_days_drawn(drawn, end, marked):
    points = [(START + timedelta(days=i), D(200 * i), D(3000 + 10 * i)) for i in range(30)]
    fig = charts.revenue_vs_cost(points, title="t", currency="USD", end=end)
    (ax,) = fig.axes
    labels = [t for t in texts(fig) if t.startswith("Campaign end")]
    verticals = [line for line in ax.lines if line.get_linestyle() == "-." and len(set(line.get_xdata())) == 1]
    assert labels == ([f"Campaign end {end:%b} {end.day}"] if marked else [])
    assert [date2num(line.get_xdata()[0]) for line in verticals] == ([date2num(end)] if marked else [])


@pytest.mark.parametrize(("budget", "drawn_at"), [
    (D(12000), 12000.0),           # above both lines, within reach: the axis grows to show it
    (D(4000), 4000.0),             # already passed
    (D(20001), None),              # more than twice the highest line: it would squash the lines
    (D(0), None),
    (None, None),
])
def test_revenue_vs_cost_draws_the_budget_as_a_line_when_it_fits_the_scale(drawn, budget, drawn_at):
    points = [(START + timedelta(days=i), D(200 * i), D(3000 + 200 * i)) for i in range(36)]  # cost ends at 10,000
    fig = charts.revenue_vs_cost(points, title="t", currency="USD", budget=budget)
    (ax,) = fig.axes
    flat = [line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == ":" and len(set(line.get_ydata())) == 1]
    assert flat == ([drawn_at] if drawn_at else [])
    assert ("Budget" in texts(fig)) == (drawn_at is not None)
    if drawn_at:
        assert ax.get_ylim()[1] > drawn_at


@pytest.mark.parametrize("points", [
    # Late in the range, high on the axis: below-left of the point is where revenue climbs from.
    [(START + timedelta(days=i), D(300 * i), D(6000 + 20 * i)) for i in range(31)],
    # Early: up-right of the point is where revenue climbs to.
    [(START + timedelta(days=i), D(1750 * min(i, 3) + 250 * max(i - 3, 0)), D(5000 + 10 * i)) for i in range(31)],
], ids=["late", "early"])
def test_the_break_even_label_sits_where_no_line_runs(drawn, points):
    fig = charts.revenue_vs_cost(points, title="t", currency="USD")
    [box] = [box for t, box in drawn_texts(fig) if t.startswith("Break-even")]
    assert not crossed(fig, box)


def test_influencer_chart_puts_campaigns_oldest_first_whatever_order_they_come_in(drawn):
    rows = [("autumn", date(2026, 9, 1), D(10), D(500), D(450)),
            ("winter", date(2026, 12, 1), None, D(0), D(300)),
            ("spring", START, D(-5), D(950), D(1000))]
    (ax,) = charts.influencer(rows, title="ana", currency="USD", not_started={"winter"}).axes
    assert tick_labels(ax) == ["spring\nMar 2026", "autumn\nSep 2026", "winter\nDec 2026"]


def test_influencer_chart_past_the_cap_keeps_the_latest_campaigns(drawn):
    rows = [(f"season-{i:02d}", START + timedelta(days=31 * i), D(i), D(100 + i), D(100)) for i in range(10)][::-1]
    (ax,) = charts.influencer(rows, title="ana", currency="USD").axes
    assert [t.split("\n")[0] for t in tick_labels(ax)] == [f"season-{i:02d}" for i in range(4, 10)]
    assert ax.get_xlabel() == "+4 earlier not shown"


def test_long_names_sharing_a_start_stay_told_apart(drawn):
    rows = [(LONG.format(i), D(i), D(i)) for i in range(5)]
    (ax,) = charts.roi_by_influencer(rows, title="t").axes
    assert len(set(tick_labels(ax, "y"))) == 5


@pytest.mark.parametrize(("amount", "tick"), [
    (600_000, "600,000"), (1_500_000, "1.5M"), (1_250_000_000, "1.25B"), (-600_000_000, "-600M"), (2.5, "2.50"),
])
def test_money_ticks_shorten_amounts_of_a_million_and_more(amount, tick):
    assert charts._money_tick(amount) == tick


PROBE = """
import sys
from datetime import date
from decimal import Decimal as D
from metrics import charts
charts.roi_by_influencer([("a", D(1), D(1))], title="t")
charts.revenue_vs_cost([(date(2026, 3, 1), D(1), D(2))], title="t", currency="USD")
charts.tiers([("nano", 1, D(1), D(2), None)], title="t", currency="USD")
side = charts.Side("a", "USD", D(1), D(2), D(-1), D(-50), D("0.5"))
charts.compare(side, side, title="t")
charts.influencer([("c", date(2026, 3, 1), None, D(1), D(0))], title="t", currency="USD")
print("matplotlib.pyplot" in sys.modules)
"""


def test_charts_never_import_pyplot():
    tree = ast.parse(Path(charts.__file__).read_text())
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in imported if "pyplot" in m]
    # Nor indirectly: render every chart in a fresh interpreter (this one may have pyplot from elsewhere), then look.
    root = Path(metrics.__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-W", "error", "-c", PROBE], cwd=root, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
