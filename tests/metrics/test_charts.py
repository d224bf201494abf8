"""Chart images: real PNGs of a size Slack previews well, for empty, partial (None) and very large inputs."""

import ast
import struct
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from matplotlib.colors import to_rgb

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
    "tiers": lambda: charts.tiers([("mega", D("5000"), D("9000"), D("-44.44")), ("nano", D("3200"), D("1500"), D("113.3"))],
                                  title="Spring by tier", currency="USD"),
    "compare": lambda: charts.compare(SPRING, FALL, title="spring vs fall"),
    "influencer": lambda: charts.influencer([("spring", D("54.3"), D("5000"), D("3240")), ("fall", D("-12"), D("2000"), D("2272"))],
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
    lambda: charts.tiers([("unknown", D("0"), D("0"), None), ("micro", D("10"), D("0"), None)], title="T", currency="USD"),
    lambda: charts.influencer([("spring", None, D("0"), D("0"))], title="@ana", currency="USD"),
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
    rows = [(f"season-{i}", D(i), D(100 + i), D("100")) for i in range(40)]
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
    rows = [("giga", D("1"), D("1"), D("0")), ("nano", D("1"), D("2"), D("-50"))]
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
    rows = [("summer", D("-100"), D("0"), D("1800")), ("spring", D("73.6"), D("3402"), D("1960"))]
    labels = texts(charts.influencer(rows, title="mia", currency="USD", not_started={"summer"}))
    assert labels == [charts.NOT_STARTED.replace(" ", "\n"), "ROI\n+73.6%"]


PROBE = """
import sys
from datetime import date
from decimal import Decimal as D
from metrics import charts
charts.roi_by_influencer([("a", D(1), D(1))], title="t")
charts.revenue_vs_cost([(date(2026, 3, 1), D(1), D(2))], title="t", currency="USD")
charts.tiers([("nano", D(1), D(2), None)], title="t", currency="USD")
side = charts.Side("a", "USD", D(1), D(2), D(-1), D(-50), D("0.5"))
charts.compare(side, side, title="t")
charts.influencer([("c", None, D(0), D(0))], title="t", currency="USD")
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
