"""The figures of the verbatims stage and of the whitepaper's "What customers say": which themes
go with detractors and promoters (NPS impact bubbles), how much each theme is written about and
in what mood, what is emerging, what lost customers wrote about, and themes by group.

Drawn to the print rules of :mod:`cemlib.report.plots` (its helpers, its
:func:`~cemlib.report.plots._finish` check). Theme labels come in English and Chinese: a text
with CJK characters gets an installed CJK font as its fallback whatever style is in force, so no
Chinese label prints as empty boxes. Sentiment has one diverging scale in every figure, red (−1)
through grey (0) to blue (+1). Each function takes the stage's tables and returns the figure; an
empty table is the caller's to check first, and raises :class:`ValueError` here."""

from __future__ import annotations

import functools
import math
import re
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import colors, font_manager
from matplotlib.cm import ScalarMappable
from matplotlib.lines import Line2D
from matplotlib.text import Text

from cemlib.report.plots import (
    CJK_FONTS,
    KEPT,
    LABEL_PT,
    REMOVED,
    TICK_PT,
    TOTAL,
    WIDTH,
    _finish,
    _place_labels,
    _value_axis,
)

__all__ = [
    "SENTIMENT_CMAP",
    "impact_bubbles",
    "theme_sentiment_bars",
    "emerging_chart",
    "leaving_pareto_chart",
    "theme_heatmap",
]

#: Mean sentiment, −1 (negative, red) … 0 (grey) … +1 (positive, blue), in the project's palette.
SENTIMENT_CMAP = colors.LinearSegmentedColormap.from_list(
    "cem_sentiment", [REMOVED, "#d9d9d9", KEPT]
)
_NORM = colors.Normalize(-1.0, 1.0)
NO_SENTIMENT = "white"  # themes whose texts have no sentiment score (bars also hatched)
HIGHLIGHT = "#e07b39"  # a significant change
EDGE = "#404040"
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")

# --------------------------------------------------------------------------- helpers


