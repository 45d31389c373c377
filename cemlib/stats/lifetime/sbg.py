r"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, 2010):
:class:`ShiftedBetaGeometricFitter`.

In a contractual setting (subscriptions, memberships, policies) churn is observed at each
renewal. Each customer cancels at each renewal with their own constant probability, beta
distributed across customers, so the churn-prone leave first and a cohort's retention rate rises
with tenure. Fitted by maximum likelihood (:func:`cemlib.stats.lifetime._fit.maximise`) on a
cohort's survivor counts or on individual tenures; projects survival and retention, and values a
customer by the discounted expected residual lifetime (DERL) of Fader & Hardie (2010).

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
Interactive Marketing* 21(1), 76–90.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the
perils of ignoring heterogeneity. *Marketing Science* 29(1), 85–93.
"""

from __future__ import annotations

import warnings
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy import optimize, special
from sklearn.base import BaseEstimator

from cemlib.stats.lifetime import _fit
from cemlib.stats.lifetime._fit import LifetimeModelWarning

if TYPE_CHECKING:
    import numpy.typing as npt

    from cemlib.stats.lifetime._fit import FloatArray

__all__ = ["ShiftedBetaGeometricFitter"]


def _whole(values: npt.ArrayLike, who: str, name: str, minimum: float) -> FloatArray:
    """``values`` as float64, checked to be finite whole numbers ``>= minimum``."""
    arr = np.asarray(values, dtype="float64")
    if not np.all(np.isfinite(arr)) or np.any(arr < minimum) or np.any(arr != np.round(arr)):
        raise ValueError(f"{who}: {name} must be whole numbers of periods >= {minimum:g}")
    return arr


def _out(values: FloatArray, like: npt.ArrayLike, name: str) -> Any:
    """A float for a scalar ``like``, a Series on its index for a Series, else an ndarray."""
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    return float(values) if np.ndim(like) == 0 else values


class ShiftedBetaGeometricFitter(BaseEstimator):  # type: ignore[misc]  # sklearn ships no type hints
    r"""sBG model of contractual retention (Fader & Hardie 2007).

    A customer is active in periods :math:`1, \dots, T` and does not renew at the end of period
    :math:`T`: :math:`P(T = t \mid \theta) = \theta (1-\theta)^{t-1}`, with the churn
    probability :math:`\theta \sim \mathrm{Beta}(\alpha, \beta)` across customers, so that

    .. math::

        P(T = t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}, \quad
        S(t) = P(T > t) = \frac{B(\alpha, \beta+t)}{B(\alpha, \beta)}, \quad
        r_t = \frac{S(t)}{S(t-1)} = \frac{\beta+t-1}{\alpha+\beta+t-1}.

    :math:`S(t)` is the share of a cohort still active after :math:`t` renewals (at the start of
    period :math:`t+1`), :math:`r_t` the retention rate at the :math:`t`-th renewal. A customer
    who churned after :math:`t` periods adds :math:`\ln P(T=t)` to the log-likelihood, one still
    active after :math:`t` periods (censored) :math:`\ln S(t)`.

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty :math:`\text{penalizer}\cdot(\alpha^2+\beta^2)` added to the mean negative
        log-likelihood. 0 = maximum likelihood.

    Attributes
    ----------
    alpha_, beta_ : float
        Estimates; ``params_`` (Series) holds both by name, ``summary_`` (DataFrame) adds
        standard errors (observed information, delta method) and 95% intervals.
    log_likelihood_ : float
        Total log-likelihood at the estimates (unpenalised).
    n_ : float
        Number of customers; ``n_distinct_`` the distinct (periods, churned) cells.
    degenerate_ : list of str
        Parameters that ran to a degenerate extreme (beyond :math:`e^{\pm 10}`): with no churn at
        all, or everyone churning at the first renewal, the likelihood peaks on a boundary of the
        model; the fit warns (:class:`LifetimeModelWarning`) and returns finite parameters not to
        be interpreted. (With one period observed, only :math:`\alpha/(\alpha+\beta)` is
        identified: the fit warns too.)

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
    Interactive Marketing* 21(1), 76–90.

    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting:
    the perils of ignoring heterogeneity. *Marketing Science* 29(1), 85–93.

    Examples
    --------
    1. The "regular" cohort of Fader & Hardie (2007): of 1000 customers who signed up in year 0,
    those still active at the start of years 1 to 7. The estimates are the paper's:

    >>> from cemlib.stats.lifetime import ShiftedBetaGeometricFitter
    >>> model = ShiftedBetaGeometricFitter().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> model.params_.round(3)
    alpha    0.704
    beta     1.182
    Name: sBG, dtype: float64

    Projected survivors in years 8 to 12 (observed later: 223, 207, 194, 183, 173), and the
    retention rates at the 1st, 2nd and 12th renewal, rising as the churn-prone leave:

    >>> (1000 * model.survival([8, 9, 10, 11, 12])).round()
    array([220., 204., 191., 180., 170.])
    >>> model.retention([1, 2, 12]).round(3)
    array([0.627, 0.756, 0.945])

    2. From published parameters (the "high end" cohort): the expected future renewals,
    discounted at 10% a period, of a new customer and of one who has renewed 7 times; and
    undiscounted over the next 20 renewals only (without a horizon it is infinite: alpha < 1).

    >>> high_end = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
    >>> high_end.expected_residual_lifetime([0, 7], discount_rate=0.1).round(2)
    array([5.41, 7.53])
    >>> round(high_end.expected_residual_lifetime(7, horizon=20), 2)
    13.23
    """

    _names: ClassVar[tuple[str, ...]] = ("alpha", "beta")

    # learned attributes (set by fit, or by from_params for the parameters alone)
    alpha_: float
    beta_: float
    params_: pd.Series[float]
    log_likelihood_: float
    n_: float
    n_distinct_: int
    degenerate_: list[str]
    summary_: pd.DataFrame
    optimizer_result_: Any  # scipy.optimize.OptimizeResult

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    # -- likelihood ------------------------------------------------------------------------
    @staticmethod
    def _loglik_terms(
        params: FloatArray, t: FloatArray, c: FloatArray, with_grad: bool = True
    ) -> tuple[FloatArray, FloatArray]:
        """Per-cell ``ln B(a+c, b+t-c) - ln B(a, b)`` (c = 1: churned after t periods, 0: still
        active after t) and its gradient in ``(a, b)``, whatever ``with_grad``."""
        a, b = params
        ll: FloatArray = special.betaln(a + c, b + t - c) - special.betaln(a, b)
        psi = special.digamma(a + b) - special.digamma(a + b + t)
        d_a = c / a + psi
        d_b = special.digamma(b + t - c) - special.digamma(b) + psi
        return ll, np.vstack([d_a, d_b])

    def _fit_cells(self, t: FloatArray, c: FloatArray, w: FloatArray, who: str) -> Self:
        keep = w > 0
        t, c, w = t[keep], c[keep], w[keep]
        if len(t) == 0:
            raise ValueError(f"{who}: no customers to fit (all counts or weights are 0)")
        if t.max() < 2:
            warnings.warn(
                f"{who}: every customer was observed for one period only, so only the mean churn "
                "probability alpha/(alpha+beta) is identified, not alpha and beta apart",
                LifetimeModelWarning,
                stacklevel=3,
            )
        n = float(w.sum())
        with warnings.catch_warnings(record=True) as caught:  # re-raised at the caller's line
            warnings.simplefilter("always")
            objective = partial(_fit.penalised_objective, self._loglik_terms, self.penalizer)
            hint = "e.g. no customer churned, or every customer churned at the first renewal"
            theta, res, H = _fit.maximise(
                lambda th: objective(th, (t, c), w, n), np.zeros(2), self._names, who, hint
            )
        for caught_warning in caught:
            warnings.warn(caught_warning.message, caught_warning.category, stacklevel=3)
        _fit.store_params(self, np.exp(theta), "sBG")
        self.log_likelihood_ = float(w @ self._loglik_terms(np.exp(theta), t, c)[0])
        self.n_ = n
        self.n_distinct_ = len(t)
        return _fit.finish_fit(self, theta, H, n, res)

    @classmethod
    def from_params(cls, alpha: float, beta: float) -> ShiftedBetaGeometricFitter:
        """A fitted model with known parameters (published estimates, or a simulation's truth).

        Sets ``alpha_, beta_`` and ``params_``, so every prediction method works; the attributes
        of a fit to data (``summary_``, ``log_likelihood_``, ``n_``, ...) are not set.
        Parameters must be positive.
        """
        model = cls()
        _fit.store_params(model, _fit.positive_params(cls, [alpha, beta]), "sBG")
        return model

    def fit(self, alive: npt.ArrayLike) -> Self:
        """Estimate ``alpha, beta`` by maximum likelihood from one cohort's survivor counts.

        Parameters
        ----------
        alive : array-like of whole numbers
            ``alive[t]``: the cohort's customers still active after ``t`` renewals (at the start
            of period ``t + 1``); ``alive[0]`` is the cohort size. Non-increasing, at least 2
            entries: ``alive[t-1] - alive[t]`` churned after ``t`` periods, and ``alive[-1]``
            are censored after ``len(alive) - 1`` periods.

        Returns
        -------
        self
        """
        who = "ShiftedBetaGeometricFitter.fit"
        a = np.asarray(alive, dtype="float64")
        if a.ndim != 1 or len(a) < 2:
            raise ValueError(f"{who}: alive must be 1-D with at least 2 entries, got {a.shape}")
        if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a != np.round(a)):
            raise ValueError(
                f"{who}: alive must hold non-negative whole numbers of customers (counts, not "
                "percentages or fractions: multiply by the cohort size)"
            )
        if a[0] <= 0:
            raise ValueError(f"{who}: the cohort size alive[0] must be > 0")
        if np.any(np.diff(a) > 0):
            k = int(np.flatnonzero(np.diff(a) > 0)[0])
            raise ValueError(
                f"{who}: alive must be non-increasing (churned customers do not come back), but "
                f"alive[{k + 1}] = {a[k + 1]:g} > alive[{k}] = {a[k]:g}"
            )
        m = len(a) - 1
        t = np.append(np.arange(1.0, m + 1), m)
        c = np.append(np.ones(m), 0.0)
        w = np.append(a[:-1] - a[1:], a[-1])
        return self._fit_cells(t, c, w, who)

    def fit_durations(
        self,
        periods: npt.ArrayLike,
        churned: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Estimate ``alpha, beta`` from individual tenures (right-censored).

        Parameters
        ----------
        periods : array-like of whole numbers >= 1
            Per customer, the periods observed: the periods completed before churning, or so far
            for a customer still active (who has then renewed ``periods`` times).
        churned : array-like of bool
            True if the customer churned at the end of those periods (did not renew), False if
            still active (censored).
        weights : array-like, optional
            Number of customers sharing each row. Rows are grouped into the distinct
            ``(periods, churned)`` cells in any case, so ten million customers fit in a blink.

        Returns
        -------
        self
        """
        who = "ShiftedBetaGeometricFitter.fit_durations"
        t = _whole(periods, who, "periods", 1).ravel()
        c = np.asarray(churned).ravel().astype("float64")
        if len(c) != len(t) or not np.all((c == 0) | (c == 1)):
            raise ValueError(f"{who}: churned must be True/False (or 1/0), one per period entry")
        w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype="float64").ravel()
        if len(w) != len(t) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"{who}: weights must be finite and >= 0, one per period entry")
        if len(t) == 0:
            raise ValueError(f"{who}: no customers to fit")
        key = 2 * t.astype("int64") + c.astype("int64")
        if key.max() < 2**20:  # counting sort, linear in the customers (_fit_cells drops empties)
            cells, inverse = np.arange(key.max() + 1), key
        else:
            cells, inverse = np.unique(key, return_inverse=True)
        counts = np.bincount(inverse, weights=w).astype("float64")
        cell_t, cell_c = np.divmod(cells, 2)
        return self._fit_cells(cell_t.astype("float64"), cell_c.astype("float64"), counts, who)

    def fit_snapshot(self, periods: npt.ArrayLike) -> Self:
        r"""Estimate ``alpha, beta`` from the tenures of the customers active on one day.

        A snapshot of a contractual base holds only survivors: nobody's churn is observed. If
        acquisition was steady over the last :math:`m` periods (:math:`m` the longest tenure),
        a customer active today who has been billed :math:`t` times has survived :math:`t-1`
        renewals, so tenures follow :math:`P(t) = S(t-1) / \sum_{u=0}^{m-1} S(u)` — the
        stock-sampling (length-biased) likelihood of a duration model (Lancaster 1990, ch. 3)
        applied to the sBG. The steady-acquisition assumption carries the whole fit: a base that
        grew recently looks churn-prone, one that shrank looks loyal; say so where it is used.

        Parameters
        ----------
        periods : array-like of whole numbers >= 1
            Per active customer, the periods billed so far.

        Returns
        -------
        self

        References
        ----------
        Lancaster, T. (1990). *The Econometric Analysis of Transition Data*. Cambridge
        University Press.
        """
        who = "ShiftedBetaGeometricFitter.fit_snapshot"
        t = _whole(periods, who, "periods", 1).ravel()
        if len(t) == 0:
            raise ValueError(f"{who}: no customers to fit")
        m = int(t.max())
        if m < 2:
            raise ValueError(f"{who}: every customer has one period; nothing tells churn apart")
        counts = np.bincount(t.astype("int64") - 1, minlength=m).astype("float64")  # by t - 1
        u = np.arange(m, dtype="float64")

        def negative_loglik(theta: FloatArray) -> float:
            a, b = np.exp(theta)
            log_s = special.betaln(a, b + u) - special.betaln(a, b)
            return -float(counts @ log_s - counts.sum() * special.logsumexp(log_s))

        res = optimize.minimize(
            negative_loglik,
            np.zeros(2),
            method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
        )
        _fit.store_params(self, np.exp(res.x), "sBG")
        self.log_likelihood_ = -float(res.fun)
        self.n_ = float(counts.sum())
        self.n_distinct_ = int((counts > 0).sum())
        self.optimizer_result_ = res
        self.degenerate_ = [n for n, v in zip(self._names, res.x, strict=True) if abs(v) > 10]
        if self.degenerate_:
            warnings.warn(
                f"{who}: {', '.join(self.degenerate_)} at an extreme: the tenures do not identify "
                "the sBG (e.g. they fall off no faster than steady acquisition would give)",
                LifetimeModelWarning,
                stacklevel=2,
            )
        return self

    # -- predictions -----------------------------------------------------------------------
    def _params(self) -> tuple[float, float]:
        _fit.check_fitted(self, "params_")
        return self.alpha_, self.beta_

    def survival(self, t: npt.ArrayLike) -> Any:
        r""":math:`S(t) = B(\alpha, \beta+t)/B(\alpha, \beta)`: the probability of still being
        active after ``t`` periods (``t`` renewals); 1 at ``t = 0``. A float for a scalar ``t``,
        a Series for a Series, else an array."""
        a, b = self._params()
        tt = _whole(t, "survival", "t", 0)
        return _out(np.exp(special.betaln(a, b + tt) - special.betaln(a, b)), t, "survival")

    def retention(self, t: npt.ArrayLike) -> Any:
        r""":math:`r_t = (\beta+t-1)/(\alpha+\beta+t-1) = S(t)/S(t-1)`: the share of the customers
        active in period ``t`` (``t >= 1``) who renew at its end."""
        a, b = self._params()
        tt = _whole(t, "retention", "t", 1)
        return _out((b + tt - 1) / (a + b + tt - 1), t, "retention")

    def churn_probability(self, t: npt.ArrayLike) -> Any:
        r""":math:`P(T = t) = B(\alpha+1, \beta+t-1)/B(\alpha, \beta)`: the probability that a new
        customer churns at the end of period ``t`` (``t >= 1``)."""
        a, b = self._params()
        tt = _whole(t, "churn_probability", "t", 1)
        ll = special.betaln(a + 1, b + tt - 1) - special.betaln(a, b)
        return _out(np.exp(ll), t, "churn_probability")

    def expected_residual_lifetime(
        self,
        periods_survived: npt.ArrayLike,
        discount_rate: float = 0.0,
        horizon: int | None = None,
    ) -> Any:
        r"""Discounted expected residual lifetime (DERL, Fader & Hardie 2010, eq. 6).

        For a customer who has renewed ``periods_survived`` :math:`= n-1` times (so is active in
        period :math:`n`; ``alive[n-1]`` of :meth:`fit` counts such customers), the expected
        discounted number of *future* renewals, valued at the end of period :math:`n`, just
        before the next renewal decision: the next renewal counts undiscounted, the one after
        is discounted once, and so on. The current period :math:`n` is not counted.

        .. math::

            \mathrm{DERL}(d \mid n-1) = \sum_{t=n}^{\infty} \frac{S(t)}{S(n-1)\,(1+d)^{t-n}}
            = \frac{\beta+n-1}{\alpha+\beta+n-1}\,
              {}_2F_1\Big(1, \beta+n; \alpha+\beta+n; \frac{1}{1+d}\Big).

        Times the margin per period, the residual lifetime value; divided by :math:`1+d`, valued
        at the start of period :math:`n`. A new customer's discounted expected lifetime, first
        payment included, is :math:`1 + \mathrm{DERL}(d \mid 0)/(1+d)`.

        Parameters
        ----------
        periods_survived : int or array-like of whole numbers >= 0
            Renewals made so far, :math:`n-1`.
        discount_rate : float, default 0
            :math:`d` per period, ``>= 0``. With :math:`d = 0` the DERL is the expected number of
            future renewals, :math:`(\beta+n-1)/(\alpha-1)`, which is infinite for
            :math:`\alpha \le 1` (a heavy tail of near-loyal customers): then ``inf`` is
            returned with a :class:`LifetimeModelWarning`, unless ``horizon`` is given.
        horizon : int, optional
            Count only the next ``horizon`` renewals (:math:`t = n, \dots, n+\text{horizon}-1`),
            summed exactly; finite for any :math:`\alpha` and :math:`d`.

        Returns
        -------
        float, ndarray or Series
            Like ``periods_survived``.
        """
        who = "expected_residual_lifetime"
        a, b = self._params()
        k = _whole(periods_survived, who, "periods_survived", 0)
        d = float(discount_rate)
        if not np.isfinite(d) or d < 0:
            raise ValueError(f"{who}: discount_rate must be finite and >= 0, got {discount_rate}")
        if horizon is not None:
            if not float(horizon).is_integer() or horizon < 0:
                raise ValueError(f"{who}: horizon must be a whole number of periods >= 0")
            out = self._derl_sum(a, b, k, d, int(horizon))
        elif d == 0:
            out = (b + k) / (a - 1) if a > 1 else np.full(k.shape, np.inf)
            if a <= 1:
                warnings.warn(
                    f"{who}: with alpha = {a:.4g} <= 1 and no discounting the expected residual "
                    "lifetime is infinite; give discount_rate > 0 or a horizon",
                    LifetimeModelWarning,
                    stacklevel=2,
                )
        else:
            out = (b + k) / (a + b + k) * special.hyp2f1(1.0, b + k + 1, a + b + k + 1, 1 / (1 + d))
            bad = ~np.isfinite(out)
            if np.any(bad):  # scipy's series gave up: the tail beyond 1e-13 is negligible
                steps = int(min(np.ceil(np.log(1e-13 * d / (1 + d)) / -np.log1p(d)) + 1, 1e6))
                out = np.where(bad, self._derl_sum(a, b, k, d, steps), out)
        return _out(np.asarray(out, dtype="float64"), periods_survived, "derl")

    @staticmethod
    def _derl_sum(a: float, b: float, k: FloatArray, d: float, horizon: int) -> FloatArray:
        """DERL over the next ``horizon`` renewals, summed term by term once per distinct ``k``."""
        uniq, inverse = np.unique(k, return_inverse=True)
        j = np.arange(1.0, horizon + 1)
        disc = np.exp(-(j - 1) * np.log1p(d))
        sums = np.empty(len(uniq))
        chunk = max(1, 2**22 // max(horizon, 1))  # bound the memory of the (k, j) grid
        for lo in range(0, len(uniq), chunk):
            kk = uniq[lo : lo + chunk, None]
            ratio = np.exp(special.betaln(a, b + kk + j) - special.betaln(a, b + kk))
            sums[lo : lo + chunk] = ratio @ disc
        return sums[inverse].reshape(k.shape)
