r"""Maximum-likelihood machinery shared by the lifetime models (:mod:`.bgnbd`, :mod:`.gamma_gamma`).

Both models are fitted the same way: the mean negative log-likelihood of the log-parameters is
minimised with L-BFGS-B and the analytic gradient inside wide bounds, then polished with Newton
steps on a finite-difference Hessian of that gradient (:func:`maximise`); standard errors come
from the observed information by the delta method (:func:`_summary_table`). Estimates that run
towards the bounds mean the likelihood is flat towards a boundary of the model and are flagged
with a :class:`LifetimeModelWarning`.

Also here: the argument checks and output wrapping every model method shares, the learned
attributes of a fitted model (:func:`store_params`, the sklearn convention of a trailing ``_``)
and the Gauss rule for a Beta density (:func:`beta_gauss_nodes`, Golub & Welsch 1969) used by
the BG/NBD's quadrature.

References
----------
Golub, G. H. & Welsch, J. H. (1969). Calculation of Gauss quadrature rules. *Mathematics of
Computation* 23(106), 221–230.

Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization*, 2nd ed. Springer (L-BFGS-B and
Newton steps).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, overload

import numpy as np
import pandas as pd
from scipy import linalg, optimize
from sklearn.exceptions import NotFittedError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    # array-likes that are not a Series (a Series in gives a Series out, see `wrap`)
    NotSeries = float | Sequence[float] | npt.NDArray[Any] | pd.Index

__all__ = ["LifetimeModelWarning"]

# Optimisation runs on log-parameters inside these bounds (parameters in [3e-7, 3.3e6]): wide
# enough for any sensible time unit, narrow enough that a degenerate likelihood (no heterogeneity
# to estimate) stops at finite values, which are then flagged with a warning.
_LOG_BOUND = 15.0
# Estimates beyond exp(±10) (≈ 2e4 or 5e-5) mean the likelihood is flat towards a boundary of the
# model (a gamma or beta mixing distribution degenerating to a point), not a real estimate.
_DEGENERATE_LOG = 10.0


class LifetimeModelWarning(UserWarning):
    """A lifetime model was fitted or used outside the conditions where its estimates mean much."""


class _Model(Protocol):
    """What the helpers below need of a lifetime model: its parameter names and ``params_``."""

    _names: ClassVar[tuple[str, ...]]
    params_: pd.Series[float]


class _Fitted(_Model, Protocol):
    """A lifetime model with the attributes of a fit to data (see :func:`finish_fit`)."""

    summary_: pd.DataFrame
    optimizer_result_: Any  # scipy.optimize.OptimizeResult


_FittedT = TypeVar("_FittedT", bound=_Fitted)


def as_float_arrays(*arrays: npt.ArrayLike) -> list[FloatArray]:
    out: list[FloatArray] = [np.asarray(a, dtype="float64").reshape(-1) for a in arrays]
    n = {len(a) for a in out}
    if len(n) != 1:
        raise ValueError(f"inputs must have the same length, got {[len(a) for a in out]}")
    return out


@overload
def wrap(values: FloatArray, like: pd.Series, name: str) -> pd.Series[float]: ...
@overload
def wrap(values: FloatArray, like: npt.ArrayLike, name: str) -> FloatArray: ...
def wrap(values: FloatArray, like: object, name: str) -> pd.Series[float] | FloatArray:
    """Return a Series on ``like``'s index when ``like`` is a Series, else an ndarray."""
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    return values


def check_fitted(est: object, attr: str) -> None:
    if not hasattr(est, attr):
        raise NotFittedError(f"{type(est).__name__} is not fitted yet: call fit() first")


def store_params(est: _Model, values: FloatArray, label: str) -> None:
    """Set a model's learned parameters: ``<name>_`` for each of ``est._names``, and ``params_``
    (the Series :func:`check_fitted` looks for)."""
    for name, value in zip(est._names, values, strict=True):
        setattr(est, f"{name}_", float(value))
    est.params_ = pd.Series(values, index=list(est._names), name=label)


def given_or_fitted(est: _Model, params: npt.ArrayLike | None) -> npt.ArrayLike:
    """``params`` of ``log_likelihood``: as given, or the fitted ones when None (which needs a
    fitted model)."""
    if params is None:
        check_fitted(est, "params_")
        return est.params_.to_numpy()
    return params


def finish_fit(est: _FittedT, theta: FloatArray, H: FloatArray, n: float, res: Any) -> _FittedT:
    """The last learned attributes of ``fit``: ``summary_`` (:func:`_summary_table` of the
    optimum ``theta`` and Hessian ``H`` of :func:`maximise`), ``optimizer_result_`` (``res``)
    and ``degenerate_`` (names of the parameters at a degenerate extreme). Returns ``est``."""
    est.summary_ = _summary_table(est._names, theta, H, n)
    est.optimizer_result_ = res
    # the parameters that ran to a degenerate extreme (maximise warned about them): a model
    # with any is not identified by the data, and reports built on it must say so
    est.degenerate_ = [
        name for name, t in zip(est._names, theta, strict=True) if abs(t) >= _DEGENERATE_LOG
    ]
    return est


def positive_params(cls: type[_Model], values: Sequence[float]) -> FloatArray:
    """Parameters given to ``from_params``: finite and positive, as float64."""
    params = np.asarray(values, dtype="float64")
    if not np.all(np.isfinite(params) & (params > 0)):
        given = dict(zip(cls._names, params.tolist(), strict=True))
        raise ValueError(f"{cls.__name__}.from_params: parameters must be > 0, got {given}")
    return params


