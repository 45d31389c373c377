"""Reading one table file as found, whatever dialect it came in: the encoding of a CSV (UTF-8,
UTF-16, or the legacy encoding detected), its line endings and delimiter, a workbook's sheet and
header row, and the formats that hold types (Parquet, SPSS). Every problem stops with one line
naming file, column, row and rule (:class:`~cemlib.errors.XVOCError`); :mod:`cemlib.data.io`
reads whole folders with these."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Hashable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from cemlib.data.schema import TABLES
from cemlib.errors import XVOCError

__all__ = [
    "DELIMITERS",
    "LEGACY_ENCODINGS",
    "decode_bytes",
    "normalise_column_name",
    "read_csv_text",
    "read_excel_table",
    "read_table_file",
]


def normalise_column_name(name: Hashable) -> str:
    """Column names are matched after NFKC, trimming and lower-casing ('ＬＴＲ ' -> 'ltr')."""
    return unicodedata.normalize("NFKC", str(name)).strip().lower()


# Legacy encodings CSV exports arrive in, besides UTF-8: Chinese (mainland, Taiwan/Hong Kong),
# Japanese, Korean and Western European Excel. Detection picks among these only.
LEGACY_ENCODINGS = ("gb18030", "big5", "shift_jis", "euc_kr", "cp1252")
MAX_CHAOS = 0.2  # charset-normalizer's "mess" ratio above which a guess is refused


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 (with or without BOM), or the
    legacy encoding of :data:`LEGACY_ENCODINGS` that charset-normalizer finds most coherent
    (GB18030 against Big5, Shift-JIS or Windows-1252 — each decodes the others' bytes into
    mojibake without an error, so a strict decode cannot tell them apart).

    Returns ``(text, encoding)``; a detected encoding is recorded with its confidence, e.g.
    ``"big5 (detected, confidence 1.00)"``, and reaches ``quality.json``. Bytes no candidate
    decodes coherently stop with one line naming the best guess.

    >>> decode_bytes("id,comment\\nC1,服務很差\\n".encode("big5"), "f.csv")
    ('id,comment\\nC1,服務很差\\n', 'big5 (detected, confidence 0.97)')
    >>> decode_bytes("id,name\\nC1,Müller\\n".encode("cp1252"), "f.csv")[0].split()[1]
    'C1,Müller'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8", file), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", file), "utf-16"
    # UTF-16 without its byte-order mark first: its ASCII and many CJK code units are also
    # valid UTF-8 bytes (NUL included), so a UTF-8 decode would succeed and garble the text
    sample = data[:4096]
    if sample.count(0) > len(sample) // 4:
        odd = sample[1::2].count(0) > sample[0::2].count(0)
        encoding = "utf-16-le" if odd else "utf-16-be"
        return _decode(data, encoding, file), f"{encoding} (detected: no byte-order mark)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    # ties go to the earlier encoding of LEGACY_ENCODINGS (Chinese first: most users' exports)
    candidates = sorted(
        (
            match.chaos + _implausibility(str(match)),
            LEGACY_ENCODINGS.index(str(match.encoding)),
            str(match.encoding),
        )
        for match in from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS))
    )
    if not candidates or candidates[0][0] > MAX_CHAOS:
        guess = f" (best guess {candidates[0][2]})" if candidates else ""
        raise XVOCError(
            f"cannot tell the file's encoding{guess}: it is not UTF-8 and no common legacy "
            f"encoding ({', '.join(LEGACY_ENCODINGS)}) reads it cleanly; save it as CSV UTF-8",
            file=file,
            rule="wrong_encoding",
        )
    score, _, name = candidates[0]
    encoding = name.replace("_", "-")
    return _decode(data, encoding, file), f"{encoding} (detected, confidence {1 - score:.2f})"


# Characters that show a legacy decoding went wrong: half-width katakana (Big5 read as
# Shift-JIS), Hangul syllables beside Han ideographs in one word (GB18030 read as EUC-KR), and
# runs of accented Latin letters (any CJK encoding read as Windows-1252).
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_HANGUL_HAN = re.compile(r"[\uac00-\ud7a3][\u4e00-\u9fff]|[\u4e00-\u9fff][\uac00-\ud7a3]")
_LATIN_RUN = re.compile(
    r"[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc]{2,}"
)


def _implausibility(text: str) -> float:
    """How much of ``text`` looks like a wrong decoding (0: none), on the scale of
    charset-normalizer's chaos ratio.

    >>> _implausibility("服務很差"), _implausibility("ｪAｰﾈｫﾜｮt") > 0.2
    (0.0, True)
    """
    non_ascii = sum(ord(c) > 127 for c in text) or 1
    suspicious = (
        len(_HALFWIDTH_KANA.findall(text))
        + 2 * len(_HANGUL_HAN.findall(text))
        + sum(len(run) for run in _LATIN_RUN.findall(text))
    )
    return suspicious / non_ascii


def _decode(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise XVOCError(
            f"line {line} cannot be read as {encoding} (byte {exc.start}); save the file as "
            "CSV UTF-8",
            file=file,
            row=max(line - 1, 1),
            rule="wrong_encoding",
        ) from None


_TOKENIZE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def read_csv_text(text: str, file: str) -> pd.DataFrame:
    """Parse CSV text with every value kept as a string (empty cells become NA).

    Exports come in many dialects: line endings CRLF, LF or CR alone (old Mac Excel); the
    delimiter ``,``, ``;`` (European Excel, whose decimals are commas), tab or ``|``, sniffed
    from the header; NUL characters (a truncated or binary-padded export) dropped; a delimiter at
    the end of every line (an empty last field) trimmed. The dialect read is in
    ``frame.attrs["dialect"]``.

    >>> read_csv_text("id;amount\\r1;12,5\\r2;3\\r", "f.csv").to_dict("list")
    {'id': ['1', '2'], 'amount': ['12,5', '3']}
    """
    notes = []
    if "\x00" in text:
        notes.append(f"{text.count(chr(0))} NUL characters removed")
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=lambda d: (first_line.count(d), d == ","))
    if delimiter != ",":
        notes.append(f"delimiter {delimiter!r}")
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), None)
    if not header or not any(h.strip() for h in header):
        raise XVOCError("file is empty (no header row)", file=file, rule="empty_file")
    _check_header(header, file)
    frame = _parse_rows(text, file, delimiter, len(header), notes)
    frame.attrs["dialect"] = "; ".join(notes)
    return frame


DELIMITERS = (",", ";", "\t", "|")


def _parse_rows(text: str, file: str, delimiter: str, width: int, notes: list[str]) -> pd.DataFrame:
    """The rows under the header, each checked to have the header's number of fields (a row
    whose extra fields are all empty — a trailing delimiter — is trimmed, not shifted)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=True,
                index_col=False,
            )
    except pd.errors.ParserWarning:
        pass  # some row is longer than the header: read row by row below
    except pd.errors.ParserError as exc:
        message = str(exc)
        if m := _EOF_QUOTE.search(message):
            raise XVOCError(
                "a quoted field is never closed",
                file=file,
                row=int(m.group(1)),
                rule="malformed_csv",
            ) from None
        if not _TOKENIZE.search(message):
            raise XVOCError(
                f"cannot parse CSV: {message.strip()}", file=file, rule="malformed_csv"
            ) from None
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, body, trimmed = rows[0], [], 0
    for line, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) > width and not any(cell.strip() for cell in row[width:]):
            row, trimmed = row[:width], trimmed + 1
        if len(row) != width:
            raise XVOCError(
                f"line {line} has {len(row)} fields where the header has {width}",
                file=file,
                row=line - 1,
                rule="malformed_csv",
            )
        body.append(row)
    if trimmed:
        notes.append(f"trailing delimiter trimmed on {trimmed} lines")
    frame = pd.DataFrame(body, columns=header, dtype=str)
    return frame.mask(frame == "")


