"""Key-driver statistics computed from correlation matrices (sufficient statistics, not raw rows)."""

from __future__ import annotations

from math import factorial

import numpy as np


def _subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """R² of the regression of y on every subset of the drivers, indexed by bitmask.

    Subsets of equal size are solved together in one batched call; a singular sub-matrix
    falls back to the pseudo-inverse, so perfectly collinear drivers still give a defined R².
    """
    p = rxy.shape[0]
    n_sub = 1 << p
    masks = np.arange(n_sub)
    bits = (masks[:, None] >> np.arange(p)) & 1
    sizes = bits.sum(axis=1)
    r2 = np.zeros(n_sub)
    for k in range(1, p + 1):
        sel = np.flatnonzero(sizes == k)
        for chunk in np.array_split(sel, max(1, len(sel) // 20000 + 1)):
            idx = np.nonzero(bits[chunk])[1].reshape(len(chunk), k)
            a = rxx[idx[:, :, None], idx[:, None, :]]
            b = rxy[idx]
            try:
                coef = np.linalg.solve(a, b[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                coef = np.einsum("nij,nj->ni", np.linalg.pinv(a), b)
            r2[chunk] = np.einsum("ni,ni->n", coef, b)
    return r2


def lmg_shares(corr: np.ndarray, outcome: int | None = None) -> np.ndarray:
    """Exact LMG (Shapley) decomposition of R² from a correlation matrix.

    Parameters
    ----------
    corr : numpy.ndarray
        Square correlation (or covariance of standardised variables) matrix of the drivers and
        the outcome, of shape ``(p + 1, p + 1)``.
    outcome : int, optional
        Position of the outcome in ``corr``; the other rows are the drivers, in their order.
        Default: the last row.

    Returns
    -------
    numpy.ndarray
        Length-``p`` array of each driver's raw contribution to R²; the contributions sum to the
        R² of the full model. Divide by their sum for shares of the explained variance.

    Notes
    -----
    With :math:`R^2(S) = r_{Sy}^\\top R_{SS}^{-1} r_{Sy}` for a subset :math:`S` of the
    :math:`p` drivers, the LMG value of driver :math:`j` is the average over all orderings
    of its increment in R², i.e. the Shapley value

    .. math:: \\phi_j = \\sum_{S \\subseteq P \\setminus \\{j\\}}
              \\frac{|S|!\\,(p-|S|-1)!}{p!}\\,\\bigl[R^2(S \\cup \\{j\\}) - R^2(S)\\bigr].

    R² is computed once per subset (enumerated as bitmasks), so the cost is
    :math:`O(2^p p^3)` whatever the number of rows; exact and practical up to about 20 drivers.

    References
    ----------
    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Glenview, IL: Scott, Foresman.

    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1-27.

    Examples
    --------
    >>> import numpy as np
    >>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> lmg = lmg_shares(corr)
    >>> lmg.round(4)
    array([0.2043, 0.1143])
    >>> round(float(lmg.sum()), 4)  # the full-model R², (0.25 + 0.16 - 0.12) / 0.91
    0.3187
    """
    corr = np.asarray(corr, dtype=float)
    if corr.ndim != 2 or corr.shape[0] != corr.shape[1]:
        raise ValueError(f"corr must be a square matrix, got shape {corr.shape}")
    m = corr.shape[0]
    y = m - 1 if outcome is None else int(outcome) % m
    xs = [i for i in range(m) if i != y]
    p = len(xs)
    if p == 0:
        return np.zeros(0)
    if p > 24:
        raise ValueError(f"exact LMG enumerates 2^p subsets; p = {p} drivers is too many")
    r2 = _subset_r2(corr[np.ix_(xs, xs)], corr[xs, y])
    masks = np.arange(1 << p)
    sizes = np.bitwise_count(masks.astype(np.uint32)).astype(int)
    weights = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    out = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        out[j] = np.sum(weights[sizes[without]] * (r2[without | (1 << j)] - r2[without]))
    return out
