"""Tracking over time (cemlib.cx.tracking): periods, KPI series against hand computations, change
tests against independent oracles (statsmodels, scipy, the trinomial z by hand), the tiles'
false-alarm rate and power by simulation, and control limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from cemlib.cx.metrics import nps, nps_difference, nps_summary
from cemlib.cx.scorecards import holm
from cemlib.cx.tracking import (
    HIGHER_IS_BETTER,
    KIND,
    change_test,
    control_limits,
    kpi_series,
    kpi_tiles,
    period_labels,
    tiles_from_series,
)
from cemlib.data.schema import Codebook, Item

NPS_ITEM = Item("ltr", "outcome", (0.0, 10.0), metric="nps")
CSAT_ITEM = Item("osat", "outcome", (1.0, 5.0), metric="csat")
CES_ITEM = Item("ces", "outcome", (1.0, 7.0), text={"en": "How easy was it?"}, metric="ces")
BOOK = Codebook((NPS_ITEM, CSAT_ITEM, CES_ITEM))


# --------------------------------------------------------------------------- periods


def test_calendar_periods_cover_every_period_between_the_first_and_the_last():
    frame = pd.DataFrame(
        {"submitted_at": pd.to_datetime(["2025-02-03", "2024-11-30", None, "2025-07-01"])}
    )
    month = period_labels(frame, "month")
    assert month.cat.ordered and month.name == "period"
    assert month.tolist()[:2] == ["2025-02", "2024-11"] and pd.isna(month.iloc[2])
    assert list(month.cat.categories) == [
        "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
        "2025-07",
    ]  # fmt: skip
    quarter = period_labels(frame, "quarter")
    assert quarter.tolist()[:2] == ["2025Q1", "2024Q4"]
    assert list(quarter.cat.categories) == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    half = period_labels(frame, "half")
    assert [h for h in half if pd.notna(h)] == ["2025H1", "2024H2", "2025H2"]
    assert list(half.cat.categories) == ["2024H2", "2025H1", "2025H2"]
    assert half.attrs["period"] == "half"


def test_waves_are_ordered_by_their_dates_not_their_names():
    frame = pd.DataFrame(
        {
            "wave": ["spring25", "autumn24", "winter24", "winter24", "spring25", None],
            "submitted_at": pd.to_datetime(
                ["2025-04-01", "2024-10-01", "2024-12-20", "2025-01-10", "2025-05-01", "2025-01-01"]
            ),
        }
    )
    labels = period_labels(frame)
    assert list(labels.cat.categories) == ["autumn24", "winter24", "spring25"]  # not lexical
    assert labels.cat.codes.tolist() == [2, 0, 1, 1, 2, -1]
    without_dates = period_labels(frame.drop(columns="submitted_at"))
    assert list(without_dates.cat.categories) == ["autumn24", "spring25", "winter24"]


def test_period_errors_are_one_clear_line():
    frame = pd.DataFrame({"submitted_at": pd.to_datetime(["2025-01-01"])})
    with pytest.raises(ValueError, match="unknown period 'week'; use one of wave, month"):
        period_labels(frame, "week")
    with pytest.raises(ValueError, match="no column 'wave' to make wave periods from"):
        period_labels(frame)
    with pytest.raises(ValueError, match="no column 'date' to make month periods from"):
        period_labels(frame, "month", date_column="date")


# --------------------------------------------------------------------------- the series


def _tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": ["w1"] * 5 + ["w2"] * 5,
            "submitted_at": pd.date_range("2025-01-01", periods=10, freq="7D"),
            "ltr": [10, 9, 7, 3, 0, 10, 10, 9, 8, 6],
            "osat": [5, 4, 3, 2, 1, 5, 5, 4, 4, None],
            "ces": [7, 6, 5, 4, 3, 7, 7, 6, 6, 4],
        }
    )


def test_kpi_series_equals_hand_computations():
    series = kpi_series(_tiny(), BOOK, "wave", min_n=5).set_index(["kpi", "period"])
    # NPS: w1 2 promoters, 2 detractors of 5 -> 0; w2 3 promoters, 1 detractor -> 40
    assert series.loc[("nps", "w1"), "value"] == pytest.approx(0.0)
    assert series.loc[("nps", "w2"), "value"] == pytest.approx(40.0)
    assert series.loc[("nps", "w2"), "sd"] == pytest.approx(100 * np.sqrt(0.8 - 0.4**2))
    reference = nps_summary(pd.Series([10, 10, 9, 8, 6]))
    assert series.loc[("nps", "w2"), "ci_low"] == pytest.approx(reference["ci_low"])
    # top two boxes of 1-5 are 4 and 5: w1 2 of 5, w2 4 of 4 answers (one missing)
    assert series.loc[("csat_top2", "w1"), "value"] == pytest.approx(40.0)
    assert series.loc[("csat_top2", "w2"), ["value", "n"]].tolist() == [100.0, 4]
    low, high = proportion_confint(2, 5, alpha=0.05, method="wilson")
    assert series.loc[("csat_top2", "w1"), "ci_low"] == pytest.approx(100 * low)
    assert series.loc[("csat_top2", "w1"), "ci_high"] == pytest.approx(100 * high)
    # CES mean of 7, 6, 5, 4, 3 = 5, sd = sqrt(2.5), t interval on 4 df
    assert series.loc[("ces", "w1"), "value"] == pytest.approx(5.0)
    assert series.loc[("ces", "w1"), "sd"] == pytest.approx(np.sqrt(2.5))
    half = stats.t.ppf(0.975, 4) * np.sqrt(2.5 / 5)
    assert series.loc[("ces", "w1"), "ci_high"] == pytest.approx(5 + half)
    # a period under min_n is not tested
    assert not series.loc[("csat_top2", "w2"), "tested"]
    assert series.loc[("nps", "w2"), "tested"]


def test_weights_use_kish_n_and_rows_without_weight_are_left_out():
    frame = _tiny().assign(weight=[1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 2.0, np.nan, 1.0])
    series = kpi_series(frame, BOOK, "wave", min_n=1).set_index(["kpi", "period"])
    expected = nps(frame.dropna(subset=["weight"]), "ltr", by="wave", weights="weight")
    assert series.xs("nps")["value"].tolist() == pytest.approx(expected["nps"].tolist())
    w = np.array([1.0, 2.0, 1.0, 1.0, 3.0])
    kish = w.sum() ** 2 / (w**2).sum()
    top2 = 3 / 8  # weights 1 + 2 of 8 in the top two boxes
    assert series.loc[("csat_top2", "w1"), "n_effective"] == pytest.approx(kish)
    assert series.loc[("csat_top2", "w1"), "value"] == pytest.approx(100 * top2)
    low, high = proportion_confint(top2 * kish, kish, method="wilson")
    assert series.loc[("csat_top2", "w1"), "ci_low"] == pytest.approx(100 * low)
    assert series.loc[("ces", "w2"), "n"] == 4  # the row without weight left out


def test_complaint_rate_counts_distinct_complainants_per_customer_in_contact():
    responses = _tiny().assign(submitted_at=pd.to_datetime(["2025-01-10"] * 5 + ["2025-03-10"] * 5))
    transactions = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "a", "b"],
            "ts": pd.to_datetime(["2025-01-05"] * 4 + ["2025-03-01", "2025-03-02"]),
        }
    )
    feedback = pd.DataFrame(
        {
            "customer_id": ["a", "a", "e", None, "b", "b"],
            "created_at": pd.to_datetime(
                ["2025-01-06", "2025-01-20", "2025-01-07", "2025-01-08", "2025-01-09", "2025-03-05"]
            ),
            "kind": ["complaint", "complaint", "complaint", "complaint", "review", "Complaint"],
        }
    )
    series = kpi_series(responses, BOOK, "month", 1, feedback, transactions)
    rate = series[series["kpi"] == "complaint_rate"].set_index("period")
    # January: in contact a, b, c, d (bought) and e (complained only) = 5; complained a, e = 2
    assert rate.loc["2025-01", ["n", "value"]].tolist() == [5, 40.0]
    assert rate.loc["2025-02", "n"] == 0 and np.isnan(rate.loc["2025-02", "value"])
    assert rate.loc["2025-03", ["n", "value"]].tolist() == [2, 50.0]
    low, _ = proportion_confint(2, 5, method="wilson")
    assert rate.loc["2025-01", "ci_low"] == pytest.approx(100 * low)
    # the labels of period_labels carry their rule: events are mapped by calendar month too
    labels = period_labels(responses, "month")
    same = kpi_series(responses, BOOK, labels, 1, feedback, transactions)
    pd.testing.assert_frame_equal(same, series)
    with pytest.raises(ValueError, match="periods must be indexed like the responses"):
        kpi_series(responses, BOOK, labels.reset_index(drop=True).iloc[::-1])
    # waves: each wave's span of answer dates, w1 2025-01-05..07 and w2 2025-03-01..05
    responses = _tiny().assign(
        submitted_at=pd.to_datetime(["2025-01-05"] * 4 + ["2025-01-07"] + ["2025-03-01"] * 4 + ["2025-03-05"])
    )  # fmt: skip
    waves = kpi_series(responses, BOOK, "wave", 1, feedback, transactions)
    waves = waves[waves["kpi"] == "complaint_rate"].set_index("period")
    assert waves.loc["w1", ["n", "value"]].tolist() == [5, 40.0]  # a, b, c, d bought; a, e
    assert waves.loc["w2", ["n", "value"]].tolist() == [2, 50.0]  # a, b bought; b complained


def test_a_kpi_without_its_item_is_left_out():
    book = Codebook((NPS_ITEM, Item("osat", "outcome", (0.0, 100.0), metric="csat")))
    series = kpi_series(_tiny().drop(columns="ces"), book, "wave")
    assert set(series["kpi"]) == {"nps"}  # no CES item; a 0-100 CSAT has no top-two boxes
    assert set(kpi_series(_tiny(), BOOK, "wave", feedback=pd.DataFrame())["kpi"]) == {
        "nps", "csat_top2", "ces"
    }  # fmt: skip


# --------------------------------------------------------------------------- change tests


def _two_waves(rng: np.random.Generator, n: int = 300) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": ["a"] * n + ["b"] * n,
            "ltr": np.r_[rng.integers(0, 11, n), rng.integers(2, 11, n)].astype(float),
            "osat": np.r_[rng.integers(1, 6, n), rng.integers(2, 6, n)].astype(float),
            "ces": np.r_[rng.integers(1, 8, n), rng.integers(1, 8, n) * 0.8 + 1.3],
        }
    )


def test_tile_p_values_equal_independent_oracles():
    frame = _two_waves(np.random.default_rng(3))
    tiles = kpi_tiles(frame, BOOK, "wave").set_index("kpi")
    a, b = frame[frame["wave"] == "a"], frame[frame["wave"] == "b"]
    # NPS: the trinomial z by hand
    shares = [((g["ltr"] >= 9).mean(), (g["ltr"] <= 6).mean(), len(g)) for g in (a, b)]
    (p1, d1, n1), (p2, d2, n2) = shares
    var = (p1 + d1 - (p1 - d1) ** 2) / n1 + (p2 + d2 - (p2 - d2) ** 2) / n2
    z = ((p2 - d2) - (p1 - d1)) / np.sqrt(var)
    assert tiles.loc["nps", "change"] == pytest.approx(100 * ((p2 - d2) - (p1 - d1)))
    assert tiles.loc["nps", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert tiles.loc["nps", "p_value"] == pytest.approx(
        nps_difference(b["ltr"], a["ltr"])["p_value"]
    )
    # top-two-box share: statsmodels' pooled two-proportion z test
    counts = [(b["osat"] >= 4).sum(), (a["osat"] >= 4).sum()]
    _, p = proportions_ztest(counts, [len(b), len(a)])
    assert tiles.loc["csat_top2", "p_value"] == pytest.approx(p)
    # CES: scipy's Welch t test
    welch = stats.ttest_ind(b["ces"], a["ces"], equal_var=False)
    assert tiles.loc["ces", "p_value"] == pytest.approx(welch.pvalue)
    assert tiles.loc["ces", "change"] == pytest.approx(b["ces"].mean() - a["ces"].mean())
    # Holm over the tiles, by the scorecards' holm
    assert tiles["p_adjusted"].tolist() == pytest.approx(holm(tiles["p_value"]).tolist())
    assert (tiles["period"] == "b").all() and (tiles["previous_period"] == "a").all()


def test_change_test_statistics_equal_oracles():
    x, n = np.array([160, 130]), np.array([420, 400])
    before = {"value": 100 * x[1] / n[1], "sd": 0.0, "n_effective": n[1]}
    after = {"value": 100 * x[0] / n[0], "sd": 0.0, "n_effective": n[0]}
    z, p = proportions_ztest(x, n)
    test = change_test("proportion", before, after)
    assert (test["statistic"][0], test["p_value"][0]) == (pytest.approx(z), pytest.approx(p))
    same = change_test(
        "mean", {"value": 3, "sd": 0, "n_effective": 9}, {"value": 3, "sd": 0, "n_effective": 9}
    )
    assert (same["statistic"][0], same["p_value"][0]) == (0.0, 1.0)  # fmt: skip
    with pytest.raises(ValueError, match="unknown kind 'median'"):
        change_test("median", before, after)


def _series(kpis: dict[str, tuple], tested=(True, True)) -> pd.DataFrame:
    """A two-period series: kpi -> (value before, value after, sd, n per period)."""
    rows = []
    for kpi, (v1, v2, sd, n) in kpis.items():
        for period, value, ok in (("p1", v1, tested[0]), ("p2", v2, tested[1])):
            rows.append({"kpi": kpi, "period": period, "n": n, "value": value, "ci_low": np.nan,
                         "ci_high": np.nan, "tested": ok, "n_effective": float(n), "sd": sd})  # fmt: skip
    series = pd.DataFrame(rows)
    series["period"] = pd.Categorical(series["period"], ["p1", "p2"], ordered=True)
    return series


@pytest.mark.parametrize(
    ("kpi", "before", "after", "sd", "direction", "arrow", "better"),
    [
        ("nps", 20.0, 30.0, 80.0, None, "▲", True),
        ("nps", 30.0, 20.0, 80.0, None, "▼", False),
        ("nps", 20.0, 21.0, 80.0, None, "", None),  # not significant: no arrow, no verdict
        ("csat_top2", 60.0, 66.0, np.nan, None, "▲", True),
        ("ces", 5.0, 5.2, 1.5, None, "▲", True),
        ("ces", 5.0, 5.2, 1.5, {"ces": False}, "▲", False),  # a high CES = more effort
        ("complaint_rate", 6.0, 4.0, np.nan, None, "▼", True),
        ("complaint_rate", 4.0, 6.0, np.nan, None, "▲", False),
    ],
)
def test_arrow_and_better(kpi, before, after, sd, direction, arrow, better):
    tiles = tiles_from_series(_series({kpi: (before, after, sd, 2000)}), higher_is_better=direction)
    row = tiles.iloc[0]
    assert (row["arrow"], row["better"]) == (arrow, better)
    assert row["significant"] == (arrow != "")


def test_a_period_under_min_n_is_shown_but_not_tested():
    tiles = tiles_from_series(_series({"nps": (20.0, 60.0, 80.0, 50)}, tested=(False, True)))
    row = tiles.iloc[0]
    assert row["value"] == 60.0 and row["change"] == 40.0
    assert not row["tested"] and np.isnan(row["p_value"]) and not row["significant"]
    assert (row["arrow"], row["better"]) == ("", None)
    frame = _tiny()
    small = kpi_tiles(frame, BOOK, "wave", min_n=6)
    assert not small["tested"].any() and small["p_adjusted"].isna().all()


def test_holm_decides_not_the_raw_p_value():
    # two changes with p = 0.03 each: each alone significant, together Holm makes both 0.06
    se = 80 * np.sqrt(2 / 1000)
    change = se * stats.norm.isf(0.015)
    pair = {"nps": (20.0, 20 + change, 80.0, 1000), "ces": (5.0, 5 + change / 100, 0.8, 1000)}
    tiles = tiles_from_series(_series(pair))
    assert tiles["p_value"].tolist() == pytest.approx([0.03, 0.03], abs=5e-4)
    assert tiles["p_adjusted"].tolist() == pytest.approx([0.06, 0.06], abs=1e-3)
    assert not tiles["significant"].any()
    alone = tiles_from_series(_series({"nps": pair["nps"]}))
    assert alone["significant"].all()


# --------------------------------------------------------------------------- simulation

NPS_P = np.array([0.25, 0.40, 0.35])  # detractors, passives, promoters
CSAT_P = np.array([0.05, 0.10, 0.20, 0.35, 0.30])
CES_P = np.array([0.03, 0.05, 0.10, 0.17, 0.25, 0.25, 0.15])
COMPLAINT_P = 0.06


def _simulated_series(rng, sims, n, nps_after=NPS_P) -> tuple[pd.DataFrame, dict]:
    """Two periods per simulation, drawn as the counts that are sufficient for every KPI
    (unweighted): NPS categories, CSAT and CES answer counts, complainants among customers."""
    counts = {}
    rows = []
    for period, nps_p in (("a", NPS_P), ("b", nps_after)):
        size = rng.integers(int(0.875 * n), int(1.125 * n) + 1, sims)
        nps_c = rng.multinomial(size, nps_p)
        csat_c = rng.multinomial(size, CSAT_P)
        ces_c = rng.multinomial(size, CES_P)
        customers = rng.integers(int(0.875 * n), int(1.125 * n) + 1, sims)
        complained = rng.binomial(customers, COMPLAINT_P)
        counts[period] = (size, nps_c, csat_c, ces_c, customers, complained)
        d, p = nps_c[:, 0] / size, nps_c[:, 2] / size
        top2 = (csat_c[:, 3] + csat_c[:, 4]) / size
        points = np.arange(1, 8)
        mean = ces_c @ points / size
        var = (ces_c @ points**2 - size * mean**2) / (size - 1)
        rate = complained / customers
        for kpi, value, sd, k in (
            ("nps", 100 * (p - d), 100 * np.sqrt(p + d - (p - d) ** 2), size),
            ("csat_top2", 100 * top2, 100 * np.sqrt(top2 * (1 - top2)), size),
            ("ces", mean, np.sqrt(var), size),
            ("complaint_rate", 100 * rate, 100 * np.sqrt(rate * (1 - rate)), customers),
        ):
            rows.append(pd.DataFrame({"kpi": kpi, "sim": np.arange(sims), "side": period,
                                      "value": value, "sd": sd, "n": k}))  # fmt: skip
    series = pd.concat(rows, ignore_index=True)
    series["period"] = series["sim"].map("{:05d}".format) + series["side"]
    order = [f"{i:05d}{p}" for i in range(sims) for p in "ab"]
    series["period"] = pd.Categorical(series["period"], order, ordered=True)
    series = series.assign(n_effective=series["n"].astype(float), ci_low=np.nan, ci_high=np.nan)
    return series.assign(tested=series["n"] >= 100).sort_values(["sim", "period"]), counts


def _tiles_per_simulation(series: pd.DataFrame) -> pd.DataFrame:
    """tiles_from_series, simulation by simulation (the reference, slow)."""
    return pd.concat(
        tiles_from_series(part.drop(columns=["sim", "side"]), period=f"{sim:05d}b").assign(sim=sim)
        for sim, part in series.groupby("sim", sort=True)
    )


def _tiles_at_once(series: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The same tiles for every simulation at once: change_test vectorised over simulations,
    then the existing holm within each simulation."""
    parts = []
    for kpi, part in series.groupby("kpi", sort=False):
        a, b = (part[part["side"] == side].sort_values("sim") for side in "ab")
        test = change_test(KIND[kpi], a, b)
        tested = a["tested"].to_numpy() & b["tested"].to_numpy()
        parts.append(pd.DataFrame({"sim": a["sim"].to_numpy(), "kpi": kpi, "change": test["change"],
                                   "p_value": np.where(tested, test["p_value"], np.nan),
                                   "tested": tested}))  # fmt: skip
    tiles = pd.concat(parts).sort_values(["sim"], kind="stable", ignore_index=True)
    tiles["p_adjusted"] = tiles.groupby("sim")["p_value"].transform(holm)
    tiles["significant"] = tiles["tested"] & (tiles["p_adjusted"] < alpha)
    up = tiles["change"] > 0
    tiles["arrow"] = np.where(tiles["significant"], np.where(up, "▲", "▼"), "")
    tiles["better"] = (up == tiles["kpi"].map(HIGHER_IS_BETTER)).where(tiles["significant"], None)
    return tiles


