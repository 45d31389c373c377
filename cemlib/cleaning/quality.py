"""Reporting on the clean stage: the ``quality.json`` summary, its tables, codebook gaps, and the
precision and recall of every rule against the defects the synthetic generator planted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cemlib.cleaning.rules import REJECT_RULES
from cemlib.data.io import RawFolder
from cemlib.data.schema import Codebook

if TYPE_CHECKING:
    from cemlib.cleaning.folder import CleanResult
    from cemlib.cleaning.table import TableResult

__all__ = [
    "DEFECT_FLAG",
    "codebook_gaps",
    "defect_recovery",
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
