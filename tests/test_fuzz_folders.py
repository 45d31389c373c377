"""A fuzz test of the reader and the clean stage: seeded random damage to the fixture folder —
encodings, line endings, delimiters, header and cell mutations, broken rows, missing or truncated
files. Every example must end in one of two ways: a one-line error naming its rule, or a clean
result whose rows balance (in = kept + rejected, per table) and where no infinite number reached a
clean table. ``CEM_FUZZ_EXAMPLES`` sets how many examples run (default 100, about 20 s; the
closing note of the issue records a run of 2,000)."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from cem_fixtures import CODEBOOK, CUSTOMERS, FEEDBACK, RESPONSES, TRANSACTIONS

from cemlib.cleaning import clean_folder
from cemlib.data.io import read_folder
from cemlib.errors import XVOCError

TEXTS = {
    "responses.csv": RESPONSES,
    "customers.csv": CUSTOMERS,
    "transactions.csv": TRANSACTIONS,
    "feedback.csv": FEEDBACK,
}
CELLS = [
    "",
    "NULL",
    "N/A",
    "#N/A",
    "-",
    "inf",
    "-Infinity",
    "nan",
    "¥1,234.50",
    "1.0",
    "12,5",
    "2099-12-31",
    "0001-01-01",
    "9999-12-31 23:59:59",
    "13/13/2025",
    "05/01/2025",
    "2025-01-01T08:00:00+08:00",
    "2025-01-01T00:00:00Z",
    "服務很差",
    "Müller",
    "😀",
    "<script>x</script>",
    "a\x00b",
    "x" * 300,
    " C001 ",
    "Ｃ００１",
    "TEST1",
    "-5",
    "1e308",
    "0",
    "yes",
    "是",
]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "cp1252", "shift_jis"]
EXAMPLES = int(os.environ.get("CEM_FUZZ_EXAMPLES", "100"))


def _mutate_text(text: str, rng: random.Random) -> str:
    lines = text.rstrip("\n").split("\n")
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["cell", "cell", "cell", "row", "header", "extra", "short", "blank"])
        if kind == "cell" and rows:
            row = rng.choice(rows)
            row[rng.randrange(len(row))] = rng.choice(CELLS)
        elif kind == "row" and rows:
            rows.append(list(rng.choice(rows)))
        elif kind == "header":
            i = rng.randrange(len(header))
            header[i] = rng.choice([header[i].upper(), f" {header[i]} ", header[0], "", "ｌｔｒ"])
        elif kind == "extra" and rows:
            rng.choice(rows).append(rng.choice(["", "x"]))
        elif kind == "short" and rows:
            row = rng.choice(rows)
            if len(row) > 1:
                row.pop()
        elif kind == "blank":
            rows.insert(rng.randrange(len(rows) + 1), [""])
    delimiter = rng.choice([",", ",", ";"])
    return "\n".join(delimiter.join(r) for r in [header, *rows]) + "\n"


def _encode(text: str, rng: random.Random) -> bytes:
    encoding = rng.choice(ENCODINGS)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    ending = rng.choice([b"\n", b"\n", b"\r\n", b"\r"])
    data = data.replace(b"\n", ending) if not encoding.startswith("utf-16") else data
    if rng.random() < 0.05:
        data = data[: rng.randrange(len(data) + 1)]  # truncated
    if rng.random() < 0.02:
        data = bytes(rng.randrange(256) for _ in range(64))  # garbage
    return data


def _folder(path, seed: int):
    rng = random.Random(seed)
    path.mkdir()
    (path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    for name, text in TEXTS.items():
        if rng.random() < 0.1:
            continue  # the table is absent
        (path / name).write_bytes(_encode(_mutate_text(text, rng), rng))
    return path


def _check(result) -> None:
    for table, counts in result.quality["tables"].items():
        rejected = int((result.rejects["table"] == table).sum())
        assert counts["rows_in"] == counts["rows_out"] + rejected, table
        assert counts["rows_out"] == len(result.tables[table]), table
        frame = result.tables[table]
        numeric = frame.select_dtypes("number")
        assert not np.isinf(numeric.to_numpy(dtype="float64")).any(), table


@pytest.mark.slow
def test_damaged_folders_end_in_one_line_or_a_balanced_clean(tmp_path):
    outcomes = {"error": 0, "clean": 0}
    for seed in range(EXAMPLES):
        folder = _folder(tmp_path / f"f{seed}", seed)
        try:
            result = clean_folder(read_folder(folder))
        except XVOCError as error:
            message = str(error)
            assert "\n" not in message and error.rule, f"seed {seed}: {message!r}"
            outcomes["error"] += 1
            continue
        except Exception as exc:  # anything else is a bug: name the seed that shows it
            raise AssertionError(f"seed {seed}: {type(exc).__name__}: {exc}") from exc
        _check(result)
        outcomes["clean"] += 1
    assert outcomes["clean"] > EXAMPLES // 10, outcomes  # the damage leaves some to clean
