"""The reject rules of the clean stage: their order, their parameters, and one detector per rule.

:data:`REJECT_RULES` lists the rules in the order they are applied: a row failing several is
rejected for the first, and :class:`Verdicts` names the others in its ``detail``. The detectors
here flag rows of one parsed table (duplicates, test records, speeders, straight-liners,
attention checks, near duplicates); the value-level rules (missing and invalid values, out of
range, orphans, empty texts) are applied where the values are read, in
:mod:`cemlib.cleaning.table`. The rules and their parameters are listed in ``docs/data-model.md``.

Sources of the survey-quality rules: Meade & Craig (2012), "Identifying careless responses in
survey data", Psychological Methods 17(3) — long-string index (:func:`longest_run`), attention
checks; Greszki, Meyer & Schoen (2015), "Exploring the effects of removing 'too fast'
responses", Public Opinion Quarterly 79(2) — speeders relative to the median duration.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cemlib.data.io import SOURCE_FILE, SOURCE_ROW
from cemlib.data.schema import TABLES, Codebook

__all__ = [
    "DEFAULT_PARAMS",
    "REJECT_RULES",
    "Verdicts",
    "content_columns",
    "flag_attention",
    "flag_duplicates",
    "flag_near_duplicates",
    "flag_speeders",
    "flag_straight_liners",
    "flag_test_records",
    "longest_run",
]

# Reject rules in the order they are applied (first failing rule is the reason).
REJECT_RULES = (
    "missing_value",  # a required value is empty
    "invalid_value",  # a value cannot be read as its type (or is not allowed, e.g. weight <= 0)
    "implausible_date",  # before clean.min_date, or far beyond the rest of its column
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

# Parameters of the rules (``params.yaml`` → ``clean`` overrides them).
DEFAULT_PARAMS: dict = {
    "on_invalid_value": "reject",  # reject | stop
    "max_invalid_share": 0.5,  # above this share of unreadable values a column is malformed
    "speeder_fraction": 0.3333,
    "straightline_min_run": 10,
    "straightline_min_items": 4,
    "near_duplicate_window_min": 60,
    "anonymous_duplicate_window_min": 5,  # anonymous, identical answers and comment: a double send
    "anonymous_duplicate_min_items": 8,  # ... counted only with this many items or a comment
    "out_of_range": "set_missing",  # set_missing | reject
    "max_out_of_range_share": 0.2,  # more answers of an item outside its scale: codebook error
    "test_id_pattern": r"^(TEST|QA|DEMO|INTERNAL)([-_ ]*\d*)$",
    "test_texts": ["test", "testing", "测试", "test test"],
    "test_tiers": ["internal", "staff", "test"],
    "redact_pii": True,
    "day_first": "auto",  # auto (decided per column from its values) | day_first | month_first
    "timezone": "UTC",  # dates with a UTC offset are converted to this zone; others are in it
    "min_date": "1971-01-01",  # earlier dates are placeholders (1970-01-01, 1900-01-01)
    "max_date_gap_days": 366,  # later than the column's 99th percentile by more: implausible
}


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


class Verdicts:
    """Collects, for each input row, every rule it fails and a detail per rule."""

    def __init__(self, index: pd.Index) -> None:
        self.flags = pd.DataFrame(False, index=index, columns=list(REJECT_RULES))
        self.details: dict[str, pd.Series] = {}

    def add(self, rule: str, mask: pd.Series, detail: pd.Series | str) -> None:
        """Flag the rows of ``mask`` for ``rule``; the first detail given for a row is kept."""
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


def content_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of the input itself, without the source file and row added on reading."""
    return [c for c in frame.columns if c not in (SOURCE_FILE, SOURCE_ROW)]


