"""Cleaning rules one by one on tiny frames, the accounting invariant, and recovery of planted defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cem_fixtures import RESPONSES, write_folder

from cemlib.cleaning import (
    DEFAULT_PARAMS,
    REJECT_RULES,
    canonical_customer_id,
    clean_folder,
    harmonise_items,
    longest_run,
    normalise_channel,
    parse_datetimes,
)
from cemlib.config import load_params
from cemlib.data.io import read_folder
from cemlib.data.schema import parse_codebook
from cemlib.stages.recovery import defect_recovery


def test_params_yaml_matches_code_defaults():
    assert load_params("clean") == DEFAULT_PARAMS


def test_canonical_customer_id():
    ids = pd.Series([" c-000123 ", "Ｃ０００１２３", "C000123", None, "c_000124"])
    assert canonical_customer_id(ids).tolist() == [
        "C000123",
        "C000123",
        "C000123",
        pd.NA,
        "C000124",
    ]


def test_longest_run_counts_identical_consecutive_answers():
    values = np.array([[1, 1, 1, 2], [3, 3, 3, 3], [1, np.nan, 1, 1], [np.nan] * 4], dtype=float)
    assert longest_run(values).tolist() == [3, 4, 2, 0]


def test_channels_are_mapped_onto_the_data_model():
    mapped, unknown = normalise_channel(
        pd.Series(["Web", "F2F", "Face to face", "carrier pigeon", None])
    )
    assert mapped.tolist() == ["web", "face_to_face", "face_to_face", "other", pd.NA]
    assert unknown == 1


def test_datetimes_in_excel_and_chinese_forms():
    parsed = parse_datetimes(
        pd.Series(["2025-03-18 09:05:00", "2025/3/18 9:05", "2025年3月18日", None])
    )
    assert [str(v.date()) if pd.notna(v) else None for v in parsed] == [
        "2025-03-18",
        "2025-03-18",
        "2025-03-18",
        None,
    ]


def test_harmonise_maps_survey_scales_and_reverses(tmp_path):
    (tmp_path / "codebook.yaml").write_text(
        "items:\n"
        "  - {id: osat, role: outcome, scale: [1, 5]}\n"
        "  - {id: ces, role: outcome, scale: [1, 7]}\n"
        "  - {id: wait, role: driver, scale: [1, 5], reverse: true}\n"
        "surveys:\n  kiosk: {scales: {osat: [1, 10]}}\n  legacy: {reverse: [ces]}\n",
        encoding="utf-8",
    )
    codebook = parse_codebook(tmp_path / "codebook.yaml")
    frame = pd.DataFrame(
        {
            "survey": ["main", "kiosk", "legacy", "main"],
            "osat": [5.0, 10.0, 3.0, 6.0],
            "ces": [7.0, 7.0, 1.0, 2.0],
            "wait": [1.0, 5.0, 2.0, 9.0],
        }
    )
    out, out_of_range, fixes = harmonise_items(frame, codebook, "set_missing")
    assert out["osat"].tolist()[:3] == [5.0, 5.0, 3.0] and pd.isna(out["osat"].iloc[3])
    assert out["ces"].tolist() == [7.0, 7.0, 7.0, 2.0]  # legacy 1 = easiest becomes 7
    assert out["wait"].tolist()[:3] == [5.0, 1.0, 4.0] and pd.isna(out["wait"].iloc[3])
    assert out_of_range.tolist() == [False, False, False, True]
    assert fixes["out_of_range_set_missing"] == 2 and fixes["scale_mapped"] == 1
    assert fixes["survey_reversed"] == 1


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ("R1,C003,rel,web,2025-01-09 10:00:00,300,en,7,3,3,4,other", "duplicate_id"),
        ("R9,C002,rel,web,2025-01-06 11:10:00,250,zh,6,2,4,4,again", "duplicate_near"),
        ("R9,C003,rel,web,2025-01-08 10:00:00,20,en,9,4,2,4,quick", "speeder"),
        ("R9,C003,rel,web,2025-01-08 10:00:00,300,en,9,4,2,2,oops", "attention_check"),
        ("R9,TEST-0001,rel,web,2025-01-08 10:00:00,300,en,9,4,2,4,ok", "test_record"),
        ("R9,C003,rel,web,2025-01-08 10:00:00,300,en,9,4,2,4,测试", "test_record"),
        (",C003,rel,web,2025-01-08 10:00:00,300,en,9,4,2,4,no id", "missing_value"),
        ("R9,C003,rel,web,2025-01-08 10:00:00,300,en,9,4,2,4,ok", None),
    ],
)
def test_each_response_rule(tmp_path, row, rule):
    folder = write_folder(tmp_path / "input", **{"responses.csv": RESPONSES + row + "\n"})
    result = clean_folder(read_folder(folder))
    rejected = result.rejects[result.rejects["table"] == "responses"]
    assert rejected["rule"].tolist() == ([rule] if rule else [])
    if rule:
        assert rejected["source_row"].tolist() == [4]


def test_exact_duplicate_keeps_the_first(tmp_path):
    lines = RESPONSES.splitlines()
    folder = write_folder(
        tmp_path / "input", **{"responses.csv": "\n".join([*lines, lines[1]]) + "\n"}
    )
    result = clean_folder(read_folder(folder))
    assert result.rejects[["source_row", "rule"]].values.tolist() == [[4, "duplicate_exact"]]


def test_out_of_range_policy(tmp_path):
    bad = RESPONSES.replace(",en,9,4,2,4,", ",en,12,4,2,4,")
    folder = write_folder(tmp_path / "input", **{"responses.csv": bad})
    kept = clean_folder(read_folder(folder))
    assert pd.isna(kept.tables["responses"].set_index("response_id").loc["R1", "ltr"])
    assert kept.quality["tables"]["responses"]["fixes"]["out_of_range_set_missing"] == 1
    rejected = clean_folder(read_folder(folder), {"out_of_range": "reject"})
    assert rejected.rejects["rule"].tolist() == ["out_of_range"]


def test_orphans_and_linkage(tmp_path):
    folder = write_folder(
        tmp_path / "input",
        **{
            "transactions.csv": "transaction_id,customer_id,ts,amount\nT1,c001 ,2025-01-01,5\nT2,C999,2025-01-01,5\n"
        },
    )
    result = clean_folder(read_folder(folder))
    assert result.rejects[["table", "rule", "record_id"]].values.tolist() == [
        ["transactions", "orphan", "T2"]
    ]
    assert result.tables["transactions"]["customer_id"].tolist() == ["C001"]
    responses = result.tables["responses"].set_index("response_id")
    assert responses["customer_linked"].tolist() == [True, True, False]


def test_free_text_is_redacted_and_stripped(tmp_path):
    text = "feedback_id,created_at,kind,text\nF1,2025-01-01,complaint,<b>Call me</b> 13812345678 or a.b@example.com\nF2,2025-01-02,review,   \n"
    result = clean_folder(read_folder(write_folder(tmp_path / "input", **{"feedback.csv": text})))
    feedback = result.tables["feedback"]
    assert feedback["text"].tolist() == ["Call me [PHONE] or [EMAIL]"]
    assert result.rejects["rule"].tolist() == ["empty_text"]
    fixes = result.quality["tables"]["feedback"]["fixes"]
    assert fixes["html_stripped"] == 1 and fixes["pii_phone"] == 1 and fixes["pii_email"] == 1


def _assert_accounted(result, raw):
    for table, q in result.quality["tables"].items():
        assert q["rows_in"] == len(raw.tables[table])
        assert q["rows_in"] == q["rows_out"] + q["rows_rejected"], table
        assert sum(q["rules"].values()) == q["rows_rejected"], table
        assert set(q["rules"]) == set(REJECT_RULES)
        kept = set(result.tables[table]["source_row"])
        rejected = set(result.rejects.loc[result.rejects["table"] == table, "source_row"])
        assert not kept & rejected and kept | rejected == set(range(1, q["rows_in"] + 1)), table


def test_every_row_accounted_for_on_a_small_world(small_world):
    raw = read_folder(small_world)
    _assert_accounted(clean_folder(raw), raw)


@pytest.mark.slow
def test_defect_rules_recover_planted_defects_at_default_size(default_world):
    """Precision and recall >= 0.95 for every planted defect."""
    raw = read_folder(default_world)
    result = clean_folder(raw)
    _assert_accounted(result, raw)
    recovery = defect_recovery(result, default_world / "truth")
    print("\n" + recovery.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    planted = pd.read_parquet(default_world / "truth" / "defects.parquet")
    scored = set(zip(recovery["table"], recovery["defect"], strict=True))
    unscored = {(t, d) for t, d in zip(planted["table"], planted["defect"], strict=True)} - scored
    assert unscored <= {("responses", "scale_mapped"), ("responses", "reverse_scale")}, unscored
    assert (recovery["precision"] >= 0.95).all() and (recovery["recall"] >= 0.95).all(), recovery


def test_user_folder_in_gb18030_and_utf8_bom_reads_like_utf8(small_world, tmp_path):
    """`ingest.source=PATH` with a GB18030 responses.csv (Chinese Excel) and a UTF-8-BOM feedback.csv."""
    from cemlib.data.ingest import ingest

    user = tmp_path / "user"
    user.mkdir()
    for path in small_world.iterdir():
        if path.is_file():
            (user / path.name).write_bytes(path.read_bytes())
    responses = (small_world / "responses.csv").read_text(encoding="utf-8")
    (user / "responses.csv").write_bytes(responses.encode("gb18030"))
    feedback = (small_world / "feedback.csv").read_text(encoding="utf-8")
    (user / "feedback.csv").write_bytes(b"\xef\xbb\xbf" + feedback.encode("utf-8"))

    manifest = ingest(str(user), tmp_path / "raw")
    assert "truth/defects.parquet" not in set(manifest["file"])  # user data carries no truth
    assert "truth/truth.json" in set(manifest["file"])
    from_user = clean_folder(read_folder(tmp_path / "raw"))
    reference = clean_folder(read_folder(small_world))
    assert from_user.quality["tables"]["responses"]["encoding"].startswith("gb18030 (detected")
    assert from_user.quality["tables"]["feedback"]["encoding"] == "utf-8-sig"
    for table in ("responses", "feedback"):
        mine = from_user.tables[table].drop(columns="source_file")
        theirs = reference.tables[table].drop(columns="source_file")
        pd.testing.assert_frame_equal(mine, theirs)


def test_personal_data_is_redacted_in_every_text_column(tmp_path):
    customers = (
        "customer_id,first_seen,region,email,notes\n"
        "C001,2024-02-01,华东,wang.li@example.com,call 13812345678 after 6pm\n"
        "C002,2024-03-01,华北,,VIP\n"
    )
    result = clean_folder(
        read_folder(write_folder(tmp_path / "in", **{"customers.csv": customers}))
    )
    table = result.tables["customers"]
    assert table["email"].tolist() == ["[EMAIL]", pd.NA]
    assert table["notes"].tolist() == ["call [PHONE] after 6pm", "VIP"]
    assert table["customer_id"].tolist() == ["C001", "C002"]
    fixes = result.quality["tables"]["customers"]["fixes"]
    assert fixes["pii_email"] == 1 and fixes["pii_phone"] == 1


def test_chinese_free_text_keeps_its_punctuation_through_the_clean_stage(fixture_folder):
    """Ids and codes are NFKC-normalised; what customers wrote keeps its full-width ，：！."""
    feedback = pd.read_csv(fixture_folder / "feedback.csv", dtype=str, keep_default_na=False)
    feedback.loc[0, "text"] = "送货太慢，客服说：明天到！"
    feedback.to_csv(fixture_folder / "feedback.csv", index=False)
    result = clean_folder(read_folder(fixture_folder))
    kept = result.tables["feedback"]["text"].dropna()
    assert "送货太慢，客服说：明天到！" in set(kept)
