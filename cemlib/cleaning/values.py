"""Reading and repairing values: canonical ids, Unicode, types, dates, channels, scales, free text.

Each step is pure (a frame or a series in, a new one out) and returns what it changed, so the
table pipeline (:mod:`cemlib.cleaning.table`) can count every repair as a ``fix``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.data.schema import RESPONSE_CHANNELS, Codebook
from cemlib.text import detect_language, normalise_text, redact_series, strip_html

__all__ = [
    "DateOrderError",
    "ScaleMismatch",
    "MISSING_MARKERS",
    "blank_missing_markers",
    "canonical_customer_id",
    "integer_spelling",
    "normalise_float_ids",
    "parse_numbers",
    "clean_text",
    "harmonise_items",
    "normalise_channel",
    "normalise_strings",
    "day_month_order",
    "parse_datetimes",
    "parse_values",
]

_CHANNEL_SYNONYMS = {
    "f2f": "face_to_face",
    "in_person": "face_to_face",
    "face-to-face": "face_to_face",
    "facetoface": "face_to_face",
    "online": "web",
    "website": "web",
    "text": "sms",
    "mobile_app": "app",
    "telephone": "phone",
    "call": "phone",
    "e-mail": "email",
    "mail": "email",
}
_TRUE = {"true", "t", "1", "yes", "y", "是", "1.0"}
_FALSE = {"false", "f", "0", "no", "n", "否", "0.0"}


# How exports spell "no value": read as missing in any column (and as an anonymous respondent in
# an id column). 'nan' and 'inf' are not among them: as numbers they are invalid values.
MISSING_MARKERS = frozenset({"null", "none", "n/a", "na", "#n/a", "#null!", "-", "--", "(blank)"})


def blank_missing_markers(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """Replace the missing-value markers of :data:`MISSING_MARKERS` (any case, trimmed) by NA
    in ``columns``; return the frame and how many cells were markers.

    >>> frame = pd.DataFrame({"a": ["1", "NULL", " N/A ", "-", "x"]}, dtype="string")
    >>> out, n = blank_missing_markers(frame, ["a"])
    >>> out["a"].tolist(), n
    (['1', <NA>, <NA>, <NA>, 'x'], 3)
    """
    frame = frame.copy()
    blanked = 0
    for column in columns:
        series = frame[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        marker = series.astype("string").str.strip().str.lower().isin(MISSING_MARKERS)
        marker = marker.fillna(False).astype(bool)
        if marker.any():
            blanked += int(marker.sum())
            frame[column] = series.mask(marker)
    return frame, blanked


_FLOAT_ID = r"^\s*[+-]?\d+\.0+\s*$"


def integer_spelling(ids: pd.Series) -> tuple[pd.Series, int]:
    """Ids as text, with those a spreadsheet or a numeric column turned into floats (``1.0``,
    ``123.000``) back to their integer spelling; returns the ids and how many changed.

    Parquet with a float id column and SPSS (every number is a double) deliver ``1.0`` for
    customer ``1``; left alone, no transaction would find its customer.

    >>> spelled, changed = integer_spelling(pd.Series([1.0, 22.0, None]))
    >>> spelled.tolist(), changed
    (['1', '22', <NA>], 2)
    >>> integer_spelling(pd.Series(["7.0", "A7", "007"]))[0].tolist()
    ['7', 'A7', '007']
    """
    if pd.api.types.is_float_dtype(ids):
        whole = ids.notna() & (ids == ids.round())
        text = ids.astype("string")
        text[whole] = ids[whole].astype("int64").astype("string")
        return text, int(whole.sum())
    if pd.api.types.is_numeric_dtype(ids) and not pd.api.types.is_bool_dtype(ids):
        return ids.astype("Int64").astype("string"), 0
    text = ids.astype("string")
    floaty = text.str.match(_FLOAT_ID).fillna(False).astype(bool)
    if not floaty.any():
        return text, 0
    return text.mask(floaty, text.str.strip().str.replace(r"\.0+$", "", regex=True)), int(
        floaty.sum()
    )


def normalise_float_ids(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """:func:`integer_spelling` on each id column of ``frame``; returns the frame and the
    number of ids changed."""
    frame = frame.copy()
    changed = 0
    for column in columns:
        frame[column], count = integer_spelling(frame[column])
        changed += count
    return frame, changed


# Currency marks and codes stripped from amounts ("¥1,234.50", "1 234 €", "RMB 88").
_CURRENCY = r"[¥$€£₩￥元]|\b(?:RMB|CNY|USD|EUR|GBP|HKD|TWD|JPY)\b"
_THOUSANDS_COMMA = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_DECIMAL_COMMA = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+$"


def parse_numbers(series: pd.Series) -> pd.Series:
    """Numbers as exports write them: currency marks, thousands separators, a decimal comma
    (decided per column: ``12,5`` and ``1.234,50`` mean the comma is decimal, unless the same
    column writes ``1,234.50``), and never an infinite value (``inf`` is unreadable, NaN).

    >>> parse_numbers(pd.Series(["¥1,234.50", "1 234", "RMB 88", "inf", "-7"])).tolist()
    [1234.5, 1234.0, 88.0, nan, -7.0]
    >>> parse_numbers(pd.Series(["12,5", "1.234,50"])).tolist()
    [12.5, 1234.5]
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.astype("float64")
        return values.where(np.isfinite(values))
    text = series.astype("string").str.replace(_CURRENCY, "", regex=True)
    text = text.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    thousands = text.str.match(_THOUSANDS_COMMA).fillna(False).astype(bool)
    decimal = text.str.match(_DECIMAL_COMMA).fillna(False).astype(bool) & ~thousands
    if decimal.any() and not (thousands & text.str.contains(".", regex=False)).any():
        text = text.mask(decimal, text.str.replace(".", "", regex=False).str.replace(",", "."))
    text = text.mask(thousands, text.str.replace(",", "", regex=False))
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    return values.where(np.isfinite(values))


