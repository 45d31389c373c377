"""Malformed input stops with ONE clear line naming file, column, row and rule — never a traceback."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from cem_fixtures import CODEBOOK, RESPONSES, write_folder

from cemlib.cleaning import clean_folder
from cemlib.data.io import read_folder
from cemlib.errors import XVOCError

BAD_DATES = (
    RESPONSES.replace("2025-01-05 10:00:00", "yesterday")
    .replace("2025-01-06 11:00:00", "soon")
    .replace("2025-01-07 12:00:00", "32/13/2025 25:61")
)


def _replace_in_codebook(old: str, new: str) -> str:
    assert old in CODEBOOK
    return CODEBOOK.replace(old, new, 1)


def _corrupt_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("not-a-workbook.txt", "hello")
    return buffer.getvalue()


# name -> (files to override, expected rule, expected file, expected column, expected row)
CASES = {
    "responses without codebook": (
        {"codebook.yaml": None},
        "missing_file",
        "codebook.yaml",
        None,
        None,
    ),
    "codebook not YAML": (
        {"codebook.yaml": "items: [\n  - id: ltr\n   bad: : :"},
        "codebook_not_yaml",
        "codebook.yaml",
        None,
        None,
    ),
    "codebook without items": (
        {"codebook.yaml": "study: {name: x}\n"},
        "codebook_format",
        "codebook.yaml",
        None,
        None,
    ),
    "codebook item without id": (
        {"codebook.yaml": _replace_in_codebook("- id: staff", "- idx: staff")},
        "codebook_missing_id",
        "codebook.yaml",
        None,
        None,
    ),
    "duplicate codebook id": (
        {"codebook.yaml": _replace_in_codebook("- id: wait", "- id: staff")},
        "duplicate_codebook_id",
        "codebook.yaml",
        "staff",
        None,
    ),
    "unknown role": (
        {"codebook.yaml": _replace_in_codebook("role: driver", "role: driverr")},
        "unknown_role",
        "codebook.yaml",
        "staff",
        None,
    ),
    "unknown scale": (
        {"codebook.yaml": _replace_in_codebook("scale: [0, 10]", "scale: NPS")},
        "unknown_scale",
        "codebook.yaml",
        "ltr",
        None,
    ),
    "scale min not below max": (
        {"codebook.yaml": _replace_in_codebook("scale: [0, 10]", "scale: [10, 0]")},
        "scale_min_not_below_max",
        "codebook.yaml",
        "ltr",
        None,
    ),
    "attention check without expect": (
        {"codebook.yaml": _replace_in_codebook("expect: 4", "note: 4")},
        "attention_check_without_expect",
        "codebook.yaml",
        "attn_1",
        None,
    ),
    "unknown metric": (
        {"codebook.yaml": _replace_in_codebook("metric: nps", "metric: npss")},
        "unknown_metric",
        "codebook.yaml",
        "ltr",
        None,
    ),
    "codebook item absent from data": (
        {"responses.csv": RESPONSES.replace(",attn_1,", ",attn_x,")},
        "codebook_item_missing",
        "responses.csv",
        "attn_1",
        None,
    ),
    "missing required column": (
        {"responses.csv": RESPONSES.replace("response_id,", "id,")},
        "missing_column",
        "responses.csv",
        "response_id",
        None,
    ),
    "missing required column (transactions)": (
        {"transactions.csv": "transaction_id,customer_id,amount\nT1,C001,5\n"},
        "missing_column",
        "transactions.csv",
        "ts",
        None,
    ),
    "empty file": ({"responses.csv": ""}, "empty_file", "responses.csv", None, None),
    "header only": (
        {"feedback.csv": "feedback_id,created_at,kind,text\n"},
        "empty_file",
        "feedback.csv",
        None,
        None,
    ),
    "bytes no encoding reads cleanly": (
        {"customers.csv": b"customer_id,first_seen\nC1," + bytes(range(128, 256)) * 2 + b"\n"},
        "wrong_encoding",
        "customers.csv",
        None,
        None,
    ),
    "ragged CSV row": (
        {"responses.csv": RESPONSES + "R4,C001,rel,web,2025-01-08,300,en,9,4,2,4,ok,extra\n"},
        "malformed_csv",
        "responses.csv",
        None,
        4,
    ),
    "unclosed quote": (
        {"responses.csv": RESPONSES + 'R4,C001,rel,web,2025-01-08,300,en,9,4,2,4,"never closed\n'},
        "malformed_csv",
        "responses.csv",
        None,
        None,
    ),
    "duplicate column in header": (
        {"responses.csv": RESPONSES.replace(",comment\n", ",LTR\n", 1)},
        "duplicate_column",
        "responses.csv",
        "ltr",
        None,
    ),
    "empty header cell": (
        {"customers.csv": "customer_id,,region\nC1,2024-01-01,x\n"},
        "empty_column_name",
        "customers.csv",
        None,
        None,
    ),
    "wrong type column (numbers)": (
        {
            "responses.csv": RESPONSES.replace(",300,", ",fast,")
            .replace(",280,", ",slow,")
            .replace(",320,", ",ok,")
        },
        "wrong_type",
        "responses.csv",
        "duration_s",
        1,
    ),
    "unparsable dates": (
        {"responses.csv": BAD_DATES},
        "wrong_type",
        "responses.csv",
        "submitted_at",
        1,
    ),
    "table given twice": (
        {"customers.parquet": b"PAR1"},
        "ambiguous_table",
        "customers.parquet",
        None,
        None,
    ),
    "corrupt parquet": (
        {"customers.csv": None, "customers.parquet": b"PAR1 not really parquet PAR1"},
        "unreadable_file",
        "customers.parquet",
        None,
        None,
    ),
    "corrupt xlsx": (
        {"customers.csv": None, "customers.xlsx": _corrupt_xlsx()},
        "unreadable_file",
        "customers.xlsx",
        None,
        None,
    ),
    "stated importance of unknown driver": (
        {
            "codebook.yaml": CODEBOOK
            + "  - id: imp_x\n    role: stated_importance\n    of: nothing\n    scale: [1, 5]\n"
        },
        "codebook_unknown_reference",
        "codebook.yaml",
        "imp_x",
        None,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_input_stops_with_one_clear_line(tmp_path, name):
    overrides, rule, file, column, row = CASES[name]
    folder = write_folder(tmp_path / "input", **overrides)
    with pytest.raises(XVOCError) as caught:
        clean_folder(read_folder(folder))
    error = caught.value
    message = str(error)
    assert error.rule == rule, message
    assert error.file == file, message
    assert column is None or error.column == column, message
    assert row is None or error.row == row, message
    assert "\n" not in message and f"[{rule}]" in message and file in message
    assert "Traceback" not in message


def test_there_are_at_least_twenty_malformed_inputs():
    assert len(CASES) >= 20


def test_a_folder_without_any_table_stops(tmp_path):
    """Every table is optional, but a folder with none of them (here only a codebook) holds no
    data at all."""
    folder = write_folder(
        tmp_path / "input",
        **{n: None for n in ("responses.csv", "customers.csv", "transactions.csv", "feedback.csv")},
    )
    with pytest.raises(XVOCError) as caught:
        read_folder(folder)
    assert caught.value.rule == "missing_file"
    assert "no table of the data model" in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_responses_table_is_no_longer_an_error(tmp_path):
    """Transactions (and customers, feedback) without a survey: read and cleaned, no codebook
    needed, and the survey checks are reported as not run rather than as passed."""
    folder = write_folder(tmp_path / "input", **{"responses.csv": None, "codebook.yaml": None})
    raw = read_folder(folder)
    assert raw.codebook is None and "responses" not in raw.tables
    result = clean_folder(raw)
    assert set(result.tables) == {"customers", "transactions", "feedback"}
    assert result.quality["codebook"] == {"items": 0, "items_without_owner_or_action": []}
    skipped = {entry["analysis"] for entry in result.quality["skipped"]}
    assert skipped == {"survey quality checks", "codebook gaps"}


def test_a_codebook_is_still_checked_when_there_are_no_responses(tmp_path):
    folder = write_folder(
        tmp_path / "input",
        **{"responses.csv": None, "codebook.yaml": "items: [oops"},
    )
    with pytest.raises(XVOCError) as caught:
        read_folder(folder)
    assert (caught.value.rule, caught.value.file) == ("codebook_not_yaml", "codebook.yaml")


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(XVOCError, match="does not exist"):
        read_folder(tmp_path / "nowhere")


def test_one_bad_value_rejects_the_row_not_the_stage(tmp_path):
    bad = RESPONSES.replace("2025-01-06 11:00:00", "not a date")
    result = clean_folder(read_folder(write_folder(tmp_path / "input", **{"responses.csv": bad})))
    rejects = result.rejects
    assert rejects.loc[rejects["table"] == "responses", ["source_row", "rule"]].values.tolist() == [
        [2, "invalid_value"]
    ]


def test_strict_policy_stops_on_one_bad_value(tmp_path):
    bad = RESPONSES.replace("2025-01-06 11:00:00", "not a date")
    raw = read_folder(write_folder(tmp_path / "input", **{"responses.csv": bad}))
    with pytest.raises(XVOCError) as caught:
        clean_folder(raw, {"on_invalid_value": "stop"})
    assert (caught.value.column, caught.value.row, caught.value.rule) == (
        "submitted_at",
        2,
        "wrong_type",
    )


def test_stage_runner_prints_one_line(tmp_path):
    """The pipeline runner turns the notebook's XVOCError into its one-line message."""
    from pipeline.run_notebook import exit_message

    class Failure:
        ename, evalue, exec_count, traceback = (
            "XVOCError",
            "file x.csv: [empty_file] file is empty",
            3,
            ["tb"],
        )

    assert (
        exit_message("01_clean_xvoc", Failure()) == "error: file x.csv: [empty_file] file is empty"
    )


