"""Figures of the stage reports and the whitepaper: seaborn/matplotlib, one function per figure,
returning the figure; :func:`set_style` sets the project's look (with a CJK font when one is
installed)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager

from cemlib.cx.metrics import concentration_curve, share_at

__all__ = [
    "set_style",
    "label_corners",
    "waterfall_steps",
    "cleaning_waterfall",
    "driver_importance",
    "importance_performance_map",
    "stated_vs_derived_chart",
    "cei_bei_chart",
    "emotion_curve_chart",
    "nps_chart",
    "value_loyalty_map",
    "value_concentration",
    "clv_by_archetype",
    "holdout_chart",
    "profile_heatmap",
    "loyalty_grid_chart",
    "METHOD_TITLES",
    "ZONE_COLOURS",
    "ARCHETYPE_COLOURS",
]

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
REMOVED, KEPT, TOTAL = "#c0504d", "#4f81bd", "#7f7f7f"


def set_style() -> None:
    """The project's figure look."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 96, "savefig.dpi": 96, "axes.titleweight": "bold"})
    # Codebooks and verbatims are often Chinese: matplotlib's default font has no CJK glyphs.
    available = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in available]
    plt.rcParams["font.sans-serif"] = [*cjk, "DejaVu Sans"]


def label_corners(
    ax, labels: dict[str, str], highlight: str | None = None, colour: str | None = None
) -> None:
    """Name the four quadrants of a map in its corners ("top left", "bottom right", ...);
    ``highlight`` names the one to draw in red."""
    for label, corner in labels.items():
        vertical, horizontal = corner.split()
        ax.text(
            0.02 if horizontal == "left" else 0.98,
            0.02 if vertical == "bottom" else 0.98,
            label,
            transform=ax.transAxes,
            ha=horizontal,
            va=vertical,
            fontsize=10,
            fontweight="bold",
            color=REMOVED if label == highlight else colour,
        )


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
    (the rules are listed in ``docs/data-model.md``)."""
    tables = list(quality["tables"].items())
    fig, axes = plt.subplots(len(tables), 1, figsize=(9, 2.6 * len(tables)), squeeze=False)
    colours = {"total": TOTAL, "removed": REMOVED, "kept": KEPT}
    for ax, (name, table_quality) in zip(axes[:, 0], tables, strict=True):
        steps = waterfall_steps(table_quality)
        ax.barh(
            steps["label"],
            steps["height"],
            left=steps["bottom"],
            color=[colours[k] for k in steps["kind"]],
        )
        for y, (_, step) in enumerate(steps.iterrows()):
            sign = "−" if step["kind"] == "removed" else ""
            ax.text(
                step["bottom"] + step["height"],
                y,
                f" {sign}{int(step['height']):,}",
                va="center",
                fontsize=8,
            )
        ax.invert_yaxis()
        ax.set_title(f"{name}: {table_quality['rows_in']:,} in → {table_quality['rows_out']:,} out")
        ax.set_xlabel("rows")
        ax.set_xlim(0, table_quality["rows_in"] * 1.15)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- key drivers

METHOD_TITLES = {
    "shapley": "Shapley / LMG share of R²",
    "relative_weight": "Relative weight share of R²",
    "pratt": "Pratt share of R²",
    "beta": "Standardised beta",
    "correlation": "Correlation with outcome",
}
ZONE_COLOURS = {"branded": "#d9ead3", "non-branded": "#fff2cc", "un-branded": "#f4cccc"}


def driver_importance(drivers_table: pd.DataFrame, outcome: str, labels: dict | None = None):
    """One panel per method: each driver's importance with its bootstrap CI, ordered by Shapley."""
    table = drivers_table[drivers_table["outcome"] == outcome]
    methods = [m for m in METHOD_TITLES if m in set(table["method"])]
    order = table[table["method"] == methods[0]].sort_values("rank")["driver"].tolist()
    fig, axes = plt.subplots(
        1,
        len(methods),
        figsize=(3.1 * len(methods), 0.32 * len(order) + 1.6),
        sharey=True,
        squeeze=False,
    )
    for ax, method in zip(axes[0], methods, strict=True):
        part = table[table["method"] == method].set_index("driver").loc[order]
        scale = 1.0
        value = part["importance"]
        low, high = part["ci_low"], part["ci_high"]
        if method in ("shapley", "relative_weight", "pratt"):
            scale = 100 / part["r2"].iloc[0] if part["r2"].iloc[0] > 0 else 0.0
        y = range(len(order))
        ax.barh(y, value * scale, color=KEPT, alpha=0.85)
        ax.errorbar(
            value * scale,
            y,
            xerr=[(value - low) * scale, (high - value) * scale],
            fmt="none",
            ecolor="#333333",
            elinewidth=1,
            capsize=2,
        )
        ax.set_title(METHOD_TITLES[method], fontsize=9)
        ax.axvline(0, color="#666666", linewidth=0.8)
        if method in ("shapley", "relative_weight", "pratt"):
            ax.set_xlabel("% of explained variance")
    axes[0, 0].set_yticks(range(len(order)))
    axes[0, 0].set_yticklabels([(labels or {}).get(d, d) for d in order], fontsize=8)
    axes[0, 0].invert_yaxis()
    fig.suptitle(f"What drives {outcome}: importance with 95% bootstrap intervals", fontsize=11)
    fig.tight_layout()
    return fig


