"""Cleaning a whole input folder: the tables in linking order, the checks skipped, the outputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cemlib.cleaning.quality import quality_summary
from cemlib.cleaning.rules import DEFAULT_PARAMS
from cemlib.cleaning.table import TableResult, clean_table
from cemlib.cleaning.values import canonical_customer_id
from cemlib.data.io import (
    PROVENANCE_FILE,
    RawFolder,
    read_folder,
    write_json,
    write_parquet,
    write_yaml,
)
from cemlib.data.schema import TABLE_ORDER, Codebook
from cemlib.errors import XVOCError
from cemlib.stages.skips import Skips

__all__ = ["CleanResult", "clean", "clean_folder", "skipped_checks", "write_outputs"]


@dataclass
class CleanResult:
    """Outcome of cleaning a folder: clean tables, all rejects, per-rule flags and quality."""

    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    flags: dict[str, pd.DataFrame]
    quality: dict[str, Any]
    codebook: Codebook | None  # None for an input without a survey (and so without codebook)
    skipped: Skips = field(default_factory=Skips)
    provenance: dict[str, Any] | None = None  # the input's provenance.json, passed on


def clean(folder: Path | str | RawFolder, **params: Any) -> CleanResult:
    """Read an input folder in the X-VOC data model and clean every table in it.

    Every input row ends in exactly one place: its clean table or ``rejects`` (with the rule
    that removed it); ``quality`` counts rows in, out and per rule.

    Parameters
    ----------
    folder : path or RawFolder
        A folder of tables (``responses``, ``customers``, ``transactions``, ``feedback`` as CSV,
        Parquet, Excel or SPSS, plus ``codebook.yaml``; see ``docs/data-model.md``), or what
        :func:`cemlib.read_folder` returned for one.
    **params
        Overrides of :data:`DEFAULT_PARAMS` (the ``clean`` section of ``params.yaml``), e.g.
        ``speeder_fraction=0.25``.

    Returns
    -------
    CleanResult
        ``tables`` (clean tables by name), ``rejects`` (table, source file, source row, rule,
        detail), ``quality`` (the ``quality.json`` summary), ``codebook``, ``flags``, ``skipped``.

    Examples
    --------
    >>> import tempfile
    >>> from cemlib.data.synth import generate
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = generate(folder, n_customers=300, seed=1)
    ...     result = clean(folder, speeder_fraction=0.25)
    >>> responses = result.quality["tables"]["responses"]
    >>> responses["rows_in"] == responses["rows_out"] + responses["rows_rejected"]
    True
    >>> sorted(result.tables)
    ['customers', 'feedback', 'responses', 'transactions']
    """
    raw = folder if isinstance(folder, RawFolder) else read_folder(folder)
    return clean_folder(raw, params)


def clean_folder(raw: RawFolder, params: Mapping[str, Any] | None = None) -> CleanResult:
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
        # clean_table reads the codebook only for responses, which always come with one; its
        # annotation says `Codebook` where it means `Codebook | None`
        result = clean_table(
            table,
            raw.tables[table],
            raw.codebook,  # type: ignore[arg-type]
            params,
            customer_ids,
            test_ids,
        )
        results[table] = result
        if table == "customers":
            customer_ids = canonical_customer_id(raw.tables[table]["customer_id"]).dropna()
            rejected_test = result.rejects.loc[result.rejects["rule"] == "test_record", "record_id"]
            test_ids = set(canonical_customer_id(rejected_test).dropna())
    rejects = pd.concat([r.rejects for r in results.values()], ignore_index=True)
    rejects = rejects.sort_values(["table", "source_file", "source_row"], kind="stable")
    warnings = [
        hint
        for table, result in results.items()
        if table != "customers" and customer_ids is not None
        for hint in [leading_zero_hint(table, _unmatched_ids(result), customer_ids)]
        if hint
    ]
    return CleanResult(
        tables={t: r.clean for t, r in results.items()},
        rejects=rejects.reset_index(drop=True),
        flags={t: r.flags for t, r in results.items()},
        quality=quality_summary(raw, results)
        | {
            # how dates were read: every value with a UTC offset was converted to this zone
            "dates": {k: params[k] for k in ("timezone", "day_first", "min_date")},
            "skipped": skipped.records(),
            "warnings": warnings,
        },
        codebook=raw.codebook,
        skipped=skipped,
        provenance=raw.provenance,
    )


def _unmatched_ids(result: TableResult) -> pd.Series:
    """Customer ids of a table that found no customer: orphan rejects and unlinked rows."""
    rejected = result.rejects.loc[result.rejects["rule"] == "orphan", "detail"]
    orphans = rejected.str.extract(r"^customer (\S+) is not", expand=False)
    kept = result.clean
    unlinked = (
        kept.loc[~kept["customer_linked"].astype(bool), "customer_id"]
        if "customer_linked" in kept and "customer_id" in kept
        else pd.Series(dtype="string")
    )
    ids: pd.Series = pd.concat([orphans, unlinked]).dropna().astype("string")
    return ids


def leading_zero_hint(table: str, unmatched: pd.Series, customer_ids: pd.Series) -> str | None:
    """One line when ids that found no customer do find one once leading zeros are restored
    (``123`` → ``00123``): a spreadsheet read the ids as numbers and dropped the zeros.

    >>> leading_zero_hint("transactions", pd.Series(["123", "9"]), pd.Series(["00123", "00009"]))
    'transactions: 2 customer ids match a customer only with leading zeros restored (e.g. 123 → 00123); a spreadsheet may have dropped them: save the ids as text'
    """
    known = set(customer_ids.dropna().astype(str))
    widths = {len(c) for c in known if c.isdigit() and c.startswith("0")}
    digits = unmatched[unmatched.str.fullmatch(r"[0-9]+").fillna(False).astype(bool)].unique()
    found = [(i, i.zfill(w)) for i in digits for w in sorted(widths) if i.zfill(w) in known]
    if not found:
        return None
    short, padded = found[0]
    return (
        f"{table}: {len({i for i, _ in found}):,} customer ids match a customer only with "
        f"leading zeros restored (e.g. {short} → {padded}); a spreadsheet may have dropped "
        "them: save the ids as text"
    )


def skipped_checks(raw: RawFolder, params: Mapping[str, Any] | None = None) -> Skips:
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
        if codebook is None:  # only a hand-built RawFolder: read_folder refuses this
            raise XVOCError(
                "the responses table needs its codebook.yaml to say what each column asks and "
                "on which scale",
                file="codebook.yaml",
                rule="missing_file",
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


def write_outputs(
    result: CleanResult, clean_dir: Path | str, quality_path: Path | str
) -> list[Path]:
    """Write the clean tables, ``rejects.parquet``, the codebook, the input's
    ``provenance.json`` (so every later report can name its data) and ``quality.json``."""
    clean_dir = Path(clean_dir)
    written = [
        write_parquet(frame, clean_dir / f"{table}.parquet")
        for table, frame in result.tables.items()
    ]
    written.append(write_parquet(result.rejects, clean_dir / "rejects.parquet"))
    if result.codebook is not None:  # an input without a survey has no codebook
        written.append(write_yaml(result.codebook.to_dict(), clean_dir / "codebook.yaml"))
    if result.provenance is not None:
        written.append(write_json(result.provenance, clean_dir / PROVENANCE_FILE))
    written.append(write_json(result.quality, quality_path))
    return written
