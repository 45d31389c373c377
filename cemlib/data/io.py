"""Read an input folder in the X-VOC data model — CSV in any encoding and dialect the reader
detects, Parquet, Excel ``.xlsx`` and SPSS ``.sav`` (one file: :mod:`cemlib.data.readers`) — and
write outputs deterministically.

Every table comes back *as found*: text columns as strings (nothing coerced yet, so the clean
stage can normalise and account for every value), with ``_source_file`` and ``_source_row``
(1-based data record number, header not counted) so every row can be traced back. Structural
problems stop with one :class:`~cemlib.errors.XVOCError` naming file, column, row and rule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from cemlib.data.readers import (
    LEGACY_ENCODINGS,
    decode_bytes,
    normalise_column_name,
    read_csv_text,
    read_table_file,
)
from cemlib.data.schema import TABLE_ORDER, TABLES, Codebook, parse_codebook
from cemlib.errors import XVOCError

__all__ = [
    "SOURCE_FILE",
    "SOURCE_ROW",
    "SUPPORTED_SUFFIXES",
    "PROVENANCE_FILE",
    "check_columns",
    "data_identity",
    "LEGACY_ENCODINGS",
    "decode_bytes",
    "empty_frame",
    "file_manifest",
    "find_table_files",
    "normalise_column_name",
    "RawFolder",
    "read_clean",
    "read_csv_text",
    "read_folder",
    "read_table_file",
    "write_json",
    "write_parquet",
    "write_results",
    "write_yaml",
]

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx", ".sav")
PROVENANCE_FILE = "provenance.json"  # where a data set says what it is (bundled sources)
SOURCE_FILE, SOURCE_ROW = "_source_file", "_source_row"


@dataclass
class RawFolder:
    """What an input folder holds: the codebook and each table found, read as-is."""

    codebook: Codebook | None  # None when the folder holds no codebook (no responses either)
    tables: dict[str, pd.DataFrame]
    files: dict[str, Path]
    encodings: dict[str, str]
    provenance: dict[str, Any] | None = None  # provenance.json of a bundled source, to data/clean


def data_identity(folder: Path | str) -> str:
    """What data a folder holds, in one line for a report's title: the data set's title and
    source name from ``provenance.json``, else the study named by ``codebook.yaml``, else the
    folder's name.

    >>> data_identity("/nonexistent/my_survey")
    'folder my_survey'
    """
    folder = Path(folder)
    path = folder / PROVENANCE_FILE
    if path.is_file():
        record = json.loads(path.read_text(encoding="utf-8"))
        title, source = record.get("title"), record.get("source")
        return f"{title} (source {source})" if title and source else str(title or source)
    codebook = folder / "codebook.yaml"
    if codebook.is_file():
        study = (yaml.safe_load(codebook.read_text(encoding="utf-8")) or {}).get("study") or {}
        if study.get("name"):
            return str(study["name"])
    return f"folder {folder.name}"


def find_table_files(folder: Path) -> dict[str, Path]:
    """Map table name -> file for every table of the data model present in ``folder``."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        table = path.stem.strip().lower()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES or table not in TABLES:
            continue
        if not path.is_file():  # a folder, a dangling link or a link loop named like a table
            raise XVOCError(
                f"{path.name} is named like a table but is not a readable file "
                f"({'a folder' if path.is_dir() else 'a broken or looping link'})",
                file=path.name,
                rule="unreadable_file",
            )
        if table in found:
            raise XVOCError(
                f"table '{table}' is given twice ({found[table].name} and {path.name}); keep one",
                file=path.name,
                rule="ambiguous_table",
            )
        found[table] = path
    return found