def importance_performance_map(ipa: pd.DataFrame, outcome: str):
    """Derived importance against performance, split at the means into four quadrants."""
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    x, y = 100 * ipa["importance_share"], ipa["performance"]
    ax.scatter(x, y, s=60, color=KEPT, zorder=3)
    for _, row in ipa.iterrows():
        ax.annotate(
            row["driver"],
            (100 * row["importance_share"], row["performance"]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.axvline(x.mean(), color="#888888", linestyle="--")
    ax.axhline(y.mean(), color="#888888", linestyle="--")
    label_corners(
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
    ax.set_xlabel(f"Derived importance for {outcome} (% of R², Shapley)")
    ax.set_ylabel("Performance (mean score, 0–100)")
    ax.set_title("Importance–performance: where to act")
    fig.tight_layout()
    return fig


def stated_vs_derived_chart(table: pd.DataFrame, outcome: str):
    """What customers say matters against what moves the outcome, both as % of their total."""
    data = table.copy()
    data["stated %"] = 100 * data["stated_mean"] / data["stated_mean"].sum()
    data["derived %"] = 100 * data["derived_share"] / data["derived_share"].sum()
    data = data.sort_values("derived %")
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(data) + 1.5))
    y = range(len(data))
    ax.hlines(y, data["stated %"], data["derived %"], color="#bbbbbb", linewidth=2)
    ax.scatter(data["stated %"], y, color=TOTAL, label="stated (what customers say)", zorder=3)
    ax.scatter(data["derived %"], y, color=KEPT, label=f"derived (what moves {outcome})", zorder=3)
    ax.set_yticks(list(y))
    ax.set_yticklabels(data["driver"], fontsize=8)
    ax.set_xlabel("% of total importance")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Stated vs derived importance")
    fig.tight_layout()
    return fig


def cei_bei_chart(table: pd.DataFrame, threshold: float = 60.0, off_diagonal: float = 10.0):
    """Touchpoints on the CEI × BEI map: bubbles sized by importance, zones and the diagonal."""
    data = table.dropna(subset=["cei", "bei"])
    low = min(40.0, float(data[["cei", "bei"]].min().min()) - 5)
    fig, ax = plt.subplots(figsize=(6.5, 6.0))
    ax.add_patch(
        plt.Rectangle((threshold, threshold), 100, 100, color=ZONE_COLOURS["branded"], zorder=0)
    )
    ax.add_patch(
        plt.Rectangle((0, 0), threshold, threshold, color=ZONE_COLOURS["un-branded"], zorder=0)
    )
    ax.add_patch(
        plt.Rectangle((threshold, 0), 100, threshold, color=ZONE_COLOURS["non-branded"], zorder=0)
    )
    ax.add_patch(
        plt.Rectangle((0, threshold), threshold, 100, color=ZONE_COLOURS["non-branded"], zorder=0)
    )
    ax.plot([0, 100], [0, 100], color="#555555", linewidth=1)
    ax.plot(
        [0, 100], [off_diagonal, 100 + off_diagonal], color="#999999", linewidth=0.8, linestyle=":"
    )
    ax.plot(
        [0, 100], [-off_diagonal, 100 - off_diagonal], color="#999999", linewidth=0.8, linestyle=":"
    )
    size = 2500 * data["importance"] / max(data["importance"].max(), 1e-9) + 40
    ax.scatter(data["cei"], data["bei"], s=size, color=KEPT, alpha=0.6, edgecolor="white", zorder=3)
    for _, row in data.iterrows():
        ax.annotate(
            row["touchpoint"],
            (row["cei"], row["bei"]),
            ha="center",
            va="center",
            fontsize=8,
            zorder=4,
        )
    ax.set_xlim(low, 100)
    ax.set_ylim(low, 100)
    ax.set_xlabel("Customer-experience index (CEI, 0–100)")
    ax.set_ylabel("Brand-experience index (BEI, 0–100)")
    ax.text(99, 99, "branded", ha="right", va="top", fontsize=9)
    ax.text(low + 1, low + 1, "un-branded", ha="left", va="bottom", fontsize=9)
    ax.set_title("CEI × BEI: does each touchpoint carry the brand?")
    fig.tight_layout()
    return fig


def emotion_curve_chart(curve: pd.DataFrame, title: str = "Emotion curve across the journey"):
    """Mean experience per journey stage with its CI; peak (★) and end (■) marked per group."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    palette = sns.color_palette("tab10", curve["group"].nunique())
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
    ax.set_xticks(stages["stage"])
    ax.set_xticklabels(
        [f"{s}. {t}" for s, t in zip(stages["stage"], stages["touchpoint"], strict=True)],
        fontsize=8,
    )
    ax.set_ylabel("Mean experience (0–100)")
    ax.set_title(title)
    if curve["group"].nunique() > 1:
        ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def nps_chart(table: pd.DataFrame, by: str, title: str, in_time_order: bool = False):
    """NPS with its adjusted-Wald interval per group: sorted by NPS, or — for periods — in time
    order from the top, a change from the previous period marked ▲/▼ where its Holm-adjusted
    p-value (``change_p``) is below 0.05."""
    data = table if in_time_order else table.sort_values("nps")
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(data) + 1.5))
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
    ax.set_yticks(list(y))
    labels = [f"{g} (n={n:,.0f})" for g, n in zip(data[by], data["n"], strict=True)]
    if in_time_order and "change_p" in data:
        labels = [
            f"{label} {'▲' if change > 0 else '▼'} {change:+.1f}" if p < 0.05 else label
            for label, change, p in zip(labels, data["change"], data["change_p"], strict=True)
        ]
    ax.set_yticklabels(labels, fontsize=8)
    if in_time_order:
        ax.invert_yaxis()  # the first period on top
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_xlabel("NPS (−100…100), 95% adjusted-Wald interval")
    ax.set_title(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- segments

ARCHETYPE_COLOURS = {
    "strategic": "#2e7d32",
    "butterfly": "#f9a825",
    "barnacle": "#1565c0",
    "stranger": "#9e9e9e",
}


def value_loyalty_map(
    segments: pd.DataFrame, thresholds: dict | None = None, sample: int = 6000, seed: int = 0
):
    """Customers on the value × loyalty grid (Reinartz & Kumar 2002), coloured by archetype."""
    data = segments.sample(min(sample, len(segments)), random_state=seed)
    fig, ax = plt.subplots(figsize=(7.5, 6))
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
    if outside:
        ax.text(
            0.99,
            0.01,
            f"{outside:,} customer(s) beyond the axes",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            color="#555555",
        )
    label_corners(
        ax,
        {
            "strangers": "bottom left",
            "barnacles": "bottom right",
            "butterflies": "top left",
            "strategic (true friends)": "top right",
        },
    )
    ax.set_xlabel("Loyalty score (projected relationship duration)")
    ax.set_ylabel("Value score (profitability, CLV)")
    ax.set_title("Value × loyalty: who matters")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, markerscale=3)
    fig.tight_layout()
    return fig


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
        fontsize=9,
    )
    ax.set_xlabel("% of customers, most valuable first")
    ax.set_ylabel(f"% of total positive {label} (losses count as 0)")
    ax.set_title(f"Value concentration ({label})")
    fig.tight_layout()
    return fig


def clv_by_archetype(segments: pd.DataFrame):
    """Distribution of projected CLV per archetype (symmetric-log scale: CLV can be negative)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
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
    fig.tight_layout()
    return fig


def holdout_chart(table: pd.DataFrame):
    """BG/NBD calibration/holdout check: actual vs predicted repeat purchases per bucket."""
    data = table.reset_index()
    bucket = data.columns[0]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    x = range(len(data))
    ax.bar([i - 0.2 for i in x], data["actual"], width=0.4, color=TOTAL, label="actual")
    ax.bar([i + 0.2 for i in x], data["predicted"], width=0.4, color=KEPT, label="BG/NBD predicted")
    ax.set_xticks(list(x))
    ax.set_xticklabels(data[bucket].astype(str))
    ax.set_xlabel("Repeat purchases in the calibration period")
    ax.set_ylabel("Mean purchases in the holdout period")
    ax.set_title("Does the lifetime model forecast the held-out period?")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def profile_heatmap(means: pd.DataFrame, title: str = "Cluster profiles (standardised means)"):
    """Standardised feature means per segment as a diverging heatmap."""
    fig, ax = plt.subplots(figsize=(1.0 * means.shape[1] + 3, 0.5 * means.shape[0] + 2))
    sns.heatmap(
        means,
        cmap="RdBu_r",
        center=0,
        annot=True,
        fmt=".1f",
        linewidths=0.5,
        cbar_kws={"label": "z"},
        ax=ax,
        annot_kws={"fontsize": 8},
    )
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    return fig


def loyalty_grid_chart(grid: pd.DataFrame):
    """Dick & Basu (1994): relative attitude × repeat patronage, customers per cell."""
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    sns.heatmap(grid, annot=True, fmt=",.0f", cmap="Blues", cbar=False, ax=ax, linewidths=1)
    ax.set_title("Attitudinal × behavioural loyalty")
    fig.tight_layout()
    return fig