def test_formats_read_alike(tmp_path):
    """The same customers table as CSV (UTF-8, BOM, GB18030), Parquet, Excel and SPSS reads alike."""
    base = pd.DataFrame(
        {
            "customer_id": ["C001", "C002"],
            "first_seen": ["2024-02-01", "2024-03-01"],
            "region": ["华东", "华北"],
        }
    )
    csv_text = base.to_csv(index=False)
    variants = {
        "utf8": {"customers.csv": csv_text.encode("utf-8")},
        "bom": {"customers.csv": b"\xef\xbb\xbf" + csv_text.encode("utf-8")},
        "gb18030": {"customers.csv": csv_text.encode("gb18030")},
    }
    parquet, xlsx, sav = tmp_path / "c.parquet", tmp_path / "c.xlsx", tmp_path / "c.sav"
    base.to_parquet(parquet)
    base.to_excel(xlsx, index=False)
    import pyreadstat

    pyreadstat.write_sav(base, str(sav))
    variants["parquet"] = {"customers.csv": None, "customers.parquet": parquet.read_bytes()}
    variants["xlsx"] = {"customers.csv": None, "customers.xlsx": xlsx.read_bytes()}
    variants["sav"] = {"customers.csv": None, "customers.sav": sav.read_bytes()}
    for name, overrides in variants.items():
        raw = read_folder(write_folder(tmp_path / name, **overrides))
        customers = clean_folder(raw).tables["customers"]
        assert customers["customer_id"].tolist() == ["C001", "C002"], name
        assert customers["region"].tolist() == ["华东", "华北"], name
        assert str(customers["first_seen"].iloc[0].date()) == "2024-02-01", name


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("big5", "服務很差"),  # Traditional Chinese (Taiwan, Hong Kong)
        ("gb18030", "服务很差"),  # Simplified Chinese Excel
        ("shift_jis", "サービスが悪い"),
        ("cp1252", "Müller"),  # Western European Excel
        ("utf-16", "服务很差"),  # with its byte-order mark
        ("utf-16-le", "服务很差"),  # without one
        ("utf-16-le", "华东"),  # without one, and every byte also valid UTF-8
    ],
)
def test_legacy_encodings_are_detected_not_garbled(tmp_path, encoding, name):
    """Each legacy encoding decodes the others' bytes into mojibake without an error, so the
    reader must detect which it is; it records its decision in quality.json."""
    text = f"customer_id,first_seen,region\nC001,2024-02-01,{name}\nC002,2024-03-01,{name}\n"
    raw = read_folder(write_folder(tmp_path, **{"customers.csv": text.encode(encoding)}))
    result = clean_folder(raw)
    assert result.tables["customers"]["region"].tolist() == [name, name]
    recorded = result.quality["tables"]["customers"]["encoding"]
    assert recorded.replace("-", "_").startswith(encoding.replace("-", "_")), recorded


def test_data_model_reference_is_generated_from_the_schema():
    from cemlib.config import PROJ_ROOT
    from cemlib.data.schema import data_model_markdown

    docs = (PROJ_ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert data_model_markdown() in docs, "regenerate the tables of docs/data-model.md"