def _check_header(names: Iterable[Hashable], file: str) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        key = normalise_column_name(name)
        if not key:
            raise XVOCError(f"header cell {position} is empty", file=file, rule="empty_column_name")
        if key in seen:
            raise XVOCError(
                f"column appears twice in the header (positions {seen[key]} and {position})",
                file=file,
                column=key,
                rule="duplicate_column",
            )
        seen[key] = position


def read_table_file(path: Path) -> tuple[pd.DataFrame, str]:
    """Read one table file as found; returns the frame and the encoding (or format) used."""
    file = path.name
    suffix = path.suffix.lower()
    try:
        size, data = path.stat().st_size, path.read_bytes() if suffix == ".csv" else b""
    except OSError as exc:  # permission denied, a link loop, a file gone since listing
        raise XVOCError(
            f"cannot open the file: {exc.strerror or type(exc).__name__}",
            file=file,
            rule="unreadable_file",
        ) from None
    if size == 0:
        raise XVOCError("file is empty (0 bytes)", file=file, rule="empty_file")
    if suffix == ".csv":
        text, encoding = decode_bytes(data, file)
        frame = read_csv_text(text, file)
        if frame.attrs.get("dialect"):  # how it was read, beside the encoding in quality.json
            encoding = f"{encoding}; {frame.attrs['dialect']}"
    elif suffix == ".parquet":
        encoding = "parquet"
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise XVOCError(
                f"cannot read Parquet: {type(exc).__name__}: {str(exc)[:120]}",
                file=file,
                rule="unreadable_file",
            ) from None
        _refuse_nested(frame, file)
    elif suffix == ".xlsx":
        frame, encoding = read_excel_table(path, table=path.stem.strip().lower())
    else:
        encoding = "sav"
        try:
            import pyreadstat

            frame, _meta = pyreadstat.read_sav(str(path))
        except Exception as exc:  # pyreadstat.ReadstatError and friends
            raise XVOCError(
                f"cannot read SPSS file: {type(exc).__name__}: {str(exc)[:120]}",
                file=file,
                rule="unreadable_file",
            ) from None
    if suffix != ".csv":
        _check_header(list(frame.columns), file)
    frame.columns = [normalise_column_name(c) for c in frame.columns]
    return frame, encoding


