"""Customer segments (cemlib.cx.segments): features on hand-made tables, degenerate input, the
stage on the default synthetic world, archetype recovery against the planted truth."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import KFold, cross_val_predict

from cemlib.cleaning import clean_folder
from cemlib.cx import segments as seg
from cemlib.data.io import read_folder
from cemlib.data.schema import Codebook, Item
from cemlib.stages.recovery import archetype_recovery

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CONTRACT = ["customer_id", "archetype", "value_score", "loyalty_score", "cluster", "clv", "p_alive"]
NUMERIC_CONTRACT = [
    "value_score",
    "loyalty_score",
    "cluster",
    "clv",
    "p_alive",
    "archetype_confidence",
]
FAST = {"n_boot": 2, "cluster_k": [2, 3]}


def _tx(rows: list[tuple], columns=("customer_id", "ts", "amount", "margin", "promo")):
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["ts"] = pd.to_datetime(frame["ts"], format="mixed")
    frame.insert(0, "transaction_id", [f"T{i}" for i in range(len(frame))])
    return frame


def _panel(n_customers: int = 60, seed: int = 3) -> dict:
    """A small random world: customers, transactions with margin and promo, linked surveys."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))
        k = int(rng.integers(1, 15))
        days = np.sort(rng.integers(0, 400, k))
        for d in days:
            amount = float(np.round(rng.lognormal(4, 0.5), 2))
            rows.append(
                (
                    f"C{c:03d}",
                    start + pd.Timedelta(days=int(d)),
                    amount,
                    round(0.3 * amount, 2),
                    bool(rng.random() < 0.3),
                )
            )
    tx = _tx(rows)
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{c:03d}" for c in range(n_customers)],
            "first_seen": pd.Timestamp("2023-06-01"),
            "cost_to_serve": rng.uniform(10, 60, n_customers).round(2),
        }
    )
    responses = pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(n_customers)],
            "customer_id": [f"C{c:03d}" for c in range(n_customers)],
            "submitted_at": pd.Timestamp("2025-01-01"),
            "ltr": rng.integers(0, 11, n_customers).astype(float),
            "loy_standard": rng.integers(1, 6, n_customers).astype(float),
        }
    )
    return {"transactions": tx, "customers": customers, "responses": responses}


CODEBOOK = Codebook(
    items=(
        Item(id="ltr", role="outcome", scale=(0, 10), metric="nps"),
        Item(id="loy_standard", role="loyalty", scale=(1, 5)),
    )
)


def _finite_contract(frame: pd.DataFrame) -> None:
    assert list(frame.columns[: len(CONTRACT)]) == CONTRACT
    assert frame["customer_id"].is_unique
    assert frame["archetype"].isin(seg.ARCHETYPES).all()
    assert np.isfinite(frame[NUMERIC_CONTRACT].to_numpy(dtype=float)).all()
    assert frame["archetype_confidence"].between(0.25, 1.0).all()


# ------------------------------------------------------------------------------ features