def _observed_information(
    grad: Callable[[FloatArray], FloatArray], theta: FloatArray, h: float = 1e-5
) -> FloatArray:
    """Symmetrised finite-difference Jacobian of an analytic gradient (the Hessian)."""
    k = len(theta)
    H = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        H[:, j] = (grad(theta + e) - grad(theta - e)) / (2 * h)
    return (H + H.T) / 2


def maximise(
    neg_ll_and_grad: Callable[[FloatArray], tuple[float, FloatArray]],
    x0: FloatArray,
    names: Sequence[str],
    who: str,
    hint: str,
) -> tuple[FloatArray, Any, FloatArray]:
    """Minimise a smooth objective of log-parameters: L-BFGS-B, then Newton polishing.

    Returns the optimum (log-parameters), the scipy result and the Hessian at the optimum.
    """
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(x0)
    res = optimize.minimize(
        neg_ll_and_grad,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10},
    )
    theta = np.clip(res.x, -_LOG_BOUND, _LOG_BOUND)
    f = neg_ll_and_grad(theta)[0]

    def grad(th: FloatArray) -> FloatArray:
        return neg_ll_and_grad(th)[1]

    H = _observed_information(grad, theta)
    # Newton polishing (only in the interior; accepted only when it improves the objective)
    for _ in range(20):
        g = grad(theta)
        if np.max(np.abs(g)) < 1e-12:
            break
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        improved = False
        for scale in (1.0, 0.5, 0.25, 0.1):
            cand = theta - scale * step
            if np.all(np.abs(cand) < _LOG_BOUND):
                fc = neg_ll_and_grad(cand)[0]
                if np.isfinite(fc) and fc <= f:
                    theta, f, improved = cand, fc, True
                    break
        if not improved:
            break
        H = _observed_information(grad, theta)
    at_bound = np.abs(theta) >= _DEGENERATE_LOG
    if at_bound.any():
        warnings.warn(
            f"{who}: parameter(s) {[n for n, b in zip(names, at_bound, strict=True) if b]} = "
            f"{np.round(np.exp(theta[at_bound]), 8).tolist()} ran to a degenerate extreme "
            f"(beyond exp(±{_DEGENERATE_LOG:g})): the data carry too little variation to "
            f"identify the model ({hint}); the estimates are finite but should not be "
            "interpreted",
            LifetimeModelWarning,
            stacklevel=3,
        )
    elif not res.success and np.max(np.abs(grad(theta))) > 1e-5:
        warnings.warn(
            f"{who}: the optimiser did not report convergence ({res.message}); "
            f"max |gradient| = {np.max(np.abs(grad(theta))):.2g}",
            LifetimeModelWarning,
            stacklevel=3,
        )
    return theta, res, H


def penalised_objective(
    loglik_terms: Callable[..., tuple[FloatArray, FloatArray]],
    penalizer: float,
    theta: FloatArray,
    data: tuple[FloatArray, ...],
    w: FloatArray,
    n: float,
) -> tuple[float, FloatArray]:
    """Mean negative log-likelihood of log-parameters plus the L2 penalty, with its gradient.

    ``loglik_terms(params, *data, with_grad=True)`` gives the per-row log-likelihood and its
    gradient in the parameters; the chain rule takes the gradient to the log scale. A non-finite
    objective is returned as ``inf`` (with a zero gradient) so the optimiser steps back.
    """
    params = np.exp(theta)
    ll, g = loglik_terms(params, *data, with_grad=True)
    f = -(w @ ll) / n + penalizer * np.sum(params**2)
    if not np.isfinite(f):
        return np.inf, np.zeros_like(theta)
    return f, -(g @ w) / n * params + penalizer * 2 * params**2  # chain rule to log scale


def beta_gauss_nodes(a: float, b: float, n: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights (summing to 1) of the n-point Gauss rule for the Beta(a, b) density.

    Golub–Welsch on the Jacobi matrix of the Jacobi polynomials with weight
    (1 − u)^(b−1) (1 + u)^(a−1) on [−1, 1], mapped to p = (1 + u)/2.
    """
    al, be = b - 1.0, a - 1.0  # exponents of (1 - u) and (1 + u)
    k = np.arange(n, dtype="float64")
    s = 2 * k + al + be
    with np.errstate(divide="ignore", invalid="ignore"):
        diag = (be**2 - al**2) / (s * (s + 2))
    if abs(al + be) < 1e-14:
        diag[0] = (be - al) / (al + be + 2)
    m = k[1:]
    sm = 2 * m + al + be
    off = np.sqrt(4 * m * (m + al) * (m + be) * (m + al + be) / (sm**2 * (sm + 1) * (sm - 1)))
    u, vec = linalg.eigh_tridiagonal(diag, off)
    w = vec[0] ** 2
    return (1 + u) / 2, w / w.sum()


def _summary_table(
    names: Sequence[str], theta: FloatArray, H: FloatArray, n_total: float
) -> pd.DataFrame:
    """Estimates with standard errors from the observed information (log scale → delta method)."""
    est = np.exp(theta)
    try:
        cov_log = np.linalg.inv(H * n_total)  # H is the Hessian of the *mean* negative LL
        se_log = np.sqrt(np.clip(np.diag(cov_log), 0, None))
    except np.linalg.LinAlgError:
        se_log = np.full(len(theta), np.nan)
    with np.errstate(over="ignore"):
        ci = np.exp(theta - 1.959964 * se_log), np.exp(theta + 1.959964 * se_log)
    return pd.DataFrame(
        {
            "estimate": est,
            "se": est * se_log,
            "ci_low": ci[0],
            "ci_high": ci[1],
        },
        index=pd.Index(names, name="parameter"),
    )