def read_folder(folder: Path | str) -> RawFolder:
    r"""Read every table of the data model found in ``folder`` plus its ``codebook.yaml``.

    Any table may be missing — a folder of transactions only, or of a survey only, is valid — but
    a folder needs at least one table, and ``responses`` need a codebook (it says what each
    column is and on which scale). A codebook without responses is still checked. Checks the
    structure only (files, encodings, headers, required columns, codebook items present in the
    responses); values are checked row by row by :mod:`cemlib.cleaning`.

    Parameters
    ----------
    folder : str or Path
        The input folder: one file per table, named after the table (``transactions.csv``,
        ``customers.parquet``, ``responses.xlsx``, ``feedback.sav``, …), plus ``codebook.yaml``
        when there are responses. Files that are not a table of the data model are ignored.

    Returns
    -------
    RawFolder
        ``tables`` maps each table found to its frame, as read: column names normalised (NFKC,
        trimmed, lower case), values as found (text columns as strings, nothing coerced), plus
        ``_source_file`` and ``_source_row`` (1-based data record number). ``files`` and
        ``encodings`` give each table's file and the encoding (or format) it was read with;
        ``codebook`` is the parsed ``codebook.yaml``, or ``None`` when the folder has none.

    Raises
    ------
    XVOCError
        On the first structural problem, naming file, column, row and rule: missing folder or
        tables, a table given twice, an undecodable or malformed file, a duplicate or missing
        required column, an empty table, responses without a codebook or without a codebook
        item's column.

    See Also
    --------
    cemlib.cleaning.folder.clean : read and clean a folder in one call.

    References
    ----------
    ``docs/data-model.md`` in the repository: the tables, their columns (which must exist, which
    may be empty), the accepted formats and encodings, and the codebook.

    Examples
    --------
    A folder holding only a ``transactions.csv`` with the four required columns
    (``transaction_id``, ``customer_id``, ``ts``, ``amount``); it needs no codebook.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from cemlib.data.io import read_folder
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "transactions.csv").write_text(
    ...         "transaction_id,customer_id,ts,amount\n"
    ...         "t1,c1,2024-01-05,19.90\n"
    ...         "t2,c1,2024-02-11,35.00\n"
    ...         "t3,c2,2024-02-12,-5.00\n",
    ...         encoding="utf-8",
    ...     )
    ...     raw = read_folder(tmp)
    >>> sorted(raw.tables), raw.encodings, raw.codebook
    (['transactions'], {'transactions': 'utf-8'}, None)
    >>> len(raw.tables["transactions"])
    3

    Values come back as the strings found in the file, each row traced to its file and line:

    >>> raw.tables["transactions"]
      transaction_id customer_id          ts amount      _source_file  _source_row
    0             t1          c1  2024-01-05  19.90  transactions.csv            1
    1             t2          c1  2024-02-11  35.00  transactions.csv            2
    2             t3          c2  2024-02-12  -5.00  transactions.csv            3
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise XVOCError(f"input folder '{folder}' does not exist", rule="missing_folder")
    files = find_table_files(folder)
    if not files:
        raise XVOCError(
            f"no table of the data model found in {folder} (expected at least one of "
            f"{', '.join(TABLE_ORDER)} as .csv, .parquet, .xlsx or .sav)",
            rule="missing_file",
        )
    codebook_path = next(
        (folder / n for n in ("codebook.yaml", "codebook.yml") if (folder / n).is_file()), None
    )
    if codebook_path is None and "responses" in files:
        raise XVOCError(
            f"no codebook.yaml in {folder}: the responses table needs one to say what each "
            "column asks and on which scale",
            file="codebook.yaml",
            rule="missing_file",
        )
    codebook = parse_codebook(codebook_path) if codebook_path is not None else None
    tables, encodings = {}, {}
    for name, path in files.items():
        frame, encoding = read_table_file(path)
        check_columns(frame, name, path.name, codebook)
        frame[SOURCE_FILE] = path.name
        frame[SOURCE_ROW] = range(1, len(frame) + 1)
        tables[name], encodings[name] = frame, encoding
    provenance_path = folder / PROVENANCE_FILE
    provenance = (
        json.loads(provenance_path.read_text(encoding="utf-8"))
        if provenance_path.is_file()
        else None
    )
    return RawFolder(
        codebook=codebook, tables=tables, files=files, encodings=encodings, provenance=provenance
    )


def check_columns(frame: pd.DataFrame, table: str, file: str, codebook: Codebook | None) -> None:
    """Required columns present, table not empty, every codebook item a column of responses."""
    spec = TABLES[table]
    for column in spec.columns:
        if column.required and column.name not in frame.columns:
            raise XVOCError(
                f"required column of table '{table}' is missing",
                file=file,
                column=column.name,
                rule="missing_column",
            )
    if table == "responses":
        if (
            "duration_s" not in frame.columns
            and "started_at" in frame.columns
            and "submitted_at" not in frame.columns
        ):
            raise XVOCError(
                "started_at needs submitted_at to give a duration",
                file=file,
                column="submitted_at",
                rule="missing_column",
            )
        if codebook is None:  # not from read_folder: it refuses responses without a codebook
            raise XVOCError(
                "the responses table needs its codebook.yaml to say what each column asks and "
                "on which scale",
                file="codebook.yaml",
                rule="missing_file",
            )
        for item in codebook.items:
            if item.id not in frame.columns:
                raise XVOCError(
                    f"codebook item '{item.id}' has no column in the data",
                    file=file,
                    column=item.id,
                    rule="codebook_item_missing",
                )
    if frame.empty:
        raise XVOCError(f"table '{table}' has a header but no rows", file=file, rule="empty_file")


# --------------------------------------------------------------------------- deterministic writers


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """A table with these columns (name → dtype) and no rows: the declared output of an analysis
    that was skipped, which still reads with the right types."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def file_manifest(
    folder: Path | str, algorithm: str = "sha256", length: int | None = 16
) -> pd.DataFrame:
    """One row per file under ``folder`` (hidden files left out): relative path, bytes and a
    digest by ``algorithm`` (``md5`` is what DVC records), cut to ``length`` characters."""
    folder = Path(folder)
    rows = [
        {
            "file": path.relative_to(folder).as_posix(),
            "bytes": path.stat().st_size,
            algorithm: hashlib.new(algorithm, path.read_bytes()).hexdigest()[:length],
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    ]
    return pd.DataFrame(rows, columns=["file", "bytes", algorithm])


def write_parquet(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write a Parquet file that is byte-identical for identical data (no index, fixed codec)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.reset_index(drop=True).to_parquet(path, index=False, compression="zstd")
    return path


def write_json(data: Mapping[str, Any], path: Path | str) -> Path:
    """Write JSON with sorted keys and a trailing newline, so reruns diff cleanly."""
    import json

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


def write_yaml(data: Mapping[str, Any], path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def read_clean(clean_dir: Path | str) -> tuple[dict[str, pd.DataFrame], Codebook | None]:
    """The clean stage's tables (those present) and its codebook (``None`` when the input had
    none: a folder without responses)."""
    clean_dir = Path(clean_dir)
    tables = {
        name: pd.read_parquet(clean_dir / f"{name}.parquet")
        for name in TABLE_ORDER
        if (clean_dir / f"{name}.parquet").exists()
    }
    codebook_path = clean_dir / "codebook.yaml"
    return tables, parse_codebook(codebook_path) if codebook_path.exists() else None


def write_results(frames: dict[str, pd.DataFrame], results_dir: Path | str) -> list[Path]:
    """Write each frame to ``results_dir/NAME.parquet`` (deterministically)."""
    return [
        write_parquet(frame, Path(results_dir) / f"{name}.parquet")
        for name, frame in frames.items()
    ]