def test_switching_and_promotion_conditional_switching():
    cols = ("customer_id", "ts", "amount", "margin", "promo", "brand")
    tx = _tx(
        [
            # A: ours, ours, rival (on promo), ours, rival (no promo): 3 switches in 4 pairs
            ("A", "2025-01-01", 10, 3, False, "ours"),
            ("A", "2025-01-05", 10, 3, False, "ours"),
            ("A", "2025-01-09", 10, 3, True, "rival"),
            ("A", "2025-01-13", 10, 3, False, "ours"),
            ("A", "2025-01-17", 10, 3, False, "rival"),
            # B: always ours
            ("B", "2025-01-02", 10, 3, False, "ours"),
            ("B", "2025-01-06", 10, 3, True, "ours"),
            # C: one purchase
            ("C", "2025-01-03", 10, 3, False, "rival"),
        ],
        cols,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        f = seg.customer_features(tx).set_index("customer_id")
    assert f.attrs["focal_brand"] == "ours"  # most bought (5 of 8)
    assert f.loc["A", "switching_rate"] == pytest.approx(3 / 4)
    assert f.loc["A", "promo_switching"] == pytest.approx(1 / 3)
    assert f.loc["A", "scr"] == pytest.approx(3 / 5)
    assert f.loc["B", "switching_rate"] == 0 and f.loc["B", "scr"] == 1
    assert f.loc["C", "switching_rate"] == 0 and f.loc["C", "n_pairs"] == 0
    assert f.loc["C", "scr"] == 0
    # an explicit focal brand
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        g = seg.customer_features(tx, focal_brand="rival").set_index("customer_id")
    assert g.loc["A", "scr"] == pytest.approx(2 / 5) and g.loc["C", "scr"] == 1


def test_regularity_recency_tenure_and_same_day_occasions():
    tx = _tx(
        [
            ("A", "2025-01-01 09:00", 10, 3, False),
            ("A", "2025-01-01 18:00", 5, 1, True),  # same day: one occasion
            ("A", "2025-01-08", 10, 3, False),
            ("A", "2025-01-15", 10, 3, False),
            ("A", "2025-01-22", -4, -1, False),  # a return is not an occasion
            ("B", "2025-01-01", 10, 3, False),
            ("B", "2025-01-02", 10, 3, False),
            ("B", "2025-01-15", 10, 3, False),
            ("C", "2025-01-10", 20, 6, False),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        f = seg.customer_features(tx, observation_end="2025-01-31").set_index("customer_id")
    assert f.loc["A", "frequency"] == 3 and f.loc["A", "n_purchases"] == 4
    assert f.loc["A", "n_transactions"] == 5
    assert f.loc["A", "regularity_cv"] == pytest.approx(0.0)  # gaps 7, 7
    assert f.loc["B", "regularity_cv"] == pytest.approx(6 / 7)  # gaps 1, 13: sd 6, mean 7
    assert f.loc["C", "regularity_cv"] == 1.0 and f.loc["C", "n_gaps"] == 0  # Poisson value
    assert f.loc["A", "recency_days"] == 16 and f.loc["C", "recency_days"] == 21
    assert f.loc["A", "tenure_days"] == 30 and f.loc["A", "relationship_days"] == 14
    assert f.loc["A", "monetary"] == pytest.approx(35 / 4)
    assert f.loc["A", "revenue"] == pytest.approx(31)
    assert f.loc["A", "promo_share"] == pytest.approx(1 / 4)


def test_margin_net_of_cost_to_serve_over_the_served_years():
    tx = _tx(
        [
            ("A", "2025-01-01", 100, 30, False),
            ("A", "2025-04-11", 100, 30, False),  # window 2025-01-01 .. 2025-04-11: 100 days
            ("B", "2025-03-01", 50, 10, False),
        ]
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "D"],
            "first_seen": pd.to_datetime(["2020-01-01", "2025-02-20", "2025-03-01"]),
            "cost_to_serve": [36.525, 365.25, 0.0],
        }
    )
    f = seg.customer_features(tx, customers).set_index("customer_id")
    # A was a customer before the window: cost counts from the window start (100 days)
    assert f.loc["A", "cost_to_serve_total"] == pytest.approx(36.525 * 100 / 365.25)
    assert f.loc["A", "margin_net"] == pytest.approx(60 - 10.0)
    # B since first_seen 2025-02-20: 50 days
    assert f.loc["B", "margin_net"] == pytest.approx(10 - 50.0)
    assert f.loc["B", "tenure_days"] == 50
    # D never bought: a row all the same, no purchase, tenure from first_seen
    assert f.loc["D", "frequency"] == 0 and f.loc["D", "tenure_days"] == 41
    assert f.attrs["margin_basis"] == "margin"


def test_survey_features_take_the_latest_answer():
    tx = _tx([("A", "2025-01-01", 10, 3, False), ("B", "2025-01-02", 10, 3, False)])
    responses = pd.DataFrame(
        {
            "response_id": ["R1", "R2", "R3", "R4"],
            "customer_id": ["A", "A", None, "B"],
            "submitted_at": pd.to_datetime(
                ["2025-02-01", "2025-01-01", "2025-01-01", "2025-01-05"]
            ),
            "ltr": [9.0, 3.0, 10.0, np.nan],
            "loy_standard": [np.nan, 5.0, 1.0, 2.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        f = seg.customer_features(tx, responses=responses, codebook=CODEBOOK)
    f = f.set_index("customer_id")
    assert f.loc["A", "ltr"] == 9 and f.loc["A", "n_surveys"] == 2
    assert f.loc["A", "loy_standard"] == 5  # latest non-missing answer
    assert f.loc["A", "emotional_loyalty"] == pytest.approx(1.0)
    assert np.isnan(f.loc["B", "ltr"]) and f.loc["B", "emotional_loyalty"] == pytest.approx(0.25)


def test_shrink_share_pulls_short_histories_to_the_mean():
    rng = np.random.default_rng(0)
    n = rng.integers(1, 30, 4000)
    p = rng.beta(2, 6, 4000)
    k = rng.binomial(n, p)
    post, prior = seg.shrink_share(k, n)
    assert prior["mean"] == pytest.approx(k.sum() / n.sum())
    assert prior["alpha"] + prior["beta"] == pytest.approx(8, rel=0.35)  # Beta(2, 6): 8
    one = n == 1
    assert post[one].std() < (k[one] / n[one]).std() / 3  # single purchases barely move
    assert np.mean((post - p) ** 2) < np.mean((k / n - p) ** 2)  # better than the raw share
    assert seg.shrink_share([0, 0], [0, 0])[0].tolist() == [0, 0]


def test_axis_thresholds_mixture_median_and_number():
    rng = np.random.default_rng(1)
    s = np.r_[rng.normal(-1.5, 0.5, 7000), rng.normal(1.5, 0.5, 3000)]
    mix = seg.AxisThresholds("mixture").fit(s)
    assert mix.method_ == "mixture" and 0.0 < mix.threshold_ < 0.6  # Bayes cut, toward the minor
    assert seg.AxisThresholds("median").fit(s).threshold_ == pytest.approx(np.median(s))
    assert seg.AxisThresholds(0.25).fit(s).threshold_ == 0.25
    conf = mix.confidence(np.array([mix.threshold_, 5.0]))
    assert conf[0] == pytest.approx(0.5) and conf[1] > 0.99
    with pytest.warns(seg.SegmentWarning, match="too few distinct"):
        flat = seg.AxisThresholds("mixture").fit(np.zeros(50))
    assert flat.method_ == "median" and flat.threshold_ == 0


def test_treatments_speak_to_a_manager():
    assert "invest" in seg.treatment("strategic").lower()
    assert "points" in seg.treatment("butterfly") and "stop investing" in seg.treatment("butterfly")
    assert "share of wallet" in seg.treatment("barnacle")
    assert "profit on every" in seg.treatment("stranger")
    with pytest.raises(ValueError, match="unknown archetype"):
        seg.treatment("loyalist")


def test_attitudinal_grid_crosses_attitude_with_patronage():
    frame = pd.DataFrame(
        {
            "high_loyalty": [True, False, True, False, True],
            "emotional_loyalty": [0.9, 0.8, 0.1, 0.2, np.nan],
        }
    )
    kinds = seg.attitudinal_grid(frame)
    assert kinds.tolist()[:4] == ["loyalty", "latent", "spurious", "no loyalty"]
    assert pd.isna(kinds.iloc[4])
    assert seg.attitudinal_grid(frame.drop(columns="emotional_loyalty")).isna().all()


# ------------------------------------------------------------------------------ degenerate input


def test_a_customer_with_one_purchase_is_flagged_not_trusted():
    tables = _panel()
    extra = _tx([("SOLO", "2024-03-01", 500.0, 150.0, False)])
    tables["transactions"] = pd.concat([tables["transactions"], extra], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        frame, profiles, info = seg.segment_customers(tables, CODEBOOK, FAST)
    _finite_contract(frame)
    solo = frame.set_index("customer_id").loc["SOLO"]
    assert solo["thin_history"] and solo["frequency"] == 1
    assert 0 <= solo["p_alive"] <= 1 and np.isfinite(solo["clv"])
    assert any("thin_history" in w for w in info["warnings"])


def test_all_customers_identical_gives_warnings_and_defined_results():
    rows = [
        (f"C{c}", day, 50.0, 10.0, False)
        for c in range(30)
        for day in ("2025-01-01", "2025-02-01", "2025-03-01")
    ]
    tables = {"transactions": _tx(rows)}
    with pytest.warns(UserWarning) as record:
        frame, profiles, info = seg.segment_customers(tables, None, FAST)
    text = " ".join(str(w.message) for w in record)
    assert "same for every customer" in text
    _finite_contract(frame)
    assert frame["archetype"].nunique() == 1 and frame["cluster"].nunique() == 1
    assert frame["value_score"].eq(0).all() and frame["loyalty_score"].eq(0).all()
    assert len(profiles[profiles["level"] == "archetype"]) == 1


def test_no_survey_linkage_warns_and_leaves_survey_features_out():
    tables = _panel()
    tables["responses"] = tables["responses"].drop(columns="customer_id")
    with pytest.warns(seg.SegmentWarning, match="no survey response is linked"):
        frame, profiles, _ = seg.segment_customers(tables, CODEBOOK, FAST)
    _finite_contract(frame)
    assert "ltr" not in frame.columns and frame["n_surveys"].eq(0).all()
    assert "nps" not in profiles.columns


def test_no_margin_column_values_on_revenue_with_a_warning():
    tables = _panel()
    tables["transactions"] = tables["transactions"].drop(columns=["margin", "promo"])
    with pytest.warns(seg.SegmentWarning, match="no margin column"):
        frame, profiles, info = seg.segment_customers(tables, CODEBOOK, FAST)
    _finite_contract(frame)
    assert info["margin_basis"] == "revenue"
    assert frame["margin_rate"].eq(1).all()
    assert frame["margin_total"].to_numpy() == pytest.approx(frame["revenue"].to_numpy())


def test_unknown_parameter_and_missing_transactions_are_refused():
    with pytest.raises(ValueError, match="unknown parameter"):
        seg.segment_customers(_panel(), CODEBOOK, {"n_bootstrap": 3})
    with pytest.raises(ValueError, match="transactions table"):
        seg.segment_customers({"customers": _panel()["customers"]}, CODEBOOK)


def test_transactions_with_other_column_names_give_the_same_segments():
    """The column keywords map a table named otherwise onto the data model's names, in a copy."""
    tables = _panel()
    own = {"customer_id": "cust", "ts": "when", "amount": "value", "margin": "gross"}
    own |= {"promo": "deal"}
    renamed = dict(tables, transactions=tables["transactions"].rename(columns=own))
    before = renamed["transactions"].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        want = seg.segment_customers(tables, CODEBOOK, FAST)
        got = seg.segment_customers(
            renamed,
            CODEBOOK,
            FAST,
            customer="cust",
            timestamp="when",
            amount="value",
            margin="gross",
            promo="deal",
        )
    pd.testing.assert_frame_equal(got[0], want[0], check_exact=True)
    pd.testing.assert_frame_equal(got[1], want[1], check_exact=True)
    assert got[2]["warnings"] == want[2]["warnings"]
    pd.testing.assert_frame_equal(renamed["transactions"], before)  # the input is untouched
    with pytest.raises(ValueError, match="no column"):
        seg.segment_customers(renamed, CODEBOOK, FAST, customer="client")


def test_stability_report_is_reproducible_with_the_seed():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(
        np.r_[rng.normal(0, 1, (300, 3)), rng.normal(3, 1, (200, 3))], columns=["a", "b", "c"]
    )
    one = seg.cluster_customers(X, (2, 4), random_state=11, n_boot=4)
    two = seg.cluster_customers(X, (2, 4), random_state=11, n_boot=4)
    assert np.array_equal(one[0], two[0])
    assert one[1]["stability"] == two[1]["stability"]
    assert one[1]["k"] == 2 and one[1]["stability"]["ari_mean"] > 0.9
    scores = pd.DataFrame({"value_score": X["a"], "loyalty_score": X["b"]})
    assert seg.archetype_stability(scores, n_boot=3, random_state=2) == seg.archetype_stability(
        scores, n_boot=3, random_state=2
    )


def test_recovery_is_empty_without_truth(tmp_path):
    frame = pd.DataFrame({"customer_id": ["A"], "archetype": ["stranger"], "thin_history": [True]})
    confusion, metrics = archetype_recovery(frame, tmp_path)
    assert confusion.empty and metrics == {}


# ------------------------------------------------------------------------------ default world


@pytest.fixture(scope="module")
def clean_default(default_world):
    result = clean_folder(read_folder(default_world))
    return result.tables, result.codebook


@pytest.fixture(scope="module")
def segmented(clean_default):
    tables, codebook = clean_default
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", seg.SegmentWarning)
        return seg.segment_customers(tables, codebook, {})


@pytest.mark.slow
def test_stage_on_the_default_world_meets_the_contract(segmented, clean_default):
    frame, profiles, info = segmented
    tables, _ = clean_default
    _finite_contract(frame)
    assert set(frame["customer_id"]) == set(tables["customers"]["customer_id"])
    assert set(frame["archetype"]) == set(seg.ARCHETYPES)
    arche = profiles[profiles["level"] == "archetype"].set_index("segment")
    assert arche["share_customers"].sum() == pytest.approx(1.0)
    assert arche["share_margin"].sum() == pytest.approx(1.0)
    assert arche["share_clv"].sum() == pytest.approx(1.0)
    # value is concentrated: strategic customers bring far more than their share
    assert arche.loc["strategic", "share_margin"] > 2 * arche.loc["strategic", "share_customers"]
    assert arche.loc["strategic", "nps"] > arche.loc["stranger", "nps"]
    assert arche["complaints_per_100"].gt(0).all()
    assert arche.loc["butterfly", "promo_share"] > arche.loc["strategic", "promo_share"]
    clusters = info["clusters"]
    assert 2 <= clusters["k"] <= 8 and frame["cluster_name"].notna().all()
    assert clusters["stability"]["n_boot"] == 10 and clusters["stability"]["ari_mean"] > 0.3
    assert info["archetype_stability"]["ari_mean"] > 0.8
    assert info["lifetime"]["bgnbd"] is not None and info["lifetime"]["gamma_gamma"] is not None
    print("\nthresholds:", {a: round(t["threshold"], 3) for a, t in info["thresholds"].items()})
    print("cluster stability:", clusters["stability"], "archetype:", info["archetype_stability"])
    print(arche[["n", "share_customers", "share_margin", "share_clv", "nps"]].round(3))


def _recovery(segmented, default_world: Path):
    confusion, metrics = archetype_recovery(segmented[0], default_world / "truth")
    print("\nplanted (rows) x assigned (columns):\n", confusion)
    est = metrics["established"]
    print(
        f"all customers: ARI {metrics['ari']:.3f}, recall "
        f"{ {k: round(v, 3) for k, v in metrics['recall'].items()} }"
    )
    print(
        f"established ({est['coverage']:.0%}): ARI {est['ari']:.3f}, recall "
        f"{ {k: round(v, 3) for k, v in est['recall'].items()} }"
    )
    return confusion, metrics


@pytest.mark.slow
def test_archetype_recovery_beats_chance(segmented, default_world):
    confusion, metrics = _recovery(segmented, default_world)
    assert int(confusion.to_numpy().sum()) == metrics["n"] == metrics["n_truth"]
    assert metrics["ari"] > 0.3 and metrics["established"]["ari"] > 0.3
    shares = pd.read_parquet(default_world / "truth" / "archetypes.parquet")["archetype"]
    shares = shares.value_counts(normalize=True)
    for archetype in ("strategic", "butterfly"):  # precision well above the base rate
        assert metrics["precision"][archetype] > 1.5 * shares[archetype]
    assert metrics["recall"]["strategic"] > 0.45


@pytest.mark.slow
def test_planted_archetypes_are_separable_in_their_latent_parameters(default_world):
    """The planted value x loyalty structure is clearly four-cornered: a classifier that knows
    every customer's *true* buying parameters (rate, dropout, spend, margin, promo propensity)
    and is trained on the labels separates the archetypes almost perfectly (quadratic
    discriminant, 5-fold). What makes recovery from data hard is the observation (purchase
    noise, the two-year window, acquisition dates), not the planting."""
    truth = pd.read_parquet(default_world / "truth" / "archetypes.parquet")
    latent = np.column_stack(
        [
            np.log(truth["lambda_"]),
            np.log(truth["dropout_p"] / (1 - truth["dropout_p"])),
            truth["spend_mu"],
            truth["margin_rate"],
            np.log(truth["promo_p"] / (1 - truth["promo_p"])),
        ]
    )
    folds = KFold(5, shuffle=True, random_state=0)
    oracle = cross_val_predict(
        QuadraticDiscriminantAnalysis(), latent, truth["archetype"], cv=folds
    )
    ari = adjusted_rand_score(truth["archetype"], oracle)
    print(f"\noracle on the true latent parameters: ARI {ari:.3f}")
    assert ari > 0.8


@pytest.mark.slow
def test_archetype_recovery_reaches_the_done_when_target(segmented, default_world):
    """Done-when target of the issue: ARI >= 0.6, butterfly and strategic recall >= 0.75 each,
    with thresholds learned from the data only."""
    _, metrics = _recovery(segmented, default_world)
    assert metrics["ari"] >= 0.6
    assert metrics["recall"]["butterfly"] >= 0.75 and metrics["recall"]["strategic"] >= 0.75
