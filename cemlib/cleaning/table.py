"""Cleaning one table: every rule in order, then the split into kept rows and rejects.

:func:`clean_table` reads the values of one input table, applies the reject rules of
:mod:`cemlib.cleaning.rules` and the repairs of :mod:`cemlib.cleaning.values`, and returns a
:class:`TableResult`: the clean rows, the rejects with their first failing rule, the per-rule
flags of every input row and the counts of repairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cemlib.cleaning.rules import (
    Verdicts,
    content_columns,
    flag_anonymous_duplicates,
    flag_attention,
    flag_duplicates,
    flag_near_duplicates,
    flag_speeders,
    flag_straight_liners,
    flag_test_records,
)
from cemlib.cleaning.values import (
    DateOrderError,
    ScaleMismatch,
    blank_missing_markers,
    canonical_customer_id,
    clean_text,
    harmonise_items,
    normalise_channel,
    normalise_float_ids,
    normalise_strings,
    parse_values,
)
from cemlib.data.io import SOURCE_FILE, SOURCE_ROW
from cemlib.data.schema import FEEDBACK_KINDS, TABLES, Codebook
from cemlib.errors import XVOCError
from cemlib.text import redact_series

__all__ = ["FREE_TEXT", "TableResult", "clean_table"]

FREE_TEXT = ("comment", "text")


@dataclass
class TableResult:
    """Outcome of cleaning one table."""

    clean: pd.DataFrame
    rejects: pd.DataFrame
    flags: pd.DataFrame  # per input row: one column per reject rule, plus fix_* repair marks
    fixes: dict[str, int] = field(default_factory=dict)


def _parse_columns(
    frame: pd.DataFrame,
    table: str,
    file: str,
    kinds: dict[str, str],
    nullable: dict[str, bool],
    verdicts: Verdicts,
    params: dict,
) -> pd.DataFrame:
    """Read every column as its kind; flag invalid and missing values, or stop on a malformed
    column (too many unreadable values, or ``on_invalid_value: stop``)."""
    frame = frame.copy()
    for column, kind in kinds.items():
        if column not in frame:
            continue
        raw = frame[column]
        try:
            parsed, invalid = parse_values(raw, kind, params["day_first"], params["timezone"])
        except DateOrderError as exc:
            raise XVOCError(str(exc), file=file, column=column, rule="ambiguous_date") from None
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
        if kind in ("date", "datetime"):
            _flag_implausible_dates(parsed, column, params, verdicts)
        frame[column] = parsed
    return frame


def _flag_implausible_dates(dates: pd.Series, column: str, params: dict, verdicts) -> None:
    """Dates no customer record can carry: before ``min_date``, or cut off from the rest of the
    column by a gap of more than ``max_date_gap_days`` above its median (a 2099 typo would
    otherwise stretch the observation window of every customer to decades). Relative to the
    data, not to today, so the same input gives the same result on any day."""
    present = np.sort(dates.dropna().unique())
    if len(present) == 0:
        return
    earliest = pd.Timestamp(params["min_date"])
    upper = present[len(present) // 2 :]
    gaps = np.diff(upper) > np.timedelta64(int(params["max_date_gap_days"]), "D")
    latest = pd.Timestamp(upper[int(np.argmax(gaps))] if gaps.any() else upper[-1])
    early, late = (dates < earliest).fillna(False), (dates > latest).fillna(False)
    reason = pd.Series(f" is before {earliest.date()}", index=dates.index).mask(
        late,
        f" lies more than {params['max_date_gap_days']} days after the rest of the column "
        f"(which ends {latest.date()})",
    )
    verdicts.add("implausible_date", early | late, f"{column} " + dates.astype("string") + reason)


def _kinds(table: str, frame: pd.DataFrame, codebook: Codebook) -> tuple[dict, dict]:
    """Kind of each column present (items are numbers) and whether each may be empty."""
    spec = TABLES[table]
    kinds = {c.name: c.kind for c in spec.columns if c.name in frame}
    nullable = {c.name: c.nullable for c in spec.columns}
    if table == "responses":
        kinds.update({item.id: "float" for item in codebook.items})
    return kinds, nullable


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
    verdicts = Verdicts(raw.index)
    fixes: dict[str, int] = {}
    id_columns = [c for c in (TABLES[table].id_column, "customer_id") if c in raw]
    raw_ids = {c: raw[c] for c in id_columns}
    content = content_columns(raw)
    marks = pd.DataFrame(index=raw.index)
    marks["full_width"] = _width_variants(raw, [c for c in content if c not in FREE_TEXT])
    frame, fixes["id_float_normalised"] = normalise_float_ids(raw, id_columns)
    frame, fixes["unicode_normalised"] = normalise_strings(frame, content, FREE_TEXT)
    frame, fixes["missing_marker_blanked"] = blank_missing_markers(frame, content)
    kinds, nullable = _kinds(table, frame, codebook)
    frame = _parse_columns(frame, table, file, kinds, nullable, verdicts, params)
    is_test = flag_test_records(frame, table, raw_ids, params, verdicts)
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
    duplicated = flag_duplicates(frame, table, verdicts)

    if table == "responses":
        if "channel" in frame:
            frame["channel"], fixes["channel_mapped_to_other"] = normalise_channel(frame["channel"])
        if "weight" in frame:
            verdicts.add(
                "invalid_value",
                frame["weight"] <= 0,
                "weight " + frame["weight"].astype("string") + " is not positive",
            )
        flag_near_duplicates(
            frame, codebook, params["near_duplicate_window_min"], duplicated, verdicts
        )
        flag_anonymous_duplicates(
            frame,
            codebook,
            params["anonymous_duplicate_window_min"],
            params["anonymous_duplicate_min_items"],
            duplicated,
            verdicts,
        )
        flag_speeders(frame, params["speeder_fraction"], verdicts)
        flag_straight_liners(frame, codebook, params, verdicts)  # on raw answers, as ticked
        try:
            frame, out_of_range, item_fixes = harmonise_items(
                frame, codebook, params["out_of_range"], params["max_out_of_range_share"]
            )
        except ScaleMismatch as exc:
            raise XVOCError(str(exc), file=file, column=exc.item, rule="scale_mismatch") from None
        fixes.update(item_fixes)
        marks["out_of_range"] = out_of_range
        if params["out_of_range"] == "reject":
            verdicts.add("out_of_range", out_of_range, "an answer lies outside its scale")
        flag_attention(frame, codebook, verdicts)
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


def _split(frame, raw, table, verdicts: Verdicts, fixes, marks) -> TableResult:
    """Kept rows (sorted by id and input row) and rejects with their first failing rule."""
    reason, detail = verdicts.reasons()
    rejected = reason.notna()
    id_column = TABLES[table].id_column
    rejects = pd.DataFrame(
        {
            "table": table,
            "source_file": raw.loc[rejected, SOURCE_FILE].astype("string"),
            "source_row": raw.loc[rejected, SOURCE_ROW].astype("int64"),
            "record_id": frame.loc[rejected, id_column].astype("string"),
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
