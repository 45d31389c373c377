"""Figures a reader can read (cemlib.report.figure_check): the check fails on each kind of
unreadable figure, every plot function passes it on small and dense data, strict mode raises,
and the whitepaper embeds figures at their printed size, byte for byte the same on each run."""

from __future__ import annotations

import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cemlib.report import figure_check, plots
from cemlib.report import html as paper_html


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _clean_figure():
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([1, 2, 3], [20, 60, 40], marker="o", label="mean")
    ax.set_ylim(0, 100)
    ax.set_title("A clean figure")
    ax.set_xlabel("stage")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    figure_check.declare_scale(ax, "y", 0, 100)
    fig.tight_layout()
    return fig, ax


# --------------------------------------------------------------------------- the rules fail


def test_a_clean_hand_built_figure_passes():
    fig, _ = _clean_figure()
    assert figure_check.problems(fig) == []


def test_two_overlapping_labels_fail():
    fig, ax = _clean_figure()
    ax.text(2, 50, "website", fontsize=10)
    ax.text(2.05, 51, "web chat", fontsize=10)
    found = figure_check.overlapping_text(fig)
    assert found == ['text "website" overlaps text "web chat"']
    assert figure_check.problems(fig) == found


def test_six_point_text_fails_and_so_does_a_figure_too_wide_for_the_page():
    fig, ax = _clean_figure()
    ax.text(1, 80, "tiny note", fontsize=6)
    assert figure_check.small_text(fig) == [
        'text "tiny note" prints at 6.0 pt (< 8 pt; 6 pt × print scale 1.00)'
    ]
    wide, axes = plt.subplots(1, 5, figsize=(15.5, 3))
    for ax in axes:
        ax.set_title("Pratt", fontsize=9)
    assert figure_check.print_scale(wide) < 0.6
    assert any('"Pratt" prints at' in p for p in figure_check.small_text(wide))


def test_a_legend_over_data_fails():
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar([0, 1, 2], [9, 9, 9], label="actual")
    ax.scatter([0.1], [8.5], label="predicted")
    ax.legend(loc="upper left")
    fig.tight_layout()
    assert figure_check.legend_over_data(fig) == [
        'legend ("predicted", "actual") covers 1 point(s) and 1 bar(s) of axes (untitled)'
    ]
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the data: passes
    fig.tight_layout()
    assert figure_check.legend_over_data(fig) == []


def test_clipped_text_fails():
    fig, ax = _clean_figure()
    ax.text(2, 2, "a label cut by the axes", va="top", clip_on=True)
    fig.text(0.9, 0.5, "running off the figure")
    assert figure_check.clipped_text(fig) == [
        'text "a label cut by the axes" is clipped by its axes',
        'text "running off the figure" runs off the figure',
    ]


def test_a_zoomed_value_axis_fails_unless_it_says_so():
    fig, ax = _clean_figure()
    ax.set_ylim(59, 73)
    assert figure_check.truncated_axes(fig) == [
        'y axis of "A clean figure" starts at 59 on a 0–100 scale without a note saying so'
    ]
    ax.set_ylabel("Mean experience (0–100)")
    label = figure_check.note_axis_start(ax, "y")
    assert label.get_text() == "Mean experience (0–100)\n(axis starts at 59, not 0)"
    assert figure_check.truncated_axes(fig) == []
    ax.set_ylabel("relabelled")  # the note overwritten: the axis no longer says so
    assert len(figure_check.truncated_axes(fig)) == 1


def test_print_model_one_inch_is_one_inch_up_to_the_page_width():
    fig, _ = _clean_figure()
    width, _ = figure_check.saved_size_in(fig)
    assert width < figure_check.PRINT_WIDTH_IN and figure_check.print_scale(fig) == 1.0
    fig.set_size_inches(14, 3.5)
    width, _ = figure_check.saved_size_in(fig)
    assert figure_check.print_scale(fig) == pytest.approx(figure_check.PRINT_WIDTH_IN / width)


# --------------------------------------------------------------------------- strict and default


def _unreadable():
    fig, ax = _clean_figure()
    ax.text(1, 80, "tiny note", fontsize=6)
    return fig


