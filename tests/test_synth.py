"""Tests of the synthetic X-VOC world (cemlib.data.synth) and the exact LMG decomposition."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cemlib.cleaning import longest_run
from cemlib.data import synth
from cemlib.data.synth.defects import _raw_scale
from cemlib.data.synth.phrases import CLOSERS, KIND_FRAME, MIXED_TEXT, OPENERS, REASON_TEXT
from cemlib.data.synth.verbatims import THEME_COLUMNS, VERBATIM_COLUMNS
from cemlib.stats.lmg import lmg_shares
from cemlib.text import cn_id_check_digit, luhn_check_digit

SMALL = {"n_customers": 400, "seed": 7}
TEXT_WORLD = {"n_customers": 4000, "seed": 11}  # enough comments for every theme's NPS effect
FILES = (
    "customers.csv",
    "transactions.parquet",
    "responses.csv",
    "feedback.csv",
    "codebook.yaml",
    "truth/archetypes.parquet",
    "truth/drivers.parquet",
    "truth/defects.parquet",
    "truth/decoys.parquet",
    "truth/verbatims.parquet",
    "truth/themes.parquet",
    "truth/truth.json",
)
ROW_LEVEL = {
    "duplicate_exact",
    "duplicate_near",
    "speeder",
    "straight_liner",
    "attention_check",
    "test_record",
    "empty_text",
    "orphan",
}
DESIGN_NOTES = {"scale_mapped", "reverse_scale"}
STRUCTURED = ["response_id", "customer_id", "duration_s", *synth.ITEM_IDS]
CANONICAL_ID = re.compile(r"^C\d{6}$")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)\(?0\d{2,3}\)?[- ]?\d{4}[- ]?\d{4}(?!\d)")
ID_CARD = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])")
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){15,18}(?![\d])")
TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")


# ------------------------------------------------------------------------------- helpers


def read_world(folder: Path) -> dict:
    """Every written table as text (CSV) or typed (Parquet), plus the truth."""
    csv = {"dtype": str, "keep_default_na": False, "encoding": "utf-8"}
    return {
        "customers": pd.read_csv(folder / "customers.csv", **csv),
        "transactions": pd.read_parquet(folder / "transactions.parquet"),
        "responses": pd.read_csv(folder / "responses.csv", **csv),
        "feedback": pd.read_csv(folder / "feedback.csv", **csv),
        "defects": pd.read_parquet(folder / "truth" / "defects.parquet"),
        "decoys": pd.read_parquet(folder / "truth" / "decoys.parquet"),
        "drivers": pd.read_parquet(folder / "truth" / "drivers.parquet"),
        "archetypes": pd.read_parquet(folder / "truth" / "archetypes.parquet"),
        "verbatims": pd.read_parquet(folder / "truth" / "verbatims.parquet"),
        "themes": pd.read_parquet(folder / "truth" / "themes.parquet"),
        "truth": json.loads((folder / "truth" / "truth.json").read_text(encoding="utf-8")),
        "codebook": yaml.safe_load((folder / "codebook.yaml").read_text(encoding="utf-8")),
    }


def nfkc(value: str) -> str:
    """NFKC-normalised, trimmed text (what the clean stage does first)."""
    return unicodedata.normalize("NFKC", value).strip()


def norm_id(value: str) -> str:
    """Customer id in canonical form: NFKC, trimmed, upper case, no hyphen."""
    return nfkc(value).upper().replace("-", "")


def digits(value: str) -> str:
    """Only the digits (and a final X) of a string."""
    return re.sub(r"[^0-9Xx]", "", value).upper()


def luhn_ok(number: str) -> bool:
    """True when a digit string passes the Luhn test."""
    return luhn_check_digit(number[:-1]) == number[-1]


def id_ok(number: str) -> bool:
    """True when an 18-character ID number has a valid check character."""
    return len(number) == 18 and cn_id_check_digit(number[:17]) == number[17].upper()


def pii_hits(text: str) -> list[str]:
    """Personal data a careful rule finds in ``text`` (e-mail, phones, valid IDs, Luhn cards)."""
    hits = EMAIL.findall(text) + MOBILE.findall(text) + LANDLINE.findall(text)
    hits += [m for m in ID_CARD.findall(text) if id_ok(m)]
    hits += [m for m in CARD.findall(text) if luhn_ok(digits(m)) and not id_ok(digits(m))]
    return hits


def numeric(series: pd.Series) -> pd.Series:
    """Text cells as numbers after NFKC (non-numbers become NaN)."""
    return pd.to_numeric(series.map(nfkc), errors="coerce")


def survey_medians(resp: pd.DataFrame) -> pd.Series:
    """Median duration per row's survey, computed over the written file."""
    dur = numeric(resp["duration_s"])
    return dur.groupby(resp["survey"]).transform("median")