@functools.cache
def _cjk_families() -> tuple[str, ...]:
    """The CJK font families matplotlib can use. Fonts installed after matplotlib built its font
    cache are missing from it (``set_style`` then finds none): those are registered here."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not known & set(CJK_FONTS):
        for path in font_manager.findSystemFonts():
            name = Path(path).name.lower()
            if ("cjk" in name and "sans" in name) or "wqy" in name or "sourcehansans" in name:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FONTS if name in known)


def _cjk_fallback(fig: plt.Figure) -> None:
    """Give each text with CJK characters the style's fonts followed by a CJK font, so that its
    glyphs are drawn (matplotlib falls back font by font, glyph by glyph)."""
    if cjk := _cjk_families():
        family = list(dict.fromkeys([*plt.rcParams["font.sans-serif"], *cjk]))
        for text in fig.findobj(Text):
            if _CJK.search(text.get_text()):
                text.set_fontfamily(family)


def _done(fig: plt.Figure, *placements) -> plt.Figure:
    _cjk_fallback(fig)
    return _finish(fig, *placements)


def _require(frame: pd.DataFrame | None, what: str, function: str) -> None:
    if frame is None or frame.empty:
        raise ValueError(f"{function}: no {what} to draw (the table is empty); check first")


def _wrap_label(text, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, broken between words (not at hyphens);
    text without spaces (Chinese) in lines of even length, a CJK character counting as two."""
    text = str(text)
    if " " in text.strip():
        return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)
    width = max(4, width * 5 // 9) if _CJK.search(text) else width
    step = math.ceil(len(text) / math.ceil(len(text) / width)) if text else 1
    return "\n".join(text[i : i + step] for i in range(0, len(text), step)) or text


def _pitch(names: list[str], per_line: float = 0.18, base: float = 0.12) -> float:
    """Inches per row of a chart whose rows are named by ``names`` (their lines counted)."""
    return max(0.3, per_line * max(n.count("\n") + 1 for n in names) + base)


def _theme_labels(themes: pd.DataFrame, label: str) -> pd.Series:
    """The ``label`` column where it has a value, the theme id elsewhere."""
    ids = themes["theme"].astype(str)
    if label not in themes:
        return ids
    return themes[label].where(themes[label].notna() & (themes[label].astype(str) != ""), ids)


def _sentiment_colours(values: pd.Series) -> list:
    return [SENTIMENT_CMAP(_NORM(v)) if pd.notna(v) else NO_SENTIMENT for v in values.astype(float)]


def _sentiment_bar(fig: plt.Figure, ax, unscored: str | None, length_in: float, **kwargs):
    """The colour bar of the sentiment scale beside ``ax``, ``length_in`` long and about 0.15 in
    wide; ``unscored`` says how themes without a sentiment score are drawn, where there are any."""
    shrink = min(1.0, length_in / max(ax.get_position().height * fig.get_figheight(), 1e-9))
    mappable = ScalarMappable(_NORM, SENTIMENT_CMAP)
    kwargs = {"pad": 0.02, "fraction": 0.05, "shrink": shrink, "aspect": length_in / 0.15, **kwargs}
    bar = fig.colorbar(mappable, ax=ax, **kwargs)
    bar.set_ticks([-1, 0, 1], labels=["−1 negative", "0", "+1 positive"], fontsize=LABEL_PT)
    bar.set_label("Mean sentiment" + (f"\n({unscored}: no score)" if unscored else ""))
    bar.ax.yaxis.label.set_fontsize(TICK_PT)
    bar.outline.set_visible(False)
    return bar


def _nice(value: float) -> float:
    """``value`` rounded down to 1, 2 or 5 times a power of ten (a size legend's steps)."""
    if value < 1:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return float(max(s for s in (1, 2, 5) if s * power <= value) * power)


# --------------------------------------------------------------------------- figures

BUBBLE_PT2 = 1000.0  # area of the largest bubble, points²


def impact_bubbles(themes: pd.DataFrame, label: str = "label_en", top: int = 15) -> plt.Figure:
    """Which themes go with detractors and which with promoters: the NPS impact bubble chart.

    Each bubble is a theme (the ``top`` largest by ``n`` among those with an NPS impact): across,
    the share of verbatims mentioning it; up, its NPS impact — the NPS of respondents whose
    comment carries the theme minus that of all others, in NPS points, with its 95% interval as
    a vertical bar. A bubble's area is proportional to the respondents mentioning it
    (``n_mentioners``, else ``n``), its colour the theme's mean sentiment (white: no score).
    Read it from the bottom right: big, frequent themes far below the zero line cost the most
    advocacy; an interval crossing zero is no clear association. An association, not a cause.
    """
    _require(themes, "themes", "impact_bubbles")
    data = themes.dropna(subset=["nps_impact", "share"])
    _require(data, "themes with an NPS impact", "impact_bubbles")
    data = data.sort_values(["n", "theme"], ascending=[False, True]).head(top)
    size = data.get("n_mentioners", pd.Series(np.nan, data.index)).fillna(data["n"]).astype(float)
    x, y = 100 * data["share"].astype(float), data["nps_impact"].astype(float)
    low = data.get("impact_ci_low", y).astype(float).fillna(y)
    high = data.get("impact_ci_high", y).astype(float).fillna(y)
    largest = max(float(size.max()), 1.0)

    def area(v):
        return np.clip(BUBBLE_PT2 * np.asarray(v, dtype=float) / largest, 12, None)

    fig, ax = plt.subplots(figsize=(WIDTH, 5.8))
    ax.axhline(0, color="#555555", linewidth=0.9, zorder=1)
    ax.errorbar(x, y, yerr=[(y - low).clip(lower=0), (high - y).clip(lower=0)], fmt="none",
                ecolor="#666666", elinewidth=0.9, capsize=2.5, zorder=2)  # fmt: skip
    bubbles = ax.scatter(x, y, s=area(size), c=_sentiment_colours(data["sentiment_mean"]),
                         alpha=0.8, edgecolor=EDGE, linewidth=0.6, zorder=3)  # fmt: skip
    box = {"boxstyle": "round,pad=0.12", "facecolor": "white", "alpha": 0.7, "linewidth": 0}
    texts = [
        ax.text(px, py, _wrap_label(name, 16), fontsize=LABEL_PT, zorder=4, bbox=box)
        for px, py, name in zip(x, y, _theme_labels(data, label), strict=True)
    ]
    bottom, ceiling = min(float(low.min()), 0.0), max(float(high.max()), 0.0)
    span = ceiling - bottom or 10.0
    ax.set_ylim(bottom - 0.12 * span, ceiling + 0.12 * span)
    ax.set_xlim(0, max(float(x.max()), 1.0) * 1.2)
    ax.set_xlabel("Verbatims mentioning the theme (%)")
    ax.set_ylabel("NPS impact (points): mentioners − others\nwith its 95% interval")
    ax.set_title("Which themes go with detractors and promoters")
    _value_axis(ax, "x", 0, 100)
    unscored = "white" if data["sentiment_mean"].isna().any() else None
    bar = _sentiment_bar(fig, ax, unscored, 2.2, anchor=(0.0, 1.0))
    steps = sorted({_nice(largest), _nice(largest / 4), _nice(largest / 16)} - {0.0}, reverse=True)
    handles = [ax.scatter([], [], s=area(v), color="white", edgecolor=EDGE, lw=0.6) for v in steps]
    bar.ax.legend(handles, [f"{v:,.0f}" for v in steps], title="respondents\nmentioning",
                  title_fontsize=LABEL_PT, fontsize=LABEL_PT, loc="upper left",
                  bbox_to_anchor=(-0.5, -0.1), frameon=False, labelspacing=1.4,
                  handlelength=math.sqrt(BUBBLE_PT2) / LABEL_PT, handletextpad=0.8)  # fmt: skip
    return _done(fig, lambda: _place_bubble_labels(ax, texts, x, y, bubbles))


_DIRECTIONS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)])
_RINGS = np.repeat(np.arange(8), len(_DIRECTIONS))  # distances: 4, 16, 28, … px off the bubble
_WAYS = np.tile(_DIRECTIONS, (8, 1))
_LEADER = {"arrowstyle": "-", "color": "#777777", "lw": 0.6, "shrinkA": 0}


