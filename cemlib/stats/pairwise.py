r"""Pairwise-complete correlations: the matrix when answers are missing here and there, its
repair when it is not positive semi-definite, and its bootstrap.

With ``missing="pairwise"`` every correlation :math:`r_{ij}` uses the rows answering both *i*
and *j* (weighted means and variances over those rows, as :meth:`pandas.DataFrame.corr` does
unweighted). Such a matrix need not be positive semi-definite; :func:`repair_correlation` clips
its negative eigenvalues and rescales it to a unit diagonal (Rousseeuw & Molenberghs 1993). The
bootstrap (:func:`pairwise_bootstrap`) draws the same rows as
:func:`cemlib.stats.bootstrap.bootstrap_indices` and forms each resample's moments from its
row counts.

References
----------
Rousseeuw, P. J. & Molenberghs, G. (1993). Transformation of non positive semidefinite
correlation matrices. *Communications in Statistics - Theory and Methods*, 22(4), 965-984.

Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. New York: Chapman & Hall.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from cemlib.stats.bootstrap import bootstrap_indices

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["pairwise_bootstrap", "pairwise_correlation", "repair_correlation"]


def _pairwise_moments(data: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Pairwise-complete weighted correlations for one or a stack of weight vectors.

    ``data`` (n, q) with NaN for missing, already centred and scaled per column (for numerical
    stability); ``w`` (n,) or (B, n). Each pair (i, j) uses the rows where both are present, with
    means and variances taken over those same rows (as :meth:`pandas.DataFrame.corr`).
    """
    present = np.isfinite(data)
    m = present.astype(float)
    x = np.where(present, data, 0.0)
    w = np.atleast_2d(w)
    wm = w[:, :, None] * m[None]  # (B, n, q)
    sw = np.matmul(np.swapaxes(wm, 1, 2), m)  # sum of weights over rows with i and j
    sx = np.matmul(np.swapaxes(wm * x, 1, 2), m)  # sum of x_i over those rows
    sxx = np.matmul(np.swapaxes(wm * x * x, 1, 2), m)
    sxy = np.matmul(np.swapaxes(wm * x, 1, 2), x)
    with np.errstate(invalid="ignore", divide="ignore"):
        mi = sx / sw
        mj = np.swapaxes(mi, 1, 2)
        cov = sxy / sw - mi * mj
        vi = sxx / sw - mi * mi
        vj = np.swapaxes(vi, 1, 2)
        out = cov / np.sqrt(vi * vj)
    tiny = (vi <= 1e-24) | (vj <= 1e-24) | (sw <= 0)
    return np.where(tiny | ~np.isfinite(out), 0.0, out)


def _standardise_columns(data: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Centre and scale each column by its weighted mean and SD over the present values."""
    out = np.array(data, dtype=float, copy=True)
    for j in range(out.shape[1]):
        ok = np.isfinite(out[:, j]) & (w > 0)
        if not ok.any():
            continue
        ww = w[ok]
        mean = np.average(out[ok, j], weights=ww)
        sd = np.sqrt(np.average((out[ok, j] - mean) ** 2, weights=ww))
        out[:, j] = (out[:, j] - mean) / (sd if sd > 0 else 1.0)
    return out


def pairwise_correlation(
    data: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted pairwise-complete correlation matrix and the number of rows behind each entry.

    Parameters
    ----------
    data : array_like, shape (n, q)
        Values with NaN for missing answers.
    weights : array_like, shape (n,), optional
        Non-negative case weights (default 1).

    Returns
    -------
    corr : numpy.ndarray, shape (q, q)
        :math:`r_{ij}` over the rows where both *i* and *j* are answered (weighted means and
        variances over those rows). Entries without variance are 0 with a unit diagonal. The
        matrix need not be positive semi-definite: see :func:`repair_correlation`.
    counts : numpy.ndarray, shape (q, q)
        Rows answered on both variables.
    """
    data = np.asarray(data, dtype=float)
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    z = _standardise_columns(data, w)
    corr = _pairwise_moments(z, w)[0]
    np.fill_diagonal(corr, 1.0)
    present = np.isfinite(data).astype(float)
    return corr, (present.T @ present).astype(np.int64)


def repair_correlation(corr: npt.ArrayLike, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Make correlation matrices positive semi-definite when they are not.

    Negative eigenvalues are clipped to zero, :math:`A = V \\max(\\Lambda, 0) V^\\top`, and the
    result rescaled to a unit diagonal, :math:`D^{-1/2} A D^{-1/2}` with :math:`D =
    \\operatorname{diag}(A)` (the eigenvalue method of Rousseeuw & Molenberghs 1993). Matrices whose
    smallest eigenvalue is at least ``-tol`` are returned unchanged.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
    tol : float
        Negative eigenvalues down to ``-tol`` count as rounding.

    Returns
    -------
    repaired : numpy.ndarray
        Same shape as ``corr``.
    min_eigenvalue : numpy.ndarray
        Smallest eigenvalue of each input matrix (scalar array for one matrix).

    References
    ----------
    Rousseeuw, P. J. & Molenberghs, G. (1993). Transformation of non positive semidefinite
    correlation matrices. *Communications in Statistics - Theory and Methods*, 22(4), 965-984.
    """
    c = np.array(corr, dtype=float, copy=True)
    lam, vec = np.linalg.eigh(c)
    low = lam[..., 0]
    bad = low < -tol
    if np.any(bad):
        clipped = np.einsum(
            "...ik,...k,...jk->...ij", vec[bad], np.clip(lam[bad], 0, None), vec[bad]
        )
        d = np.sqrt(np.clip(np.diagonal(clipped, axis1=-2, axis2=-1), 1e-300, None))
        fixed = clipped / d[..., :, None] / d[..., None, :]
        q = c.shape[-1]
        fixed[..., np.arange(q), np.arange(q)] = 1.0
        c[bad] = fixed
    return c, low


def pairwise_bootstrap(
    data: npt.NDArray[np.float64],
    w: npt.NDArray[np.float64],
    n_boot: int,
    seed: int,
    progress: bool,
    chunk: int = 64,
) -> npt.NDArray[np.float64]:
    """``(n_boot, q, q)`` pairwise-complete correlations of row-resampled ``data`` (NaN: missing).

    Resample ``b`` draws the rows of :func:`cemlib.stats.bootstrap.bootstrap_indices` ``(n,
    n_boot, seed)``; drawn rows keep their weights ``w``. The matrices are not repaired (see
    :func:`repair_correlation`). ``chunk`` resamples are formed together.
    """
    n, q = data.shape
    z = _standardise_columns(data, w)
    out = np.empty((n_boot, q, q))
    draws = bootstrap_indices(n, n_boot, seed)
    starts = range(0, n_boot, chunk)
    for start in tqdm(starts, disable=not progress, desc="bootstrap", unit="chunk"):
        b = min(chunk, n_boot - start)
        counts = np.stack([np.bincount(next(draws), minlength=n) for _ in range(b)])
        out[start : start + b] = _pairwise_moments(z, counts * w[None])
    idx = np.arange(q)
    out[:, idx, idx] = 1.0
    return out