def _refuse_nested(frame: pd.DataFrame, file: str) -> None:
    """A Parquet column of lists or structs has no place in a flat table: say which one."""
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and isinstance(values.iloc[0], (list, tuple, dict, np.ndarray)):
            raise XVOCError(
                "the column holds lists or records (a nested Parquet column); flatten it to "
                "one value per cell",
                file=file,
                column=str(column),
                rule="nested_column",
            )


HEADER_SEARCH_ROWS = 20  # title rows a spreadsheet may carry above its header


def read_excel_table(path: Path, table: str) -> tuple[pd.DataFrame, str]:
    """One table from a workbook: the sheet named like the table if there is one, else the
    first sheet whose header holds the table's required columns; the header row is found below
    any title rows (the first row holding every required column). Returns the frame and where
    it was read (``"xlsx, sheet 'Data', header on row 3"``); duplicate header cells stop with
    one line (pandas would quietly rename the second ``ltr`` to ``ltr.1``).
    """
    file = path.name
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
    except Exception as exc:  # openpyxl/zipfile errors for a file that is not a workbook
        raise XVOCError(
            f"cannot read Excel workbook: {type(exc).__name__}: {str(exc)[:120]}",
            file=file,
            rule="unreadable_file",
        ) from None
    required = [c.name for c in TABLES[table].columns if c.required] if table in TABLES else []
    named = [name for name in sheets if normalise_column_name(name) == table]
    order = named + [name for name in sheets if name not in named]
    for name in order:
        grid = sheets[name]
        for row in range(min(HEADER_SEARCH_ROWS, len(grid))):
            cells = [normalise_column_name(c) for c in grid.iloc[row] if pd.notna(c)]
            if required and not set(required) <= set(cells):
                continue
            header = list(grid.iloc[row])
            while header and pd.isna(header[-1]):  # empty cells right of the table
                header.pop()
            _check_header(header, f"{file}, sheet '{name}', row {row + 1}")
            frame = grid.iloc[row + 1 :, : len(header)].dropna(how="all")
            frame.columns = [str(h) for h in header]
            where = f"xlsx, sheet '{name}'" + (f", header on row {row + 1}" if row else "")
            return frame.reset_index(drop=True), where
        if not required:
            break
    raise XVOCError(
        f"no sheet has a header row with the columns {', '.join(required)} within its first "
        f"{HEADER_SEARCH_ROWS} rows (sheets: {', '.join(map(str, sheets))})",
        file=file,
        rule="missing_column",
    )
