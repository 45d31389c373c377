"""Figures of the stage reports: seaborn/matplotlib, one function per figure, returning the figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

REMOVED, KEPT, TOTAL = "#c0504d", "#4f81bd", "#7f7f7f"


def set_style() -> None:
    """The project's figure look."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 96, "savefig.dpi": 96, "axes.titleweight": "bold"})


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
    """One waterfall per table: where each input row went (DESIGN §5)."""
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