def raw_scale(item: str, survey: str) -> tuple[int, int]:
    """Scale an item was asked on (kiosk osat on 1-10)."""
    return _raw_scale(item, survey)


def copied_row(detail: str) -> int:
    """Record number a duplicate's detail points at."""
    return int(re.search(r"record (\d+)", detail).group(1))


def best_threshold_ba(x: np.ndarray, y: np.ndarray) -> float:
    """Best balanced accuracy of a single threshold on ``x`` (either direction) for ``y``."""
    keep = ~np.isnan(x)
    x, y = x[keep], y[keep]
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    last = np.r_[x[1:] != x[:-1], True]  # cut only between distinct values
    pos, neg = y.sum(), (~y).sum()
    tn = np.cumsum(~y)[last] / neg
    tp = (pos - np.cumsum(y)[last]) / pos
    ba = (tp + tn) / 2
    return float(max(ba.max(), (1 - ba).max(), 0.5))


def customer_features(world: dict, end: str = "2025-12-31") -> pd.DataFrame:
    """Customer-level features from the transactions (canonical customers only)."""
    tx = world["transactions"]
    cust = world["customers"]
    cust = cust[cust["customer_id"].str.match(CANONICAL_ID)].drop_duplicates("customer_id")
    horizon = pd.Timestamp(end) + pd.Timedelta(days=1)
    g = tx.groupby("customer_id")
    feats = pd.DataFrame(
        {
            "frequency": g.size(),
            "monetary_mean": tx[tx["amount"] > 0].groupby("customer_id")["amount"].mean(),
            "total_margin": g["margin"].sum(),
            "recency": (horizon - g["ts"].max()).dt.days,
            "promo_share": g["promo"].mean(),
        }
    )
    first = pd.to_datetime(cust.set_index("customer_id")["first_seen"])
    feats = feats.join((horizon - first).dt.days.rename("tenure"), how="inner")
    arch = world["archetypes"].set_index("customer_id")["archetype"]
    return feats.join(arch, how="inner")


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    synth.generate(folder, **SMALL)
    return folder


@pytest.fixture(scope="module")
def small(small_dir) -> dict:
    return read_world(small_dir)


