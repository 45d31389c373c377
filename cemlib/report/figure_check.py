"""Figures a reader can read: the print model the reports' figures are judged under, and the
rules each figure must pass before it goes into a report.

**The print model.** Reports are read on screen and printed to A4 with 16 mm side margins: the
content is 178 mm ≈ :data:`PRINT_WIDTH_IN` = 7.0 in wide. A figure is saved with
``bbox_inches="tight"`` (padded by :data:`SAVE_PAD_IN`), so its image is the tight box of what
it draws, not its ``figsize``. The whitepaper embeds the PNG at :data:`EMBED_DPI` with a CSS
width of its size in inches × :data:`CSS_PX_PER_IN` (``cemlib.report.html.figure``), and a stage
report shows the inline PNG at the figure's 96 dpi, i.e. at the same size: one figure inch is
one printed inch — until the image is wider than the page, when the browser shrinks it to fit
(and, in the whitepaper, to at most :data:`PRINT_MAX_HEIGHT_IN` high). :func:`print_scale` is
that factor, and every size rule below is judged after it: a 9 pt label on a 10 in wide figure
prints at 6.3 pt.

**The rules**, each a function returning human-readable problems (empty: the figure passes):

* :func:`small_text` — no text smaller than :data:`MIN_PRINT_PT` (8 pt) once printed: the
  smallest size generally held legible in print;
* :func:`overlapping_text` — no two labels whose rendered boxes overlap: one hides the other;
* :func:`legend_over_data` — no legend over the points, bars or lines of its axes: it hides data;
* :func:`clipped_text` — no text cut by its clip box or running off the figure;
* :func:`truncated_axes` — a value axis with a declared scale (:func:`declare_scale`) starts at
  the scale's minimum, or says on the axes that it does not (:func:`note_axis_start`): a zoomed
  axis exaggerates differences (a 59–73 span on a 0–100 scale looks like a collapse).

:func:`problems` runs them all on one draw of the figure; :func:`check` is what every plot
function of :mod:`cemlib.report.plots` ends with: with ``CEM_FIGURE_CHECK=strict`` (the tests)
an unreadable figure raises :class:`ValueError`, otherwise it warns with
:class:`FigureReadabilityWarning` and the report is still written.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase, TransformedPath

__all__ = [
    "PRINT_WIDTH_IN",
    "PRINT_MAX_HEIGHT_IN",
    "CSS_PX_PER_IN",
    "EMBED_DPI",
    "SAVE_PAD_IN",
    "MIN_PRINT_PT",
    "FigureReadabilityWarning",
    "Drawn",
    "draw",
    "saved_size_in",
    "print_scale",
    "css_width_px",
    "declare_scale",
    "note_axis_start",
    "small_text",
    "overlapping_text",
    "legend_over_data",
    "clipped_text",
    "truncated_axes",
    "problems",
    "check",
]

PRINT_WIDTH_IN = 7.0  # A4 (210 mm) less two 16 mm margins = 178 mm
PRINT_MAX_HEIGHT_IN = 230 / 25.4  # the whitepaper's print CSS caps a figure at 230 mm high
CSS_PX_PER_IN = 96  # CSS pixels per inch, on screen and in print
EMBED_DPI = 160  # the whitepaper's PNGs: crisp in print, shown at their size in inches
SAVE_PAD_IN = 0.1  # savefig's pad_inches around the tight box
MIN_PRINT_PT = 8.0
OVERLAP_TOLERANCE_PT = 0.0  # boxes may touch, not overlap
_SCALES, _NOTES = "_cem_declared_scales", "_cem_axis_notes"  # attributes set on an Axes


class FigureReadabilityWarning(UserWarning):
    """A figure breaks a readability rule (see :mod:`cemlib.report.figure_check`)."""


@dataclass(frozen=True)
class Drawn:
    """A figure after one draw: the renderer and every text actually drawn (visible, with
    non-blank text, inside the view for tick labels), in drawing order."""

    renderer: Any
    texts: list[Text]


@contextmanager
def _recording_texts() -> Iterator[list[Text]]:
    """Record each Text that draws itself (tick labels outside the view limits, hidden and empty
    texts never reach ``Text.draw``'s rendering, so they are not recorded)."""
    drawn: list[Text] = []
    original = Text.draw

    def recording(self: Text, renderer: Any) -> None:
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        original(self, renderer)

    Text.draw = recording  # type: ignore[method-assign,assignment]
    try:
        yield drawn
    finally:
        Text.draw = original  # type: ignore[method-assign]


def draw(fig: Figure) -> Drawn:
    """Draw ``fig`` once (as savefig would, without writing pixels) and collect its texts."""
    with _recording_texts() as texts:
        fig.draw_without_rendering()
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    # A text at a non-finite position is skipped by matplotlib: nothing drawn, nothing to judge.
    shown = [t for t in dict.fromkeys(texts) if np.isfinite(_text_box(t, renderer).extents).all()]
    return Drawn(renderer, shown)


def _text_box(text: Text, renderer: Any) -> Bbox:
    """The box of the text itself (an annotation's arrow left out), in display pixels."""
    return Text.get_window_extent(text, renderer)


def _quote(text: Text) -> str:
    words = " ".join(text.get_text().split())
    return f'"{words[:60]}…"' if len(words) > 60 else f'"{words}"'


def saved_size_in(fig: Figure, drawn: Drawn | None = None) -> tuple[float, float]:
    """(width, height) in inches of the image ``savefig(bbox_inches="tight")`` writes: the
    figure's tight box plus the save padding on each side."""
    drawn = drawn or draw(fig)
    box = fig.get_tightbbox(drawn.renderer)
    return box.width + 2 * SAVE_PAD_IN, box.height + 2 * SAVE_PAD_IN


def print_scale(fig: Figure, drawn: Drawn | None = None) -> float:
    """How much printing shrinks the figure: 1 while its image fits the page (1 figure inch = 1
    printed inch), else ``PRINT_WIDTH_IN / width`` (or the height cap, whichever is smaller)."""
    width, height = saved_size_in(fig, drawn)
    return float(min(1.0, PRINT_WIDTH_IN / width, PRINT_MAX_HEIGHT_IN / height))


def css_width_px(png: bytes, dpi: float = EMBED_DPI) -> int:
    """The CSS width that shows a PNG saved at ``dpi`` at its size in inches (read from the
    PNG's header), so a browser prints one figure inch as one inch."""
    width_px = int.from_bytes(png[16:20], "big")
    return round(width_px / dpi * CSS_PX_PER_IN)


# --------------------------------------------------------------------------- declared scales


def declare_scale(ax: Axes, axis: str, minimum: float, maximum: float) -> None:
    """Declare that the values on ``axis`` ("x" or "y") of ``ax`` live on the scale
    ``minimum``–``maximum`` (e.g. a 0–100 index): :func:`truncated_axes` then requires the axis to
    start at ``minimum`` or carry a note saying it does not."""
    scales = dict(getattr(ax, _SCALES, {}))
    scales[axis] = (float(minimum), float(maximum))
    setattr(ax, _SCALES, scales)


def note_axis_start(ax: Axes, axis: str, text: str | None = None) -> Text:
    """Say on the axes that ``axis`` does not start at its declared scale's minimum: a line added
    to the axis label — "(axis starts at 45, not 0)" — where it is read with the axis and covers
    no data. Call it once the limits are final; returns the label."""
    label = (ax.yaxis if axis == "y" else ax.xaxis).label
    low = min(ax.get_ylim() if axis == "y" else ax.get_xlim())
    minimum = getattr(ax, _SCALES, {}).get(axis, (0.0, 0.0))[0]
    note = text or f"(axis starts at {low:.3g}, not {minimum:g})"
    label.set_text(f"{label.get_text()}\n{note}" if label.get_text() else note)
    notes = dict(getattr(ax, _NOTES, {}))
    notes[axis] = (label, note)
    setattr(ax, _NOTES, notes)
    return label


# --------------------------------------------------------------------------- the rules


def small_text(fig: Figure, drawn: Drawn | None = None) -> list[str]:
    """Rule (a): no visible text smaller than ``MIN_PRINT_PT`` at print size (its font size in
    points × :func:`print_scale`) — below 8 pt a printed label is hard to read."""
    drawn = drawn or draw(fig)
    scale = print_scale(fig, drawn)
    found = []
    for text in drawn.texts:
        size = float(text.get_fontsize())
        if size * scale < MIN_PRINT_PT - 1e-9:
            found.append(
                f"text {_quote(text)} prints at {size * scale:.1f} pt "
                f"(< {MIN_PRINT_PT:g} pt; {size:g} pt × print scale {scale:.2f})"
            )
    return found


def _overlap(a: BboxBase, b: BboxBase, tolerance: float) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return bool(width > tolerance and height > tolerance)


def overlapping_text(fig: Figure, drawn: Drawn | None = None) -> list[str]:
    """Rule (b): no two drawn texts — tick labels, annotations, titles, legend entries, corner
    labels — whose rendered boxes overlap by more than ``OVERLAP_TOLERANCE_PT``: where they
    overlap, one label hides the other. (Boxes are axis-aligned, so a rotated label is judged
    by the box around it: conservative.)"""
    drawn = drawn or draw(fig)
    tolerance = OVERLAP_TOLERANCE_PT * fig.dpi / 72
    boxes = [_text_box(t, drawn.renderer) for t in drawn.texts]
    found = []
    for i, (text_i, box_i) in enumerate(zip(drawn.texts, boxes, strict=True)):
        for text_j, box_j in zip(drawn.texts[i + 1 :], boxes[i + 1 :], strict=True):
            if _overlap(box_i, box_j, tolerance):
                found.append(f"text {_quote(text_i)} overlaps text {_quote(text_j)}")
    return found


def _data_points(ax: Axes) -> np.ndarray:
    """Display coordinates of the axes' scatter points and the vertices of its data lines."""
    points = [np.empty((0, 2))]
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and collection.get_visible():
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if len(offsets):
                points.append(collection.get_offset_transform().transform(offsets))
    for line in ax.lines:
        if line.get_visible() and line.get_transform() == ax.transData:
            xy = np.asarray(line.get_xydata(), dtype=float)
            if len(xy):
                points.append(ax.transData.transform(xy))
    stacked = np.vstack(points)
    return stacked[np.isfinite(stacked).all(axis=1)]


def legend_over_data(fig: Figure, drawn: Drawn | None = None) -> list[str]:
    """Rule (c): a legend does not sit on its axes' data — no scatter point, data-line vertex or
    bar inside the legend's box — since whatever it covers cannot be read."""
    drawn = drawn or draw(fig)
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        box = legend.get_window_extent(drawn.renderer)
        points = _data_points(ax)
        inside = int(
            (
                (points[:, 0] > box.x0)
                & (points[:, 0] < box.x1)
                & (points[:, 1] > box.y0)
                & (points[:, 1] < box.y1)
            ).sum()
        )
        bars = sum(
            _overlap(patch.get_window_extent(drawn.renderer), box, 0.5)
            for container in ax.containers
            if isinstance(container, BarContainer)
            for patch in container.patches
            if patch.get_visible()
        )
        if inside or bars:
            entries = ", ".join(_quote(t) for t in legend.get_texts()) or "untitled"
            covered = " and ".join(
                ([f"{inside} point(s)"] if inside else []) + ([f"{bars} bar(s)"] if bars else [])
            )
            found.append(f"legend ({entries}) covers {covered} of axes {_axes_name(ax)}")
    return found


def clipped_text(fig: Figure, drawn: Drawn | None = None) -> list[str]:
    """Rule (d): no text cut off — partly outside its clip box (or clip path) or outside the
    figure — since a cut label cannot be read."""
    drawn = drawn or draw(fig)
    tolerance = 0.5 * fig.dpi / 72
    frame = fig.bbox
    found = []
    for text in drawn.texts:
        box = _text_box(text, drawn.renderer)
        if not _inside(box, frame, tolerance):
            found.append(f"text {_quote(text)} runs off the figure")
            continue
        if not text.get_clip_on():
            continue
        clip = text.get_clip_box()
        path = text.get_clip_path()
        if isinstance(path, TransformedPath):
            extents = path.get_fully_transformed_path().get_extents()
            clip = extents if clip is None else Bbox.intersection(clip, extents)
        if clip is not None and not _inside(box, clip, tolerance):
            found.append(f"text {_quote(text)} is clipped by its axes")
    return found


def _inside(box: BboxBase, frame: BboxBase, tolerance: float) -> bool:
    return bool(
        box.x0 >= frame.x0 - tolerance
        and box.y0 >= frame.y0 - tolerance
        and box.x1 <= frame.x1 + tolerance
        and box.y1 <= frame.y1 + tolerance
    )


def truncated_axes(fig: Figure, drawn: Drawn | None = None) -> list[str]:
    """Rule (e): an axis declared to carry a value scale (:func:`declare_scale`) starts at the
    scale's minimum, or the axes shows a note that it does not (:func:`note_axis_start`): a
    zoomed value axis makes small differences look large."""
    drawn = drawn or draw(fig)
    found = []
    for ax in fig.axes:
        for axis, (minimum, maximum) in getattr(ax, _SCALES, {}).items():
            low = min(ax.get_ylim() if axis == "y" else ax.get_xlim())
            if low <= minimum + 1e-9 * max(abs(maximum - minimum), 1.0):
                continue
            note = getattr(ax, _NOTES, {}).get(axis)
            if note is not None and note[0] in drawn.texts and note[1] in note[0].get_text():
                continue
            found.append(
                f"{axis} axis of {_axes_name(ax)} starts at {low:g} on a {minimum:g}–{maximum:g} "
                "scale without a note saying so"
            )
    return found


RULES: tuple[Callable[[Figure, Drawn | None], list[str]], ...] = (
    small_text,
    overlapping_text,
    legend_over_data,
    clipped_text,
    truncated_axes,
)


def problems(fig: Figure) -> list[str]:
    """Every rule's problems for ``fig`` (one draw shared by all); empty when it reads well."""
    drawn = draw(fig)
    return [problem for rule in RULES for problem in rule(fig, drawn)]


def _axes_name(ax: Axes) -> str:
    title = ax.get_title() or ax.get_ylabel() or ax.get_xlabel()
    return _quote(Text(text=title)) if title else "(untitled)"


def _figure_name(fig: Figure) -> str:
    suptitle = fig.get_suptitle()
    if suptitle:
        return _quote(Text(text=suptitle))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return _quote(Text(text=titles[0])) if titles else "(untitled)"


def check(fig: Figure) -> Figure:
    """Run :func:`problems` on ``fig`` when it is made. With the environment variable
    ``CEM_FIGURE_CHECK=strict`` a problem raises :class:`ValueError` naming the figure and its
    problems; otherwise it is a :class:`FigureReadabilityWarning` and the figure is returned."""
    found = problems(fig)
    if found:
        message = f"figure {_figure_name(fig)} is hard to read: " + "; ".join(found)
        if os.environ.get("CEM_FIGURE_CHECK", "").strip().lower() == "strict":
            raise ValueError(message)
        warnings.warn(message, FigureReadabilityWarning, stacklevel=2)
    return fig
