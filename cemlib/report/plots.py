"""Figures of the stage reports and the whitepaper: seaborn/matplotlib, one function per figure,
returning the figure; :func:`set_style` sets the project's look (with a CJK font when one is
installed).

Every figure is made to be read in print: at most :data:`WIDTH` inches wide, so it prints at its
size on A4 (:mod:`cemlib.report.figure_check` holds the print model), text of 8 pt or more,
point labels moved apart with adjustText (I. Flyamer) so none hides another
or a quadrant's name, legends beside the data rather than on it, and value axes that start at
their scale's minimum or say they do not. Each plot function ends in :func:`_finish`, which runs
:func:`cemlib.report.figure_check.check` on the figure wherever it is made."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from adjustText import adjust_text
from matplotlib import font_manager
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cemlib.report import figure_check

__all__ = [
    "WIDTH",
    "set_style",
    "label_corners",
    "waterfall_steps",
    "cleaning_waterfall",
    "driver_importance",
    "driver_method_table",
    "importance_performance_map",
    "stated_vs_derived_chart",
    "cei_bei_chart",
    "emotion_curve_chart",
    "nps_chart",
    "METHOD_TITLES",
    "ZONE_COLOURS",
]

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
REMOVED, KEPT, TOTAL = "#c0504d", "#4f81bd", "#7f7f7f"
WIDTH = 6.8  # inches: with savefig's padding the image fits the 7.0 in print width unscaled
LABEL_PT = 8.5  # point labels, legends, small annotations: above the 8 pt print minimum
TICK_PT = 9.0  # tick labels set by hand (long names)


def set_style() -> None:
    """The project's figure look."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 96, "savefig.dpi": 96, "axes.titleweight": "bold"})
    # Codebooks and verbatims are often Chinese: matplotlib's default font has no CJK glyphs.
    available = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in available]
    plt.rcParams["font.sans-serif"] = [*cjk, "DejaVu Sans"]


def _finish(fig: plt.Figure, *placements: Callable[[], object]) -> plt.Figure:
    """The end of every plot function: lay the figure out, place its point labels on the final
    geometry (adjustText works in display coordinates), then check that it reads in print
    (:func:`cemlib.report.figure_check.check`: raises under ``CEM_FIGURE_CHECK=strict``, else
    warns)."""
    fig.tight_layout()
    for place in placements:
        place()
    return figure_check.check(fig)


def _place_labels(
    ax, texts: list[Text], x=None, y=None, avoid: Sequence[Text] = (), avoid_self: bool = True
) -> None:
    """Move point labels apart (adjustText) so that none overlaps another, the points ``x``,
    ``y`` or the ``avoid`` texts (quadrant names); a label moved off its point gets a thin leader.
    A fixed number of iterations and no time limit: the same data give the same figure."""
    if not texts:
        return
    renderer = ax.figure._get_renderer()
    to_data = ax.transData.inverted()
    obstacles = [Bbox(to_data.transform(t.get_window_extent(renderer).get_points())) for t in avoid]
    adjust_text(
        texts,
        x=None if x is None else list(x),
        y=None if y is None else list(y),
        objects=obstacles or None,
        avoid_self=avoid_self,
        ax=ax,
        iter_lim=500,
        expand=(1.15, 1.45),
        min_arrow_len=6,
        arrowprops={"arrowstyle": "-", "color": "#777777", "lw": 0.6},
    )


def _value_axis(ax, axis: str, minimum: float, maximum: float) -> None:
    """Declare the scale of a value axis; where the axis does not start at the scale's minimum
    (a zoomed map), say so in its label. Call once the limits are final."""
    figure_check.declare_scale(ax, axis, minimum, maximum)
    if min(ax.get_ylim() if axis == "y" else ax.get_xlim()) > minimum:
        figure_check.note_axis_start(ax, axis)


