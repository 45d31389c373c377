r"""Exact LMG (Shapley) decomposition of R² from correlation matrices, batched over bootstraps.

The LMG relative importance of a driver (Lindeman, Merenda & Gold 1980; Grömping 2006) is its
Shapley value in the cooperative game whose value of a coalition :math:`S` of drivers is the R² of
the regression of the outcome on :math:`S`:

.. math:: \phi_j = \sum_{S \subseteq P \setminus \{j\}} \frac{|S|!\,(p-|S|-1)!}{p!}
          \bigl[R^2(S \cup \{j\}) - R^2(S)\bigr], \qquad \sum_j \phi_j = R^2(P).

Everything here works on the correlation matrix of the drivers and the outcome (a sufficient
statistic), so the cost of a decomposition does not depend on the number of rows.

Algorithm
---------
*All subset R² at once* (:func:`subset_r2`). For a subset :math:`S`, let :math:`C_S` be the Schur
complement of :math:`R_{SS}` in the correlation matrix, i.e. the partial covariance matrix of the
remaining variables given :math:`S`. Adding driver :math:`j` with pivot :math:`c_{jj}` (the
residual variance of driver :math:`j` given :math:`S`) gives

.. math:: R^2(S \cup \{j\}) = R^2(S) + c_{jy}^2 / c_{jj}, \qquad
          C_{S \cup \{j\}} = C_S - c_j c_j^\top / c_{jj},

one step of a Cholesky factorisation. The subsets are built driver by driver: after driver
:math:`j` has been considered, the :math:`2^{j+1}` subsets of drivers :math:`0..j` are held
together with the complements of the *later* drivers and the outcome. Step :math:`j` doubles the
subsets (without :math:`j`: unchanged; with :math:`j`: one rank-one update, vectorised over all
current subsets and all bootstrap matrices at once), so the whole enumeration is :math:`p` numpy
passes, and subset :math:`S` lands at index ``sum(1 << j for j in S)`` (bit :math:`j` = driver
:math:`j`). Only upper triangles of the complements are kept, in arrays laid out so that every
operation runs over long contiguous vectors of (subset, bootstrap) pairs.

*Cost.* Step :math:`j` updates :math:`2^j` complements of size :math:`(p - j)`, so the work per
correlation matrix is :math:`\sum_j 2^j (p-j)^2/2 \approx 3 \cdot 2^p` multiply-adds (versus
:math:`2^p p^3/3` when every subset is solved separately), memory :math:`O(2^p)` per matrix, and
batches of matrices are processed in blocks of about :math:`2^{17}` (subset, matrix) pairs,
reusing the same buffers, to stay in cache. With :math:`p = 14`, LMG for a thousand bootstrap
matrices takes about 0.35 s on two cores; a single matrix with :math:`p = 20` a fraction of a
second.

*Shapley weights* (:func:`lmg`). With the subsets indexed by bitmask, the :math:`2^{p-1}`
increments :math:`R^2(S \cup \{j\}) - R^2(S)` of driver :math:`j` are one subtraction of two
strided views of the subset R² array, and their weighted sum (weights
:math:`w_{|S|} = |S|!(p-|S|-1)!/p!`) one matrix-vector product: :math:`p` vectorised passes, no
loop over subsets. Using the increments themselves (rather than a rearranged sum of R² values)
keeps the result accurate and makes the value of a driver that never adds anything exactly 0.

The correlation matrices come from :func:`cemlib.stats.weights.weighted_correlation` (one,
weighted) or :func:`cemlib.stats.bootstrap.bootstrap_correlations` (a batch of resamples).

Degenerate input
----------------
* A variable with zero variance (a constant driver or outcome; its correlations are NaN, e.g. from
  :func:`numpy.corrcoef`, or its covariance diagonal is 0) is treated as *uncorrelated with
  everything*: its correlations are set to 0 and its diagonal to 1. A constant driver therefore gets
  an LMG value of exactly 0; a constant outcome gives R² = 0 for every subset. A
  :class:`DegenerateInputWarning` says which variables were affected.
* A driver whose residual variance given the drivers already in a subset is at most ``tol``
  (default :math:`10^{-10}`, i.e. VIF :math:`> 10^{10}`: perfectly collinear, or fewer rows than
  drivers) adds 0 to R² and is not pivoted. This is the R² that a pseudo-inverse gives, so every
  subset R² is finite and defined, and perfectly collinear drivers split their shared
  contribution equally. A :class:`DegenerateInputWarning` names them.

References
----------
Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to Bivariate and Multivariate
Analysis*. Glenview, IL: Scott, Foresman.

Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
*Journal of Statistical Software*, 17(1), 1-27. https://doi.org/10.18637/jss.v017.i01
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from math import factorial
from typing import TYPE_CHECKING

import numpy as np

from cemlib.stats.weights import (
    DegenerateInputWarning,
    _warn_constant,
    kish_effective_n,  # re-exported: cemlib.cx.metrics imports it from here
)

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "DegenerateInputWarning",
    "kish_effective_n",
    "lmg",
    "lmg_shares",
    "subset_r2",
]

#: Largest number of drivers for the exact enumeration (2**p subsets per matrix).
MAX_DRIVERS = 24
#: Default pivot tolerance: residual variance (of a unit-variance driver) treated as zero.
DEFAULT_TOL = 1e-10
#: (subset, matrix) pairs processed together by the subset enumeration (cache-sized blocks).
_R2_BLOCK = 1 << 17


def _prepare(corr: npt.ArrayLike, tol: float) -> tuple[np.ndarray, bool]:
    """Validate, copy and normalise to a unit diagonal; zero-variance variables -> identity rows.

    Returns the ``(B, q, q)`` float array and whether the input was a single matrix.
    """
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol}")
    c = np.array(corr, dtype=float)  # copy: edited in place below
    single = c.ndim == 2
    if single:
        c = c[None]
    if c.ndim != 3 or c.shape[1] != c.shape[2] or c.shape[1] == 0:
        raise ValueError(
            f"corr must be a square (q, q) or batched (B, q, q) matrix, got shape {np.shape(corr)}"
        )
    p = c.shape[1] - 1
    if p > MAX_DRIVERS:
        raise ValueError(f"exact LMG enumerates 2^p subsets; p = {p} drivers is too many")
    d = np.diagonal(c, axis1=1, axis2=2).copy()
    const = ~(d > 0)  # NaN or non-positive variance
    if const.any():
        bi, vi = np.nonzero(const)
        c[bi, vi, :] = 0.0
        c[bi, :, vi] = 0.0
        c[bi, vi, vi] = 1.0
        d[const] = 1.0
        _warn_constant(np.unique(vi))
    if not np.all(np.isfinite(c)):
        raise ValueError("corr contains NaN or inf outside the rows of zero-variance variables")
    if not np.all(d == 1.0):
        s = 1.0 / np.sqrt(d)
        c *= s[:, :, None] * s[:, None, :]
    return c, single


class _Workspace:
    """Buffers of the subset enumeration for blocks of ``bc`` matrices with ``p`` drivers.

    Allocated once per call and reused for every block: fresh large arrays cost page faults.
    ``rows[a][k - a, s * bc + b]`` holds the complement entry (a, k), k = a..p (p = outcome),
    for subset ``s`` of the drivers considered so far and matrix ``b``; row ``a`` is filled for
    ``2**j`` subsets at step ``j``.
    """

    def __init__(self, p: int, bc: int) -> None:
        self.p, self.bc = p, bc
        self.rows = [np.empty((p + 1 - a, bc << a)) for a in range(p)]
        self.r2 = np.empty(bc << p)
        half = bc << max(p - 1, 0)
        self.inv = np.empty(half)
        self.scaled = np.empty(max([(p - j) * (bc << j) for j in range(p)], default=0))
        self.diff = np.empty(half)


def _subset_r2_block(c: np.ndarray, tol: float, skipped: np.ndarray, ws: _Workspace) -> np.ndarray:
    """R² of every subset for a block of ``ws.bc`` normalised matrices ``c`` (bc, q, q).

    Returns a view of ``ws.r2`` of shape ``(2**p, bc)`` (subset-major), valid until the next
    call. Marks in ``skipped`` the drivers whose pivot fell below ``tol`` in some subset.
    """
    bc, p, rows = ws.bc, ws.p, ws.rows
    r2 = ws.r2
    r2[:bc] = 0.0
    ct = np.moveaxis(c, 0, -1)  # (q, q, bc)
    for a in range(p):
        rows[a][:, :bc] = ct[a, a:]
    h = bc  # live columns = (number of subsets so far) * bc
    for j in range(p):
        piv = rows[j][:, :h]
        d = piv[0]
        ok = d > tol
        if not ok.all():
            skipped[j] = True
        inv = ws.inv[:h]
        inv[:] = 0.0
        np.divide(1.0, d, out=inv, where=ok)
        new = r2[h : 2 * h]
        np.multiply(piv[-1], piv[-1], out=new)
        new *= inv
        new += r2[:h]
        if j < p - 1:
            cs = ws.scaled[: (p - j) * h].reshape(p - j, h)  # scaled pivot row, vars j+1..p
            np.sqrt(inv, out=inv)
            np.multiply(piv[1:], inv, out=cs)
            for a in range(j + 1, p):
                row = rows[a]
                out = row[:, h : 2 * h]
                ca = cs[a - j - 1 :]
                np.multiply(ca, ca[0], out=out)
                np.subtract(row[:, :h], out, out=out)
        h *= 2
    return r2.reshape(1 << p, bc)


def _blocks(c: np.ndarray) -> Iterator[tuple[slice, np.ndarray, _Workspace]]:
    """Split a normalised batch into blocks of equal size (the last padded with identities)."""
    B, q, _ = c.shape
    if B == 0:
        return
    p = q - 1
    bc = min(B, max(1, _R2_BLOCK >> p))
    ws = _Workspace(p, bc)
    for start in range(0, B, bc):
        blk = slice(start, min(B, start + bc))
        cb = c[blk]
        if cb.shape[0] < bc:
            cb = np.concatenate([cb, np.broadcast_to(np.eye(q), (bc - cb.shape[0], q, q))])
        yield blk, cb, ws


def _warn_collinear(skipped: np.ndarray, tol: float) -> None:
    if skipped.any():
        warnings.warn(
            f"driver(s) {np.flatnonzero(skipped).tolist()} are perfectly collinear with other "
            f"drivers in some subsets (residual variance <= {tol:g}); there they add 0 to R², "
            "so collinear drivers share their contribution",
            DegenerateInputWarning,
            stacklevel=3,
        )


def subset_r2(corr: np.ndarray, tol: float = DEFAULT_TOL) -> np.ndarray:
    r"""R² of the regression of the outcome on every subset of the drivers.

    Parameters
    ----------
    corr : numpy.ndarray
        Correlation matrix of shape ``(q, q)``, or a batch of them ``(B, q, q)``, with the
        ``p = q - 1`` drivers first and the outcome **last**. A covariance matrix is accepted
        too (it is rescaled to unit diagonal). Rows/columns of zero-variance variables (NaN
        correlations) are treated as uncorrelated with everything (see the module notes).
    tol : float, default 1e-10
        A driver whose residual variance given the drivers already in the subset is at most
        ``tol`` adds nothing to R² (perfect collinearity).

    Returns
    -------
    numpy.ndarray
        Shape ``(2**p,)`` or ``(B, 2**p)``: element ``m`` is :math:`R^2(S)` for the subset
        :math:`S = \{j : \text{bit } j \text{ of } m \text{ is set}\}`; element 0 (empty
        subset) is 0 and element ``2**p - 1`` is the full-model R².

    Notes
    -----
    Subsets are built by adding drivers in increasing index, carrying the Schur complement
    :math:`C_S` (partial covariances of the remaining variables given :math:`S`):

    .. math:: R^2(S \cup \{j\}) = R^2(S) + \frac{c_{jy}^2}{c_{jj}}, \qquad
              C_{S \cup \{j\}} = C_S - \frac{c_j c_j^\top}{c_{jj}},

    vectorised over all subsets of the same drivers and over the batch; about
    :math:`3 \cdot 2^p` multiply-adds per matrix. Equivalent to
    :math:`R^2(S) = r_{Sy}^\top R_{SS}^{+} r_{Sy}` (pseudo-inverse when :math:`R_{SS}` is
    singular).

    References
    ----------
    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1-27.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> subset_r2(corr).round(4)  # {}, {0}, {1}, {0, 1}
    array([0.    , 0.25  , 0.16  , 0.3187])
    """
    c, single = _prepare(corr, tol)
    B, q, _ = c.shape
    p = q - 1
    out = np.empty((B, 1 << p))
    skipped = np.zeros(p, dtype=bool)
    for blk, cb, ws in _blocks(c):
        out[blk] = _subset_r2_block(cb, tol, skipped, ws).T[: blk.stop - blk.start]
    _warn_collinear(skipped, tol)
    return out[0] if single else out


def _shapley_weights(p: int) -> np.ndarray:
    """Shapley weights w_k = k! (p-k-1)! / p! for coalition sizes k = 0..p-1."""
    return np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)])


def _size_weights(w: np.ndarray, p: int, j: int) -> np.ndarray:
    """Shapley weight of every subset without driver j, in (high bits, low bits) mask order."""
    hi = np.bitwise_count(np.arange(1 << (p - 1 - j), dtype=np.uint32)).astype(np.intp)
    lo = np.bitwise_count(np.arange(1 << j, dtype=np.uint32)).astype(np.intp)
    by_subset: np.ndarray = w[(hi[:, None] + lo[None, :]).ravel()]
    return by_subset


def _shapley(
    r2t: np.ndarray, weights: list[np.ndarray], w: np.ndarray, ws: _Workspace
) -> np.ndarray:
    """LMG values ``(bc, p)`` from subset R² laid out ``(2**p, bc)`` (subset-major).

    For driver j the masks split as (high bits, bit j, low bits); the increments
    R²(S + j) - R²(S) of all S without j are one subtraction of two strided views, and their
    weighted sum one matrix-vector product. The increment of a driver that adds nothing (a
    constant driver) is exactly 0, so its value is exactly 0.
    """
    n_sub, bc = r2t.shape
    p = ws.p
    out = np.empty((bc, p))
    for j in range(p):
        view = r2t.reshape(n_sub >> (j + 1), 2, 1 << j, bc)
        diff = ws.diff.reshape(n_sub >> (j + 1), 1 << j, bc)
        np.subtract(view[:, 1], view[:, 0], out=diff)
        wj = weights[j] if weights else _size_weights(w, p, j)
        out[:, j] = wj @ ws.diff.reshape(n_sub >> 1, bc)
    return out


def lmg(corr: np.ndarray, tol: float = DEFAULT_TOL) -> np.ndarray:
    r"""Exact LMG (Shapley) decomposition of R² for one or a batch of correlation matrices.

    Parameters
    ----------
    corr : numpy.ndarray
        Correlation matrix ``(q, q)`` or batch ``(B, q, q)`` with the ``p = q - 1`` drivers first
        and the outcome **last** (a covariance matrix is rescaled to unit diagonal).
    tol : float, default 1e-10
        Pivot tolerance for perfect collinearity, see :func:`subset_r2`.

    Returns
    -------
    numpy.ndarray
        Shape ``(p,)`` or ``(B, p)``: each driver's raw contribution to R²; the contributions
        of a matrix sum to its full-model R². Divide by the sum for shares of explained
        variance.

    Notes
    -----
    With :math:`w_k = k!\,(p-k-1)!/p!`,

    .. math:: \phi_j = \sum_{S \subseteq P \setminus \{j\}} w_{|S|}
              \bigl[R^2(S \cup \{j\}) - R^2(S)\bigr], \qquad \sum_j \phi_j = R^2(P),

    the average increase in R² when :math:`j` enters the model,
    over all :math:`p!` orderings of the drivers (Lindeman, Merenda & Gold 1980). The subset R²
    come from :func:`subset_r2`; the weighted sums are vectorised over subsets (one
    matrix-vector product per driver). A constant
    driver gets exactly 0; perfectly collinear drivers split their joint contribution equally
    (see the module notes). Exact for up to :data:`MAX_DRIVERS` drivers; time and memory grow
    as :math:`2^p` (a single matrix with :math:`p = 20` takes well under a second).

    References
    ----------
    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Glenview, IL: Scott, Foresman.

    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1-27.

    Examples
    --------
    >>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> lmg(corr).round(4)
    array([0.2043, 0.1143])
    """
    c, single = _prepare(corr, tol)
    B, q, _ = c.shape
    p = q - 1
    out = np.empty((B, p))
    if p > 0:
        w = _shapley_weights(p)
        # per-driver weight vectors: cached unless they would take more than ~32 MiB
        weights = [_size_weights(w, p, j) for j in range(p)] if p <= 18 else []
        skipped = np.zeros(p, dtype=bool)
        for blk, cb, ws in _blocks(c):
            r2t = _subset_r2_block(cb, tol, skipped, ws)
            out[blk] = _shapley(r2t, weights, w, ws)[: blk.stop - blk.start]
        _warn_collinear(skipped, tol)
    return out[0] if single else out


def lmg_shares(corr: np.ndarray, outcome: int | None = None) -> np.ndarray:
    r"""Exact LMG decomposition of R² from one correlation matrix (compatibility wrapper).

    Same behaviour as the former ``cemlib.cx.drivers.lmg_shares``, computed with :func:`lmg`.

    Parameters
    ----------
    corr : numpy.ndarray
        Square correlation matrix of the drivers and the outcome, shape ``(p + 1, p + 1)``.
    outcome : int, optional
        Position of the outcome in ``corr`` (negative counts from the end); the other rows are
        the drivers, in their order. Default: the last row.

    Returns
    -------
    numpy.ndarray
        Length-``p`` array of each driver's raw contribution to R², summing to the full-model
        R² (empty when there are no drivers).

    Notes
    -----
    :math:`\phi_j = \sum_{S \subseteq P \setminus \{j\}} \frac{|S|!(p-|S|-1)!}{p!}
    [R^2(S \cup \{j\}) - R^2(S)]`; see :func:`lmg` (and its references).

    Examples
    --------
    >>> corr = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    >>> lmg_shares(corr).round(4)
    array([0.2043, 0.1143])
    >>> lmg_shares(corr[::-1, ::-1], outcome=0).round(4)  # same data, outcome first
    array([0.1143, 0.2043])
    """
    corr = np.asarray(corr, dtype=float)
    if corr.ndim != 2 or corr.shape[0] != corr.shape[1]:
        raise ValueError(f"corr must be a square matrix, got shape {corr.shape}")
    m = corr.shape[0]
    y = m - 1 if outcome is None else int(outcome) % m
    order = [i for i in range(m) if i != y] + [y]
    if m - 1 == 0:
        return np.zeros(0)
    return lmg(corr[np.ix_(order, order)])