def _place_bubble_labels(ax, texts, x, y, bubbles) -> None:
    """Put each label beside its bubble: of eight directions and eight distances, the nearest
    place that covers no other label, least of the other bubbles and is not nearer another
    bubble than its own; the labels placed one by one in the order (by size, by room, by
    position) that leaves them nearest overall; a label off its bubble gets a thin leader.
    Should labels still overlap, adjustText moves them apart as
    :func:`~cemlib.report.plots._place_labels` does. Deterministic."""
    renderer = ax.figure._get_renderer()
    frame = ax.get_window_extent(renderer)
    centres = ax.transData.transform(np.column_stack([x, y]))
    radii = np.sqrt(bubbles.get_sizes()) / 2 * ax.figure.dpi / 72
    circles = np.column_stack([centres - radii[:, None], centres + radii[:, None]])
    for text in texts:
        text.set_ha("center")
        text.set_va("center")
    sizes = np.array([t.get_window_extent(renderer).size for t in texts])

    def place(order):
        boxes, spots, cost = np.empty((0, 4)), {}, 0.0
        for i in order:
            (w, h), others = sizes[i], np.delete(np.arange(len(texts)), i)
            reach = np.where(_WAYS[:, ::-1] != 0, 0.8, 1.0) * radii[i] + 4 + 12 * _RINGS[:, None]
            middle = centres[i] + _WAYS * (reach + sizes[i] / 2)
            cand = np.column_stack([middle - sizes[i] / 2, middle + sizes[i] / 2])
            out = (cand[:, :2] < frame.p0 - 0.5).any(1) | (cand[:, 2:] > frame.p1 + 0.5).any(1)
            # labels side by side must not touch: they would read as one
            hits = _overlaps(cand, boxes, pad=(8, 2)).sum(1) + out * w * h
            covered = _overlaps(cand, circles[others]).sum(1) / (w * h)
            edges = _box_gap(cand, centres) - radii  # from each place to each bubble's edge
            nearer = (edges[:, others] < edges[:, [i]]).any(axis=1)
            # a third of a bubble covered ≈ 3 rings further out; nearer another bubble ≈ 6
            soft = 3 * covered + 2 * nearer + 0.35 * _RINGS
            best = int(np.lexsort((soft, hits))[0])
            boxes = np.vstack([boxes, cand[best]])
            spots[i] = (middle[best], edges[best, i])
            cost += 1e3 * hits[best] + soft[best]
        return cost, spots

    room = np.minimum(centres - frame.p0, frame.p1 - centres).min(axis=1)
    keys = (-radii, radii, room, centres[:, 0], -centres[:, 0], centres[:, 1], -centres[:, 1])
    _, spots = min((place(np.argsort(k, kind="stable")) for k in keys), key=lambda c: c[0])
    for i, (middle, gap) in spots.items():
        texts[i].set_position(ax.transData.inverted().transform(middle))
        if gap > 8:  # px between label and bubble: say which bubble it names
            arrow = {**_LEADER, "shrinkB": radii[i] * 72 / ax.figure.dpi}
            ax.annotate("", (x.iloc[i], y.iloc[i]), texts[i].get_position(), arrowprops=arrow)
    boxes = [t.get_window_extent(renderer) for t in texts]
    if any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1 :]):
        _place_labels(ax, texts, x, y)


