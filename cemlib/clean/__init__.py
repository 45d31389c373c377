"""Clean the X-VOC: every input row ends in exactly one place, the clean table or the rejects.

Each rule has a reason code and a parameter (``params.yaml`` → ``clean``). Rules that reject a
row are listed in :data:`REJECT_RULES` in the order they are applied: a row failing several
is rejected for the first, and the others are named in its ``detail``. Rules that repair a
value (Unicode normalisation, out-of-range answers set missing, scale harmonisation, redaction)
are counted as ``fixes``. Sources of the survey-quality rules: Meade & Craig (2012), "Identifying
careless responses in survey data", Psychological Methods 17(3) — long-string index, attention
checks; Greszki, Meyer & Schoen (2015), "Exploring the effects of removing 'too fast'
responses", Public Opinion Quarterly 79(2) — speeders relative to the median duration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cemlib.data.io import SOURCE_FILE, SOURCE_ROW, RawFolder
from cemlib.data.schema import FEEDBACK_KINDS, RESPONSE_CHANNELS, TABLE_ORDER, TABLES, Codebook
from cemlib.errors import XVOCError
from cemlib.stages.skips import Skips
from cemlib.text import detect_language, normalise_text, redact_series, strip_html

# Reject rules in the order they are applied (first failing rule is the reason).
REJECT_RULES = (
    "missing_value",  # a required value is empty
    "invalid_value",  # a value cannot be read as its type (or is not allowed, e.g. weight <= 0)
    "test_record",  # test, QA or internal record
    "duplicate_exact",  # same values as an earlier row
    "duplicate_id",  # id of an earlier row with different values
    "duplicate_near",  # same respondent, same answers, close in time
    "speeder",  # duration below a fraction of the survey's median
    "straight_liner",  # long run of identical answers over the driver grid
    "attention_check",  # attention item not answered as instructed
    "out_of_range",  # answer outside the item's scale (when policy is 'reject')
    "orphan",  # transaction of a customer absent from the customers table
    "empty_text",  # feedback without text
)

DEFAULT_PARAMS: dict = {
    "on_invalid_value": "reject",  # reject | stop
    "max_invalid_share": 0.5,  # above this share of unreadable values a column is malformed
    "speeder_fraction": 0.3333,
    "straightline_min_run": 10,
    "straightline_min_items": 4,
    "near_duplicate_window_min": 60,
    "out_of_range": "set_missing",  # set_missing | reject
    "test_id_pattern": r"^(TEST|QA|DEMO|INTERNAL)([-_ ]*\d*)$",
    "test_texts": ["test", "testing", "测试", "test test"],
    "test_tiers": ["internal", "staff", "test"],
    "redact_pii": True,
}

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
FREE_TEXT = ("comment", "text")
_TRUE = {"true", "t", "1", "yes", "y", "是", "1.0"}
_FALSE = {"false", "f", "0", "no", "n", "否", "0.0"}


@dataclass
class TableResult:
    """Outcome of cleaning one table."""

    clean: pd.DataFrame
    rejects: pd.DataFrame
    flags: pd.DataFrame  # per input row: one column per reject rule, plus fix_* repair marks
    fixes: dict[str, int] = field(default_factory=dict)


@dataclass
class CleanResult:
    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    flags: dict[str, pd.DataFrame]
    quality: dict
    codebook: Codebook | None  # None for an input without a survey (and so without codebook)
    skipped: Skips = field(default_factory=Skips)


# --------------------------------------------------------------------------- small pure steps


def canonical_customer_id(ids: pd.Series) -> pd.Series:
    """One spelling per customer: NFKC, upper case, no spaces, hyphens or underscores.

    ' c-000123 ', 'Ｃ０００１２３' and 'C000123' all become 'C000123', in every table alike,
    so responses and feedback link to customers whatever the source system typed.
    """
    out = ids.astype("string").str.normalize("NFKC").str.upper()
    return out.str.replace(r"[\s\-_]", "", regex=True).replace("", pd.NA)


def normalise_strings(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """NFKC-normalise and trim every text cell of ``columns``; return the frame and cells changed."""
    frame = frame.copy()
    changed = 0
    for column in columns:
        series = frame[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        values = series.dropna().unique()
        mapping = {v: normalise_text(str(v)) for v in values}
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
        parsed = pd.to_numeric(series, errors="coerce").astype("float64")
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


def longest_run(values: np.ndarray) -> np.ndarray:
    """Long-string index: the longest run of identical consecutive answers in each row.

    Missing answers break a run. Meade & Craig (2012).
    """
    values = np.asarray(values, dtype="float64")
    n, p = values.shape
    if p == 0:
        return np.zeros(n, dtype=int)
    best = np.where(np.isnan(values[:, 0]), 0, 1)
    run = best.copy()
    for j in range(1, p):
        same = values[:, j] == values[:, j - 1]  # NaN never equals NaN
        run = np.where(same, run + 1, np.where(np.isnan(values[:, j]), 0, 1))
        best = np.maximum(best, run)
    return best


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
    cleaned = cleaned.map(lambda s: normalise_text(s) if isinstance(s, str) else s)
    cleaned = cleaned.where(cleaned.fillna("") != "", None)
    if redact:
        cleaned, counts = redact_series(cleaned)
        for kind in counts.columns:
            marks[f"pii_{kind}"] = counts[kind].astype("int64")
    language = cleaned.map(lambda s: detect_language(s) if isinstance(s, str) else pd.NA)
    return cleaned.astype("string"), language.astype("string"), marks


# --------------------------------------------------------------------------- the table pipeline


class _Verdicts:
    """Collects, for each input row, every rule it fails and a detail per rule."""

    def __init__(self, index: pd.Index) -> None:
        self.flags = pd.DataFrame(False, index=index, columns=list(REJECT_RULES))
        self.details: dict[str, pd.Series] = {}

    def add(self, rule: str, mask: pd.Series, detail: pd.Series | str) -> None:
        mask = mask.reindex(self.flags.index, fill_value=False).fillna(False).astype(bool)
        if not mask.any():
            return
        self.flags[rule] |= mask
        if isinstance(detail, str):
            detail = pd.Series(detail, index=self.flags.index)
        previous = self.details.get(rule)
        detail = detail.reindex(self.flags.index).astype("string")
        self.details[rule] = detail if previous is None else previous.fillna(detail)

    def reasons(self) -> tuple[pd.Series, pd.Series]:
        """First failing rule per row (NA = kept) and its detail, naming any further rules."""
        reason = pd.Series(pd.NA, index=self.flags.index, dtype="string")
        detail = pd.Series(pd.NA, index=self.flags.index, dtype="string")
        for rule in REJECT_RULES:
            take = self.flags[rule] & reason.isna()
            reason[take] = rule
            detail[take] = self.details[rule][take] if rule in self.details else rule
        several = self.flags.index[self.flags.sum(axis=1) > 1]
        for row in several:
            others = [r for r in REJECT_RULES if self.flags.at[row, r]][1:]
            detail[row] = f"{detail[row]} (also: {', '.join(others)})"
        return reason, detail


def _parse_columns(
    frame: pd.DataFrame,
    table: str,
    file: str,
    kinds: dict[str, str],
    nullable: dict[str, bool],
    verdicts: _Verdicts,
    params: dict,
) -> pd.DataFrame:
    frame = frame.copy()
    for column, kind in kinds.items():
        if column not in frame:
            continue
        raw = frame[column]
        parsed, invalid = parse_values(raw, kind)
        if invalid.any():
            first = frame.loc[invalid, SOURCE_ROW].iloc[0]
            value = raw[invalid].iloc[0]
            share = invalid.sum() / max(int(raw.notna().sum()), 1)
            if params["on_invalid_value"] == "stop" or share > params["max_invalid_share"]:
                raise XVOCError(
                    f"'{value}' is not a valid {kind} ({invalid.sum()} of {raw.notna().sum()} "
                    "values unreadable)",
                    file=file,
                    column=column,
                    row=int(first),
                    rule="wrong_type",
                )
            verdicts.add(
                "invalid_value",
                invalid,
                f"{column}: " + raw.astype("string") + f" is not a valid {kind}",
            )
        if not nullable.get(column, True):
            verdicts.add("missing_value", raw.isna(), f"{column} is empty")
        frame[column] = parsed
    return frame


def _kinds(table: str, frame: pd.DataFrame, codebook: Codebook) -> tuple[dict, dict]:
    spec = TABLES[table]
    kinds = {c.name: c.kind for c in spec.columns if c.name in frame}
    nullable = {c.name: c.nullable for c in spec.columns}
    if table == "responses":
        kinds.update({item.id: "float" for item in codebook.items})
    return kinds, nullable


def _content_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]


def _duplicates(frame: pd.DataFrame, table: str, verdicts: _Verdicts) -> pd.Series:
    """Exact duplicates (all values equal an earlier row) and reused ids with other values."""
    id_column = TABLES[table].id_column
    content = _content_columns(frame)
    exact = frame.duplicated(subset=content, keep="first")
    first_row = frame.groupby(content, dropna=False, sort=False)[SOURCE_ROW].transform("first")
    verdicts.add("duplicate_exact", exact, "same values as row " + first_row.astype("string"))
    reused = frame[id_column].notna() & frame.duplicated(subset=[id_column], keep="first") & ~exact
    first_id_row = frame.groupby(id_column, sort=False)[SOURCE_ROW].transform("first")
    verdicts.add(
        "duplicate_id", reused, f"{id_column} already used by row " + first_id_row.astype("string")
    )
    return exact | reused


def _test_records(
    frame: pd.DataFrame,
    table: str,
    raw_ids: dict[str, pd.Series],
    params: dict,
    verdicts: _Verdicts,
) -> pd.Series:
    pattern = re.compile(params["test_id_pattern"], re.IGNORECASE)
    mask = pd.Series(False, index=frame.index)
    for column, ids in raw_ids.items():
        hit = ids.astype("string").str.strip().str.match(pattern).fillna(False).astype(bool)
        verdicts.add("test_record", hit, f"{column} looks like a test id: " + ids.astype("string"))
        mask |= hit
    text_column = {"responses": "comment", "feedback": "text"}.get(table)
    if text_column in frame:
        words = {w.lower() for w in params["test_texts"]}
        text = frame[text_column].astype("string").str.strip().str.lower()
        hit = text.isin(words).fillna(False).astype(bool)
        verdicts.add("test_record", hit, f"{text_column} is a test text: " + text)
        mask |= hit
    if "tier" in frame:
        tiers = {t.lower() for t in params["test_tiers"]}
        hit = frame["tier"].astype("string").str.lower().isin(tiers).fillna(False).astype(bool)
        verdicts.add("test_record", hit, "tier " + frame["tier"].astype("string"))
        mask |= hit
    return mask


def _speeders(frame: pd.DataFrame, fraction: float, verdicts: _Verdicts) -> None:
    if "duration_s" in frame:
        duration = frame["duration_s"].astype("float64")
    elif {"started_at", "submitted_at"} <= set(frame.columns):
        duration = (frame["submitted_at"] - frame["started_at"]).dt.total_seconds()
    else:
        return
    group = frame["survey"].fillna("(none)") if "survey" in frame else pd.Series("", frame.index)
    median = duration.groupby(group).transform("median")
    fast = duration < fraction * median
    verdicts.add(
        "speeder",
        fast,
        "took "
        + duration.round(0).astype("string")
        + " s, median "
        + median.round(0).astype("string")
        + " s",
    )


def _straight_liners(
    frame: pd.DataFrame, codebook: Codebook, params: dict, verdicts: _Verdicts
) -> None:
    drivers = [i.id for i in codebook.items if i.role == "driver"]
    if len(drivers) < params["straightline_min_items"]:
        return
    runs = longest_run(frame[drivers].to_numpy(dtype="float64"))
    threshold = min(params["straightline_min_run"], len(drivers))
    runs = pd.Series(runs, index=frame.index)
    verdicts.add(
        "straight_liner",
        runs >= threshold,
        "same answer on " + runs.astype("string") + f" of {len(drivers)} drivers in a row",
    )


def _attention(frame: pd.DataFrame, codebook: Codebook, verdicts: _Verdicts) -> None:
    for item in codebook.by_role("attention_check"):
        answer = frame[item.id]
        failed = answer.notna() & (answer != item.expect)
        verdicts.add(
            "attention_check",
            failed,
            f"{item.id} answered " + answer.astype("string") + f", expected {item.expect:g}",
        )


def _near_duplicates(
    frame: pd.DataFrame,
    codebook: Codebook,
    window_min: float,
    excluded: pd.Series,
    verdicts: _Verdicts,
) -> None:
    """Same respondent, identical answers to every item, submitted within the window."""
    if "customer_id" not in frame or "submitted_at" not in frame:
        return
    candidates = frame[frame["customer_id"].notna() & ~excluded & frame["submitted_at"].notna()]
    if candidates.empty:
        return
    keys = ["customer_id", *codebook.ids]
    ordered = candidates.sort_values(["submitted_at", SOURCE_ROW])
    grouped = ordered.groupby(keys, dropna=False, sort=False)
    gap = grouped["submitted_at"].diff()
    previous_id = grouped["response_id"].shift()
    near = gap.notna() & (gap <= pd.Timedelta(minutes=window_min))
    verdicts.add(
        "duplicate_near",
        near.reindex(frame.index, fill_value=False),
        (
            "same answers as "
            + previous_id.astype("string")
            + ", "
            + (gap.dt.total_seconds() / 60).round(1).astype("string")
            + " min later"
        ).reindex(frame.index),
    )


def clean_table(
    table: str,
    raw: pd.DataFrame,
    codebook: Codebook,
    params: dict,
    customer_ids: pd.Series | None = None,
    test_customer_ids: set | None = None,
) -> TableResult:
    """Apply every rule to one table; see the module docstring for the rule order."""
    file = str(raw[SOURCE_FILE].iloc[0])
    verdicts = _Verdicts(raw.index)
    fixes: dict[str, int] = {}
    id_columns = [c for c in (TABLES[table].id_column, "customer_id") if c in raw]
    raw_ids = {c: raw[c] for c in id_columns}
    content = _content_columns(raw)
    marks = pd.DataFrame(index=raw.index)
    marks["full_width"] = _width_variants(raw, [c for c in content if c not in FREE_TEXT])
    frame, fixes["unicode_normalised"] = normalise_strings(raw, content)
    kinds, nullable = _kinds(table, frame, codebook)
    frame = _parse_columns(frame, table, file, kinds, nullable, verdicts, params)
    is_test = _test_records(frame, table, raw_ids, params, verdicts)
    if "customer_id" in frame:
        canonical = canonical_customer_id(frame["customer_id"])
        fixes["customer_id_normalised"] = int(
            (canonical.fillna("") != raw["customer_id"].astype("string").fillna("")).sum()
        )
        marks["customer_id_format"] = canonical.fillna("") != raw["customer_id"].astype(
            "string"
        ).str.normalize("NFKC").fillna("")
        frame["customer_id"] = canonical
        if test_customer_ids:
            hit = canonical.isin(test_customer_ids).fillna(False).astype(bool) & ~is_test
            verdicts.add("test_record", hit, "customer " + canonical + " is a test account")
    duplicated = _duplicates(frame, table, verdicts)

    if table == "responses":
        if "channel" in frame:
            frame["channel"], fixes["channel_mapped_to_other"] = normalise_channel(frame["channel"])
        if "weight" in frame:
            verdicts.add(
                "invalid_value",
                frame["weight"] <= 0,
                "weight " + frame["weight"].astype("string") + " is not positive",
            )
        _near_duplicates(frame, codebook, params["near_duplicate_window_min"], duplicated, verdicts)
        _speeders(frame, params["speeder_fraction"], verdicts)
        _straight_liners(frame, codebook, params, verdicts)  # on raw answers, as ticked
        frame, out_of_range, item_fixes = harmonise_items(frame, codebook, params["out_of_range"])
        fixes.update(item_fixes)
        marks["out_of_range"] = out_of_range
        if params["out_of_range"] == "reject":
            verdicts.add("out_of_range", out_of_range, "an answer lies outside its scale")
        _attention(frame, codebook, verdicts)
    if table == "feedback":
        bad_kind = frame["kind"].notna() & ~frame["kind"].str.lower().isin(FEEDBACK_KINDS)
        verdicts.add(
            "invalid_value",
            bad_kind,
            "kind "
            + frame["kind"].astype("string")
            + " is not one of "
            + ", ".join(FEEDBACK_KINDS),
        )
        frame["kind"] = frame["kind"].str.lower()
    text_column = {"responses": "comment", "feedback": "text"}.get(table)
    if text_column in frame:
        frame[text_column], language, text_marks = clean_text(
            frame[text_column], params["redact_pii"]
        )
        frame[f"{text_column}_language" if table == "responses" else "language"] = language
        fixes["html_stripped"] = int(text_marks["html"].sum())
        marks["html"] = text_marks["html"]
        _add_pii_marks(marks, text_marks)
        if table == "feedback":
            verdicts.add("empty_text", frame["text"].isna(), "text is empty")
    if params["redact_pii"]:
        for column in _other_text_columns(frame, table, kinds, text_column):
            frame[column], counts = redact_series(frame[column])
            _add_pii_marks(marks, counts.add_prefix("pii_"))
    for kind in [c for c in marks if c.startswith("pii_")]:
        fixes[kind] = int(marks[kind].sum())
    if table == "transactions" and customer_ids is not None:
        orphan = frame["customer_id"].notna() & ~frame["customer_id"].isin(customer_ids)
        verdicts.add(
            "orphan",
            orphan.fillna(False),
            "customer " + frame["customer_id"] + " is not in the customers table",
        )
    if table in ("responses", "feedback") and customer_ids is not None and "customer_id" in frame:
        frame["customer_linked"] = frame["customer_id"].isin(customer_ids).fillna(False)
        fixes["unlinked_customer"] = int(
            (frame["customer_id"].notna() & ~frame["customer_linked"]).sum()
        )
    return _split(frame, raw, table, verdicts, fixes, marks)


def _other_text_columns(frame, table, kinds, text_column) -> list[str]:
    """Text columns besides the free text that may still carry personal data: any column the
    user brought beyond the data model (an e-mail column, say) and the schema's text columns."""
    id_columns = {TABLES[table].id_column, "customer_id", SOURCE_FILE, SOURCE_ROW, text_column}
    return [
        c
        for c in frame.columns
        if c not in id_columns
        and kinds.get(c, "str") == "str"
        and (pd.api.types.is_string_dtype(frame[c]) or pd.api.types.is_object_dtype(frame[c]))
    ]


