"""The HTML building blocks of the paper: escaped text, headings and sections, paragraphs, the
skip line, figures embedded as PNG data URIs, sortable tables and lists.

Headings, figures and tables carry empty number slots and cross-references carry empty links;
:func:`cemlib.report.numbering.number_document` fills both once the whole paper is assembled."""

from __future__ import annotations

import base64
import io as bytes_io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cemlib.report import figure_check
from cemlib.text import html_escape

__all__ = [
    "esc",
    "heading",
    "section",
    "ref",
    "para",
    "skip_note",
    "figure_png",
    "figure",
    "figure_subsection",
    "table",
    "bullet_list",
]


def esc(value) -> str:
    """Any value as escaped HTML text (numbers are formatted by the caller)."""
    return html_escape("" if value is None else str(value))


def heading(key: str, title: str, level: int = 2, appendix: bool = False) -> str:
    """A numbered heading; ``key`` becomes the anchor ``sec-KEY``."""
    kind = "wp-h wp-appendix" if appendix else "wp-h"
    return (
        f'<h{level} id="sec-{key}" class="{kind}"><span class="wp-num" data-for="sec-{key}">'
        f"</span> {esc(title)}</h{level}>"
    )


def section(key: str, title: str, body: str, appendix: bool = False) -> str:
    return (
        f'<section class="wp-section" aria-labelledby="sec-{key}">'
        f"{heading(key, title, 2, appendix)}{body}</section>"
    )


def ref(anchor: str) -> str:
    """A cross-reference to ``fig-…``, ``tab-…`` or ``sec-…``; the number is filled in later."""
    return f'<a class="wp-ref" href="#{anchor}"></a>'


def para(html: str) -> str:
    return f"<p>{html}</p>"


def skip_note(analysis: str, needs: str, reason: str = "") -> str:
    """The one line shown in place of an analysis the data cannot support."""
    tail = f" {esc(reason)}" if reason else ""
    return f'<p class="wp-skip">Skipped: {esc(analysis)} — needs {esc(needs)}.{tail}</p>'


def figure_png(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes at :data:`~cemlib.report.figure_check.EMBED_DPI` (crisp in print),
    cropped to what it draws, with no timestamp or software stamp (same data, same bytes)."""
    buffer = bytes_io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=figure_check.EMBED_DPI,
        bbox_inches="tight",
        pad_inches=figure_check.SAVE_PAD_IN,
        metadata={"Software": None},
    )
    plt.close(fig)
    return buffer.getvalue()


def figure(fig: plt.Figure, key: str, caption: str, alt: str | None = None) -> str:
    """A numbered figure with the image embedded as a data URI (no file, no network), its width
    set to its size in inches × 96 CSS px: one figure inch shows and prints as one inch, and
    the stylesheet's ``max-width: 100%`` shrinks only a figure wider than the page — the print
    model of :mod:`cemlib.report.figure_check`."""
    png = figure_png(fig)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="fig-{key}" class="wp-figure">'
        f'<img src="data:image/png;base64,{data}" width="{figure_check.css_width_px(png)}" '
        f'alt="{esc(alt or caption)}">'
        f'<figcaption><span class="wp-num" data-for="fig-{key}"></span> {esc(caption)}'
        "</figcaption></figure>"
    )


def figure_subsection(
    key: str, title: str, text: str, fig: plt.Figure, figure_key: str, caption: str
) -> list[str]:
    """A numbered sub-section that reads one figure: heading ``sec-KEY``, a paragraph of
    ``text`` (HTML) and the figure ``fig-FIGURE_KEY``."""
    return [heading(key, title, 3), para(text), figure(fig, figure_key, caption)]


def _cell(value, digits: int) -> tuple[str, str]:
    """(text, sort key) of one table cell; missing values show as a dash, never 'nan'."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "—", ""
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), str(int(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}", str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):,.{digits}f}", repr(float(value))
    return esc(value), esc(value)


def table(frame: pd.DataFrame, key: str, caption: str, digits: int = 1) -> str:
    """A numbered, sortable table; every cell escaped, numbers right-aligned."""
    numeric = {
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    right = ' class="num"'
    head = "".join(
        f'<th scope="col"{right if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns
    )
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            text, sort_key = _cell(value, digits)
            numeric = isinstance(value, int | float | np.integer | np.floating)
            kind = ' class="num"' if numeric and not isinstance(value, bool | np.bool_) else ""
            cells.append(f'<td{kind} data-sort="{sort_key}">{text}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<figure id="tab-{key}" class="wp-table"><figcaption>'
        f'<span class="wp-num" data-for="tab-{key}"></span> {esc(caption)}</figcaption>'
        f'<table class="wp-sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></figure>"
    )


def bullet_list(items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"
