"""Experience metrics and where-to-act analyses, each against an independent oracle or a truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from cemlib.cx.metrics import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    box_shares,
    concentration_curve,
    cronbach_alpha,
    detractor_max,
    kish_n,
    nps,
    nps_difference,
    nps_summary,
    promoter_min,
    top_box,
    top_share,
)
from cemlib.cx.priorities import _kano_class, emotion_curve, penalty_reward
from cemlib.cx.scorecards import touchpoint_indices
from cemlib.data.schema import parse_codebook


def test_nps_by_hand():
    ltr = pd.Series([10, 9, 9, 8, 7, 6, 0, 10, 3, 5])  # 4 promoters, 2 passives, 4 detractors
    result = nps_summary(ltr)
    assert result["nps"] == pytest.approx(0.0)
    assert (result["promoters"], result["detractors"]) == (pytest.approx(40), pytest.approx(40))
    assert result["se"] == pytest.approx(100 * np.sqrt(0.8 / 10))
    # adjusted Wald (Rocks 2016): n* = 13, p* = d* = 4.75/13
    half = 1.959964 * np.sqrt((2 * 4.75 / 13) / 13)
    assert (result["ci_low"], result["ci_high"]) == (
        pytest.approx(-100 * half, abs=1e-4),
        pytest.approx(100 * half, abs=1e-4),
    )


def test_nps_interval_covers_at_the_nominal_rate():
    """Simulated trinomial samples: the adjusted-Wald 95% interval covers the truth ~95%."""
    rng = np.random.default_rng(0)
    p, d, n = 0.45, 0.25, 60
    truth = 100 * (p - d)
    answers = rng.choice([10, 8, 3], size=(3000, n), p=[p, 1 - p - d, d])
    covered = [
        nps_summary(pd.Series(row))["ci_low"] <= truth <= nps_summary(pd.Series(row))["ci_high"]
        for row in answers
    ]
    assert 0.93 <= np.mean(covered) <= 0.97


def test_integer_weights_equal_replicated_rows():
    ltr = pd.Series([10, 7, 3, 9])
    weights = pd.Series([2.0, 1.0, 3.0, 1.0])
    replicated = pd.Series(np.repeat(ltr.to_numpy(), weights.astype(int)))
    weighted, plain = nps_summary(ltr, weights), nps_summary(replicated)
    assert weighted["nps"] == pytest.approx(plain["nps"])
    assert weighted["n_effective"] == pytest.approx(kish_n(weights)) == pytest.approx(49 / 15)


def test_nps_difference_uses_the_trinomial_variance():
    a = pd.Series([10] * 50 + [7] * 30 + [2] * 20)
    b = pd.Series([10] * 30 + [7] * 40 + [2] * 30)
    result = nps_difference(a, b)
    var_a = (0.5 + 0.2 - 0.3**2) / 100
    var_b = (0.3 + 0.3 - 0.0**2) / 100
    assert result["difference"] == pytest.approx(30.0)
    assert result["z"] == pytest.approx(0.30 / np.sqrt(var_a + var_b))


def test_nps_by_group_and_min_n():
    frame = pd.DataFrame({"ltr": [10, 9, 2, 10, 5], "channel": ["web", "web", "web", "app", "app"]})
    table = nps(frame, "ltr", by="channel", min_n=3)
    assert table["channel"].tolist() == ["web"] and table["nps"].iloc[0] == pytest.approx(100 / 3)


def test_box_shares():
    values = pd.Series([5, 5, 4, 3, 1, np.nan])
    assert box_shares(values, (1, 5)) == {"top1": 40.0, "top2": 60.0, "top3": 80.0}


def test_cronbach_alpha_matches_pingouin():
    rng = np.random.default_rng(1)
    factor = rng.normal(size=300)
    items = pd.DataFrame({f"i{k}": np.round(factor + rng.normal(size=300)) for k in range(4)})
    ours = cronbach_alpha(items).iloc[0]
    alpha, (low, high) = pg.cronbach_alpha(items)
    assert ours["alpha"] == pytest.approx(alpha, abs=1e-12)
    # pingouin rounds its Feldt interval to 3 decimals
    assert (round(ours["ci_low"], 3), round(ours["ci_high"], 3)) == (low, high)
    # Missing answers: listwise, as pingouin's nan_policy="listwise" (whose interval keeps the
    # n before deletion, so only alpha is compared there)
    items.iloc[::17, 2] = np.nan
    ours = cronbach_alpha(items).iloc[0]
    assert ours["alpha"] == pytest.approx(pg.cronbach_alpha(items, nan_policy="listwise")[0])
    assert (ours["n"], ours["k"]) == (300 - len(range(0, 300, 17)), 4)


def test_top_box_counts_boxes_down_from_the_top_per_group():
    frame = pd.DataFrame({"osat": [5, 4, 4, 3, 2, 5, 1, 4], "g": list("aabbaabb")})
    table = top_box(frame, "osat", (1, 5), by="g")
    assert table["g"].tolist() == ["a", "b"]
    # a: 5 4 2 5 -> top1 2/4, top2 3/4, top3 3/4; b: 4 3 1 4 -> 0, 2/4, 3/4
    assert table[["top1", "top2", "top3"]].to_numpy().tolist() == [[50, 75, 75], [0, 50, 75]]
    assert table["n"].tolist() == [4, 4]


def test_one_promoter_rule_on_every_scale():
    assert (promoter_min(), detractor_max()) == (9, 6)
    assert promoter_min((1, 5)) == pytest.approx(4.6)
    assert (PROMOTER_MIN, DETRACTOR_MAX) == (promoter_min(), detractor_max())


@pytest.fixture
def small_codebook(tmp_path):
    (tmp_path / "codebook.yaml").write_text(
        "items:\n"
        "  - {id: ltr, role: outcome, scale: [0, 10], metric: nps}\n"
        "  - {id: a1, role: driver, scale: [1, 5], touchpoint: web, stage: 1}\n"
        "  - {id: a2, role: driver, scale: [1, 5], touchpoint: web, stage: 1}\n"
        "  - {id: b1, role: driver, scale: [1, 5], touchpoint: store, stage: 2}\n"
        "  - {id: brand_web, role: brand, scale: [1, 5], touchpoint: web}\n",
        encoding="utf-8",
    )
    return parse_codebook(tmp_path / "codebook.yaml")


def test_touchpoint_indices(small_codebook):
    responses = pd.DataFrame(
        {"ltr": [9, 5], "a1": [5, 1], "a2": [3, 1], "b1": [4, 4], "brand_web": [5, 3]}
    )
    table = touchpoint_indices(responses, small_codebook).set_index("touchpoint")
    assert table.loc["web", "cei"] == pytest.approx((75 + 0) / 2)
    assert table.loc["web", "bei"] == pytest.approx(75.0)
    assert table.loc["store", "cei"] == pytest.approx(75.0) and np.isnan(table.loc["store", "bei"])
    assert table.index.tolist() == ["web", "store"]  # journey order


def test_emotion_curve_marks_peak_and_end(small_codebook):
    responses = pd.DataFrame({"a1": [5] * 40, "a2": [5] * 40, "b1": [3] * 40, "ltr": [9] * 40})
    curve = emotion_curve(responses, small_codebook)
    assert curve["mean"].tolist() == [100.0, 50.0]
    assert curve["end"].tolist() == [False, True]
    assert curve["peak"].sum() == 1


def test_penalty_reward_recovers_planted_asymmetry(small_codebook):
    """a1 only hurts when bad (must-be), b1 only delights when excellent (attractive)."""
    rng = np.random.default_rng(2)
    n = 4000
    a1, a2, b1 = (rng.integers(1, 6, n) for _ in range(3))
    ltr = 6 - 3 * (a1 <= 2) + 3 * (b1 == 5) + rng.normal(0, 0.5, n)
    responses = pd.DataFrame({"ltr": np.clip(ltr, 0, 10), "a1": a1, "a2": a2, "b1": b1})
    table = penalty_reward(responses, small_codebook, "ltr").set_index("driver")
    assert table.loc["a1", "kano"] == "must-be" and table.loc["b1", "kano"] == "attractive"
    assert table.loc["a2", "kano"] == "indifferent"


@pytest.mark.parametrize(
    ("penalty", "reward", "label"),
    [
        (0.2, 0.05, "must-be"),
        (0.05, 0.2, "attractive"),
        (0.1, 0.12, "performance"),
        (0.01, 0.005, "indifferent"),
    ],
)
def test_kano_classes(penalty, reward, label):
    assert _kano_class(penalty, reward, ratio=2.0, min_effect=0.02) == label


def test_experience_scores_follow_each_items_metric(tmp_path):
    (tmp_path / "codebook.yaml").write_text(
        "items:\n"
        "  - {id: ltr, role: outcome, scale: [0, 10], metric: nps}\n"
        "  - {id: osat, role: outcome, scale: [1, 5], metric: csat}\n"
        "  - {id: ces, role: outcome, scale: [1, 7], metric: ces}\n",
        encoding="utf-8",
    )
    from cemlib.cx.scorecards import experience_scores

    codebook = parse_codebook(tmp_path / "codebook.yaml")
    responses = pd.DataFrame({"ltr": [10, 9, 5, 7], "osat": [5, 4, 2, 3], "ces": [7, 6, 2, 4]})
    table = experience_scores(responses, codebook).set_index("item")
    assert table.loc["ltr", "score"] == pytest.approx(25.0)
    assert table.loc["osat", "score"] == pytest.approx(50.0)
    assert table.loc["ces", "score"] == pytest.approx(4.75)
    assert table.loc["osat", "index_0_100"] == pytest.approx(100 * (4 + 3 + 1 + 2) / 16)


def test_driver_priorities_keep_the_stated_vs_derived_verdict(small_codebook):
    from cemlib.cx.priorities import driver_priorities

    ipa = pd.DataFrame({"driver": ["a1", "b1"], "quadrant": ["fix first", "keep up"]})
    kano = pd.DataFrame(
        {
            "driver": ["a1", "b1"],
            "penalty": [0.1, 0.0],
            "reward": [0.0, 0.1],
            "kano": ["must-be", "attractive"],
        }
    )
    stated = pd.DataFrame(
        {
            "driver": ["a1", "b1"],
            "stated_mean": [4.0, 3.0],
            "stated_rank": [1, 2],
            "derived_rank": [2, 1],
            "rank_gap": [1, -1],
            "verdict": ["over-stated", "under-stated"],
        }
    )
    table = driver_priorities(ipa, kano, stated, small_codebook).set_index("driver")
    assert table.loc["a1", "verdict"] == "over-stated" and table.loc["b1", "rank_gap"] == -1


def test_top_share_is_the_pareto_reading_of_value():
    # ten customers: one brings 50 of 100, losses count as zero
    values = pd.Series([50, 20, 10, 5, 5, 4, 3, 2, 1, -30])
    assert top_share(values, 0.2) == pytest.approx(70 / 100)
    assert top_share(values, 1.0) == pytest.approx(1.0)
    curve = concentration_curve(values)
    assert curve["share_value"].is_monotonic_increasing and curve["share_customers"].iloc[-1] == 1
    assert np.isnan(top_share(pd.Series([], dtype=float)))


# ------------------------------------------------------------------------ periods in time order


def test_holm_matches_pingouin():
    from cemlib.cx.scorecards import holm

    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, size=9)
    p[4] = np.nan
    _, oracle = pg.multicomp(p[~np.isnan(p)], method="holm")
    ours = holm(p)
    assert np.isnan(ours[4])
    np.testing.assert_allclose(ours[~np.isnan(p)], oracle, rtol=0, atol=1e-12)


def test_waves_come_in_time_order_with_a_tested_change():
    """Labels that sort wrongly as text ("wave 10" before "wave 9"), a real drop between the
    last two waves and none before: order by date, the drop significant, the rest not."""
    from cemlib.cx.scorecards import nps_table

    rng = np.random.default_rng(5)
    rows = []
    for k, (label, p_promoter) in enumerate((("wave 8", 0.5), ("wave 9", 0.5), ("wave 10", 0.2))):
        scores = np.where(
            rng.uniform(size=600) < p_promoter, 10, np.where(rng.uniform(size=600) < 0.5, 7, 3)
        )
        when = pd.Timestamp("2025-01-01") + pd.Timedelta(days=30 * k)
        rows.append(pd.DataFrame({"ltr": scores, "wave": label, "submitted_at": when}))
    responses = pd.concat(rows, ignore_index=True)
    table = nps_table(responses, "ltr", ["wave"], min_n=30)
    waves = table[table["by"] == "wave"].reset_index(drop=True)
    assert waves["group"].tolist() == ["wave 8", "wave 9", "wave 10"]
    assert np.isnan(waves.loc[0, "change"])
    assert waves.loc[1, "change_p"] > 0.05 and waves.loc[2, "change_p"] < 0.001
    expected = waves.loc[2, "nps"] - waves.loc[1, "nps"]
    assert waves.loc[2, "change"] == pytest.approx(expected)
    assert table[table["by"] == "all"]["change"].isna().all()


def test_period_changes_compare_each_period_with_the_one_before_it_or_not_at_all():
    from cemlib.cx.scorecards import period_changes

    rng = np.random.default_rng(0)
    frames = []
    for k, (wave, month) in enumerate([("w3", "2025-03"), ("w1", "2025-01"), ("w2", "2025-02")]):
        frames.append(
            pd.DataFrame(
                {
                    "wave": wave,
                    "submitted_at": pd.Timestamp(month + "-15"),
                    "ltr": rng.integers(0, 11, 200 + k),
                }
            )
        )
    responses = pd.concat(frames, ignore_index=True)
    every = pd.DataFrame({"group": ["w3", "w1", "w2"]})
    table = period_changes(responses, "ltr", "wave", every).set_index("group")
    assert table.index.tolist() == ["w1", "w2", "w3"]  # time order, not the labels' order
    assert np.isnan(table.loc["w1", "change"])
    for now, before in (("w2", "w1"), ("w3", "w2")):
        expected = nps_difference(
            responses.loc[responses["wave"] == now, "ltr"],
            responses.loc[responses["wave"] == before, "ltr"],
        )["difference"]
        assert table.loc[now, "change"] == pytest.approx(expected)
    # w2 too small to be shown: w3 is not compared with w1 across the gap
    gap = period_changes(responses, "ltr", "wave", every[every["group"] != "w2"])
    assert gap["change"].isna().all()


def test_nps_difference_with_an_empty_group_is_undefined_not_an_error():
    answers = pd.Series([10, 9, 3, 7, 8])
    for a, b in ((answers, answers.iloc[0:0]), (pd.Series([np.nan, np.nan]), answers)):
        result = nps_difference(a, b)
        assert all(np.isnan(v) for v in result.values()), result
