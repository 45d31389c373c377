"""Relative weights for a binary outcome from a data frame (promoter or not): the front end of
:mod:`cemlib.stats.logistic`, with the bootstrap, the warnings and the importance table.

References
----------
Tonidandel, S. & LeBreton, J. M. (2010). Determining the relative importance of predictors in
logistic regression: an extension of relative weight analysis. *Organizational Research
Methods*, 13(4), 767-781.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from cemlib.cx.drivers import frames
from cemlib.cx.drivers.frames import LOGISTIC_METHOD, PAIR_COLUMNS, TABLE_COLUMNS, DriverAnalysis
from cemlib.cx.drivers.inputs import _check_inputs, _is_constant, _numeric, _prepare_rows
from cemlib.cx.metrics import kish_n
from cemlib.stats.bootstrap import bootstrap_indices
from cemlib.stats.logistic import SEPARATION_RIDGE, logistic_weights

__all__ = ["logistic_relative_weight"]


def _binary(df: pd.DataFrame, column: str) -> np.ndarray:
    y = _numeric(df, [column])[:, 0]
    present = y[np.isfinite(y)]
    if not np.all(np.isin(present, (0.0, 1.0))):
        raise ValueError(f"outcome '{column}' must be binary (0/1), found other values")
    return y


def _analyse_logistic(
    df, outcome_binary, drivers, weights=None, n_boot=0, seed=0, ci=0.95, progress=False
) -> DriverAnalysis:
    drivers = _check_inputs(df, outcome_binary, drivers, "listwise", ci, n_boot)
    notes = frames.Notes(outcome_binary, drivers)
    frame = df.assign(**{outcome_binary: _binary(df, outcome_binary)})
    x, y, w, weighted = _prepare_rows(frame, outcome_binary, drivers, weights, notes)
    p = len(drivers)
    complete = np.isfinite(x).all(axis=1)
    x, y, w = x[complete], y[complete], w[complete]
    n = int(complete.sum())
    n_rows = np.full(p, n)
    n_eff = np.full(p, kish_n(w) if weighted else float(n))
    methods = (LOGISTIC_METHOD,)
    if n < p + 2:
        notes.warn(
            f"only {n} complete rows for {p} drivers (need at least drivers + 2); importance set to 0",
            note=f"too few rows ({n}) for {p} drivers",
        )
        return frames.zero_result(outcome_binary, drivers, n_rows, n_eff, notes, methods)
    if _is_constant(y, w):
        notes.warn(
            "the binary outcome has only one class; importance set to 0",
            note="outcome has one class only",
        )
        return frames.zero_result(outcome_binary, drivers, n_rows, n_eff, notes, methods)

    est = logistic_weights(x, y, w)
    if est["constant"].any():
        names = [d for d, c in zip(drivers, est["constant"], strict=True) if c]
        notes.warn(
            f"driver(s) {', '.join(names)} have no variance; importance set to 0",
            drivers=names,
            note="constant driver: importance 0",
        )
    if est["separated"]:
        notes.warn(
            "perfect or quasi-complete separation in the logistic model (fitted probabilities "
            "at 0 or 1, coefficients diverging); refitted with a small ridge penalty "
            f"(lambda = {SEPARATION_RIDGE}) so the weights are defined — read them as approximate",
            note="separation: ridge-penalised fit",
        )
    boot = None
    if n_boot > 0:
        boot = np.empty((n_boot, p))
        separated = 0
        draws = bootstrap_indices(n, n_boot, seed)
        for b in tqdm(range(n_boot), disable=not progress, desc="bootstrap (logistic)"):
            counts = np.bincount(next(draws), minlength=n).astype(float)
            used = counts > 0
            res = logistic_weights(x[used], y[used], (w * counts)[used], start=est["coef"])
            boot[b] = res["raw"]
            separated += res["separated"]
        if separated:
            notes.warn(
                f"{separated} of {n_boot} bootstrap resamples showed separation and were fitted "
                "with the ridge penalty",
                drivers=[],
            )
        low, high = frames.percentiles(boot, ci)
    raw, total = est["raw"], est["r2"]
    ranks = frames.rank(raw)
    rows = []
    for j, d in enumerate(drivers):
        rows.append(
            {
                "outcome": outcome_binary,
                "driver": d,
                "method": LOGISTIC_METHOD,
                "importance": float(raw[j]),
                "share": float(raw[j] / total) if total > 1e-12 else 0.0,
                "ci_low": np.nan if boot is None else float(low[j]),
                "ci_high": np.nan if boot is None else float(high[j]),
                "rank": int(ranks[j]),
                "n": n,
                "sign": int(est["sign"][j]),
                "signed_importance": float(est["sign"][j] * raw[j]),
                "vif": np.nan,
                "r2": total,
                "n_effective": float(n_eff[j]),
                "note": notes.text(d),
            }
        )
    pairs = frames.pairs(outcome_binary, LOGISTIC_METHOD, drivers, raw, boot, ci)
    return DriverAnalysis(
        frames.to_frame(rows, TABLE_COLUMNS), frames.to_frame(pairs, PAIR_COLUMNS), notes.messages
    )


def logistic_relative_weight(
    df: pd.DataFrame,
    outcome_binary: str,
    drivers,
    weights=None,
    n_boot: int = 0,
    seed: int = 0,
    ci: float = 0.95,
    progress: bool = False,
) -> pd.DataFrame:
    """Relative weights for a binary outcome (Tonidandel & LeBreton 2010).

    The standardised drivers :math:`X` (complete cases, weighted means and SDs) are replaced by
    their closest orthonormal counterparts :math:`Z = X R_{xx}^{-1/2}`, with
    :math:`\\Lambda = R_{xx}^{1/2}` their correlations with :math:`X`. A logistic regression of
    the outcome on :math:`Z` (unpenalised maximum likelihood, weighted) gives slopes :math:`b`.
    They are standardised in the manner of Menard (2004),

    .. math:: \\beta_k = b_k \\, s_{Z_k} \\, \\frac{R_O}{s_{\\hat\\eta}},

    where :math:`s_{\\hat\\eta}` is the SD of the fitted logits and :math:`R_O^2` the squared
    correlation of the outcome with the fitted probabilities. The raw weights are
    :math:`\\varepsilon_j = \\sum_k \\Lambda_{jk}^2 \\beta_k^2`; since :math:`Z` is orthonormal,
    :math:`s_{\\hat\\eta}^2 = \\sum_k b_k^2` and :math:`\\sum_j \\varepsilon_j = R_O^2`, the
    model's :math:`R^2`-like total (column ``r2``).

    Separation (the outcome perfectly or quasi-perfectly predicted, so the maximum-likelihood
    estimate does not exist: Newton iterations do not converge or fitted logits pass
    :math:`\\pm 30`) is detected; the model is then refitted with a ridge penalty
    :math:`\\tfrac{1}{2}\\lambda\\lVert b\\rVert^2` on the slopes of the standardised drivers,
    :math:`\\lambda = 1`, and a warning says so, so the result stays finite.

    Computation: the model is fitted (weighted Newton-Raphson) on the standardised drivers
    rather than on :math:`Z`; both span the same columns, so the fitted logits are the same and
    :math:`b = R_{xx}^{1/2} b_X`. Unlike the linear measures, the logistic fit needs the rows,
    so the bootstrap refits the model per resample (warm-started from the full-sample
    estimate): about 5 ms per resample for 9 000 rows and 12 drivers.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome_binary : str
        A 0/1 column (missing allowed: those rows are dropped).
    drivers : list of str
    weights : str or array_like, optional
        Survey weights, as in :func:`relative_importance`.
    n_boot, seed, ci, progress
        Bootstrap of the rows for percentile CIs (0: none; the loop refits the model per
        resample).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`relative_importance` with ``method = "relative_weight_logistic"``;
        ``sign`` is the sign of the driver's coefficient in the logistic model on :math:`X`.

    References
    ----------
    Tonidandel, S. & LeBreton, J. M. (2010). Determining the relative importance of predictors
    in logistic regression: an extension of relative weight analysis. *Organizational Research
    Methods*, 13(4), 767-781.

    Menard, S. (2004). Six approaches to calculating standardized logistic regression
    coefficients. *The American Statistician*, 58(3), 218-223.

    Johnson, J. W. (2000). *Multivariate Behavioral Research*, 35(1), 1-19.
    """
    return _analyse_logistic(df, outcome_binary, drivers, weights, n_boot, seed, ci, progress).table