def test_strict_mode_raises_naming_the_figure_and_its_problems(monkeypatch):
    monkeypatch.setenv("CEM_FIGURE_CHECK", "strict")
    with pytest.raises(ValueError, match=r'figure "A clean figure" is hard to read: .*"tiny note"'):
        figure_check.check(_unreadable())


def test_default_mode_warns_and_returns_the_figure(monkeypatch):
    monkeypatch.delenv("CEM_FIGURE_CHECK", raising=False)
    fig = _unreadable()
    with pytest.warns(figure_check.FigureReadabilityWarning, match="tiny note"):
        assert figure_check.check(fig) is fig
    clean, _ = _clean_figure()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure_check.check(clean)


# --------------------------------------------------------------------------- every plot passes

LONG_LABELS = [
    "Store staff knew the products well",
    "The product quality met my expectations",
    "My issue was resolved the first time I got in touch",
    "I waited too long for my order to arrive",
    "The price was fair for what I got",
    "My order arrived complete and undamaged",
    "The app showed me offers that are relevant to me",
    "The app worked without crashes or errors",
    "It was easy to find what I was looking for on the website",
    "The person who helped me understood my situation",
    "Staff greeted me warmly",
    "Paying on the website was quick and simple",
]
DRIVERS = [
    "staff_knowledge",
    "product_quality",
    "service_resolution",
    "delivery_wait",
    "price_value",
    "delivery_condition",
    "app_offers",
    "app_stability",
    "web_findability",
    "service_empathy",
    "staff_greeting",
    "web_checkout",
]