def flag_duplicates(frame: pd.DataFrame, table: str, verdicts: Verdicts) -> pd.Series:
    """Exact duplicates (all values equal an earlier row) and reused ids with other values."""
    id_column = TABLES[table].id_column
    content = content_columns(frame)
    exact = frame.duplicated(subset=content, keep="first")
    first_row = frame.groupby(content, dropna=False, sort=False)[SOURCE_ROW].transform("first")
    verdicts.add("duplicate_exact", exact, "same values as row " + first_row.astype("string"))
    reused = frame[id_column].notna() & frame.duplicated(subset=[id_column], keep="first") & ~exact
    first_id_row = frame.groupby(id_column, sort=False)[SOURCE_ROW].transform("first")
    verdicts.add(
        "duplicate_id", reused, f"{id_column} already used by row " + first_id_row.astype("string")
    )
    return exact | reused


def flag_test_records(
    frame: pd.DataFrame,
    table: str,
    raw_ids: dict[str, pd.Series],
    params: dict,
    verdicts: Verdicts,
) -> pd.Series:
    """Test, QA and internal records: by id pattern, by a test text, or by an internal tier."""
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


def flag_speeders(frame: pd.DataFrame, fraction: float, verdicts: Verdicts) -> None:
    """Responses faster than ``fraction`` of their survey's median duration."""
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


def flag_straight_liners(
    frame: pd.DataFrame, codebook: Codebook, params: dict, verdicts: Verdicts
) -> None:
    """Long runs of identical answers over the driver grid (long-string index)."""
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


def flag_attention(frame: pd.DataFrame, codebook: Codebook, verdicts: Verdicts) -> None:
    """Attention-check items not answered as the codebook ``expect``s."""
    for item in codebook.by_role("attention_check"):
        answer = frame[item.id]
        failed = answer.notna() & (answer != item.expect)
        verdicts.add(
            "attention_check",
            failed,
            f"{item.id} answered " + answer.astype("string") + f", expected {item.expect:g}",
        )


def flag_near_duplicates(
    frame: pd.DataFrame,
    codebook: Codebook,
    window_min: float,
    excluded: pd.Series,
    verdicts: Verdicts,
) -> None:
    """Same respondent, identical answers to every item, submitted within the window; and
    anonymous double submissions (:func:`flag_anonymous_duplicates`)."""
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


def flag_anonymous_duplicates(
    frame: pd.DataFrame,
    codebook: Codebook,
    window_min: float,
    min_items: int,
    excluded: pd.Series,
    verdicts: Verdicts,
) -> None:
    """Anonymous double submissions: no customer id, the same answer to every item and the same
    comment, on the same channel, within ``window_min`` minutes (a double click, a form sent
    twice). Identical answers are plausible between strangers when a survey is short, so a pair
    counts only when it shares a non-empty comment or answers at least ``min_items`` items."""
    if "submitted_at" not in frame:
        return
    anonymous = frame["customer_id"].isna() if "customer_id" in frame else True
    candidates = frame[anonymous & ~excluded & frame["submitted_at"].notna()]
    if len(candidates) < 2:
        return
    items = [i for i in codebook.ids if i in frame]
    text = "comment" if "comment" in frame else None
    keys = [*[c for c in ("channel", "survey") if c in frame], *items, *([text] if text else [])]
    ordered = candidates.sort_values(["submitted_at", SOURCE_ROW])
    grouped = ordered.groupby(keys, dropna=False, sort=False)
    gap = grouped["submitted_at"].diff()
    previous_id = grouped["response_id"].shift()
    answered = ordered[items].notna().sum(axis=1)
    said = (
        ordered[text].notna() & (ordered[text].astype("string").str.strip() != "")
        if text
        else False
    )
    telling = (answered >= min_items) | said
    near = gap.notna() & (gap <= pd.Timedelta(minutes=window_min)) & telling
    verdicts.add(
        "duplicate_near",
        near.reindex(frame.index, fill_value=False).astype(bool),
        (
            "anonymous, same answers and comment as "
            + previous_id.astype("string")
            + ", "
            + (gap.dt.total_seconds() / 60).round(1).astype("string")
            + " min later"
        ).reindex(frame.index),
    )
