r"""Survey weights and weighted correlations: the input checks every engine of :mod:`cemlib.stats`
shares, weighted standardisation, the weighted correlation matrix and Kish's effective n.

A correlation matrix of the drivers and the outcome is a sufficient statistic for every linear
importance measure (:mod:`cemlib.stats.importance`, :mod:`cemlib.stats.lmg`): it is formed here
once, from survey or frequency weights :math:`w_i`, as

.. math:: r_{ab} = \frac{\sum_i w_i (x_{ia} - \bar x_a)(x_{ib} - \bar x_b)}
          {\sqrt{\sum_i w_i (x_{ia} - \bar x_a)^2 \, \sum_i w_i (x_{ib} - \bar x_b)^2}},
          \qquad \bar x_a = \frac{\sum_i w_i x_{ia}}{\sum_i w_i}.

Degenerate input
----------------
A variable with zero variance (a constant driver or outcome) has undefined correlations. The
engines treat it as *uncorrelated with everything* (zero correlations, unit diagonal), so a
constant driver explains nothing, and say so with a :class:`DegenerateInputWarning`.

References
----------
Kish, L. (1965). *Survey Sampling*. New York: Wiley.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "DegenerateInputWarning",
    "kish_effective_n",
    "quietly",
    "weighted_correlation",
]

#: A column whose SD is at most this fraction of its largest absolute value is constant.
_CONST_RTOL = 1e-13


_P = ParamSpec("_P")
_R = TypeVar("_R")


class DegenerateInputWarning(UserWarning):
    """A constant or perfectly collinear variable was met; the result is defined but say so."""


def quietly(func: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Call ``func`` without its :class:`DegenerateInputWarning` (for callers that word their own,
    naming variables instead of column indices)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateInputWarning)
        return func(*args, **kwargs)


def _check_weights(weights: npt.ArrayLike, n: int) -> npt.NDArray[np.float64]:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"weights must be a 1-D array of length {n}, got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite (no NaN or inf)")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    if not w.sum() > 0:
        raise ValueError("weights must have a positive sum")
    return w


def _check_data(X: npt.ArrayLike) -> npt.NDArray[np.float64]:
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (rows x variables), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X has no rows")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf; apply the missing-data policy first")
    return X


def _warn_constant(idx: npt.NDArray[np.integer[Any]], what: str = "variable") -> None:
    warnings.warn(
        f"{what}(s) {list(map(int, idx))} have zero variance: their correlations are undefined "
        "and are treated as 0 (unit diagonal), so a constant driver gets LMG 0 and a constant "
        "outcome gives R² = 0",
        DegenerateInputWarning,
        stacklevel=3,
    )


def _standardise(X: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale the columns of ``X`` (weighted); constant columns become exactly 0.

    Returns the standardised copy and the boolean mask of constant columns.
    """
    if w is None:
        mean = X.mean(axis=0)
        Xc = X - mean
        var = np.einsum("ij,ij->j", Xc, Xc) / X.shape[0]
        live = np.ones(X.shape[0], dtype=bool)
    else:
        wsum = w.sum()
        mean = (w @ X) / wsum
        Xc = X - mean
        var = (w @ (Xc * Xc)) / wsum
        live = w > 0
    sd = np.sqrt(var)
    scale = np.abs(X[live]).max(axis=0)
    const = sd <= _CONST_RTOL * scale
    Xc /= np.where(const, 1.0, sd)
    Xc[:, const] = 0.0
    return Xc, const


def weighted_correlation(X: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    r"""Correlation matrix of the columns of ``X``, optionally with frequency/survey weights.

    Parameters
    ----------
    X : numpy.ndarray
        Data of shape ``(n, q)``: rows are observations, columns variables (a 1-D array is one
        variable). Must be finite: apply the missing-data policy before.
    weights : numpy.ndarray, optional
        Non-negative weights of shape ``(n,)`` with a positive sum (frequency or survey weights).
        Default: every row weighs 1.

    Returns
    -------
    numpy.ndarray
        Symmetric ``(q, q)`` correlation matrix with a unit diagonal.

    Notes
    -----
    With weights :math:`w_i`, :math:`\bar x_a = \sum_i w_i x_{ia} / \sum_i w_i` and

    .. math:: r_{ab} = \frac{\sum_i w_i (x_{ia} - \bar x_a)(x_{ib} - \bar x_b)}
              {\sqrt{\sum_i w_i (x_{ia} - \bar x_a)^2 \, \sum_i w_i (x_{ib} - \bar x_b)^2}},

    computed in two passes (centre, then cross products) for accuracy; the normalisation of the
    weights does not matter. A column with zero (weighted) variance — its SD at most
    :math:`10^{-13}` times its largest absolute value among positively weighted rows — has an
    undefined correlation; it is returned with zero correlations and a unit diagonal (and a
    :class:`DegenerateInputWarning`), so that downstream R² treats it as explaining nothing.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. New York: Wiley.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 4.5], [3.0, 5.5]])
    >>> weighted_correlation(x).round(4)
    array([[1.    , 0.9707],
           [0.9707, 1.    ]])
    """
    X = _check_data(X)
    w = None if weights is None else _check_weights(weights, X.shape[0])
    Z, const = _standardise(X, w)
    if w is None:
        corr: np.ndarray = (Z.T @ Z) / X.shape[0]
    else:
        corr = (Z.T * w) @ Z / w.sum()
    corr = np.clip((corr + corr.T) / 2, -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    if const.any():
        _warn_constant(np.flatnonzero(const), "column")
    return corr


def kish_effective_n(weights: np.ndarray) -> float:
    r"""Kish's effective sample size of a weighted sample.

    Parameters
    ----------
    weights : numpy.ndarray
        Non-negative weights with a positive sum.

    Returns
    -------
    float
        :math:`n_\text{eff} = (\sum_i w_i)^2 / \sum_i w_i^2`; equals the number of rows when all
        weights are equal and shrinks as the weights grow more unequal.

    Notes
    -----
    Use :math:`n_\text{eff}` instead of :math:`n` in analytic standard errors of weighted
    estimates (design effect :math:`n / n_\text{eff}` from unequal weighting).

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. New York: Wiley.

    Examples
    --------
    >>> round(kish_effective_n([1.0, 1.0, 2.0, 4.0]), 4)  # 64 / 22
    2.9091
    """
    w = np.asarray(weights, dtype=float).ravel()
    w = _check_weights(w, w.shape[0])
    return float(w.sum() ** 2 / (w @ w))