def _raw(counts: dict, sim: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The responses, transactions and feedback behind simulation ``sim``'s counts."""
    responses, transactions, feedback = [], [], []
    for period, day in (("a", "2025-01-15"), ("b", "2025-07-15")):
        size, nps_c, csat_c, ces_c, customers, complained = (c[sim] for c in counts[period])
        responses.append(pd.DataFrame({
            "submitted_at": pd.Timestamp(day), "weight": 1.0,
            "ltr": np.repeat([3.0, 7.0, 10.0], nps_c), "osat": np.repeat(np.arange(1.0, 6), csat_c),
            "ces": np.repeat(np.arange(1.0, 8), ces_c)}))  # fmt: skip
        ids = [f"{period}{i}" for i in range(customers)]
        transactions.append(pd.DataFrame({"customer_id": ids, "ts": pd.Timestamp(day)}))
        feedback.append(pd.DataFrame({"customer_id": ids[:complained], "kind": "complaint",
                                      "created_at": pd.Timestamp(day)}))  # fmt: skip
    return tuple(pd.concat(f, ignore_index=True) for f in (responses, transactions, feedback))


def test_the_simulations_reproduce_the_tiles_of_the_raw_data():
    """The simulations below draw sufficient statistics and test them all at once; from the raw
    rows they stand for, kpi_tiles gives the same tiles, and so does tiles_from_series."""
    after = np.array([0.20, 0.40, 0.40])  # a real change now and then, so that flags are set
    series, counts = _simulated_series(np.random.default_rng(11), 120, 400, nps_after=after)
    reference = _tiles_per_simulation(series).reset_index(drop=True)
    at_once = _tiles_at_once(series)
    assert reference["significant"].sum() > 10
    for column in ("kpi", "sim", "significant", "arrow", "better"):
        assert reference[column].tolist() == at_once[column].tolist(), column
    for column in ("change", "p_value", "p_adjusted"):
        np.testing.assert_allclose(reference[column], at_once[column], rtol=1e-12)
    for sim in range(4):
        responses, transactions, feedback = _raw(counts, sim)
        raw = kpi_tiles(responses, BOOK, "half", feedback=feedback, transactions=transactions)
        ours = reference[reference["sim"] == sim]
        assert raw["kpi"].tolist() == ours["kpi"].tolist()
        for column in ("value", "change", "p_value", "p_adjusted"):
            np.testing.assert_allclose(raw[column], ours[column], rtol=1e-9, atol=1e-9)


def test_false_alarm_rate_of_the_tiles_is_at_most_alpha():
    sims, alpha = 10_000, 0.05
    series, _ = _simulated_series(np.random.default_rng(2025), sims, 400)
    tiles = _tiles_at_once(series)
    per_kpi = tiles.groupby("kpi")["p_value"].apply(lambda p: float((p < alpha).mean()))
    any_alarm = tiles.groupby("sim")["significant"].any()
    rate = float(any_alarm.mean())
    bound = alpha + 2 * np.sqrt(alpha * (1 - alpha) / sims)
    print(f"\nfalse-alarm rate (any of 4 tiles, Holm): {rate:.4f} over {sims} simulations "
          f"(bound {bound:.4f}); unadjusted per tile: {per_kpi.round(4).to_dict()}")  # fmt: skip
    assert rate <= bound
    # and each test alone keeps its size (none is badly liberal or conservative)
    assert per_kpi.between(0.04, 0.06).all(), per_kpi


def _power(n: int, sims: int, seed: int) -> float:
    after = np.array([0.20, 0.40, 0.40])  # NPS 10 -> 20 (+10 points)
    series, _ = _simulated_series(np.random.default_rng(seed), sims, n, nps_after=after)
    nps_tiles = _tiles_at_once(series).query("kpi == 'nps'")
    hits = nps_tiles["significant"] & nps_tiles["arrow"].eq("▲") & nps_tiles["better"].eq(True)
    return float(hits.mean())


def test_a_planted_nps_rise_is_detected_with_the_right_sign():
    var = [p + d - (p - d) ** 2 for p, d in ((0.35, 0.25), (0.40, 0.20))]
    for n, sims in ((1000, 4000), (1500, 4000)):
        power = _power(n, sims, seed=n)
        shift = 0.10 / np.sqrt(sum(var) / n)
        # Holm's first step over four tiles is Bonferroni, 0.05 / 4: a lower bound
        bonferroni = stats.norm.sf(stats.norm.isf(0.05 / 8) - shift)
        print(f"\npower, NPS +10 at n = {n}: {power:.3f} (Bonferroni bound {bonferroni:.3f})")
        assert power >= bonferroni - 3 * np.sqrt(bonferroni * (1 - bonferroni) / sims)
        assert power <= stats.norm.sf(stats.norm.isf(0.025) - shift) + 0.05  # unadjusted
    assert power >= 0.8  # n = 1,500 per period


# --------------------------------------------------------------------------- control limits


def _chart(kpi: str, values, n, sd) -> pd.DataFrame:
    k = len(values)
    return pd.DataFrame({"kpi": kpi, "period": pd.Categorical([f"{i:02d}" for i in range(k)], ordered=True),
                         "value": values, "n_effective": np.broadcast_to(n, k).astype(float),
                         "sd": np.broadcast_to(sd, k).astype(float)})  # fmt: skip


def test_p_chart_limits_by_hand_and_a_stable_series_stays_inside():
    n = np.array([400, 500, 300, 450, 400, 350, 500, 420])
    values = 30 + np.array([1, -1, 0.5, -0.5, 1.5, -1.5, 0.2, -0.2])
    chart = control_limits(_chart("csat_top2", values, n, np.nan))
    p = np.average(values, weights=n) / 100
    np.testing.assert_allclose(chart["centre"], 100 * p)
    np.testing.assert_allclose(chart["ucl"], 100 * (p + 3 * np.sqrt(p * (1 - p) / n)))
    np.testing.assert_allclose(chart["lcl"], 100 * (p - 3 * np.sqrt(p * (1 - p) / n)))
    assert not chart["outside"].any() and not chart["run"].any()


def test_a_four_sigma_shift_is_outside_and_eight_on_one_side_is_a_run():
    n, p = 400, 0.3
    sigma = 100 * np.sqrt(p * (1 - p) / n)
    values = 30 + sigma * np.array([0.5, -0.5, 0.3, -0.3, 4.0, -0.5, 0.5, -0.3, 0.3, -0.2])
    chart = control_limits(_chart("complaint_rate", values, n, np.nan))
    assert chart["outside"].tolist() == [i == 4 for i in range(10)]
    pattern = np.array([1, -1] * 2 + [1] * 8 + [-1] * 8 + [1, -1] * 2, dtype=float)
    chart = control_limits(_chart("csat_top2", 30 + 0.5 * sigma * pattern, n, np.nan))
    assert chart["run"].tolist() == [4 <= i < 20 for i in range(24)]
    assert not chart["outside"].any()
    seven = np.array([1] * 7 + [-1] * 7, dtype=float)
    assert not control_limits(_chart("csat_top2", 30 + sigma * seven, n, np.nan))["run"].any()


def test_nps_and_mean_limits_use_the_pooled_variances():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "wave": np.repeat(["a", "b", "c", "d"], [300, 400, 350, 500]),
            "submitted_at": pd.Timestamp("2025-01-01"),
            "ltr": rng.integers(0, 11, 1550).astype(float),
            "osat": rng.integers(1, 6, 1550).astype(float),
            "ces": rng.integers(1, 8, 1550).astype(float),
        }
    )
    chart = control_limits(kpi_series(frame, BOOK, "wave")).set_index(["kpi", "period"])
    n = frame.groupby("wave").size().to_numpy()
    p, d = (frame["ltr"] >= 9).mean(), (frame["ltr"] <= 6).mean()  # pooled over all answers
    half = 3 * np.sqrt(p + d - (p - d) ** 2) / np.sqrt(n)
    np.testing.assert_allclose(chart.xs("nps")["centre"], 100 * (p - d))
    np.testing.assert_allclose(chart.xs("nps")["ucl"], 100 * (p - d + half))
    within = frame.groupby("wave")["ces"].var(ddof=1).to_numpy()
    s = np.sqrt(np.sum((n - 1) * within) / np.sum(n - 1))
    np.testing.assert_allclose(chart.xs("ces")["centre"], frame["ces"].mean())
    np.testing.assert_allclose(chart.xs("ces")["lcl"], frame["ces"].mean() - 3 * s / np.sqrt(n))


# --------------------------------------------------------------------------- real data


def test_tiles_of_the_last_wave_on_a_cleaned_synthetic_world(small_world):
    from cemlib.cleaning import clean_folder
    from cemlib.data.io import read_folder

    cleaned = clean_folder(read_folder(small_world))
    tables, codebook = cleaned.tables, cleaned.codebook
    responses = tables["responses"]
    tiles = kpi_tiles(  # a small world: about 60 answers per wave
        responses, codebook, "wave", min_n=30, feedback=tables.get("feedback"),
        transactions=tables.get("transactions"),
    )  # fmt: skip
    last = responses.groupby("wave")["submitted_at"].median().idxmax()
    assert {"nps", "csat_top2", "ces"} <= set(tiles["kpi"])
    assert (tiles["period"] == last).all() and tiles["previous_period"].notna().all()
    assert tiles[["value", "ci_low", "ci_high", "p_value"]].notna().all().all()
    assert (tiles["ci_low"] <= tiles["value"]).all() and (tiles["value"] <= tiles["ci_high"]).all()
    expected = nps(responses[responses["wave"] == last], "ltr", weights="weight")
    assert tiles.set_index("kpi").loc["nps", "value"] == pytest.approx(expected["nps"].iloc[0])