def canonical_customer_id(ids: pd.Series) -> pd.Series:
    """One spelling per customer: NFKC, upper case, no spaces, hyphens or underscores.

    ' c-000123 ', 'Ｃ０００１２３' and 'C000123' all become 'C000123', in every table alike,
    so responses and feedback link to customers whatever the source system typed; a numeric id
    read as a float (``123.0``) is spelled ``123`` (:func:`integer_spelling`).
    """
    out = integer_spelling(ids)[0].str.normalize("NFKC").str.upper()
    return out.str.replace(r"[\s\-_]", "", regex=True).replace("", pd.NA)


def normalise_strings(
    frame: pd.DataFrame, columns: list[str], free_text: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, int]:
    """NFKC-normalise and trim every text cell of ``columns``; return the frame and cells changed.

    Columns in ``free_text`` (what customers wrote) keep the full-width punctuation of Chinese
    sentences (:func:`~cemlib.text.normalise_text` with ``keep_cjk_punctuation``)."""
    frame = frame.copy()
    changed = 0
    for column in columns:
        series = frame[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        values = series.dropna().unique()
        keep = column in free_text
        mapping = {v: normalise_text(str(v), keep_cjk_punctuation=keep) for v in values}
        normalised = series.map(mapping)
        before = series.astype("string")
        after = normalised.astype("string")
        changed += int((before.fillna("\0") != after.fillna("\0")).sum())
        frame[column] = normalised.where(normalised != "", None).astype("string")
    return frame, changed


def parse_values(
    series: pd.Series, kind: str, day_first: str = "auto", timezone: str = "UTC"
) -> tuple[pd.Series, pd.Series]:
    """Read a column as ``kind``; return the parsed values and a mask of unreadable values."""
    present = series.notna()
    if kind in ("id", "str"):
        return series.astype("string"), pd.Series(False, index=series.index)
    if kind in ("int", "float"):
        parsed = parse_numbers(series)
    elif kind in ("date", "datetime"):
        parsed = parse_datetimes(series, day_first, timezone)
    elif kind == "bool":
        if pd.api.types.is_bool_dtype(series):
            return series.astype("boolean"), pd.Series(False, index=series.index)
        lowered = series.astype("string").str.lower()
        parsed = pd.Series(pd.NA, index=series.index, dtype="boolean")
        parsed[lowered.isin(_TRUE).fillna(False)] = True
        parsed[lowered.isin(_FALSE).fillna(False)] = False
    else:  # pragma: no cover - the schema only uses the kinds above
        raise ValueError(f"unknown column kind {kind!r}")
    return parsed, present & parsed.isna()


class DateOrderError(ValueError):
    """A date column whose day/month order cannot be decided from its values."""


_DAY_MONTH = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})\s*$"