def _drivers_table(n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    r2 = 0.57
    shares = np.sort(rng.dirichlet(np.ones(n)))[::-1] * r2
    for method in plots.METHOD_TITLES:
        values = shares if method in ("shapley", "relative_weight", "pratt") else shares * 2 + 0.1
        values = values * rng.uniform(0.8, 1.2, n)
        ranks = pd.Series(-values).rank(method="first").astype(int)
        for driver, value, rank in zip(DRIVERS[:n], values, ranks, strict=True):
            rows.append(
                {
                    "outcome": "ltr",
                    "driver": driver,
                    "method": method,
                    "importance": value,
                    "ci_low": value * 0.5,
                    "ci_high": value * 1.6,
                    "rank": rank,
                    "r2": r2,
                }
            )
    return pd.DataFrame(rows)


def _ipa(clustered: bool) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    if clustered:  # most drivers on top of each other near the means
        share = np.r_[rng.normal(0.06, 0.004, 10), 0.2, 0.02]
        performance = np.r_[rng.normal(63, 0.6, 10), 58, 71]
    else:
        share = rng.uniform(0.02, 0.2, 12)
        performance = rng.uniform(50, 72, 12)
    return pd.DataFrame(
        {"driver": DRIVERS, "importance_share": share / share.sum(), "performance": performance}
    )


def _touchpoints() -> pd.DataFrame:
    names = ["website", "app", "store", "delivery", "product", "service", "call centre", "chat"]
    cei = [63.0, 57, 65, 71, 58, 63.0, 62, 64]
    bei = [62.5, 52, 70, 65, 68, 62.5, 66, 63]  # website and service at the same place
    importance = [0.09, 0.12, 0.24, 0.1, 0.2, 0.15, 0.05, 0.07]
    return pd.DataFrame({"touchpoint": names, "cei": cei, "bei": bei, "importance": importance})


def _emotion(groups: list[str]) -> pd.DataFrame:
    rows = []
    stages = ["website", "app", "store", "delivery", "product", "service"]
    for g, group in enumerate(groups):
        means = np.array([63, 59, 66.5, 72.4, 60, 65.4]) + g * 0.4
        for s, (stage, mean) in enumerate(zip(stages, means, strict=True), start=1):
            rows.append(
                {
                    "group": group,
                    "stage": s,
                    "touchpoint": stage,
                    "mean": mean,
                    "ci_low": mean - 1.5,
                    "ci_high": mean + 1.5,
                    "peak": s == 4,
                    "end": s == 6,
                }
            )
    return pd.DataFrame(rows)


def _customers(n: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    loyalty, value = rng.normal(0, 1, n), rng.normal(0, 1, n)
    value[:4] = [40, 55, -60, 70]  # customers without a purchase: far out, beyond the axes
    archetype = np.select(
        [(value > 0) & (loyalty > 0), value > 0, loyalty > 0],
        ["strategic", "butterfly", "barnacle"],
        "stranger",
    )
    return pd.DataFrame(
        {
            "loyalty_score": loyalty,
            "value_score": value,
            "archetype": archetype,
            "clv": np.exp(rng.normal(3, 1.5, n)) * np.where(rng.random(n) < 0.1, -1, 1),
            "margin_net": rng.gamma(0.6, 100, n),
        }
    )


QUALITY = {
    "tables": {
        "customers": {
            "rows_in": 20120,
            "rows_out": 20000,
            "rules": {"duplicate_exact": 100, "test_record": 20, "orphan": 0},
        },
        "responses": {
            "rows_in": 10206,
            "rows_out": 9150,
            "rules": {
                "attention_check": 400,
                "duplicate_exact": 30,
                "duplicate_near": 30,
                "speeder": 300,
                "straight_liner": 270,
                "test_record": 26,
            },
        },
        "feedback": {"rows_in": 670, "rows_out": 610, "rules": {"empty_text": 60}},
        "transactions": {"rows_in": 306394, "rows_out": 306362, "rules": {"orphan": 32}},
    }
}
NPS = pd.DataFrame(
    {
        "group": ["2024H1", "2024H2", "2025H1", "2025H2"],
        "n": [2300, 2250, 2301, 2299],
        "nps": [9.0, 14.2, 2.1, 8.8],
        "ci_low": [5.0, 10.1, -2.0, 4.9],
        "ci_high": [13.0, 18.3, 6.2, 12.7],
        "change": [np.nan, 5.2, -12.1, 6.7],
        "change_p": [np.nan, 0.2, 0.001, 0.01],
    }
)
PROFILES = pd.DataFrame(
    np.round(np.random.default_rng(2).normal(0, 1, (5, 9)), 2),
    index=[
        "0: barnacle (value -0.6, loyalty +0.9)",
        "1: strategic (value +0.8, loyalty +0.9)",
        "2: butterfly (value +1.2, loyalty -0.8)",
        "3: stranger (value +0.0, loyalty -0.4)",
        "4: no purchase in window, stranger (value -1.2, loyalty -1.4)",
    ],
    columns=[
        "value_score",
        "z_projected",
        "z_duration",
        "z_p_active",
        "z_deal",
        "purchase_rate",
        "expected_spend",
        "margin_rate",
        "cost_to_serve",
    ],
)


def _stated() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame(
        {"driver": DRIVERS, "stated_mean": rng.uniform(3, 4.5, 12), "derived_share": rng.random(12)}
    )


FIGURES = {
    "cleaning_waterfall": lambda: plots.cleaning_waterfall(QUALITY),
    "nps_chart": lambda: plots.nps_chart(NPS, "group", "NPS by wave", in_time_order=True),
    "nps_chart sorted": lambda: plots.nps_chart(NPS, "group", "NPS by channel"),
    "driver_importance 12 drivers": lambda: plots.driver_importance(
        _drivers_table(), "ltr", dict(zip(DRIVERS, LONG_LABELS, strict=True))
    ),
    "driver_importance ids": lambda: plots.driver_importance(_drivers_table(4), "ltr"),
    "importance_performance_map clustered": lambda: plots.importance_performance_map(
        _ipa(clustered=True), "ltr"
    ),
    "importance_performance_map spread": lambda: plots.importance_performance_map(
        _ipa(clustered=False), "ltr"
    ),
    "stated_vs_derived_chart": lambda: plots.stated_vs_derived_chart(_stated(), "ltr"),
    "cei_bei_chart 8 touchpoints": lambda: plots.cei_bei_chart(_touchpoints(), 60, 10),
    "emotion_curve_chart": lambda: plots.emotion_curve_chart(_emotion(["all"])),
    "emotion_curve_chart by channel": lambda: plots.emotion_curve_chart(
        _emotion(["all", "app", "email", "face_to_face", "kiosk", "phone", "sms", "web"]),
        "Emotion curve by channel",
    ),
    "value_loyalty_map": lambda: plots.value_loyalty_map(
        _customers(), {"value": 0.3, "loyalty": 0.2}
    ),
    "value_concentration": lambda: plots.value_concentration(_customers()["margin_net"]),
    "clv_by_archetype": lambda: plots.clv_by_archetype(_customers()),
    "holdout_chart": lambda: plots.holdout_chart(
        pd.DataFrame(
            {
                "actual": [0.6, 1.0, 2.0, 2.4, 2.5, 2.9, 3.5, 6.6],
                "predicted": [1.1, 1.4, 2.1, 2.1, 2.3, 2.8, 3.1, 6.6],
            },
            index=pd.Index(["0", "1", "2", "3", "4", "5", "6", "7+"], name="bucket"),
        )
    ),
    "profile_heatmap": lambda: plots.profile_heatmap(PROFILES),
    "loyalty_grid_chart": lambda: plots.loyalty_grid_chart(
        pd.crosstab(
            pd.Series(["loyal", "latent", "spurious", "none"] * 30, name="attitudinal_type"),
            pd.Series(["strategic", "butterfly", "barnacle", "stranger", "barnacle"] * 24),
        )
    ),
}


def test_every_plot_function_is_covered():
    covered = {name.split()[0] for name in FIGURES}
    drawing = {
        name
        for name in plots.__all__
        if callable(getattr(plots, name)) and name.endswith(("chart", "map", "waterfall"))
    }
    drawing |= {"driver_importance", "value_concentration", "clv_by_archetype", "profile_heatmap"}
    assert drawing <= covered


@pytest.mark.parametrize("name", FIGURES)
def test_every_plot_reads_in_print(name, monkeypatch):
    monkeypatch.setenv("CEM_FIGURE_CHECK", "warn")  # report every problem, not only the first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", figure_check.FigureReadabilityWarning)
        fig = FIGURES[name]()
    assert figure_check.problems(fig) == []
    assert figure_check.saved_size_in(fig)[0] <= figure_check.PRINT_WIDTH_IN


def test_the_driver_chart_is_one_chart_and_the_methods_are_a_table():
    fig = plots.driver_importance(_drivers_table(), "ltr")
    assert len(fig.axes) == 1
    table = plots.driver_method_table(
        _drivers_table(), "ltr", dict(zip(DRIVERS, LONG_LABELS, strict=True))
    )
    assert len(table) == 12 and table["Shapley rank"].tolist() == list(range(1, 13))
    assert list(table.columns[:3]) == ["driver", "Shapley (% of R²)", "Shapley rank"]
    assert {"Pratt (% of R²)", "beta", "beta rank", "correlation rank"} <= set(table.columns)
    shapley = _drivers_table().query("method == 'shapley'").sort_values("rank")
    assert table["Shapley (% of R²)"].tolist() == pytest.approx(
        (100 * shapley["importance"] / 0.57).tolist()
    )


def test_the_emotion_curve_starts_at_zero():
    fig = plots.emotion_curve_chart(_emotion(["all"]))
    assert fig.axes[0].get_ylim() == (0, 100)


def test_the_value_loyalty_note_is_under_the_axis_clear_of_the_quadrant_names():
    fig = plots.value_loyalty_map(_customers(), {"value": 0.3, "loyalty": 0.2})
    assert re.search(
        r"\n\d+ customer\(s\) beyond the axes are not shown$", fig.axes[0].get_xlabel()
    )


# --------------------------------------------------------------------------- embedding


def test_html_figure_is_as_wide_as_the_figure_in_inches_and_deterministic():
    parts = [
        paper_html.figure(plots.importance_performance_map(_ipa(True), "ltr"), "ipa", "IPA")
        for _ in range(2)
    ]
    assert parts[0] == parts[1]  # adjustText and the PNG: same data, same bytes
    width = int(re.search(r'<img [^>]*width="(\d+)"', parts[0]).group(1))
    fig = plots.importance_performance_map(_ipa(True), "ltr")
    inches, _ = figure_check.saved_size_in(fig)
    assert width == pytest.approx(inches * 96, abs=2)
    assert width <= figure_check.PRINT_WIDTH_IN * 96


def test_figure_png_is_crisp_and_the_same_bytes_each_time():
    pngs = [paper_html.figure_png(plots.cei_bei_chart(_touchpoints())) for _ in range(2)]
    assert pngs[0] == pngs[1]
    assert figure_check.css_width_px(pngs[0]) * figure_check.EMBED_DPI / 96 == pytest.approx(
        int.from_bytes(pngs[0][16:20], "big"), abs=1
    )