@pytest.fixture(scope="module")
def text_world(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("text_world")
    synth.generate(folder, **TEXT_WORLD)
    return read_world(folder)


# ------------------------------------------------------------------------------- LMG


def test_same_arguments_give_identical_bytes(small_dir, tmp_path):
    synth.generate(tmp_path, **SMALL)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (small_dir / name).read_bytes(), name


def test_other_seed_gives_other_world(small_dir, tmp_path):
    synth.generate(tmp_path, n_customers=SMALL["n_customers"], seed=SMALL["seed"] + 1)
    assert (tmp_path / "responses.csv").read_bytes() != (small_dir / "responses.csv").read_bytes()


def test_csv_format_and_columns(small_dir, small):
    for name in ("customers.csv", "responses.csv", "feedback.csv"):
        raw = (small_dir / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
        raw.decode("utf-8")
    assert list(small["customers"].columns) == synth.CUSTOMER_COLUMNS
    assert list(small["transactions"].columns) == synth.TRANSACTION_COLUMNS
    assert list(small["responses"].columns) == synth.RESPONSE_COLUMNS
    assert list(small["feedback"].columns) == synth.FEEDBACK_COLUMNS
    tx = small["transactions"]
    assert pd.api.types.is_datetime64_any_dtype(tx["ts"]) and tx["promo"].dtype == bool
    assert tx["ts"].min() >= pd.Timestamp("2024-01-01")
    assert tx["ts"].max() < pd.Timestamp("2026-01-01")


def test_summary_matches_files(small_dir, small):
    truth = small["truth"]
    for table in ("customers", "transactions", "responses", "feedback"):
        assert truth["rows"][table] == len(small[table])
    counts = small["defects"].groupby(["table", "defect"]).size()
    for table, per in truth["defect_counts"].items():
        for defect, n in per.items():
            assert counts[(table, defect)] == n


def test_codebook_content(small):
    cb = small["codebook"]
    assert set(cb) == {"study", "items", "surveys"}
    items = {it["id"]: it for it in cb["items"]}
    drivers = [it for it in cb["items"] if it["role"] == "driver"]
    assert [d["id"] for d in drivers] == list(synth.DRIVERS)
    assert [d["stage"] for d in drivers] == sorted(d["stage"] for d in drivers)
    assert [d["id"] for d in drivers if d["reverse"]] == list(synth.REVERSE_DRIVERS)
    assert {items[f"imp_{d}"]["of"] for d in synth.DRIVERS} == set(synth.DRIVERS)
    assert {it["id"] for it in cb["items"] if "owner" not in it} == {"brand_app", "loy_improve"}
    assert items["attn_1"]["expect"] == 4
    assert {items[o]["metric"] for o in ("ltr", "osat", "ces")} == {"nps", "csat", "ces"}
    assert cb["surveys"]["kiosk_pulse"] == {"scales": {"osat": [1, 10]}}
    assert cb["surveys"]["legacy_2024"] == {"reverse": ["ces"]}
    assert all(set(it["text"]) == {"en", "zh"} for it in cb["items"])


def test_defect_rates_override(tmp_path):
    rates = {"responses": {"speeder": 0.0}, "feedback.html": 0.0}
    summary = synth.generate(tmp_path, n_customers=300, seed=3, defect_rates=rates)
    assert "speeder" not in summary["defects"]["responses"]
    assert "html" not in summary["defects"]["feedback"]
    with pytest.raises(ValueError, match="unknown defect"):
        synth.generate(tmp_path, n_customers=300, defect_rates={"responses.typo": 0.1})


# ------------------------------------------------------------------------------- defects


def test_every_defect_type_planted(small):
    planted = small["defects"].groupby(["table", "defect"]).size()
    for key in synth.DEFAULT_DEFECT_RATES:
        table, defect = key.split(".")
        assert planted.get((table, defect), 0) >= 3, key
    assert planted[("responses", "scale_mapped")] > 0
    assert planted[("responses", "reverse_scale")] > 0


def test_one_row_level_defect_per_row(small):
    log = small["defects"]
    row_level = log[log["defect"].isin(ROW_LEVEL)]
    assert not row_level.duplicated(["table", "source_row"]).any()
    cells = log[~log["defect"].isin(DESIGN_NOTES)]
    assert not cells.duplicated(["table", "source_row", "column"]).any()


def test_source_rows_and_record_ids_valid(small):
    id_cols = {
        "customers": "customer_id",
        "transactions": "transaction_id",
        "responses": "response_id",
        "feedback": "feedback_id",
    }
    for table, group in small["defects"].groupby("table"):
        frame = small[table]
        assert group["source_row"].between(1, len(frame)).all()
        written = frame[id_cols[table]].astype(str).to_numpy()[group["source_row"] - 1]
        assert (written == group["record_id"].to_numpy()).all(), table


def _check_duplicates(frame: pd.DataFrame, log: pd.DataFrame) -> None:
    for rec in log[log["defect"] == "duplicate_exact"].itertuples():
        src = copied_row(rec.detail)
        assert src < rec.source_row
        pd.testing.assert_series_equal(
            frame.iloc[rec.source_row - 1], frame.iloc[src - 1], check_names=False
        )


def test_response_defects_show_in_rows(small):
    resp, log = small["responses"], small["defects"]
    log = log[log["table"] == "responses"]
    median = survey_medians(resp)
    _check_duplicates(resp, log)
    for rec in log.itertuples():
        row = resp.iloc[rec.source_row - 1]
        if rec.defect == "duplicate_near":
            src = resp.iloc[copied_row(rec.detail) - 1]
            assert row["customer_id"] == src["customer_id"] != ""
            assert row["response_id"] != src["response_id"]
            assert (row[list(synth.ITEM_IDS)] == src[list(synth.ITEM_IDS)]).all()
            gap = pd.Timestamp(row["submitted_at"]) - pd.Timestamp(src["submitted_at"])
            assert pd.Timedelta(minutes=1) <= gap <= pd.Timedelta(minutes=30)
            assert row["duration_s"] != src["duration_s"]
        elif rec.defect == "speeder":
            assert float(nfkc(row["duration_s"])) < median.iloc[rec.source_row - 1] / 3
        elif rec.defect == "straight_liner":
            assert row[list(synth.DRIVERS)].nunique() == 1
        elif rec.defect == "attention_check":
            assert nfkc(row["attn_1"]) != "4"
        elif rec.defect == "test_record":
            assert re.match(r"^(TEST|QA)-\d{4}$", row["customer_id"]) or row["comment"] in (
                "test",
                "测试",
            )
        elif rec.defect == "out_of_range":
            lo, hi = raw_scale(rec.column, row["survey"])
            assert not lo <= float(nfkc(row[rec.column])) <= hi
        elif rec.defect == "full_width":
            assert row[rec.column] != nfkc(row[rec.column]) and nfkc(row[rec.column]).isascii()
        elif rec.defect == "customer_id_format":
            assert not CANONICAL_ID.match(row["customer_id"])
            assert CANONICAL_ID.match(norm_id(row["customer_id"]))
        elif rec.defect.startswith("pii_") or rec.defect == "html":
            assert rec.detail in row["comment"]
        elif rec.defect == "scale_mapped":
            assert row["survey"] == "kiosk_pulse"
        elif rec.defect == "reverse_scale":
            assert row["survey"] == "legacy_2024"


def test_planted_personal_data_is_valid(small):
    log = small["defects"]
    for rec in log[log["defect"].str.startswith("pii_")].itertuples():
        value = rec.detail
        if rec.defect == "pii_email":
            assert EMAIL.fullmatch(value)
        elif rec.defect == "pii_phone":
            assert MOBILE.fullmatch(value) or LANDLINE.fullmatch(value), value
        elif rec.defect == "pii_id_card":
            assert id_ok(value) and 1940 <= int(value[6:10]) <= 2010
        elif rec.defect == "pii_bank_card":
            assert 16 <= len(digits(value)) <= 19 and luhn_ok(digits(value)), value
    for value in small["decoys"]["detail"]:
        number = re.sub(r"\D", "", value)
        assert not (len(number) >= 16 and luhn_ok(number)), value
        assert not id_ok(number), value


def test_other_table_defects_show_in_rows(small):
    log = small["defects"]
    cust, tx, fb = small["customers"], small["transactions"], small["feedback"]
    known = set(cust["customer_id"].map(norm_id))
    for table, frame in (("customers", cust), ("transactions", tx), ("feedback", fb)):
        _check_duplicates(frame, log[log["table"] == table])
    for rec in log[log["table"] != "responses"].itertuples():
        row = small[rec.table].iloc[rec.source_row - 1]
        if rec.defect == "test_record":
            assert row["customer_id"].startswith("TEST-") and row["tier"] == "internal"
        elif rec.defect == "customer_id_format":
            assert CANONICAL_ID.match(norm_id(row["customer_id"]))
            assert not CANONICAL_ID.match(row["customer_id"])
        elif rec.defect == "orphan":
            assert row["customer_id"] not in known
        elif rec.defect == "empty_text":
            assert row["text"].strip() == ""
        elif rec.defect == "full_width":
            assert row["customer_id"] != nfkc(row["customer_id"])
        elif rec.defect.startswith("pii_") or rec.defect == "html":
            assert rec.detail in row["text"]


# ------------------------------------------------------------------------------- natural rates


def natural_rates(world: dict) -> dict:
    """How often each cleaning rule fires on rows where no such defect was planted."""
    resp, log = world["responses"], world["defects"]
    rlog = log[log["table"] == "responses"]

    def clean(defects) -> np.ndarray:
        bad = rlog[rlog["defect"].isin(defects)]["source_row"].to_numpy() - 1
        keep = np.ones(len(resp), dtype=bool)
        keep[bad] = False
        return keep

    drivers = resp[list(synth.DRIVERS)].map(nfkc).to_numpy()
    dur = numeric(resp["duration_s"])
    rates = {
        "straight_liner": float(np.mean((longest_run(drivers) >= 10)[clean({"straight_liner"})])),
        "speeder": float(np.mean((dur < survey_medians(resp) / 3)[clean({"speeder"})])),
        "attention_check": float(
            np.mean((resp["attn_1"].map(nfkc) != "4")[clean({"attention_check"})])
        ),
    }
    out = np.zeros(len(resp), dtype=bool)
    for item in synth.ITEM_IDS:
        values = numeric(resp[item])
        lo = resp["survey"].map(lambda s, i=item: raw_scale(i, s)[0])
        hi = resp["survey"].map(lambda s, i=item: raw_scale(i, s)[1])
        out |= ((values < lo) | (values > hi)).to_numpy()
    rates["out_of_range"] = float(np.mean(out[clean({"out_of_range"})]))
    wide = resp[STRUCTURED].apply(lambda col: col != col.map(nfkc)).any(axis=1).to_numpy()
    rates["full_width"] = float(np.mean(wide[clean({"full_width", "customer_id_format"})]))
    cid = resp["customer_id"]
    odd = ((cid != "") & ~cid.str.match(CANONICAL_ID)).to_numpy()
    rates["customer_id_format"] = float(
        np.mean(odd[clean({"customer_id_format", "full_width", "test_record"})])
    )
    for table, col in (("responses", "comment"), ("feedback", "text")):
        frame = world[table]
        marked = log[(log["table"] == table) & (log["column"] == col)]["source_row"] - 1
        keep = np.ones(len(frame), dtype=bool)
        keep[marked.to_numpy()] = False
        texts = frame[col].to_numpy()[keep]
        rates[f"{table}_pii"] = float(np.mean([bool(pii_hits(t)) for t in texts]))
        rates[f"{table}_html"] = float(np.mean([bool(TAG.search(t)) for t in texts]))
    fb = world["feedback"]
    empty = fb["text"].str.strip() == ""
    logged = log[(log["table"] == "feedback") & (log["defect"] == "empty_text")]
    rates["empty_text"] = float(empty.sum() - len(logged)) / len(fb)
    for table in ("customers", "transactions", "responses", "feedback"):
        frame = world[table]
        n_dup = frame.astype(str).duplicated().sum()
        n_log = ((log["table"] == table) & (log["defect"] == "duplicate_exact")).sum()
        rates[f"{table}_duplicate_exact"] = float(n_dup - n_log) / len(frame)
    return rates


def test_natural_false_positive_rates_small(small):
    rates = natural_rates(small)
    assert rates["straight_liner"] <= 0.01  # a single row of ~200 at most
    for name, rate in rates.items():
        if name != "straight_liner":
            assert rate == 0, name


def test_near_duplicates_only_where_planted(small):
    resp = small["responses"]
    linked = resp[resp["customer_id"].str.match(CANONICAL_ID)].copy()
    linked["t"] = pd.to_datetime(linked["submitted_at"])
    key = ["customer_id", *synth.ITEM_IDS]
    pairs = linked.merge(linked, on=key, suffixes=("", "_b"))
    gap = (pairs["t_b"] - pairs["t"]).dt.total_seconds()
    near = pairs[(gap > 0) & (gap <= 1800) & (pairs["response_id"] != pairs["response_id_b"])]
    log = small["defects"]
    planted = set(
        log[(log["table"] == "responses") & (log["defect"] == "duplicate_near")]["record_id"]
    )
    assert set(near["response_id_b"]) == planted


# ------------------------------------------------------------------------------- truth


def test_driver_truth(small):
    drivers = small["drivers"]
    assert len(drivers) == 3 * len(synth.DRIVERS)
    for outcome, group in drivers.groupby("outcome"):
        assert group["population_share"].sum() == pytest.approx(1.0)
        top_weights = set(group.nlargest(3, "weight")["driver"])
        assert set(group.nsmallest(3, "population_rank")["driver"]) == top_weights, outcome
        rho = group["population_rank"].corr(group["stated_rank"], method="spearman")
        assert rho < 0.5, outcome
    ltr = drivers[drivers["outcome"] == "ltr"].sort_values("population_rank")
    shares = ltr["population_share"].to_numpy()
    assert shares[2] > 1.5 * shares[3]  # top three well separated


def test_archetypes_overlap_small(small):
    feats = customer_features(small)
    for archetype in synth.ARCHETYPES:
        y = (feats["archetype"] == archetype).to_numpy()
        for col in (
            "frequency",
            "monetary_mean",
            "total_margin",
            "recency",
            "tenure",
            "promo_share",
        ):
            assert best_threshold_ba(feats[col].to_numpy(float), y) < 0.9, (archetype, col)


def test_archetype_truth_covers_customers(small):
    arch = small["archetypes"]
    assert arch["customer_id"].is_unique and arch["customer_id"].str.match(CANONICAL_ID).all()
    assert set(arch["archetype"]) == set(synth.ARCHETYPES)
    canonical = small["customers"]["customer_id"].map(norm_id)
    assert set(arch["customer_id"]) == set(canonical[canonical.str.match(CANONICAL_ID)])


# ------------------------------------------------------------------------------- planted themes

HAN = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
TEXT_COLUMN = {"feedback": "text", "responses": "comment"}
ID_COLUMN = {"feedback": "feedback_id", "responses": "response_id"}


def _phrases(bank) -> list[str]:
    """Every string of a (possibly nested) phrase bank."""
    if isinstance(bank, str):
        return [bank]
    values = bank.values() if isinstance(bank, dict) else bank
    return [p for v in values for p in _phrases(v)]


def _untouched(world: dict, table: str) -> pd.DataFrame:
    """Truth verbatims of ``table`` whose written text no defect or decoy changed."""
    log, decoys = world["defects"], world["decoys"]
    touched = set(log[(log["table"] == table) & (log["column"] == TEXT_COLUMN[table])]["record_id"])
    touched |= set(decoys[decoys["table"] == table]["record_id"])
    truth = world["verbatims"]
    truth = truth[truth["source_table"] == table]
    return truth[~truth["source_id"].isin(touched)]


def test_taxonomy_and_phrase_banks():
    assert len(synth.REASONS) == 13 and len(set(synth.REASONS)) == 13
    assert set(REASON_TEXT) == set(MIXED_TEXT) == set(synth.REASON_LABELS) == set(synth.REASONS)
    polarity = synth.REASON_POLARITY
    assert {r for r in synth.REASONS if polarity[r] == -1} == {
        "delivery_late",
        "product_defect",
        "rude_staff",
        "price_too_high",
        "app_crash",
        "refund_slow",
        "long_wait",
        "website_confusing",
    }
    assert {r for r in synth.REASONS if polarity[r] == 1} == {
        "praise_staff",
        "praise_product",
        "praise_delivery",
        "praise_digital",
    }
    assert polarity["suggestion_feature"] == 0
    for reason in synth.REASONS:
        label_en, label_zh = synth.REASON_LABELS[reason]
        assert LATIN.search(label_en) and HAN.search(label_zh), reason
        en, zh = REASON_TEXT[reason]
        assert len(set(en)) == len(en) >= 6 and len(set(zh)) == len(zh) >= 6, reason
        assert not any(HAN.search(t) for t in en) and not any(LATIN.search(t) for t in zh), reason
        mixed_en, mixed_zh = MIXED_TEXT[reason]
        assert mixed_en and all(HAN.search(t) and LATIN.search(t) for t in mixed_en), reason
        assert mixed_zh and all(HAN.search(t) and LATIN.search(t) for t in mixed_zh), reason
        assert not set(en + zh) & set(mixed_en + mixed_zh), reason
    # planted personal data, HTML and decoys must be the only ones a rule can find
    for phrase in _phrases([REASON_TEXT, MIXED_TEXT, OPENERS, CLOSERS, KIND_FRAME]):
        assert not re.search(r"[0-9@<>]", phrase), phrase


def test_raw_feedback_does_not_say_its_reason(small):
    assert "reason" not in synth.FEEDBACK_COLUMNS and "reason" not in small["feedback"].columns


def test_truth_verbatims_are_the_written_texts(small):
    truth = small["verbatims"]
    assert list(truth.columns) == VERBATIM_COLUMNS
    assert not truth.duplicated(["source_table", "source_id"]).any()
    assert (truth["theme"] == truth["themes"].map(lambda t: t[0])).all()
    assert (truth["polarity"] == truth["theme"].map(synth.REASON_POLARITY)).all()
    assert set(np.concatenate(truth["themes"].to_numpy())) <= set(synth.REASONS)
    for table in ("feedback", "responses"):
        written = small[table].drop_duplicates(ID_COLUMN[table]).set_index(ID_COLUMN[table])
        rows = truth[truth["source_table"] == table]
        assert rows["source_id"].isin(written.index).all(), table
        same = _untouched(small, table)
        assert len(same) > 0.5 * len(rows), table
        texts = written.loc[same["source_id"], TEXT_COLUMN[table]].to_numpy()
        assert (texts == same["text"].to_numpy()).all(), table
    fb = small["feedback"].drop_duplicates("feedback_id")
    assert set(truth[truth["source_table"] == "feedback"]["source_id"]) == set(fb["feedback_id"])
    resp = small["responses"].drop_duplicates("response_id").set_index("response_id")
    rows = truth[truth["source_table"] == "responses"]
    assert (resp.loc[rows["source_id"], "language"].to_numpy() == rows["language"]).all()


def test_truth_texts_have_the_planted_language_and_script(small):
    truth = small["verbatims"]
    zh = truth["language"] == "zh"
    assert set(truth.loc[zh, "script"]) <= {"simplified", "traditional"}
    assert set(truth.loc[~zh, "script"]) == {"latin"}
    han, latin = truth["text"].str.contains(HAN), truth["text"].str.contains(LATIN)
    assert han[zh].all() and latin[~zh].all()
    # code-mixed exactly when the other language's script shows up
    assert (latin[zh] == truth.loc[zh, "mixed"]).all()
    assert (han[~zh] == truth.loc[~zh, "mixed"]).all()


def test_comments_and_feedback_carry_the_reason_their_tone_implies(small):
    truth = small["verbatims"]
    log = small["defects"]
    touched = set(log[(log["table"] == "responses") & (log["column"] != "comment")]["record_id"])
    resp = small["responses"].drop_duplicates("response_id").set_index("response_id")
    rows = truth[(truth["source_table"] == "responses") & ~truth["source_id"].isin(touched)]
    ltr = resp.loc[rows["source_id"], "ltr"].astype(int).to_numpy()
    n_themes = rows["themes"].map(len).to_numpy()
    polarity = rows["polarity"].to_numpy()
    assert ((ltr >= 9) == ((polarity == 1) & (n_themes == 1))).all()
    assert ((ltr <= 6) == ((polarity == -1) & (n_themes == 1))).all()
    passive = (ltr >= 7) & (ltr <= 8)
    second = rows["themes"].map(lambda t: synth.REASON_POLARITY[t[-1]]).to_numpy()
    assert (n_themes[passive] == 2).all() and (second[passive] == 1).all()
    fb = small["feedback"].drop_duplicates("feedback_id").set_index("feedback_id")
    rows = truth[truth["source_table"] == "feedback"]
    kind = fb.loc[rows["source_id"], "kind"].to_numpy()
    rating = fb.loc[rows["source_id"], "rating"].to_numpy()
    polarity = rows["polarity"].to_numpy()
    assert (polarity[kind == "complaint"] == -1).all()
    assert (polarity[kind == "compliment"] == 1).all()
    assert (polarity[kind == "suggestion"] == 0).all()
    review = kind == "review"
    assert set(rating[review]) <= {"1", "2", "3", "4", "5"} and (rating[~review] == "").all()
    expected = np.select([rating > "3", rating == "3"], [1, 0], -1)
    assert (polarity[review] == expected[review]).all()


def test_theme_truth_covers_every_reason(small):
    themes = small["themes"]
    assert list(themes.columns) == THEME_COLUMNS
    assert list(themes["theme"]) == list(synth.REASONS)
    assert (themes["polarity"] == themes["theme"].map(synth.REASON_POLARITY)).all()
    labels = themes.set_index("theme")[["label_en", "label_zh"]]
    assert labels.apply(tuple, axis=1).to_dict() == synth.REASON_LABELS
    truth = small["verbatims"]
    carried = pd.Series(np.concatenate(truth["themes"].to_numpy())).value_counts()
    comments = truth[truth["source_table"] == "responses"]
    in_comments = pd.Series(np.concatenate(comments["themes"].to_numpy())).value_counts()
    for row in themes.itertuples():
        assert row.n == carried.get(row.theme, 0), row.theme
        assert row.n_comments == in_comments.get(row.theme, 0), row.theme
        assert np.isnan(row.nps_effect) == (row.n_comments == 0), row.theme
        if row.n_comments:
            assert row.nps_effect == pytest.approx(row.nps_mentioners - row.nps_others)
    summary = small["truth"]["verbatims"]
    zh = truth["language"] == "zh"
    assert summary["n_texts"] == len(truth)
    assert summary["by_language"] == truth["language"].value_counts().sort_index().to_dict()
    assert summary["traditional_share"] == pytest.approx(
        (truth["script"][zh] == "traditional").mean()
    )
    assert summary["mixed_share"] == pytest.approx(truth["mixed"].mean())


def test_traditional_and_code_mixed_shares(text_world):
    import opencc

    truth = text_world["verbatims"]
    zh = truth[truth["language"] == "zh"]
    assert len(zh) > 1000
    traditional = zh[zh["script"] == "traditional"]
    assert 0.11 <= len(traditional) / len(zh) <= 0.19
    to_simplified, to_traditional = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    assert all(to_traditional.convert(t) == t for t in traditional["text"])
    changed = traditional["text"].map(lambda t: to_simplified.convert(t) != t)
    assert changed.mean() > 0.9  # written in Traditional characters, not merely left alone
    simplified = zh[zh["script"] == "simplified"]["text"]
    assert simplified.map(lambda t: to_simplified.convert(t) == t).mean() > 0.95
    assert 0.03 <= truth["mixed"].mean() <= 0.075
    assert truth.loc[truth["language"] == "en", "mixed"].any() and zh["mixed"].any()


def test_nps_effect_follows_the_polarity_of_the_theme(text_world):
    themes = text_world["themes"].set_index("theme")
    for theme, row in themes.iterrows():
        if row["polarity"] == 0:
            assert row["n_comments"] == 0 and np.isnan(row["nps_effect"]), theme
            continue
        assert row["n_comments"] >= 20, theme
        if row["polarity"] < 0:
            assert row["nps_effect"] < -20 and row["nps_mentioners"] < 0, theme
        else:
            assert row["nps_effect"] > 20 and row["nps_mentioners"] > 0, theme


# ------------------------------------------------------------------------------- default size


@pytest.mark.slow
def test_default_world(default_world):
    """The world `make repro` builds (the session's shared copy; its generation speed is
    bench/ material, not a test's)."""
    world = read_world(default_world)
    rows = {
        name: len(world[name]) for name in ("customers", "transactions", "responses", "feedback")
    }
    assert 19_500 <= rows["customers"] <= 21_000
    assert rows["transactions"] >= 200_000
    assert rows["responses"] >= 8_000
    assert rows["feedback"] >= 3_000
    rates = natural_rates(world)
    assert rates["straight_liner"] < 0.001 and rates["speeder"] < 0.0005
    for name, rate in rates.items():
        if name not in ("straight_liner", "speeder"):
            assert rate == 0, name
    feats = customer_features(world)
    for archetype in synth.ARCHETYPES:
        y = (feats["archetype"] == archetype).to_numpy()
        for col in feats.columns.drop("archetype"):
            assert best_threshold_ba(feats[col].to_numpy(float), y) < 0.9, (archetype, col)
    nps = _clean_sample_nps_and_top3(world)
    assert 5 <= nps <= 35


def _clean_sample_nps_and_top3(world: dict) -> float:
    """On rows without any planted defect: NPS, and the top-3 LMG drivers of ltr vs truth."""
    resp, log = world["responses"], world["defects"]
    bad = log[(log["table"] == "responses") & ~log["defect"].isin(DESIGN_NOTES)]["source_row"]
    clean = resp.drop(index=bad.to_numpy() - 1)
    x = clean[list(synth.DRIVERS)].astype(int).to_numpy()
    for d in synth.REVERSE_DRIVERS:
        j = synth.DRIVERS.index(d)
        x[:, j] = 6 - x[:, j]
    ltr = clean["ltr"].astype(int).to_numpy()
    lmg = lmg_shares(np.corrcoef(np.column_stack([x, ltr]), rowvar=False))
    truth = world["drivers"]
    truth = truth[truth["outcome"] == "ltr"].sort_values("population_rank")
    assert set(np.asarray(synth.DRIVERS)[np.argsort(-lmg)[:3]]) == set(truth["driver"][:3])
    return 100 * (np.mean(ltr >= 9) - np.mean(ltr <= 6))