def _box_gap(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance from each box (x0, y0, x1, y1 rows) to each point, 0 inside: (boxes, points)."""
    b, p = boxes[:, None, :], points[None, :, :]
    dx = np.clip(np.maximum(b[..., 0] - p[..., 0], p[..., 0] - b[..., 2]), 0, None)
    dy = np.clip(np.maximum(b[..., 1] - p[..., 1], p[..., 1] - b[..., 3]), 0, None)
    return np.hypot(dx, dy)


def _overlaps(a: np.ndarray, b: np.ndarray, pad: tuple[float, float] = (0, 0)) -> np.ndarray:
    """Area each box of ``a`` (x0, y0, x1, y1 rows), widened by ``pad`` (x, y) on each side,
    shares with each of ``b`` (0 when apart)."""
    a, b = a[:, None, :] + [-pad[0], -pad[1], pad[0], pad[1]], b[None, :, :]
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def theme_sentiment_bars(
    themes: pd.DataFrame, label: str = "label_en", top: int = 15
) -> plt.Figure:
    """How much each theme is written about, and in what mood: one bar per theme (the ``top``
    largest), its length the verbatims mentioning it (``n``, with the share of all verbatims at
    its end), its colour the theme's mean sentiment on the −1…+1 scale (hatched white: no
    score). Longest first: read the red bars near the top as the complaints heard most often."""
    _require(themes, "themes", "theme_sentiment_bars")
    data = themes.sort_values(["n", "theme"], ascending=[False, True]).head(top)
    names = [_wrap_label(n, 34) for n in _theme_labels(data, label)]
    pitch = _pitch(names, 0.19, 0.1)
    fig, ax = plt.subplots(figsize=(WIDTH, pitch * len(data) + 1.5))
    rows = list(range(len(data)))
    unscored = data["sentiment_mean"].isna().to_numpy()
    bars = ax.barh(rows, data["n"], color=_sentiment_colours(data["sentiment_mean"]),
                   edgecolor=EDGE, linewidth=0.5, height=0.65)  # fmt: skip
    for bar, blank in zip(bars, unscored, strict=True):
        bar.set_hatch("///" if blank else None)
    shares = data.get("share", pd.Series(np.nan, data.index))
    for row, (n, share) in enumerate(zip(data["n"], shares, strict=True)):
        end = f" {n:,.0f}" + (f" ({share:.0%})" if pd.notna(share) else "")
        ax.text(n, row, end, va="center", fontsize=LABEL_PT)
    ax.set_yticks(rows, names, fontsize=TICK_PT)
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(data["n"].max()), 1.0) * 1.25)
    ax.set_xlabel("Verbatims mentioning the theme (n, share of all verbatims)")
    ax.set_title("What customers write about, and in what mood")
    _sentiment_bar(fig, ax, "hatched" if unscored.any() else None, min(2.6, pitch * len(data)))
    return _done(fig)


def emerging_chart(emerging: pd.DataFrame, labels: dict, top: int = 12) -> plt.Figure:
    """What is emerging: each theme's share of verbatims in the previous period (open circle)
    and the last (filled), joined by an arrow, for the ``top`` themes that changed most; rising
    themes on top. Themes whose change is significant after the Benjamini–Hochberg correction
    across themes (``change_q`` < 0.05) are drawn in orange, the rest in grey: a grey arrow is
    a change the data cannot tell from noise. The change in percentage points is at the right."""
    _require(emerging, "emerging themes", "emerging_chart")
    data = emerging.dropna(subset=["share_last", "share_previous"])
    _require(data, "themes with shares in both periods", "emerging_chart")
    data = data.assign(_size=(data["share_last"] - data["share_previous"]).abs())
    data = data.sort_values(["_size", "theme"], ascending=[False, True]).head(top)
    data = data.sort_values(["share_change", "theme"], ascending=[False, True])
    before, after = 100 * data["share_previous"], 100 * data["share_last"]
    colour = np.where(data["change_q"] < 0.05, HIGHLIGHT, TOTAL)
    names = [_wrap_label(labels.get(t, t), 30) for t in data["theme"]]
    fig, ax = plt.subplots(figsize=(WIDTH, _pitch(names, 0.17) * len(data) + 1.5))
    rows = np.arange(len(data))
    for row, start, end, c in zip(rows, before, after, colour, strict=True):
        arrow = {"arrowstyle": "-|>", "color": c, "lw": 1.6, "shrinkA": 4, "shrinkB": 4}
        ax.annotate("", xy=(end, row), xytext=(start, row), arrowprops=arrow)
    ax.scatter(before, rows, s=45, facecolor="white", edgecolor=colour, linewidth=1.4, zorder=3)
    ax.scatter(after, rows, s=45, color=colour, zorder=3)
    right = float(np.maximum(before, after).max())
    for row, edge, change in zip(rows, np.maximum(before, after), after - before, strict=True):
        text = f"{change:+.1f} pp".replace("-", "−")
        ax.text(edge + 0.03 * right, row, text, va="center", fontsize=LABEL_PT)
    ax.set_yticks(rows, names, fontsize=TICK_PT)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(0, max(right, 1.0) * 1.25)
    ax.set_xlabel("Share of the period's verbatims mentioning the theme (%)")
    previous, last = data["previous_period"].iloc[0], data["last_period"].iloc[0]
    ax.set_title(f"Emerging themes: {previous} → {last}")
    _value_axis(ax, "x", 0, 100)
    handles = [
        Line2D([], [], marker="o", ls="", mfc="white", mec=TOTAL, label=str(previous)),
        Line2D([], [], marker="o", ls="", color=TOTAL, label=str(last)),
        Line2D([], [], color=HIGHLIGHT, lw=2, label="significant\n(BH q < 0.05)"),
        Line2D([], [], color=TOTAL, lw=2, label="not significant"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=LABEL_PT)
    return _done(fig)


def leaving_pareto_chart(pareto: pd.DataFrame, labels: dict) -> plt.Figure:
    """What customers the lifetime model judges lost wrote about, as a Pareto chart: one bar per
    theme, the lost customers mentioning it (largest on top, with their share of the lost
    customers who wrote), and beside the bars, on its own 0–100% axis, the cumulative share of
    mentions. The dashed line marks 80%: the themes down to where the cumulative line crosses it
    are the vital few that hold most of what lost customers said."""
    _require(pareto, "themes of lost customers", "leaving_pareto_chart")
    data = pareto.sort_values(["customers", "theme"], ascending=[False, True])
    names = [_wrap_label(labels.get(t, t), 30) for t in data["theme"]]
    size = (WIDTH, _pitch(names, 0.17) * len(data) + 1.6)
    fig, (ax, line) = plt.subplots(1, 2, sharey=True, figsize=size, width_ratios=[2.2, 1.2])
    rows = np.arange(len(data))
    ax.barh(rows, data["customers"], color=KEPT, alpha=0.85, height=0.6)
    for row, (n, share) in enumerate(zip(data["customers"], data["share"], strict=True)):
        ax.text(n, row, f" {n:,.0f} ({share:.0%})", va="center", fontsize=LABEL_PT)
    ax.set_yticks(rows, names, fontsize=TICK_PT)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(0, max(float(data["customers"].max()), 1.0) * 1.35)
    writers = pareto.attrs.get("writers")
    of = f"of the {writers:,} who wrote" if writers else "of those who wrote"
    ax.set_xlabel(f"Lost customers mentioning it\n(n, % {of})", fontsize=10)
    ax.set_title("What lost customers wrote about")
    line.axvline(80, color=REMOVED, linestyle="--", linewidth=0.9)
    cumulative = 100 * data["cumulative"]
    line.plot(cumulative, rows, color=REMOVED, marker="o", ms=4, lw=1.4, clip_on=False)
    line.set_xlim(0, 100)
    line.set_xticks([0, 25, 50, 75, 100])
    line.tick_params(axis="y", left=False)
    line.set_xlabel("Cumulative %\nof mentions\n(dashed: 80%)", fontsize=10)
    _value_axis(line, "x", 0, 100)
    return _done(fig)


def theme_heatmap(breakdown: pd.DataFrame, by: str, labels: dict, top: int = 12) -> plt.Figure:
    """Themes by group: each cell the share (%) of the group's verbatims that mention the theme
    (rows: the ``top`` themes by volume over all groups; columns: the values of ``by``, each with
    its number of verbatims). Read across a row to see where a theme is heard most; a column
    adds to more than 100% where texts carry several themes."""
    _require(breakdown, f"themes by {by}", "theme_heatmap")
    data = breakdown.dropna(subset=[by])
    _require(data, f"themes with a {by}", "theme_heatmap")
    order = data.groupby("theme")["n"].sum().sort_values(ascending=False, kind="stable")
    data = data[data["theme"].isin(order.index[:top])]
    shares = data.pivot_table(index="theme", columns=by, values="share", aggfunc="sum")
    shares = 100 * shares.reindex(order.index[:top]).fillna(0.0)
    totals = (data["n"] / data["share"].where(data["share"] > 0)).groupby(data[by]).median()
    rows = [_wrap_label(labels.get(t, t), 30) for t in shares.index]
    groups = [_wrap_label(str(g).replace("_", " "), 12) for g in shares.columns]
    counts = [f"(n={totals[g]:,.0f})" if totals.get(g, 0) > 0 else "" for g in shares.columns]
    lines = sum(r.count("\n") + 1 for r in rows)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.17 * lines + 0.12 * len(rows) + 2.2))
    cells = [[f"{v:.0f}" if v >= 9.5 or v == 0 else f"{v:.1f}" for v in r] for r in shares.values]
    colour_bar = {"label": f"% of the {by.replace('_', ' ')}'s verbatims", "format": "%.0f"}
    sns.heatmap(shares, cmap="Blues", vmin=0, annot=np.array(cells), fmt="", linewidths=0.5,
                annot_kws={"fontsize": LABEL_PT}, cbar_kws=colour_bar, xticklabels=False,
                yticklabels=False, ax=ax)  # fmt: skip
    ax.set_yticks(np.arange(len(rows)) + 0.5, rows, fontsize=TICK_PT, rotation=0)
    columns = np.arange(len(groups)) + 0.5
    ax.set_xticks(
        columns, [f"{g}\n{n}" for g, n in zip(groups, counts, strict=True)], fontsize=TICK_PT
    )
    fig.axes[-1].tick_params(labelsize=TICK_PT)
    ax.set_xlabel("")
    ax.set_ylabel("")
    # above the colour bar too: a title over the axes alone can run into its top tick
    fig.suptitle(f"Themes by {by.replace('_', ' ')}: % of each group's verbatims", fontsize=12)
    _cjk_fallback(fig)  # before the labels are measured
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    cell = ax.get_window_extent(renderer).width / len(groups)
    if any(t.get_window_extent(renderer).width > 0.95 * cell for t in ax.get_xticklabels()):
        upright = [f"{g} {n}".replace("\n", " ") for g, n in zip(groups, counts, strict=True)]
        ax.set_xticks(columns, upright, fontsize=TICK_PT, rotation=90)  # else they would touch
        fig.tight_layout()
    return _done(fig)
