r"""Bootstrap of correlation matrices: row resamples as count vectors, all moments of a chunk of
resamples from one matrix product.

A row resample is a vector of counts :math:`c` (how many times each row is drawn). All first and
second moments of a resample are :math:`c^\top Z` with :math:`Z = [1, x_a, x_a x_b]_{a \le b}`
(an :math:`n \times (1 + q(q+3)/2)` matrix built once from the standardised data), so a chunk of
resamples costs one matrix product and no Python loop over rows. The resulting ``(B, q, q)``
stack feeds :func:`cemlib.stats.lmg.lmg` and the measures of :mod:`cemlib.stats.importance` in
one batched pass. Resample ``b`` draws the rows of :func:`bootstrap_indices`, so any other
resampling (the pairwise-complete one, the logistic refits) can reuse exactly the same rows.

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. New York: Chapman & Hall.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from cemlib.stats.weights import (
    DegenerateInputWarning,
    _check_data,
    _check_weights,
    _standardise,
    _warn_constant,
)

__all__ = ["bootstrap_correlations", "bootstrap_indices"]

#: Elements of the (resamples x rows) count buffer of one bootstrap chunk (128 MiB of float64).
_COUNT_BUDGET = 1 << 24
#: Elements of the moment matrix Z kept in memory; larger data recompute Z in row blocks.
_Z_BUDGET = 1 << 26
#: In a resample (moments from sums), variance at most this times max|x|² counts as zero.
_BOOT_CONST_RTOL = 1e-12


def bootstrap_indices(n: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Row indices of each bootstrap resample, exactly as :func:`bootstrap_correlations` draws them.

    Parameters
    ----------
    n : int
        Number of rows of the data.
    n_boot : int
        Number of resamples.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Yields
    ------
    numpy.ndarray
        For resample ``b = 0, 1, ...``, an int64 array of ``n`` row indices drawn uniformly with
        replacement (``rng.integers(0, n, size=n)``, one call per resample, so resample ``b``
        does not depend on how resamples are chunked).

    Notes
    -----
    The counts of resample ``b`` are ``numpy.bincount(idx, minlength=n)``; use this to rebuild
    a resample's rows (e.g. to check against a row-based implementation).
    """
    rng = np.random.default_rng(seed)
    for _ in range(int(n_boot)):
        yield rng.integers(0, n, size=n)


