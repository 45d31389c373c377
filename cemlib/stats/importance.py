r"""Linear importance measures from a correlation matrix: correlation, beta and VIF, Pratt's
measure, Johnson's relative weights and the exact Shapley (LMG) decomposition of R².

Every measure is a function of the correlation matrix of the drivers and the outcome alone, so
its cost does not grow with the number of responses, and a bootstrap is a ``(B, q, q)`` stack of
resampled matrices handled in one batched pass. Matrices are ordered *drivers first, outcome
last*: with ``q = p + 1``,

.. math:: C = \begin{pmatrix} R_{xx} & r_{xy} \\ r_{xy}^\top & 1 \end{pmatrix}.

All measures but the Shapley values come from one eigendecomposition
:math:`R_{xx} = V \Lambda V^\top` per matrix (:func:`measures`); eigenvalues below
:data:`EIG_TOL` times the largest count as zero, so perfectly collinear drivers share their
importance (pseudo-inverse) instead of making the system unsolvable. A constant variable is
treated as uncorrelated with everything (:func:`sanitise`): a constant driver gets 0, and an
outcome without variance gives zeros.

References
----------
Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
*Journal of Statistical Software*, 17(1), 1-27.

Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. *Multivariate Behavioral Research*, 35(1), 1-19.

Pratt, J. W. (1987). Dividing the indivisible: using simple symmetry to partition variance
explained. In T. Pukkila & S. Puntanen (eds.), *Proceedings of the Second International Tampere
Conference in Statistics* (pp. 245-260). University of Tampere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cemlib.stats.lmg import lmg
from cemlib.stats.weights import quietly

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "CONSTANT_TOL",
    "EIG_TOL",
    "Measures",
    "beta",
    "correlation",
    "measures",
    "pratt",
    "r_squared",
    "relative_weight",
    "sanitise",
    "shapley",
    "sign_of",
    "vif",
]

EIG_TOL = 1e-10  # eigenvalues of R_xx below this fraction of the largest count as exactly zero
_NULL_LOADING = 1e-8  # a driver loading more than this on a null direction is collinear
CONSTANT_TOL = 1e-12  # range (or SD) below this fraction of the largest |value| means constant


def _as_corr(corr: npt.ArrayLike) -> np.ndarray:
    c = np.asarray(corr, dtype=float)
    if c.ndim not in (2, 3) or c.shape[-1] != c.shape[-2] or c.shape[-1] < 2:
        raise ValueError(
            f"corr must be a (q, q) or (B, q, q) correlation matrix with q >= 2, got {c.shape}"
        )
    return c


def sanitise(corr: np.ndarray, constant: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric copy with unit diagonal in which constant variables are uncorrelated with all.

    A variable counts as constant when its diagonal entry is not ~1 or any of its entries is not
    finite (a correlation engine returns NaN or 0 there), or when ``constant`` says so. Its row
    and column become 0 with a 1 on the diagonal: a variable without variance explains nothing.
    Returns the cleaned matrix and the ``(..., q)`` constant mask.
    """
    c = np.array(corr, dtype=float, copy=True)
    q = c.shape[-1]
    diag = np.diagonal(c, axis1=-2, axis2=-1)
    bad = ~np.isfinite(c)
    dead = bad.any(axis=-1) | bad.any(axis=-2) | ~(np.abs(diag - 1.0) < 1e-6)
    if constant is not None:
        dead = dead | np.asarray(constant, dtype=bool)
    c = np.where(bad, 0.0, c)
    c = 0.5 * (c + np.swapaxes(c, -1, -2))
    c = np.clip(c, -1.0, 1.0)
    keep = ~dead
    c = c * keep[..., :, None] * keep[..., None, :]
    eye = np.eye(q, dtype=bool)
    c[..., eye] = 1.0
    return c, dead


@dataclass
class Measures:
    """Every linear measure of one (or a stack of) correlation matrices."""

    r: np.ndarray  # (..., p)
    beta: np.ndarray
    pratt: np.ndarray
    relative_weight: np.ndarray
    vif: np.ndarray  # inf where perfectly collinear
    r2: np.ndarray  # (...,)
    collinear: np.ndarray  # (..., p) bool
    constant: np.ndarray  # (..., p) bool: constant driver
    corr: np.ndarray  # sanitised matrix


def measures(corr: npt.ArrayLike, constant: np.ndarray | None = None) -> Measures:
    """All linear measures from one eigendecomposition of :math:`R_{xx}` per matrix."""
    c, dead = sanitise(_as_corr(corr), constant)
    rxx, r = c[..., :-1, :-1], c[..., :-1, -1]
    lam, vec = np.linalg.eigh(rxx)
    top = np.maximum(lam.max(axis=-1, keepdims=True), 1.0)
    keep = lam > EIG_TOL * top
    lam = np.where(keep, lam, 0.0)
    safe = np.where(keep, lam, 1.0)
    inv = np.where(keep, 1.0 / safe, 0.0)
    inv_sqrt = np.where(keep, 1.0 / np.sqrt(safe), 0.0)
    t = np.einsum("...jk,...j->...k", vec, r)  # r in the eigenbasis
    b = np.einsum("...jk,...k->...j", vec, inv * t)  # R_xx^+ r
    r2 = np.einsum("...k,...k->...", t * t, inv)
    beta_star = np.einsum("...jk,...k->...j", vec, inv_sqrt * t)  # Lambda^+ r
    lam_half = np.einsum("...jk,...k,...lk->...jl", vec, np.sqrt(lam), vec)  # R_xx^{1/2}
    rw = np.einsum("...jk,...k->...j", lam_half**2, beta_star**2)
    null_load = np.einsum("...jk,...k->...j", vec**2, (~keep).astype(float))
    collinear = null_load > _NULL_LOADING
    v = np.einsum("...jk,...k->...j", vec**2, inv)
    v = np.where(collinear, np.inf, v)
    const_x = dead[..., :-1]
    zero = const_x | dead[..., -1:]
    b = np.where(zero, 0.0, b)
    rw = np.where(zero, 0.0, rw)
    r = np.where(zero, 0.0, r)
    return Measures(
        r=r,
        beta=b,
        pratt=b * r,
        relative_weight=rw,
        vif=v,
        r2=np.where(dead[..., -1], 0.0, r2),
        collinear=collinear & ~const_x,
        constant=const_x,
        corr=c,
    )