def _add_pii_marks(marks: pd.DataFrame, counts: pd.DataFrame) -> None:
    """OR per-row personal-data finds (columns pii_*) into the row marks."""
    for kind in [c for c in counts if c.startswith("pii_")]:
        found = counts[kind] > 0
        marks[kind] = (marks[kind] | found) if kind in marks else found


def _width_variants(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Rows holding a full-width (or other compatibility) character in a coded column."""
    found = pd.Series(False, index=frame.index)
    for column in columns:
        series = frame[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            text = series.astype("string")
            found |= (text.str.normalize("NFKC") != text).fillna(False).astype(bool)
    return found


def _split(frame, raw, table, verdicts: _Verdicts, fixes, marks) -> TableResult:
    reason, detail = verdicts.reasons()
    rejected = reason.notna()
    id_column = TABLES[table].id_column
    rejects = pd.DataFrame(
        {
            "table": table,
            "source_file": raw.loc[rejected, SOURCE_FILE].astype("string"),
            "source_row": raw.loc[rejected, SOURCE_ROW].astype("int64"),
            "record_id": raw.loc[rejected, id_column].astype("string"),
            "rule": reason[rejected],
            "detail": detail[rejected],
        }
    )
    clean = frame.loc[~rejected].rename(
        columns={SOURCE_FILE: "source_file", SOURCE_ROW: "source_row"}
    )
    clean = clean.sort_values([id_column, "source_row"], kind="stable").reset_index(drop=True)
    flags = verdicts.flags.join(marks.add_prefix("fix_"))
    flags.insert(0, "source_row", raw[SOURCE_ROW].astype("int64"))
    return TableResult(clean=clean, rejects=rejects, flags=flags, fixes=fixes)


def clean_folder(raw: RawFolder, params: dict | None = None) -> CleanResult:
    """Clean every table of an input folder read by :func:`cemlib.data.io.read_folder`.

    Customers are cleaned first so that transactions, responses and feedback can be linked
    to them; the codebook is carried through unchanged. Returns the clean tables, one rejects
    table for all, the per-rule flags of every input row and the quality summary of
    ``quality.json``.
    """
    params = {**DEFAULT_PARAMS, **(params or {})}
    skipped = skipped_checks(raw, params)
    results: dict[str, TableResult] = {}
    customer_ids = test_ids = None
    for table in TABLE_ORDER:
        if table not in raw.tables:
            continue
        result = clean_table(table, raw.tables[table], raw.codebook, params, customer_ids, test_ids)
        results[table] = result
        if table == "customers":
            customer_ids = canonical_customer_id(raw.tables[table]["customer_id"]).dropna()
            rejected_test = result.rejects.loc[result.rejects["rule"] == "test_record", "record_id"]
            test_ids = set(canonical_customer_id(rejected_test).dropna())
    rejects = pd.concat([r.rejects for r in results.values()], ignore_index=True)
    rejects = rejects.sort_values(["table", "source_file", "source_row"], kind="stable")
    return CleanResult(
        tables={t: r.clean for t, r in results.items()},
        rejects=rejects.reset_index(drop=True),
        flags={t: r.flags for t, r in results.items()},
        quality=quality_summary(raw, results) | {"skipped": skipped.records()},
        codebook=raw.codebook,
        skipped=skipped,
    )


def skipped_checks(raw: RawFolder, params: dict | None = None) -> Skips:
    """The checks the input does not allow, each with what would enable it.

    A rule that lacks its table or column cannot fire, and a count of 0 would then read as
    "nothing wrong"; these entries say instead that nothing was checked. Entries (analysis
    names): ``survey quality checks`` (no responses), ``codebook gaps`` (no codebook),
    ``speeder check`` (no duration), ``straight-liner check`` (too few driver items),
    ``attention check`` (no attention item), ``near-duplicate check`` (no respondent id or
    time), ``customer linkage`` (customer ids but no customers table to check them against).
    """
    params = {**DEFAULT_PARAMS, **(params or {})}
    skips = Skips()
    tables, codebook = raw.tables, raw.codebook
    responses = tables.get("responses")
    if responses is None:
        skips.add(
            "survey quality checks",
            "the responses table and its codebook.yaml",
            "The input has no survey responses: speeders, straight-liners, attention checks, "
            "near duplicates and answer scales were not checked.",
        )
    if codebook is None:
        skips.add(
            "codebook gaps",
            "codebook.yaml (it comes with the responses table)",
            "The input has no codebook, so no question can be checked for an owner and an action.",
        )
    if responses is not None:
        columns = set(responses.columns)
        if "duration_s" not in columns and not {"started_at", "submitted_at"} <= columns:
            skips.add(
                "speeder check",
                "a duration_s column (or started_at and submitted_at) in responses",
                "The responses carry no answering time.",
            )
        drivers = codebook.by_role("driver")
        if len(drivers) < params["straightline_min_items"]:
            skips.add(
                "straight-liner check",
                f"at least {params['straightline_min_items']} driver items in the codebook",
                f"The codebook has {len(drivers)} driver item(s); a run of identical answers "
                "over fewer items says nothing about care.",
            )
        if not codebook.by_role("attention_check"):
            skips.add(
                "attention check",
                "an attention-check item (role: attention_check, with expect) in the codebook",
                "The survey asked no instructed-response question.",
            )
        if not {"customer_id", "submitted_at"} <= columns:
            skips.add(
                "near-duplicate check",
                "customer_id and submitted_at columns in responses",
                "Without a respondent and a time, repeated submissions cannot be told apart "
                "from different respondents answering alike.",
            )
    with_ids = [t for t in ("transactions", "responses", "feedback") if t in tables]
    with_ids = [t for t in with_ids if "customer_id" in tables[t].columns]
    if "customers" not in tables and with_ids:
        skips.add(
            "customer linkage",
            "the customers table",
            f"Customer ids in {', '.join(with_ids)} cannot be checked against known customers "
            "(orphan transactions, linked responses and feedback).",
        )
    return skips


def quality_summary(raw: RawFolder, results: dict[str, TableResult]) -> dict:
    """The content of ``reports/metrics/quality.json`` (DESIGN §9), plus fixes and codebook gaps."""
    tables = {}
    for table, result in results.items():
        counts = result.rejects["rule"].value_counts()
        tables[table] = {
            "source_file": raw.files[table].name,
            "encoding": raw.encodings[table],
            "rows_in": int(len(raw.tables[table])),
            "rows_out": int(len(result.clean)),
            "rows_rejected": int(len(result.rejects)),
            "rules": {rule: int(counts.get(rule, 0)) for rule in REJECT_RULES},
            "fixes": {k: int(v) for k, v in sorted(result.fixes.items())},
        }
    return {
        "tables": tables,
        "codebook": {
            "items": len(raw.codebook.items) if raw.codebook else 0,
            "items_without_owner_or_action": raw.codebook.missing_owner_or_action()
            if raw.codebook
            else [],
        },
    }


# --------------------------------------------------------------------------- reporting helpers


def quality_table(quality: dict) -> pd.DataFrame:
    """Rows in, out and rejected per table, with the rejections per rule (only rules that fired)."""
    frame = pd.DataFrame(
        {
            table: {
                "rows in": q["rows_in"],
                "rows out": q["rows_out"],
                "rejected": q["rows_rejected"],
                **{rule: n for rule, n in q["rules"].items()},
            }
            for table, q in quality["tables"].items()
        }
    )
    fired = [r for r in frame.index[3:] if frame.loc[r].sum() > 0]
    return frame.loc[["rows in", "rows out", "rejected", *fired]].fillna(0).astype("int64")


def fixes_table(quality: dict) -> pd.DataFrame:
    """Repairs per table: cells or rows changed by each repairing rule."""
    frame = pd.DataFrame({t: q["fixes"] for t, q in quality["tables"].items()}).fillna(0)
    return frame.astype("int64").sort_index()


def codebook_gaps(codebook: Codebook) -> pd.DataFrame:
    """Items without an owner or an action: nobody is accountable for acting on them."""
    rows = [
        {"item": i.id, "role": i.role, "owner": i.owner or "—", "action": i.action or "—"}
        for i in codebook.items
        if not i.owner or not i.action
    ]
    return pd.DataFrame(rows, columns=["item", "role", "owner", "action"])


# planted defect code -> column of the flags frame that should catch it
DEFECT_FLAG = {
    **{rule: rule for rule in REJECT_RULES},
    "full_width": "fix_full_width",
    "customer_id_format": "fix_customer_id_format",
    "html": "fix_html",
    "pii_email": "fix_pii_email",
    "pii_phone": "fix_pii_phone",
    "pii_id_card": "fix_pii_id_card",
    "pii_bank_card": "fix_pii_bank_card",
}
DEFECT_FLAG["out_of_range"] = "fix_out_of_range"


def defect_recovery(result: CleanResult, truth_dir) -> pd.DataFrame:
    """Precision and recall of each rule against the defects the synthetic generator planted.

    A row counts as caught when the rule flags it (whether or not an earlier rule already
    rejected it), so each reject rule is scored on its own. Repairs (``fix_*`` marks) are
    scored on the rows that were kept, since a repair on a rejected row changes nothing.
    Empty when there is no planted truth.
    """
    from pathlib import Path

    columns = ["table", "defect", "planted", "flagged", "caught", "precision", "recall"]
    path = Path(truth_dir) / "defects.parquet"
    if not path.exists():
        return pd.DataFrame(columns=columns)
    planted = pd.read_parquet(path)
    rows = []
    for (table, defect), group in planted.groupby(["table", "defect"], sort=True):
        flag_column = DEFECT_FLAG.get(defect)
        flags = result.flags.get(table)
        if flag_column is None or flags is None or flag_column not in flags:
            continue
        flagged_rows = set(flags.loc[flags[flag_column].astype(bool), "source_row"])
        planted_rows = set(group["source_row"])
        if flag_column.startswith("fix_"):
            kept = set(flags.loc[~flags[list(REJECT_RULES)].any(axis=1), "source_row"])
            flagged_rows, planted_rows = flagged_rows & kept, planted_rows & kept
        caught = len(flagged_rows & planted_rows)
        rows.append(
            {
                "table": table,
                "defect": defect,
                "planted": len(planted_rows),
                "flagged": len(flagged_rows),
                "caught": caught,
                "precision": caught / len(flagged_rows) if flagged_rows else float("nan"),
                "recall": caught / len(planted_rows) if planted_rows else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def write_outputs(result: CleanResult, clean_dir, quality_path) -> list:
    """Write the clean tables, ``rejects.parquet``, the codebook and ``quality.json``."""
    from pathlib import Path

    from cemlib.data.io import write_json, write_parquet, write_yaml

    clean_dir = Path(clean_dir)
    written = [
        write_parquet(frame, clean_dir / f"{table}.parquet")
        for table, frame in result.tables.items()
    ]
    written.append(write_parquet(result.rejects, clean_dir / "rejects.parquet"))
    if result.codebook is not None:  # an input without a survey has no codebook
        written.append(write_yaml(result.codebook.to_dict(), clean_dir / "codebook.yaml"))
    written.append(write_json(result.quality, quality_path))
    return written
