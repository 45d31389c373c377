"""The verbatims figures (cemlib.report.plots_verbatims): each reads in print under the strict
figure check with Chinese and long English labels, says what it was given (bubbles, bar order,
highlighted changes), and refuses an empty table."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from cemlib.report import figure_check, plots, plots_verbatims

THEMES = [
    ("delivery_late", "Late or missing delivery", "配送延迟或未送达"),
    ("product_defect", "Faulty or poor-quality product", "产品质量问题"),
    ("rude_staff", "Staff attitude", "员工服务态度差"),
    ("price_too_high", "Price and value for money", "价格偏高、性价比低"),
    ("app_crash", "App problems", "App故障"),
    ("refund_slow", "Refunds and returns that take far too long to be processed", "退款退货太慢"),
    ("helpful_staff", "Helpful, knowledgeable staff who solved the problem", "员工热情专业"),
    ("checkout_queue", "Long queues at the checkout", "结账排队时间长"),
    ("membership", "Membership points and member-only offers", "会员积分和会员优惠"),
    ("website_search", "Hard to find products on the website", "网站难以找到商品"),
    ("stock_out", "Product out of stock", "商品缺货"),
    ("good_quality", "Good product quality", "产品质量好"),
    ("call_wait", "Waiting on hold for the call centre", "客服电话等待时间长"),
    ("packaging", "Packaging", "包装"),
    ("store_clean", "Clean and tidy store", "门店干净整洁"),
    ("discovered_3", None, None),  # a discovered theme without labels
]
IDS = [t[0] for t in THEMES]
LABELS_EN = {t: en or t for t, en, _ in THEMES}
LABELS_ZH = {t: zh or t for t, _, zh in THEMES}


def _themes(n_nan: int = 3) -> pd.DataFrame:
    """A stage's theme table: the last ``n_nan`` themes have no NPS impact (feedback only)."""
    rng = np.random.default_rng(11)
    k = len(THEMES)
    n = np.sort(rng.integers(20, 900, k))[::-1]
    impact = rng.normal(-8, 14, k)
    impact[:2] = [-31.0, -29.5]  # two themes close together
    half = rng.uniform(4, 12, k)
    impact[k - n_nan :] = np.nan
    frame = pd.DataFrame(
        {
            "theme": IDS,
            "label_en": [t[1] for t in THEMES],
            "label_zh": [t[2] for t in THEMES],
            "n": n,
            "share": n / 4000,
            "sentiment_mean": np.clip(impact / 40 + rng.normal(0, 0.1, k), -1, 1),
            "nps_impact": impact,
            "impact_ci_low": impact - half,
            "impact_ci_high": impact + half,
            "n_mentioners": (n * 0.6).round(),
        }
    )
    frame.loc[5, "sentiment_mean"] = np.nan  # no sentiment score for one theme
    return frame


def _emerging() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    k = 14
    before = rng.uniform(0.01, 0.2, k)
    change = rng.normal(0, 0.03, k)
    change[:2] = [0.09, -0.07]
    q = np.where(np.abs(change) > 0.04, 0.001, 0.4)
    return pd.DataFrame(
        {
            "theme": IDS[:k],
            "last_period": "2025Q2",
            "previous_period": "2025Q1",
            "share_last": np.clip(before + change, 0, 1),
            "share_previous": before,
            "share_change": np.clip(before + change, 0, 1) - before,
            "change_p": q / 3,
            "change_q": q,
        }
    )


def _pareto(k: int = 9) -> pd.DataFrame:
    customers = np.array([61, 44, 40, 22, 15, 9, 7, 4, 2, 1, 1, 1][:k])
    frame = pd.DataFrame(
        {
            "theme": IDS[:k],
            "customers": customers,
            "share": customers / 150,
            "cumulative": customers.cumsum() / customers.sum(),
        }
    )
    frame.attrs["writers"] = 150
    return frame