def day_month_order(text: pd.Series) -> str | None:
    """Whether a column's ``nn/nn/yyyy`` dates put the day or the month first, decided from
    all its values at once: ``"day_first"`` when some first part exceeds 12, ``"month_first"``
    when some second part does, ``None`` when no value tells (every one could be either).

    >>> day_month_order(pd.Series(["05/01/2025", "13/01/2025"]))
    'day_first'
    >>> day_month_order(pd.Series(["05/01/2025", "01/31/2025"]))
    'month_first'
    >>> day_month_order(pd.Series(["05/01/2025", "06/02/2025"])) is None
    True
    """
    parts = text.astype("string").str.extract(_DAY_MONTH)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    # a value only tells when it is a date under one order (32/13 is none under either)
    says_day = (first > 12) & (first <= 31) & (second <= 12)
    says_month = (second > 12) & (second <= 31) & (first <= 12)
    day_first, month_first = bool(says_day.any()), bool(says_month.any())
    if day_first and month_first:
        raise DateOrderError(
            "dates put the day first in some rows and the month first in others "
            f"(e.g. {text[says_day].iloc[0]} and {text[says_month].iloc[0]})"
        )
    if day_first or month_first:
        return "day_first" if day_first else "month_first"
    return None


def parse_datetimes(series: pd.Series, day_first: str = "auto", timezone: str = "UTC") -> pd.Series:
    """Dates and times as exports write them, as naive datetimes in ``timezone``.

    ISO 8601 first; then the forms Excel and Chinese systems export ('2025/3/18 9:05',
    '2025年3月18日', '18/03/2025'). The day/month order of ``nn/nn/yyyy`` dates is decided once
    per column (``day_first``: ``"auto"`` from the values by :func:`day_month_order`, else
    ``"day_first"`` or ``"month_first"``); a column where no value tells stops with a
    :class:`DateOrderError` asking for the setting, rather than reading each value its own way.
    Values with a UTC offset ('+08:00', 'Z') are converted to ``timezone``; values without one
    are taken to be in it. Dates outside what a timestamp can hold (year 1 or 9999) are NaT.

    >>> parse_datetimes(pd.Series(["2025-01-01T08:00:00+08:00", "2025-01-01T01:00:00Z",
    ...                            "2025-01-01 02:00"])).dt.hour.tolist()
    [0, 1, 2]
    >>> parse_datetimes(pd.Series(["05/01/2025", "13/01/2025"])).dt.month.tolist()
    [1, 1]
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert(timezone).dt.tz_localize(None)
        return _within_timestamp_range(series)
    text = series.astype("string").str.strip()
    aware = text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool).to_numpy()
    naive = text.notna().to_numpy() & ~aware
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    if aware.any():
        stamps = pd.to_datetime(text[aware], format="ISO8601", errors="coerce", utc=True)
        parsed[aware] = stamps.dt.tz_convert(timezone).dt.tz_localize(None).astype(parsed.dtype)
    if naive.any():
        stamps = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        parsed[naive] = stamps.astype(parsed.dtype)
    retry = naive & parsed.isna().to_numpy()
    if retry.any():
        order = day_month_order(text[retry]) if day_first == "auto" else day_first
        dated = text[retry].str.match(_DAY_MONTH).fillna(False).astype(bool)
        if order is None and dated.any():
            parts = text[retry][dated].str.extract(_DAY_MONTH).astype(int)
            either = (parts[0] <= 12) & (parts[1] <= 12) & (parts[0] != parts[1])
            if either.any():
                raise DateOrderError(
                    f"cannot tell whether {text[retry][dated][either].iloc[0]} puts the day or "
                    "the month first: no value of the column has a part above 12; set "
                    "clean.day_first to day_first or month_first"
                )
        alt = (
            text[retry]
            .str.replace(r"[年月/.]", "-", regex=True)
            .str.replace("日", " ", regex=False)
            .str.strip()
        )
        stamps = pd.to_datetime(alt, format="mixed", errors="coerce", dayfirst=order == "day_first")
        parsed[retry] = stamps.astype(parsed.dtype)
    return _within_timestamp_range(parsed)


def _within_timestamp_range(stamps: pd.Series) -> pd.Series:
    """Nanosecond datetimes; dates outside what they can hold (before 1678, after 2261: year 1
    or 9999 as placeholders) become NaT, so they are invalid values, not an exception."""
    inside = stamps.dt.year.between(1678, 2261)
    return stamps.where(inside).astype("datetime64[ns]")


def normalise_channel(channel: pd.Series) -> tuple[pd.Series, int]:
    """Map free-form channel names onto the data model's list; unknown names become 'other'."""
    key = channel.astype("string").str.lower().str.strip().str.replace(" ", "_", regex=False)
    key = key.replace(_CHANNEL_SYNONYMS)
    unknown = key.notna() & ~key.isin(RESPONSE_CHANNELS)
    return key.mask(unknown, "other"), int(unknown.sum())


