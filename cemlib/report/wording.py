"""Wording helpers for generated sentences: percentages, item names short enough for running
text, ordinals and sentence case."""

from __future__ import annotations

import re

from cemlib.report.html import esc
from cemlib.report.study import Study

__all__ = [
    "SHORT_LABEL",
    "MEASURE_WORDS",
    "CONCENTRATION_WORDS",
    "named",
    "code_words",
    "concentration_word",
    "value_word",
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
    sentence. The codebook's ``label`` (a short name) comes first."""
    if study.codebook is not None and item_id in study.codebook.ids:
        short = study.codebook.item(item_id).short_label
        if short:
            return short
    label = item_label(study, item_id)
    is_name = (
        len(label) <= SHORT_LABEL and len(label.split()) <= 5 and not label.endswith(("?", "？"))
    )
    if label != item_id and is_name:
        return label
    return MEASURE_WORDS.get(str(item_id).lower(), str(item_id).replace("_", " "))


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


# Ids of the usual CX measures in words, for codebooks whose wording is a full question.
MEASURE_WORDS = {
    "ltr": "likelihood to recommend",
    "nps": "Net Promoter Score",
    "osat": "overall satisfaction",
    "csat": "satisfaction",
    "ces": "customer effort",
}

# The adjective a value-concentration figure earns: the share of value the top 20% of customers
# bring (20% means value is spread evenly; Pareto's rule of thumb is 80%).
CONCENTRATION_WORDS = ((0.5, "Value is concentrated"), (0.35, "Value is somewhat concentrated"))


def named(study: Study, item_id: str, html: bool = True) -> str:
    """:func:`short_name`, HTML-escaped unless ``html`` is false."""
    name = short_name(study, item_id)
    return esc(name) if html else name


def code_words(code: object) -> str:
    """A coded value (a complaint reason, a channel) in words, HTML-escaped.

    >>> code_words("delivery_late"), code_words("face_to_face")
    ('delivery late', 'face to face')
    """
    return esc(str(code).replace("_", " "))


def concentration_word(top20_share: float) -> str:
    """The phrase for what the top 20% of customers bring (thresholds:
    :data:`CONCENTRATION_WORDS`).

    >>> concentration_word(0.62), concentration_word(0.33)
    ('Value is concentrated', 'Value is fairly evenly spread')
    """
    for cut, words in CONCENTRATION_WORDS:
        if top20_share >= cut:
            return words
    return "Value is fairly evenly spread"


def value_word(margin_basis: str | None) -> str:
    """What the value axis measures, as the segments stage recorded it (``margin_basis``):
    net margin where transactions carry a margin, revenue where they carry only amounts.

    >>> value_word("margin"), value_word("revenue"), value_word("amount x 0.3")
    ('net margin', 'revenue', 'estimated margin (30% of revenue)')
    """
    if margin_basis in (None, "margin"):
        return "net margin"
    if margin_basis == "revenue":
        return "revenue"
    rate = float(str(margin_basis).rsplit(" ", 1)[-1])
    return f"estimated margin ({rate:.0%} of revenue)"
