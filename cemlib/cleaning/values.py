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
    "MISSING_MARKERS",
    "blank_missing_markers",
    "canonical_customer_id",
    "normalise_float_ids",
    "parse_numbers",
    "clean_text",
    "harmonise_items",
    "normalise_channel",
    "normalise_strings",
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


def normalise_float_ids(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """Ids that a spreadsheet or a numeric column turned into floats (``1.0``, ``123.000``)
    back to their integer spelling; return the frame and how many ids changed.

    Parquet with a float id column and SPSS (every number is a double) deliver ``1.0`` for
    customer ``1``; left alone, no transaction would find its customer.

    >>> frame = pd.DataFrame({"customer_id": [1.0, 22.0, None], "x": ["1.0", "a", "b"]})
    >>> out, n = normalise_float_ids(frame, ["customer_id"])
    >>> out["customer_id"].tolist(), n
    (['1', '22', <NA>], 2)
    """
    frame = frame.copy()
    changed = 0
    for column in columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series):
            whole = series.notna() & (series == series.round())
            text = series.astype("string")
            text[whole] = series[whole].astype("int64").astype("string")
            changed += int(whole.sum())
            frame[column] = text
        elif pd.api.types.is_numeric_dtype(series):
            frame[column] = series.astype("Int64").astype("string")
        else:
            text = series.astype("string")
            floaty = text.str.match(_FLOAT_ID).fillna(False).astype(bool)
            if floaty.any():
                changed += int(floaty.sum())
                frame[column] = text.mask(
                    floaty, text.str.strip().str.replace(r"\.0+$", "", regex=True)
                )
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
    so responses and feedback link to customers whatever the source system typed.
    """
    out = ids.astype("string").str.normalize("NFKC").str.upper()
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


def parse_values(series: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Read a column as ``kind``; return the parsed values and a mask of unreadable values."""
    present = series.notna()
    if kind in ("id", "str"):
        return series.astype("string"), pd.Series(False, index=series.index)
    if kind in ("int", "float"):
        parsed = parse_numbers(series)
    elif kind in ("date", "datetime"):
        parsed = parse_datetimes(series)
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


def parse_datetimes(series: pd.Series) -> pd.Series:
    """ISO 8601 first; then the forms Excel and Chinese systems export ('2025/3/18 9:05',
    '2025年3月18日')."""
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series
    else:
        text = series.astype("string")
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        retry = text.notna() & parsed.isna()
        if retry.any():
            alt = (
                text[retry]
                .str.replace(r"[年月/.]", "-", regex=True)
                .str.replace("日", " ", regex=False)
                .str.strip()
            )
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(alt, format="mixed", errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def normalise_channel(channel: pd.Series) -> tuple[pd.Series, int]:
    """Map free-form channel names onto the data model's list; unknown names become 'other'."""
    key = channel.astype("string").str.lower().str.strip().str.replace(" ", "_", regex=False)
    key = key.replace(_CHANNEL_SYNONYMS)
    unknown = key.notna() & ~key.isin(RESPONSE_CHANNELS)
    return key.mask(unknown, "other"), int(unknown.sum())


def harmonise_items(
    frame: pd.DataFrame, codebook: Codebook, policy: str
) -> tuple[pd.DataFrame, pd.Series, dict[str, int]]:
    """Bring every item onto its codebook scale and direction.

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