class ScaleMismatch(ValueError):
    """An item whose answers mostly lie outside the scale its codebook declares."""

    def __init__(self, item: str, message: str):
        super().__init__(message)
        self.item = item


def harmonise_items(
    frame: pd.DataFrame, codebook: Codebook, policy: str, max_out_of_range_share: float = 0.2
) -> tuple[pd.DataFrame, pd.Series, dict[str, int]]:
    """Bring every item onto its codebook scale and direction.

    An item with more than ``max_out_of_range_share`` of its answers (and at least five)
    outside its scale is not a few typos but a codebook that describes another scale (1–5
    declared, 0–10 asked): it raises :class:`ScaleMismatch` instead of quietly blanking most
    answers.

    Order: answers outside the scale the survey asked on are found first (set missing or
    flagged for rejection, by ``policy``); then survey-specific scales are mapped linearly
    onto the codebook scale; then survey-specific reversals (for example an older CES asked
    in the opposite direction) and reverse-worded items are recoded as (min + max) − x.
    Returns the frame, a mask of rows with an out-of-range answer and fix counts.
    """
    frame = frame.copy()
    out_of_range = pd.Series(False, index=frame.index)
    fixes = {
        "out_of_range_set_missing": 0,
        "scale_mapped": 0,
        "survey_reversed": 0,
        "reverse_item_recoded": 0,
    }
    survey = frame["survey"] if "survey" in frame else pd.Series(pd.NA, index=frame.index)
    for item in codebook.items:
        values = frame[item.id].astype("float64")
        low = pd.Series(item.scale[0], index=frame.index)
        high = pd.Series(item.scale[1], index=frame.index)
        for name, rule in codebook.surveys.items():
            if item.id in rule.scales:
                in_survey = (survey == name).fillna(False)
                low[in_survey], high[in_survey] = rule.scales[item.id]
        bad = values.notna() & ((values < low) | (values > high))
        answered = int(values.notna().sum())
        if bad.sum() >= 5 and bad.sum() > max_out_of_range_share * answered:
            raise ScaleMismatch(
                item.id,
                f"{bad.sum() / answered:.0%} of the answers lie outside the scale "
                f"[{item.scale[0]:g}, {item.scale[1]:g}] the codebook declares (seen "
                f"{values.min():g} to {values.max():g}); correct the item's scale, or declare "
                "the survey that asked it on another scale under 'surveys:'",
            )
        out_of_range |= bad
        if policy == "set_missing":
            values = values.mask(bad)
            fixes["out_of_range_set_missing"] += int(bad.sum())
        mapped = (low != item.scale[0]) | (high != item.scale[1])
        span = item.scale[1] - item.scale[0]
        values = values.where(~mapped, item.scale[0] + (values - low) * span / (high - low))
        fixes["scale_mapped"] += int((mapped & values.notna()).sum())
        flip = pd.Series(False, index=frame.index)
        for name, rule in codebook.surveys.items():
            if item.id in rule.reverse:
                flip |= (survey == name).fillna(False)
        if item.reverse:
            fixes["reverse_item_recoded"] += int(values.notna().sum())
            flip = ~flip  # a reversed survey of a reverse-worded item cancels out
        elif flip.any():
            fixes["survey_reversed"] += int((flip & values.notna()).sum())
        values = values.where(~flip, item.scale[0] + item.scale[1] - values)
        frame[item.id] = values
    return frame, out_of_range, fixes


def clean_text(texts: pd.Series, redact: bool) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Strip HTML, redact personal data (typed placeholders), detect language.

    Returns the cleaned texts, their language ('zh', 'en', 'und') and, per row, whether HTML
    was stripped and how many items of each kind of personal data were replaced.
    """
    texts = texts.astype(object)  # a column with no text at all may come typed as Arrow null
    stripped = texts.map(lambda s: strip_html(s) if isinstance(s, str) else (s, False))
    cleaned = stripped.map(lambda pair: pair[0])
    marks = pd.DataFrame({"html": stripped.map(lambda pair: bool(pair[1]))}, index=texts.index)
    cleaned = cleaned.map(
        lambda s: normalise_text(s, keep_cjk_punctuation=True) if isinstance(s, str) else s
    )
    cleaned = cleaned.where(cleaned.fillna("") != "", None)
    if redact:
        cleaned, counts = redact_series(cleaned)
        for kind in counts.columns:
            marks[f"pii_{kind}"] = counts[kind].astype("int64")
    language = cleaned.map(lambda s: detect_language(s) if isinstance(s, str) else pd.NA)
    return cleaned.astype("string"), language.astype("string"), marks
