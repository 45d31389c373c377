"""The segment figures of the stage reports and the whitepaper — the value × loyalty map, value
concentration, CLV by archetype, the lifetime model's holdout check, cluster profiles and the
attitude × behaviour grid — drawn to the same print rules as :mod:`cemlib.report.plots` (its
helpers, its :func:`~cemlib.report.plots._finish` check), and importable from there too
(``plots.value_loyalty_map``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from cemlib.cx.metrics import concentration_curve, share_at
from cemlib.report.plots import (
    KEPT,
    LABEL_PT,
    REMOVED,
    TICK_PT,
    TOTAL,
    WIDTH,
    _finish,
    _value_axis,
    _wrap,
    label_corners,
)

__all__ = [
    "ARCHETYPE_COLOURS",
    "value_loyalty_map",
    "value_concentration",
    "clv_by_archetype",
    "holdout_chart",
    "profile_heatmap",
    "loyalty_grid_chart",
]

ARCHETYPE_COLOURS = {
    "strategic": "#2e7d32",
    "butterfly": "#f9a825",
    "barnacle": "#1565c0",
    "stranger": "#9e9e9e",
}


def value_loyalty_map(
    segments: pd.DataFrame, thresholds: dict | None = None, sample: int = 6000, seed: int = 0
):
    """Customers on the value × loyalty grid (Reinartz & Kumar 2002), coloured by archetype; how
    many customers lie beyond the axes is said under the x axis, clear of the quadrant names."""
    data = segments.sample(min(sample, len(segments)), random_state=seed)
    fig, ax = plt.subplots(figsize=(WIDTH, 5.6))
    for archetype, colour in ARCHETYPE_COLOURS.items():
        part = data[data["archetype"] == archetype]
        ax.scatter(
            part["loyalty_score"],
            part["value_score"],
            s=6,
            alpha=0.45,
            color=colour,
            label=f"{archetype} ({(segments['archetype'] == archetype).mean():.0%})",
        )
    if thresholds:
        ax.axvline(thresholds["loyalty"], color="#333333", linewidth=1)
        ax.axhline(thresholds["value"], color="#333333", linewidth=1)
    outside = _focus_axes(ax, segments["loyalty_score"], segments["value_score"])
    for axis in (ax.xaxis, ax.yaxis):  # few customers give narrow ranges and crowded ticks
        axis.set_major_locator(MaxNLocator(nbins=6))
    label_corners(
        ax,
        {
            "strangers": "bottom left",
            "barnacles": "bottom right",
            "butterflies": "top left",
            "strategic (true friends)": "top right",
        },
    )
    beyond = f"\n{outside:,} customer(s) beyond the axes are not shown" if outside else ""
    ax.set_xlabel(f"Loyalty score (projected relationship duration){beyond}")
    ax.set_ylabel("Value score (profitability, CLV)")
    ax.set_title("Value × loyalty: who matters")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=LABEL_PT, markerscale=3)
    return _finish(fig)


def _focus_axes(ax, x: pd.Series, y: pd.Series, tail: float = 0.005) -> int:
    """Limit the axes to the central 99 % of customers on each score (padded) when a few far
    outliers — e.g. customers without a purchase, whose scores sit tens of standard deviations
    out — would otherwise squash everyone else into a line; returns how many were left out."""
    outside = pd.Series(False, index=x.index)
    for values, set_limits in ((x, ax.set_xlim), (y, ax.set_ylim)):
        low, high = values.quantile([tail, 1 - tail])
        spread = values.max() - values.min()
        if not spread > 0 or (high - low) > 0.5 * spread:
            continue  # no far outliers: keep matplotlib's limits
        pad = 0.1 * (high - low) if high > low else 1.0
        set_limits(low - pad, high + pad)
        outside |= (values < low - pad) | (values > high + pad)
    return int(outside.sum())


def value_concentration(values: pd.Series, label: str = "margin"):
    """Lorenz/Pareto curve: share of total ``label`` brought by the top x% of customers."""
    curve = concentration_curve(values)
    top20 = share_at(curve, 0.2)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot(100 * curve["share_customers"], 100 * curve["share_value"], color=KEPT)
    ax.plot([0, 100], [0, 100], color="#999999", linestyle="--", linewidth=1)
    ax.axvline(20, color=REMOVED, linewidth=1)
    ax.annotate(
        f"top 20% bring {top20:.0%}",
        (20, 100 * top20),
        xytext=(26, 100 * top20 - 12),
        arrowprops={"arrowstyle": "->"},
        fontsize=9.5,
    )
    ax.set_xlabel("% of customers, most valuable first")
    ax.set_ylabel(f"% of total positive {label} (losses count as 0)")
    ax.set_title(f"Value concentration ({label})")
    _value_axis(ax, "y", 0, 100)
    return _finish(fig)


def clv_by_archetype(segments: pd.DataFrame):
    """Distribution of projected CLV per archetype (symmetric-log scale: CLV can be negative)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.3))
    order = [a for a in ARCHETYPE_COLOURS if a in set(segments["archetype"])]
    sns.boxplot(
        data=segments,
        x="archetype",
        y="clv",
        order=order,
        hue="archetype",
        palette=ARCHETYPE_COLOURS,
        showfliers=False,
        ax=ax,
        legend=False,
    )
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("")
    ax.set_ylabel("Projected CLV (discounted)")
    ax.set_title("Customer lifetime value by archetype")
    return _finish(fig)


def holdout_chart(table: pd.DataFrame):
    """BG/NBD calibration/holdout check: actual vs predicted repeat purchases per bucket; the
    legend sits beside the bars, never on them."""
    data = table.reset_index()
    bucket = data.columns[0]
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    x = range(len(data))
    ax.bar([i - 0.2 for i in x], data["actual"], width=0.4, color=TOTAL, label="actual")
    ax.bar(
        [i + 0.2 for i in x], data["predicted"], width=0.4, color=KEPT, label="BG/NBD\npredicted"
    )
    ax.set_xticks(list(x), data[bucket].astype(str))
    ax.set_xlabel("Repeat purchases in the calibration period")
    ax.set_ylabel("Mean purchases in the holdout period")
    ax.set_title("Does the lifetime model forecast the held-out period?", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=LABEL_PT)
    return _finish(fig)


def profile_heatmap(means: pd.DataFrame, title: str = "Cluster profiles (standardised means)"):
    """Standardised feature means per segment as a diverging heatmap, sized to print whole: long
    segment names wrapped, annotations at 8.5 pt."""
    rows = [_wrap(name, 28) for name in means.index]
    lines = sum(r.count("\n") + 1 for r in rows)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.19 * lines + 0.14 * len(rows) + 2.3))
    sns.heatmap(
        means.set_axis(rows, axis=0),
        cmap="RdBu_r",
        center=0,
        annot=True,
        fmt=".1f",
        linewidths=0.5,
        cbar_kws={"label": "z (standard deviations)"},
        ax=ax,
        annot_kws={"fontsize": LABEL_PT},
    )
    ax.tick_params(labelsize=TICK_PT)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return _finish(fig)


def loyalty_grid_chart(grid: pd.DataFrame):
    """Dick & Basu (1994): relative attitude × repeat patronage, customers per cell."""
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    sns.heatmap(grid, annot=True, fmt=",.0f", cmap="Blues", cbar=False, ax=ax, linewidths=1)
    ax.set_title("Attitudinal × behavioural loyalty")
    return _finish(fig)