def _moment_block(
    Xs: np.ndarray, w: np.ndarray | None, iu: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Z = w * [1, x_a, x_a x_b (a <= b)] for a block of standardised rows, Fortran order."""
    m, q = Xs.shape
    Z = np.empty((m, 1 + q + len(iu[0])), order="F")
    Z[:, 0] = 1.0
    Z[:, 1 : 1 + q] = Xs
    for k, (a, b) in enumerate(zip(*iu, strict=True)):
        np.multiply(Xs[:, a], Xs[:, b], out=Z[:, 1 + q + k])
    if w is not None:
        Z *= w[:, None]
    return Z


def bootstrap_correlations(
    X: np.ndarray,
    n_boot: int,
    seed: int,
    weights: np.ndarray | None = None,
    chunk: int | None = None,
    progress: bool = False,
) -> np.ndarray:
    r"""Correlation matrices of row-resampled (bootstrap) copies of the data.

    Parameters
    ----------
    X : numpy.ndarray
        Data ``(n, q)``, finite (e.g. the drivers and the outcome as the last column).
    n_boot : int
        Number of bootstrap resamples ``B``.
    seed : int
        Seed for ``numpy.random.default_rng``: the same seed gives identical results whatever
        ``chunk`` is. Resample ``b`` draws the rows of :func:`bootstrap_indices` ``(n, n_boot,
        seed)``.
    weights : numpy.ndarray, optional
        Survey/frequency weights ``(n,)``. Rows are drawn with equal probability and keep their
        weights: each resample's correlations are weighted by the weights of the drawn rows.
    chunk : int, optional
        Resamples per matrix product. Default: as many as fit in about 128 MiB of counts.
    progress : bool, default False
        Show a tqdm progress bar over the chunks.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_boot, q, q)``; feed it to :func:`lmg` for bootstrap LMG values.

    Notes
    -----
    Resample :math:`b` is described by counts :math:`c_{bi}` (times row :math:`i` is drawn,
    :math:`\sum_i c_{bi} = n`). With the columns standardised once on the full data,
    :math:`z_i = w_i\,[1, x_{ia}, x_{ia} x_{ib}]_{a \le b}`, all weighted moments of a chunk of
    resamples are one matrix product :math:`S = C Z` (:math:`C`: chunk :math:`\times n`,
    :math:`Z`: :math:`n \times (1 + q(q+3)/2)`); then :math:`\bar x_a = S_a / S_1`,
    :math:`\mathrm{cov}_{ab} = S_{ab}/S_1 - \bar x_a \bar x_b` and
    :math:`r_{ab} = \mathrm{cov}_{ab} / \sqrt{\mathrm{cov}_{aa} \mathrm{cov}_{bb}}`.
    Standardising first keeps the moment formula accurate. Time is dominated by drawing
    :math:`B n` indices and the :math:`2 B n (1 + q(q+3)/2)` flops of the products. A column that is
    constant within a resample (variance at most :math:`10^{-12} \max|x|^2` on the
    standardised scale, e.g. a rare binary driver never drawn) gets zero correlations and a unit
    diagonal, as in :func:`weighted_correlation`, with one :class:`DegenerateInputWarning`.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. New York:
    Chapman & Hall.
    """
    X = _check_data(X)
    n, q = X.shape
    n_boot = int(n_boot)
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    w = None if weights is None else _check_weights(weights, n)
    if chunk is None:
        chunk = max(1, _COUNT_BUDGET // n)
    chunk = max(1, min(int(chunk), n_boot))

    Xs, const_full = _standardise(X, w)
    maxsq = np.abs(Xs).max(axis=0) ** 2
    iu = np.triu_indices(q)
    ncol = 1 + q + len(iu[0])
    row_block = n if n * ncol <= _Z_BUDGET else max(1, _Z_BUDGET // ncol)
    Z_full = _moment_block(Xs, w, iu) if row_block == n else None

    out = np.empty((n_boot, q, q))
    counts = np.empty((chunk, n))
    sums = np.empty((chunk, ncol))
    draws = bootstrap_indices(n, n_boot, seed)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_boot, unit="resample", desc="bootstrap")
    n_const = 0
    n_empty = 0
    try:
        for start in range(0, n_boot, chunk):
            m = min(chunk, n_boot - start)
            for i in range(m):
                counts[i] = np.bincount(next(draws), minlength=n)
            if Z_full is not None:
                np.matmul(counts[:m], Z_full, out=sums[:m])
            else:
                sums[:m] = 0.0
                for r0 in range(0, n, row_block):
                    r1 = min(n, r0 + row_block)
                    wb = None if w is None else w[r0:r1]
                    sums[:m] += counts[:m, r0:r1] @ _moment_block(Xs[r0:r1], wb, iu)
            tot = sums[:m, 0]
            empty = ~(tot > 0)  # weighted: only zero-weight rows drawn
            n_empty += int(empty.sum())
            tot = np.where(empty, 1.0, tot)
            mean = sums[:m, 1 : 1 + q] / tot[:, None]
            cov = np.empty((m, q, q))
            cov[:, iu[0], iu[1]] = sums[:m, 1 + q :] / tot[:, None]
            cov[:, iu[1], iu[0]] = cov[:, iu[0], iu[1]]
            cov -= mean[:, :, None] * mean[:, None, :]
            var = np.diagonal(cov, axis1=1, axis2=2)
            const = (var <= _BOOT_CONST_RTOL * maxsq) | const_full | empty[:, None]
            n_const += int((const & ~const_full).any(axis=1).sum())
            sd = np.sqrt(np.where(const, 1.0, var))
            corr = cov / (sd[:, :, None] * sd[:, None, :])
            corr = np.where(const[:, :, None] | const[:, None, :], 0.0, corr)
            np.clip(corr, -1.0, 1.0, out=corr)
            corr[:, np.arange(q), np.arange(q)] = 1.0
            out[start : start + m] = corr
            if bar is not None:
                bar.update(m)
    finally:
        if bar is not None:
            bar.close()
    if const_full.any():
        _warn_constant(np.flatnonzero(const_full), "column")
    if n_const:
        warnings.warn(
            f"{n_const} of {n_boot} resamples have a column with zero variance; its "
            "correlations in those resamples are set to 0 (unit diagonal)",
            DegenerateInputWarning,
            stacklevel=2,
        )
    if n_empty:
        warnings.warn(
            f"{n_empty} of {n_boot} resamples drew only zero-weight rows; their correlation "
            "matrices are the identity",
            DegenerateInputWarning,
            stacklevel=2,
        )
    return out