def correlation(corr: npt.ArrayLike) -> np.ndarray:
    """Zero-order correlation :math:`r_j` of each driver with the outcome.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix (or a stack of them), drivers first, outcome last.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)
        :math:`r_{xy}`; 0 for a constant driver.
    """
    return measures(corr).r


def beta(corr: npt.ArrayLike) -> np.ndarray:
    """Standardised regression coefficients :math:`\\beta = R_{xx}^{+} r_{xy}`.

    The Moore-Penrose inverse (eigenvalues below :math:`10^{-10}\\lambda_{max}` treated as 0)
    gives the minimum-norm solution when drivers are perfectly collinear: identical drivers
    share their coefficient equally instead of making the system unsolvable.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix, drivers first, outcome last.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)

    References
    ----------
    Penrose, R. (1955). A generalized inverse for matrices. *Mathematical Proceedings of the
    Cambridge Philosophical Society*, 51(3), 406-413.
    """
    return measures(corr).beta


def vif(corr: npt.ArrayLike) -> np.ndarray:
    """Variance inflation factors :math:`\\mathrm{VIF}_j = (R_{xx}^{-1})_{jj} = 1/(1 - R_j^2)`.

    ``numpy.inf`` for a driver that is an exact linear combination of others.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix, drivers first, outcome last (the outcome is ignored).

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)

    References
    ----------
    Marquardt, D. W. (1970). Generalized inverses, ridge regression, biased linear estimation,
    and nonlinear estimation. *Technometrics*, 12(3), 591-612.
    """
    return measures(corr).vif


def r_squared(corr: npt.ArrayLike) -> np.ndarray:
    """Full-model coefficient of determination of the outcome on all drivers.

    .. math:: R^2 = r_{xy}^\\top R_{xx}^{+} r_{xy} = \\sum_j \\beta_j r_j

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix, drivers first, outcome last.

    Returns
    -------
    numpy.ndarray, shape () or (B,)
    """
    return measures(corr).r2


def pratt(corr: npt.ArrayLike) -> np.ndarray:
    """Pratt's (1987) measure :math:`d_j = \\beta_j r_j`.

    The products add up to the model's :math:`R^2 = \\sum_j \\beta_j r_j`; a product can be
    negative (a suppressor), so it is a share of explained variance only loosely.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix, drivers first, outcome last.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)

    References
    ----------
    Pratt, J. W. (1987). Dividing the indivisible: using simple symmetry to partition variance
    explained. *Proceedings of the Second International Tampere Conference in Statistics*,
    245-260.
    """
    return measures(corr).pratt


def relative_weight(corr: npt.ArrayLike) -> np.ndarray:
    """Johnson's (2000) relative weights (raw), which sum to :math:`R^2`.

    With the eigendecomposition :math:`R_{xx} = V \\operatorname{diag}(\\lambda) V^\\top`, the
    drivers are replaced by their closest orthonormal counterparts :math:`Z`, whose correlations
    with the drivers are :math:`\\Lambda = R_{xx}^{1/2} = V \\operatorname{diag}(\\sqrt\\lambda)
    V^\\top`. The outcome is regressed on :math:`Z`,
    :math:`\\beta^* = \\Lambda^{-1} r_{xy}`, and each driver gets

    .. math:: \\varepsilon_j = \\sum_k \\Lambda_{jk}^2 \\, \\beta^{*2}_k .

    Because every column of :math:`\\Lambda` has unit length,
    :math:`\\sum_j \\varepsilon_j = \\sum_k \\beta^{*2}_k = R^2`. Collinear drivers are handled
    with the pseudo-inverse square root and split their weight.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix, drivers first, outcome last.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
    variables in multiple regression. *Multivariate Behavioral Research*, 35(1), 1-19.
    """
    return measures(corr).relative_weight


def shapley(corr: npt.ArrayLike) -> np.ndarray:
    """Exact LMG / Shapley decomposition of :math:`R^2` (raw contributions, sum :math:`R^2`).

    .. math:: \\phi_j = \\sum_{S \\subseteq P \\setminus \\{j\\}}
              \\frac{|S|!\\,(p-|S|-1)!}{p!}\\,\\bigl[R^2(S \\cup \\{j\\}) - R^2(S)\\bigr]

    computed by :func:`cemlib.stats.lmg.lmg` (see it for the references) from the (sanitised)
    correlation matrix.

    Parameters
    ----------
    corr : array_like, shape (q, q) or (B, q, q)
        Correlation matrix, drivers first, outcome last.

    Returns
    -------
    numpy.ndarray, shape (p,) or (B, p)
    """
    c, dead = sanitise(_as_corr(corr))
    out = np.asarray(quietly(lmg, c), dtype=float)
    return np.where(dead[..., :-1] | dead[..., -1:], 0.0, out)


def sign_of(values: np.ndarray) -> np.ndarray:
    """Sign of each value as -1, 0 or 1, with values within 1e-12 of zero counted as 0."""
    return np.where(np.abs(values) > 1e-12, np.sign(values), 0.0).astype(np.int64)
