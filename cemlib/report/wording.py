"""Wording helpers for generated sentences: percentages, item names short enough for running
text, ordinals and sentence case."""

from __future__ import annotations

import re

from cemlib.report.study import Study

__all__ = [
    "SHORT_LABEL",
    "pct",
    "item_label",
    "short_name",
    "strongest",
    "sentence_case",
    "ordinal",
]


SHORT_LABEL = 40  # codebook wordings up to this length read well inside a sentence


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def item_label(study: Study, item_id: str) -> str:
    """The codebook's wording of an item (the question as asked), else its id."""
    if study.codebook is not None and item_id in study.codebook.ids:
        return study.codebook.item(item_id).label
    return item_id


def short_name(study: Study, item_id: str) -> str:
    """An item for running text: its codebook wording when that is a short name rather than a
    question or statement (a measure such as "How well providers communicate"), else its id as
    words (``service_resolution`` → "service resolution"): full questions read badly inside a
    sentence."""
    label = item_label(study, item_id)
    is_name = (
        len(label) <= SHORT_LABEL and len(label.split()) <= 5 and not label.endswith(("?", "？"))
    )
    if label != item_id and is_name:
        return label
    return str(item_id).replace("_", " ")


def strongest(rank: int) -> str:
    """``1`` → "strongest", ``3`` → "3rd strongest"."""
    return "strongest" if int(rank) == 1 else f"{ordinal(rank)} strongest"


def sentence_case(html: str) -> str:
    """Upper-case the first letter of the visible text (findings may open with an item id)."""
    return re.sub(r"^((?:<[^>]+>)*)(\w)", lambda m: m[1] + m[2].upper(), html, count=1)


def ordinal(n: int) -> str:
    n = int(n)
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