def _wrap(text, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, broken between words — or anywhere in
    text without spaces (Chinese labels)."""
    words = str(text)
    return textwrap.fill(words, width, break_long_words=" " not in words.strip()) or words


def label_corners(
    ax, labels: dict[str, str], highlight: str | None = None, colour: str | None = None
) -> list[Text]:
    """Name the four quadrants of a map in its corners ("top left", "bottom right", ...);
    ``highlight`` names the one to draw in red. Returns the texts (for labels to avoid)."""
    texts = []
    for label, corner in labels.items():
        vertical, horizontal = corner.split()
        texts.append(
            ax.text(
                0.015 if horizontal == "left" else 0.985,
                0.02 if vertical == "bottom" else 0.98,
                label,
                transform=ax.transAxes,
                ha=horizontal,
                va=vertical,
                fontsize=9.5,
                fontweight="bold",
                color=REMOVED if label == highlight else colour,
            )
        )
    return texts


def waterfall_steps(table_quality: dict) -> pd.DataFrame:
    """Rows in → removed per rule → rows out, as a tidy frame of bars (bottom, height, kind)."""
    steps = [{"label": "rows in", "bottom": 0, "height": table_quality["rows_in"], "kind": "total"}]
    level = table_quality["rows_in"]
    for rule, count in table_quality["rules"].items():
        if count:
            level -= count
            steps.append(
                {
                    "label": rule.replace("_", " "),
                    "bottom": level,
                    "height": count,
                    "kind": "removed",
                }
            )
    steps.append(
        {"label": "rows out", "bottom": 0, "height": table_quality["rows_out"], "kind": "kept"}
    )
    return pd.DataFrame(steps)


def cleaning_waterfall(quality: dict) -> plt.Figure:
    """One waterfall per table: where each input row went — kept, or rejected by a cleaning rule
    (the rules are listed in ``docs/data-model.md``). Bars are spaced so that all tables fit the
    printed page's height."""
    tables = list(quality["tables"].items())
    steps = [waterfall_steps(table_quality) for _, table_quality in tables]
    bars = sum(len(s) for s in steps)
    pitch = max(0.17, min(0.26, (8.2 - 0.95 * len(tables)) / max(bars, 1)))
    heights = [pitch * len(s) + 0.95 for s in steps]
    fig, axes = plt.subplots(
        len(tables),
        1,
        figsize=(WIDTH, sum(heights)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    colours = {"total": TOTAL, "removed": REMOVED, "kept": KEPT}
    for ax, (name, table_quality), step in zip(axes[:, 0], tables, steps, strict=True):
        ax.barh(
            step["label"],
            step["height"],
            left=step["bottom"],
            color=[colours[k] for k in step["kind"]],
        )
        for y, (_, row) in enumerate(step.iterrows()):
            sign = "−" if row["kind"] == "removed" else ""
            ax.text(
                row["bottom"] + row["height"],
                y,
                f" {sign}{int(row['height']):,}",
                va="center",
                fontsize=LABEL_PT,
            )
        ax.invert_yaxis()
        ax.tick_params(labelsize=TICK_PT)
        ax.set_title(
            f"{name}: {table_quality['rows_in']:,} in → {table_quality['rows_out']:,} out",
            fontsize=10.5,
        )
        ax.set_xlabel("rows", fontsize=TICK_PT)
        ax.set_xlim(0, table_quality["rows_in"] * 1.18)
    return _finish(fig)


# --------------------------------------------------------------------------- key drivers

METHOD_TITLES = {
    "shapley": "Shapley / LMG share of R²",
    "relative_weight": "Relative weight share of R²",
    "pratt": "Pratt share of R²",
    "beta": "Standardised beta",
    "correlation": "Correlation with outcome",
}
SHARE_METHODS = ("shapley", "relative_weight", "pratt")  # importance is a part of R²
METHOD_COLUMNS = {
    "shapley": "Shapley",
    "relative_weight": "relative weight",
    "pratt": "Pratt",
    "beta": "beta",
    "correlation": "correlation",
}
ZONE_COLOURS = {"branded": "#d9ead3", "non-branded": "#fff2cc", "un-branded": "#f4cccc"}


def _driver_order(table: pd.DataFrame) -> tuple[str, list[str]]:
    """The primary method (Shapley when present, else the first of METHOD_TITLES) and the
    drivers in its rank order."""
    method = next(m for m in METHOD_TITLES if m in set(table["method"]))
    return method, table[table["method"] == method].sort_values("rank")["driver"].tolist()


def _method_part(table: pd.DataFrame, method: str, order: list[str]) -> tuple[pd.DataFrame, float]:
    """A method's rows in ``order`` and the factor that turns its importance into % of R² (the
    share methods; 0 when R² is not positive) or leaves it as it is (beta, correlation)."""
    part = table[table["method"] == method].set_index("driver").loc[order]
    if method not in SHARE_METHODS:
        return part, 1.0
    r2 = float(part["r2"].iloc[0])
    return part, (100 / r2 if r2 > 0 else 0.0)


def driver_importance(drivers_table: pd.DataFrame, outcome: str, labels: dict | None = None):
    """What drives ``outcome``: each driver's Shapley (LMG) share of R² with its 95% bootstrap
    interval, the largest on top — one chart, readable in print. The other methods (relative
    weights, Pratt, beta, correlation) are compared in a table: :func:`driver_method_table`."""
    table = drivers_table[drivers_table["outcome"] == outcome]
    method, order = _driver_order(table)
    part, scale = _method_part(table, method, order)
    names = [_wrap((labels or {}).get(d, d), 34) for d in order]
    pitch = max(0.3, 0.19 * max(n.count("\n") + 1 for n in names) + 0.1)
    fig, ax = plt.subplots(figsize=(WIDTH, pitch * len(order) + 1.4))
    value, low, high = part["importance"] * scale, part["ci_low"] * scale, part["ci_high"] * scale
    y = list(range(len(order)))
    ax.barh(y, value, color=KEPT, alpha=0.85, height=0.6)
    ax.errorbar(
        value,
        y,
        xerr=[(value - low).clip(lower=0), (high - value).clip(lower=0)],
        fmt="none",
        ecolor="#333333",
        elinewidth=1,
        capsize=3,
    )
    share = method in SHARE_METHODS
    for row, (v, h) in enumerate(zip(value, high, strict=True)):
        if pd.isna(v):
            continue
        ax.text(
            max(v, h), row, f" {v:.1f}%" if share else f" {v:.2f}", va="center", fontsize=LABEL_PT
        )
    ax.set_yticks(y, names, fontsize=TICK_PT)
    ax.invert_yaxis()
    ax.axvline(0, color="#666666", linewidth=0.8)
    right = max(float(high.max()), float(value.max()), 0.0)
    ax.set_xlim(min(0.0, float(low.min()) * 1.1), right * 1.2 if right > 0 else 1.0)
    r2 = float(part["r2"].iloc[0]) if "r2" in part else float("nan")
    ax.set_xlabel(
        f"% of explained variance (R² = {r2:.2f})\nwith its 95% bootstrap interval"
        if share
        else f"{METHOD_TITLES[method]}\nwith its 95% bootstrap interval"
    )
    ax.set_title(_wrap(f"What drives {outcome}: {METHOD_TITLES[method]}", 56))
    return _finish(fig)


def driver_method_table(
    drivers_table: pd.DataFrame, outcome: str, labels: dict | None = None
) -> pd.DataFrame:
    """Every importance method side by side, for a table in the report. The comparison moved here
    from the five small panels :func:`driver_importance` used to draw, which printed at ~4 pt.

    One row per driver of ``outcome``, in Shapley rank order; per method one column with its
    importance — as % of R² for the share methods (Shapley/LMG, relative weight, Pratt), the
    coefficient for beta and correlation — and one with the driver's rank by that method."""
    table = drivers_table[drivers_table["outcome"] == outcome]
    _, order = _driver_order(table)
    frame = pd.DataFrame({"driver": [str((labels or {}).get(d, d)) for d in order]})
    for method in (m for m in METHOD_TITLES if m in set(table["method"])):
        part, scale = _method_part(table, method, order)
        name = METHOD_COLUMNS[method]
        column = f"{name} (% of R²)" if method in SHARE_METHODS else name
        frame[column] = (part["importance"] * scale).to_numpy()
        frame[f"{name} rank"] = part["rank"].astype(int).to_numpy()
    return frame


def importance_performance_map(ipa: pd.DataFrame, outcome: str):
    """Derived importance against performance, split at the means into four quadrants; the point
    labels are moved apart and off the quadrant names."""
    fig, ax = plt.subplots(figsize=(WIDTH, 5.2))
    x, y = 100 * ipa["importance_share"], ipa["performance"]
    ax.scatter(x, y, s=50, color=KEPT, zorder=3)
    ax.axvline(x.mean(), color="#888888", linestyle="--")
    ax.axhline(y.mean(), color="#888888", linestyle="--")
    ax.margins(x=0.08, y=0.18)  # room in the corners for the quadrant names
    corners = label_corners(
        ax,
        {
            "low priority": "bottom left",
            "fix first": "bottom right",
            "possible overkill": "top left",
            "keep up": "top right",
        },
        highlight="fix first",
        colour="#555555",
    )
    texts = [
        ax.text(px, py, str(name), fontsize=LABEL_PT, zorder=4)
        for px, py, name in zip(x, y, ipa["driver"], strict=True)
    ]
    ax.set_xlabel(f"Derived importance for {outcome} (% of R², Shapley)")
    ax.set_ylabel("Performance (mean score, 0–100)")
    ax.set_title("Importance–performance: where to act")
    _value_axis(ax, "y", 0, 100)
    return _finish(fig, lambda: _place_labels(ax, texts, x, y, corners))


def stated_vs_derived_chart(table: pd.DataFrame, outcome: str):
    """What customers say matters against what moves the outcome, both as % of their total."""
    data = table.copy()
    data["stated %"] = 100 * data["stated_mean"] / data["stated_mean"].sum()
    data["derived %"] = 100 * data["derived_share"] / data["derived_share"].sum()
    data = data.sort_values("derived %")
    fig, ax = plt.subplots(figsize=(WIDTH, 0.32 * len(data) + 1.5))
    y = range(len(data))
    ax.hlines(y, data["stated %"], data["derived %"], color="#bbbbbb", linewidth=2)
    ax.scatter(data["stated %"], y, color=TOTAL, label="stated\n(what customers say)", zorder=3)
    ax.scatter(data["derived %"], y, color=KEPT, label=f"derived\n(what moves {outcome})", zorder=3)
    ax.set_yticks(list(y), data["driver"], fontsize=TICK_PT)
    ax.set_xlabel("% of total importance")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=LABEL_PT)
    ax.set_title("Stated vs derived importance")
    return _finish(fig)


def cei_bei_chart(table: pd.DataFrame, threshold: float = 60.0, off_diagonal: float = 10.0):
    """Touchpoints on the CEI × BEI map: bubbles sized by importance, zones and the diagonal;
    labels of overlapping bubbles are moved apart so each stays readable."""
    data = table.dropna(subset=["cei", "bei"])
    low = min(40.0, float(data[["cei", "bei"]].min().min()) - 5)
    fig, ax = plt.subplots(figsize=(6.5, 6.0))
    for (x0, y0), (w, h), zone in (
        ((threshold, threshold), (100, 100), "branded"),
        ((0, 0), (threshold, threshold), "un-branded"),
        ((threshold, 0), (100, threshold), "non-branded"),
        ((0, threshold), (threshold, 100), "non-branded"),
    ):
        ax.add_patch(plt.Rectangle((x0, y0), w, h, color=ZONE_COLOURS[zone], zorder=0))
    ax.plot([0, 100], [0, 100], color="#555555", linewidth=1)
    for shift in (off_diagonal, -off_diagonal):
        ax.plot([0, 100], [shift, 100 + shift], color="#999999", linewidth=0.8, linestyle=":")
    size = 2500 * data["importance"] / max(data["importance"].max(), 1e-9) + 40
    ax.scatter(data["cei"], data["bei"], s=size, color=KEPT, alpha=0.6, edgecolor="white", zorder=3)
    texts = [
        ax.text(
            row["cei"],
            row["bei"],
            str(row["touchpoint"]),
            ha="center",
            va="center",
            fontsize=LABEL_PT,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0},
        )
        for _, row in data.iterrows()
    ]
    ax.set_xlim(low, 100)
    ax.set_ylim(low, 100)
    ax.set_xlabel("Customer-experience index (CEI, 0–100)")
    ax.set_ylabel("Brand-experience index (BEI, 0–100)")
    zones = [
        ax.text(99, 99, "branded", ha="right", va="top", fontsize=9),
        ax.text(low + 1, low + 1, "un-branded", ha="left", va="bottom", fontsize=9),
    ]
    ax.set_title("CEI × BEI: does each touchpoint carry the brand?")
    _value_axis(ax, "x", 0, 100)
    _value_axis(ax, "y", 0, 100)
    return _finish(fig, lambda: _place_labels(ax, texts, avoid=zones, avoid_self=False))


def emotion_curve_chart(curve: pd.DataFrame, title: str = "Emotion curve across the journey"):
    """Mean experience per journey stage with its CI on the full 0–100 scale (a zoomed axis
    would exaggerate the dips); peak (★) and end (■) marked per group."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.3))
    groups = curve["group"].nunique()
    palette = sns.color_palette("tab10", groups)
    for colour, (group, part) in zip(palette, curve.groupby("group", sort=False), strict=True):
        part = part.sort_values("stage")
        ax.plot(part["stage"], part["mean"], marker="o", color=colour, label=str(group))
        ax.fill_between(part["stage"], part["ci_low"], part["ci_high"], color=colour, alpha=0.15)
        peak, end = part[part["peak"]], part[part["end"]]
        ax.scatter(
            peak["stage"],
            peak["mean"],
            marker="*",
            s=220,
            color=colour,
            edgecolor="black",
            zorder=4,
        )
        ax.scatter(
            end["stage"], end["mean"], marker="s", s=70, color=colour, edgecolor="black", zorder=4
        )
    stages = curve.drop_duplicates("stage").sort_values("stage")
    chars = max(6, int(5.2 / max(len(stages), 1) * 72 / (0.6 * TICK_PT)))
    ax.set_xticks(
        list(stages["stage"]),
        [
            _wrap(f"{s}. {t}", chars)
            for s, t in zip(stages["stage"], stages["touchpoint"], strict=True)
        ],
        fontsize=TICK_PT,
    )
    ax.set_ylim(0, 100)
    ax.set_ylabel("Mean experience (0–100)")
    ax.set_title(title)
    if groups > 1:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=LABEL_PT)
    _value_axis(ax, "y", 0, 100)
    return _finish(fig)


def nps_chart(table: pd.DataFrame, by: str, title: str, in_time_order: bool = False):
    """NPS with its adjusted-Wald interval per group: sorted by NPS, or — for periods — in time
    order from the top, a change from the previous period marked ▲/▼ where its Holm-adjusted
    p-value (``change_p``) is below 0.05."""
    data = table if in_time_order else table.sort_values("nps")
    fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(data) + 1.5))
    y = range(len(data))
    ax.errorbar(
        data["nps"],
        y,
        xerr=[data["nps"] - data["ci_low"], data["ci_high"] - data["nps"]],
        fmt="o",
        color=KEPT,
        ecolor="#333333",
        capsize=3,
    )
    labels = [
        f"{str(g).replace('_', ' ')} (n={n:,.0f})" for g, n in zip(data[by], data["n"], strict=True)
    ]
    if in_time_order and "change_p" in data:
        labels = [
            f"{label} {'▲' if change > 0 else '▼'} {change:+.1f}" if p < 0.05 else label
            for label, change, p in zip(labels, data["change"], data["change_p"], strict=True)
        ]
    ax.set_yticks(list(y), labels, fontsize=TICK_PT)
    if in_time_order:
        ax.invert_yaxis()  # the first period on top
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_xlabel("NPS (−100…100), 95% adjusted-Wald interval")
    ax.set_title(title)
    return _finish(fig)


# --------------------------------------------------------------------------- segments
# The segment figures live in plots_segments (this module stays under ~600 lines); they are
# read from here as before (``plots.value_loyalty_map``), imported on first use: plots_segments
# imports this module's helpers, so an import at the top of either would be circular.
SEGMENT_FIGURES = (
    "ARCHETYPE_COLOURS",
    "value_loyalty_map",
    "value_concentration",
    "clv_by_archetype",
    "holdout_chart",
    "profile_heatmap",
    "loyalty_grid_chart",
)
__all__ += SEGMENT_FIGURES


def __getattr__(name: str):
    if name in SEGMENT_FIGURES:
        from cemlib.report import plots_segments

        return getattr(plots_segments, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
