"""Reporting on the clean stage: the ``quality.json`` summary, its tables and the codebook gaps.
(How well each rule finds the defects a synthetic world planted: :mod:`cemlib.stages.recovery`.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cemlib.cleaning.rules import REJECT_RULES
from cemlib.data.io import RawFolder
from cemlib.data.schema import Codebook

if TYPE_CHECKING:
    from cemlib.cleaning.table import TableResult

__all__ = [
    "codebook_gaps",
    "fixes_table",
    "quality_summary",
    "quality_table",
]


def quality_summary(raw: RawFolder, results: dict[str, TableResult]) -> dict:
    """The content of ``reports/metrics/quality.json`` (rows and rejections per
    rule, see ``docs/data-model.md``), plus fixes and codebook gaps."""
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