def _breakdown(by: str, groups: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(len(groups))
    rows = []
    for g, group in enumerate(groups):
        total = int(rng.integers(150, 2500))
        for theme in IDS[: 13 - g % 3]:
            n = int(rng.integers(1, total // 5))
            rows.append(
                {
                    by: group,
                    "theme": theme,
                    "n": n,
                    "share": n / total,
                    "sentiment_mean": rng.uniform(-1, 1),
                }
            )
    return pd.DataFrame(rows)


CHANNELS = ["app", "email", "face_to_face", "kiosk", "phone", "sms", "web", "social_media"]
FIGURES = {
    "impact_bubbles en": lambda: plots_verbatims.impact_bubbles(_themes()),
    "impact_bubbles zh": lambda: plots_verbatims.impact_bubbles(_themes(), "label_zh"),
    "impact_bubbles few": lambda: plots_verbatims.impact_bubbles(_themes(13)),
    "theme_sentiment_bars en": lambda: plots_verbatims.theme_sentiment_bars(_themes()),
    "theme_sentiment_bars zh": lambda: plots_verbatims.theme_sentiment_bars(_themes(), "label_zh"),
    "emerging_chart en": lambda: plots_verbatims.emerging_chart(_emerging(), LABELS_EN),
    "emerging_chart zh": lambda: plots_verbatims.emerging_chart(_emerging(), LABELS_ZH, top=6),
    "leaving_pareto_chart en": lambda: plots_verbatims.leaving_pareto_chart(_pareto(), LABELS_EN),
    "leaving_pareto_chart zh": lambda: plots_verbatims.leaving_pareto_chart(_pareto(12), LABELS_ZH),
    "theme_heatmap channel": lambda: plots_verbatims.theme_heatmap(
        _breakdown("channel", CHANNELS), "channel", LABELS_EN
    ),
    "theme_heatmap archetype zh": lambda: plots_verbatims.theme_heatmap(
        _breakdown("archetype", ["strategic", "butterfly", "barnacle", "stranger"]),
        "archetype",
        LABELS_ZH,
    ),
    "theme_heatmap period": lambda: plots_verbatims.theme_heatmap(
        _breakdown("period", [f"202{y}Q{q}" for y in (3, 4, 5) for q in (1, 2, 3, 4)]),
        "period",
        LABELS_EN,
        top=8,
    ),
}


@pytest.fixture(autouse=True)
def _style_and_close():
    plots.set_style()
    yield
    plt.close("all")


def test_every_verbatims_figure_is_covered():
    drawing = {n for n in plots_verbatims.__all__ if callable(getattr(plots_verbatims, n))}
    drawing.discard("SENTIMENT_CMAP")
    assert drawing <= {name.split()[0] for name in FIGURES}


@pytest.mark.parametrize("name", FIGURES)
def test_every_verbatims_figure_reads_in_print(name, monkeypatch):
    monkeypatch.setenv("CEM_FIGURE_CHECK", "warn")  # report every problem, not only the first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", figure_check.FigureReadabilityWarning)
        fig = FIGURES[name]()
    assert figure_check.problems(fig) == []
    assert figure_check.saved_size_in(fig)[0] <= figure_check.PRINT_WIDTH_IN


def test_strict_mode_passes_and_chinese_labels_get_a_cjk_font(monkeypatch):
    if not plots_verbatims._cjk_families():
        pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
    monkeypatch.setenv("CEM_FIGURE_CHECK", "strict")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "Glyph … missing from font(s)"
        fig = plots_verbatims.theme_sentiment_bars(_themes(), "label_zh")
        fig.canvas.draw()
    labels = {t.get_text(): t for t in fig.axes[0].get_yticklabels()}
    family = labels["配送延迟或未送达"].get_fontfamily()
    assert set(plots_verbatims._cjk_families()) & set(family)


def _bubbles(ax) -> PathCollection:
    return next(c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets()))


def test_bubbles_leave_out_themes_without_impact_and_keep_the_largest():
    themes = _themes(n_nan=3)
    fig = plots_verbatims.impact_bubbles(themes, top=20)
    pd.testing.assert_frame_equal(themes, _themes(n_nan=3))  # the input is left as it was
    offsets = _bubbles(fig.axes[0]).get_offsets()
    assert len(offsets) == themes["nps_impact"].notna().sum() == len(THEMES) - 3
    assert sorted(offsets[:, 1]) == pytest.approx(sorted(themes["nps_impact"].dropna()))
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert "Packaging" not in labels  # its impact is NaN
    top = plots_verbatims.impact_bubbles(themes, top=5)
    kept = _bubbles(top.axes[0]).get_offsets()[:, 0]
    assert sorted(kept) == pytest.approx(sorted(100 * themes["share"].head(5)))
    sizes = _bubbles(top.axes[0]).get_sizes()
    assert sizes[0] / sizes[1] == pytest.approx(
        themes["n_mentioners"].iloc[0] / themes["n_mentioners"].iloc[1]
    )


def test_bars_are_longest_first_and_coloured_by_sentiment():
    themes = _themes().sample(frac=1, random_state=2)  # any order in
    fig = plots_verbatims.theme_sentiment_bars(themes, top=10)
    ax = fig.axes[0]
    assert ax.yaxis_inverted()  # row 0 on top
    bars = sorted(ax.containers[0], key=lambda p: p.get_y())
    widths = [p.get_width() for p in bars]
    expected = themes.sort_values("n", ascending=False).head(10)
    assert widths == expected["n"].tolist() == sorted(widths, reverse=True)
    for bar, sentiment in zip(bars, expected["sentiment_mean"], strict=True):
        if np.isnan(sentiment):
            assert bar.get_hatch() == "///" and bar.get_facecolor() == (1, 1, 1, 1)
        else:
            colour = plots_verbatims.SENTIMENT_CMAP((sentiment + 1) / 2)
            assert bar.get_facecolor() == pytest.approx(colour) and not bar.get_hatch()


def test_emerging_sorts_by_change_and_highlights_the_significant():
    emerging = _emerging()
    fig = plots_verbatims.emerging_chart(emerging, LABELS_EN, top=8)
    ax = fig.axes[0]
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    expected = emerging.assign(size=emerging["share_change"].abs()).nlargest(8, "size")
    expected = expected.sort_values("share_change", ascending=False)
    assert ticks == [LABELS_EN[t] for t in expected["theme"]]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "significant\n(BH q < 0.05)" in legend and "2025Q1" in legend
    filled = [c for c in ax.collections if isinstance(c, PathCollection)][-1]
    orange = plots_verbatims.colors.to_rgba(plots_verbatims.HIGHLIGHT)
    highlighted = [tuple(c) == pytest.approx(orange) for c in filled.get_facecolors()]
    assert highlighted == (expected["change_q"] < 0.05).tolist()


def test_pareto_has_a_cumulative_axis_from_0_to_100_and_an_80_percent_line():
    fig = plots_verbatims.leaving_pareto_chart(_pareto(), LABELS_EN)
    bars_ax, line_ax = fig.axes
    assert line_ax.get_xlim() == (0, 100)
    assert any(list(line.get_xdata()) == [80, 80] for line in line_ax.lines)
    widths = [p.get_width() for p in bars_ax.patches]
    assert widths == sorted(widths, reverse=True) and len(widths) == 9
    cumulative = next(line for line in line_ax.lines if line.get_marker() == "o")
    assert cumulative.get_xdata()[-1] == pytest.approx(100)
    assert list(cumulative.get_ydata()) == list(range(9))  # one point per bar, on its row


def test_heatmap_cells_are_shares_in_percent_of_the_top_themes():
    breakdown = _breakdown("channel", CHANNELS[:3])
    fig = plots_verbatims.theme_heatmap(breakdown, "channel", LABELS_EN, top=5)
    ax = fig.axes[0]
    top = breakdown.groupby("theme")["n"].sum().sort_values(ascending=False).index[:5]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == [plots_verbatims._wrap_label(LABELS_EN[t], 30) for t in top]
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == [
        "app",
        "email",
        "face to face",
    ]
    cell = breakdown[(breakdown["theme"] == top[0]) & (breakdown["channel"] == "app")]
    assert float(ax.texts[0].get_text()) == pytest.approx(100 * cell["share"].iloc[0], abs=0.051)


def test_long_labels_wrap_between_words_and_chinese_in_even_lines():
    assert plots_verbatims._wrap_label("Membership points and member-only offers", 16) == (
        "Membership\npoints and\nmember-only\noffers"
    )
    assert plots_verbatims._wrap_label("会员积分和会员优惠", 16) == "会员积分和\n会员优惠"
    assert plots_verbatims._wrap_label("配送延迟或未送达", 16) == "配送延迟或未送达"


@pytest.mark.parametrize(
    "draw",
    [
        lambda e: plots_verbatims.impact_bubbles(e),
        lambda e: plots_verbatims.theme_sentiment_bars(e),
        lambda e: plots_verbatims.emerging_chart(e, {}),
        lambda e: plots_verbatims.leaving_pareto_chart(e, {}),
        lambda e: plots_verbatims.theme_heatmap(e, "channel", {}),
    ],
)
def test_an_empty_table_raises(draw):
    empty = pd.DataFrame(
        columns=["theme", "n", "share", "sentiment_mean", "nps_impact", "channel", "customers"]
    )
    with pytest.raises(ValueError, match="empty"):
        draw(empty)


def test_bubbles_without_any_impact_raise():
    themes = _themes().assign(nps_impact=np.nan)
    with pytest.raises(ValueError, match="NPS impact"):
        plots_verbatims.impact_bubbles(themes)
