r"""The BG/NBD model of repeat buying and dropout (Fader, Hardie & Lee 2005a):
:class:`BetaGeoFitter`.

While active a customer buys as a Poisson process; after every repeat purchase the customer drops
out for good with some probability; purchase rates are gamma and dropout probabilities beta
distributed across customers. Fitted by maximum likelihood on the summary of :mod:`.rfm`
(:func:`cemlib.stats.lifetime._fit._maximise`); predicts the probability that a customer is still
active and the purchases to expect over a horizon, given the customer's history.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2007). Creating a fit histogram for the BG/NBD model.
Note, http://brucehardie.com/notes/014/.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, cast, overload

import numpy as np
import pandas as pd
from scipy import special
from sklearn.base import BaseEstimator

from cemlib.stats.lifetime import _fit
from cemlib.stats.lifetime._fit import LifetimeModelWarning
from cemlib.stats.lifetime.rfm import _validate_rfm, compress_rfm

if TYPE_CHECKING:
    import numpy.typing as npt

    from cemlib.stats.lifetime._fit import FloatArray, NotSeries

__all__ = ["BetaGeoFitter"]


class BetaGeoFitter(BaseEstimator):  # type: ignore[misc]  # sklearn ships no type hints
    r"""BG/NBD model of repeat buying and dropout (Fader, Hardie & Lee 2005a).

    While active, a customer buys as a Poisson process with rate :math:`\lambda`; after every
    repeat purchase the customer drops out for good with probability :math:`p`. Across customers
    :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` (shape, rate) and
    :math:`p \sim \mathrm{Beta}(a, b)`. For a customer with :math:`x` repeat purchases, the last
    at :math:`t_x`, observed for :math:`T` time units since the first purchase, the likelihood is
    (eq. 6 of the paper)

    .. math::

        L(r, \alpha, a, b \mid x, t_x, T) =
        \frac{B(a, b+x)}{B(a, b)} \frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)\,(\alpha+T)^{r+x}}
        + \delta_{x>0} \frac{B(a+1, b+x-1)}{B(a, b)}
          \frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)\,(\alpha+t_x)^{r+x}},

    evaluated in logs with ``gammaln``/``betaln`` and a log-sum-exp of the two terms.

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty on the parameters: the objective minimised is
        :math:`-\ell / n + \text{penalizer} \cdot (r^2 + \alpha^2 + a^2 + b^2)`, with :math:`\ell` the
        (weighted) log-likelihood and :math:`n` the number of customers. 0 = maximum likelihood.
        A small value (e.g. 0.001) keeps the estimates finite on small or degenerate data at the
        price of a bias towards 0.

    Attributes
    ----------
    r_, alpha_, a_, b_ : float
        Estimates.
    params_ : Series
        The four estimates by name.
    summary_ : DataFrame
        Estimates, standard errors (observed information, delta method) and 95% intervals.
    log_likelihood_ : float
        Total log-likelihood at the estimates (unpenalised).
    n_ : float
        Number of customers (sum of the weights).
    n_distinct_ : int
        Number of distinct ``(x, t_x, T)`` rows the likelihood was evaluated on.

    Notes
    -----
    Fitting maximises over log-parameters with L-BFGS-B and the analytic gradient, then polishes
    with Newton steps. Degenerate data: with no repeat purchase at all the model is not identified
    (``a`` and ``b`` drop out of the likelihood) and :meth:`fit` raises ``ValueError``; when the
    data carry too little variation (e.g. all customers identical) the estimates run to the
    optimisation bound and :meth:`fit` warns (:class:`LifetimeModelWarning`) but returns finite
    parameters, whose predictions stay finite.

    See Also
    --------
    cemlib.stats.lifetime.rfm.rfm_summary : the ``(x, t_x, T)`` summary the model is fitted on.
    cemlib.stats.lifetime.gamma_gamma.GammaGammaFitter : the spend per purchase.
    cemlib.stats.lifetime.clv.customer_lifetime_value : both models combined into a value.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
    alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2007). Creating a fit histogram for the BG/NBD
    model. Note, http://brucehardie.com/notes/014/.

    Examples
    --------
    1. Fit the model on the CDNOW sample (2357 customers who first bought in the first quarter of
    1997), calibrated on the first 39 weeks as in the paper. Time is in weeks.

    >>> from cemlib.stats.lifetime import BetaGeoFitter, read_cdnow, rfm_summary
    >>> summary = rfm_summary(read_cdnow(), calibration_end="1997-09-30")
    >>> len(summary)
    2357
    >>> model = BetaGeoFitter().fit(
    ...     summary["repeat_purchases"], summary["recency"], summary["age"]
    ... )

    The estimates are those of the paper (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, with a
    log-likelihood of -9582.4):

    >>> model.params_.round(3)
    r        0.243
    alpha    4.414
    a        0.793
    b        2.426
    Name: BG/NBD, dtype: float64
    >>> round(model.log_likelihood_, 1)
    -9582.4

    2. Predict for individual customers. Customer 00004 is the paper's worked example: 2 repeat
    purchases, the last 30.43 weeks after the first, observed for 38.86 weeks. The model gives
    the probability that each customer is still active and the purchases to expect in the next
    39 weeks (customer 00021 bought again once, early on, and has been silent for 37 weeks).

    >>> who = summary.loc[["00004", "00021"], ["repeat_purchases", "recency", "age"]]
    >>> who.round(2)  # doctest: +NORMALIZE_WHITESPACE
                 repeat_purchases  recency    age
    customer_id
    00004                       2    30.43  38.86
    00021                       1     1.71  38.86
    >>> model.probability_alive(who["repeat_purchases"], who["recency"], who["age"]).round(3)
    customer_id
    00004    0.727
    00021    0.212
    Name: p_alive, dtype: float64
    >>> model.conditional_expected_purchases(
    ...     39, who["repeat_purchases"], who["recency"], who["age"]
    ... ).round(3)
    customer_id
    00004    1.226
    00021    0.203
    Name: expected_purchases, dtype: float64

    3. Build the model from published (or simulated) parameters instead of fitting it; plain
    numbers give an array back. A new customer is expected to make 1.45 repeat purchases in
    their first 52 weeks.

    >>> published = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> published.conditional_expected_purchases(
    ...     39, repeat_purchases=2, recency=30.43, age=38.86
    ... ).round(3)
    array([1.226])
    >>> round(published.expected_purchases(52), 2)
    1.45
    """

    _names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")

    # learned attributes (set by fit, or by from_params for the parameters alone)
    r_: float
    alpha_: float
    a_: float
    b_: float
    params_: pd.Series[float]
    log_likelihood_: float
    n_: float
    n_distinct_: int
    summary_: pd.DataFrame
    optimizer_result_: Any  # scipy.optimize.OptimizeResult

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    # -- likelihood ------------------------------------------------------------------------
    @overload
    @staticmethod
    def _loglik_terms(
        params: FloatArray,
        x: FloatArray,
        tx: FloatArray,
        T: FloatArray,
        with_grad: Literal[False] = ...,
    ) -> FloatArray: ...
    @overload
    @staticmethod
    def _loglik_terms(
        params: FloatArray, x: FloatArray, tx: FloatArray, T: FloatArray, with_grad: Literal[True]
    ) -> tuple[FloatArray, FloatArray]: ...
    @staticmethod
    def _loglik_terms(
        params: FloatArray, x: FloatArray, tx: FloatArray, T: FloatArray, with_grad: bool = False
    ) -> FloatArray | tuple[FloatArray, FloatArray]:
        r, alpha, a, b = params
        pos = x > 0
        A1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        lbab = special.betaln(a, b)
        A2 = special.betaln(a, b + x) - lbab - (r + x) * np.log(alpha + T)
        A3 = np.full_like(x, -np.inf)
        xp = x[pos]
        A3[pos] = special.betaln(a + 1, b + xp - 1) - lbab - (r + xp) * np.log(alpha + tx[pos])
        lse = np.logaddexp(A2, A3)
        ll: FloatArray = A1 + lse
        if not with_grad:
            return ll
        w2 = np.exp(A2 - lse)
        w3 = 1.0 - w2
        psi_ab, psi_a, psi_b = special.digamma(a + b), special.digamma(a), special.digamma(b)
        psi_abx = special.digamma(a + b + x)
        # d/dr
        d_r = (
            special.digamma(r + x)
            - special.digamma(r)
            + np.log(alpha)
            - w2 * np.log(alpha + T)
            - w3 * np.log(alpha + np.where(pos, tx, T))
        )
        # d/dalpha
        d_alpha = r / alpha - w2 * (r + x) / (alpha + T) - w3 * (r + x) / (alpha + tx)
        # d/da, d/db of the beta-function ratios
        dA2_a = psi_ab - psi_abx
        dA2_b = special.digamma(b + x) - psi_abx - psi_b + psi_ab
        dA3_a = special.digamma(a + 1) - psi_abx - psi_a + psi_ab
        dA3_b = special.digamma(np.where(pos, b + x - 1, b)) - psi_abx - psi_b + psi_ab
        d_a = w2 * dA2_a + w3 * np.where(pos, dA3_a, 0.0)
        d_b = w2 * dA2_b + w3 * np.where(pos, dA3_b, 0.0)
        return ll, np.vstack([d_r, d_alpha, d_a, d_b])

    def _objective(
        self,
        theta: FloatArray,
        x: FloatArray,
        tx: FloatArray,
        T: FloatArray,
        w: FloatArray,
        n: float,
    ) -> tuple[float, FloatArray]:
        return _fit.penalised_objective(self._loglik_terms, self.penalizer, theta, (x, tx, T), w, n)

    @classmethod
    def from_params(cls, r: float, alpha: float, a: float, b: float) -> BetaGeoFitter:
        """A fitted model with known parameters (published estimates, or a simulation's truth).

        Sets the learned parameters ``r_, alpha_, a_, b_`` and ``params_``, so every prediction
        method works; the attributes of a fit to data (``summary_``, ``log_likelihood_``, ``n_``,
        ``n_distinct_``) are not set. Parameters must be positive.
        """
        model = cls()
        _fit.store_params(model, _fit.positive_params(cls, [r, alpha, a, b]), "BG/NBD")
        return model

    def fit(
        self,
        repeat_purchases: npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Estimate ``r, alpha, a, b`` by maximum likelihood.

        Parameters
        ----------
        repeat_purchases, recency, age : array-like
            Per customer :math:`x` (repeat purchases), :math:`t_x` and :math:`T` in time units
            (see :func:`~cemlib.stats.lifetime.rfm.rfm_summary`).
        weights : array-like, optional
            Number of customers sharing each row (see :func:`~cemlib.stats.lifetime.rfm.
            compress_rfm`); the fit equals the
            fit on the expanded rows. Identical rows are grouped automatically in any case.

        Returns
        -------
        self
        """
        x, tx, T = _fit.as_float_arrays(repeat_purchases, recency, age)
        w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype="float64").ravel()
        if len(w) != len(x):
            raise ValueError("BetaGeoFitter.fit: weights must have one entry per row")
        if len(x) == 0:
            raise ValueError("BetaGeoFitter.fit: no customers to fit")
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ValueError("BetaGeoFitter.fit: weights must be finite and non-negative")
        _validate_rfm(x, tx, T, "BetaGeoFitter.fit")
        keep = w > 0
        x, tx, T, w = x[keep], tx[keep], T[keep], w[keep]
        if not np.any(x > 0):
            raise ValueError(
                "BetaGeoFitter.fit: no customer made a repeat purchase (all frequency = 0), so "
                "the dropout process (a, b) is not identified; use a longer calibration period"
            )
        groups, _ = compress_rfm(x, tx, T, w)
        x, tx, T, w = (
            groups[c].to_numpy() for c in ("repeat_purchases", "recency", "age", "weight")
        )
        n = float(w.sum())
        if len(x) < 4:
            warnings.warn(
                f"BetaGeoFitter.fit: only {len(x)} distinct (frequency, recency, T) row(s) for 4 "
                "parameters: the estimates will not be meaningful",
                LifetimeModelWarning,
                stacklevel=2,
            )
        x0 = np.zeros(4)
        x0[1] = np.log(max(np.average(T, weights=w), 1e-3) / 10)  # alpha scales with time
        theta, res, H = _fit.maximise(
            lambda th: self._objective(th, x, tx, T, w, n),
            x0,
            self._names,
            "BetaGeoFitter.fit",
            "e.g. all customers identical, or no heterogeneity in purchase rates or dropout",
        )
        _fit.store_params(self, np.exp(theta), "BG/NBD")
        self.log_likelihood_ = float(w @ self._loglik_terms(np.exp(theta), x, tx, T))
        self.n_ = n
        self.n_distinct_ = len(x)
        return _fit.finish_fit(self, theta, H, n, res)

    def log_likelihood(
        self,
        repeat_purchases: npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
        params: npt.ArrayLike | None = None,
    ) -> FloatArray:
        """Per-customer log-likelihood at ``params`` (default: the fitted ones)."""
        params = _fit.given_or_fitted(self, params)
        x, tx, T = _fit.as_float_arrays(repeat_purchases, recency, age)
        return self._loglik_terms(np.asarray(params, dtype="float64"), x, tx, T)

    # -- predictions -----------------------------------------------------------------------
    def _params(self) -> tuple[float, float, float, float]:
        _fit.check_fitted(self, "params_")
        return self.r_, self.alpha_, self.a_, self.b_

    @overload
    def probability_alive(
        self, repeat_purchases: pd.Series, recency: npt.ArrayLike, age: npt.ArrayLike
    ) -> pd.Series[float]: ...
    @overload
    def probability_alive(
        self, repeat_purchases: NotSeries, recency: npt.ArrayLike, age: npt.ArrayLike
    ) -> FloatArray: ...
    def probability_alive(
        self,
        repeat_purchases: pd.Series | npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> pd.Series[float] | FloatArray:
        r"""Probability that each customer is still active at :math:`T`.

        .. math::

            P(\text{alive} \mid x, t_x, T) = \Big[1 + \delta_{x>0} \frac{a}{b+x-1}
            \Big(\frac{\alpha+T}{\alpha+t_x}\Big)^{r+x}\Big]^{-1}

        (Fader, Hardie & Lee 2005a, eq. 11), equal to 1 for :math:`x = 0`: the model lets a
        customer drop out only right after a *repeat* purchase. Computed as a logistic of the log
        odds, so it stays accurate for large :math:`x`.
        """
        r, alpha, a, b = self._params()
        x, tx, T = _fit.as_float_arrays(repeat_purchases, recency, age)
        out = self._p_alive(r, alpha, a, b, x, tx, T)
        return _fit.wrap(out, repeat_purchases, "p_alive")

    @staticmethod
    def _p_alive(
        r: float,
        alpha: float,
        a: float,
        b: float,
        x: FloatArray,
        tx: FloatArray,
        T: FloatArray,
    ) -> FloatArray:
        pos = x > 0
        log_odds_dead = np.full_like(x, -np.inf)
        xp = x[pos]
        log_odds_dead[pos] = (
            np.log(a)
            - np.log(b + xp - 1)
            + (r + xp) * (np.log(alpha + T[pos]) - np.log(alpha + tx[pos]))
        )
        return cast("FloatArray", special.expit(-log_odds_dead))

    @staticmethod
    def _growth(
        r: float, alpha: float, a: float, b: float, x: FloatArray, T: FloatArray, t: FloatArray
    ) -> FloatArray:
        r"""The part of eq. 10 that does not depend on :math:`t_x` (expected purchases if alive).

        .. math::

            G = \frac{a+b+x-1}{a-1}\Big[1 - \Big(\frac{\alpha+T}{\alpha+T+t}\Big)^{r+x}
                {}_2F_1\Big(r+x, b+x; a+b+x-1; \frac{t}{\alpha+T+t}\Big)\Big]

        evaluated through Euler's transformation
        :math:`{}_2F_1(A,B;C;z) = (1-z)^{C-A-B}\,{}_2F_1(C-A, C-B; C; z)`, i.e.
        :math:`(1-z)^{a-1}\,{}_2F_1(a+b-1-r, a-1; a+b+x-1; z)`, whose series stays well
        conditioned for large :math:`x` (the untransformed one diverges as :math:`z \to 1`).
        At :math:`a = 1` the expression has a removable singularity: it is then averaged from
        :math:`a = 1 \pm 10^{-5}`.
        """
        if abs(a - 1) < 1e-5:
            return 0.5 * (
                BetaGeoFitter._growth(r, alpha, 1 - 1e-5, b, x, T, t)
                + BetaGeoFitter._growth(r, alpha, 1 + 1e-5, b, x, T, t)
            )
        z = t / (alpha + T + t)
        F = special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        return cast("FloatArray", (a + b + x - 1) / (a - 1) * (1 - np.power(1 - z, a - 1) * F))

    @staticmethod
    def _growth_quadrature(
        r: float,
        alpha: float,
        a: float,
        b: float,
        x: FloatArray,
        T: FloatArray,
        t: FloatArray,
        n_nodes: int = 400,
    ) -> FloatArray:
        r""":meth:`_growth` by Gauss–Jacobi quadrature over the dropout probability.

        Given that a customer is alive, :math:`\lambda \sim \mathrm{Gamma}(r+x, \alpha+T)` and
        :math:`p \sim \mathrm{Beta}(a, b+x)` independently, and an active customer makes
        :math:`(1 - e^{-\lambda p t})/p` purchases in :math:`t` on average; integrating
        :math:`\lambda` out,

        .. math::

            G = E_{p \sim \mathrm{Beta}(a, b+x)}\Big[\frac{1 - (1 + p\,t/(\alpha+T))^{-(r+x)}}
            {p}\Big],

        a smooth integrand against the Beta weight, integrated with ``n_nodes`` Gauss–Jacobi
        nodes built by the Golub–Welsch algorithm (normalised weights, so no overflow for
        large ``b + x``). Used where the hypergeometric evaluation is not finite, and in tests.
        """
        x, T, t = (np.asarray(v, dtype="float64") for v in np.broadcast_arrays(x, T, t))
        out = np.empty(x.shape)
        for xv in np.unique(x):
            p, w = _fit.beta_gauss_nodes(a, b + xv, n_nodes)
            sel = x == xv
            k = t[sel] / (alpha + T[sel])
            h = -np.expm1(-(r + xv) * np.log1p(np.multiply.outer(k, p))) / p
            out[sel] = h @ w
        return out

    def _growth_unique(self, x: FloatArray, T: FloatArray, t: FloatArray) -> FloatArray:
        """:meth:`_growth` evaluated once per distinct (x, T, t) and scattered back."""
        r, alpha, a, b = self._params()
        x, T, t = np.broadcast_arrays(x, T, t)
        shape = x.shape
        stacked = np.column_stack([x.ravel(), T.ravel(), t.ravel()])
        codes = None
        if stacked.shape[0] > 1000:
            # pandas-stubs: from_arrays takes any 2-D array (a sequence of rows) at runtime
            codes, uniq = pd.MultiIndex.from_arrays(stacked.T).factorize()  # type: ignore[arg-type]
            stacked = cast("pd.MultiIndex", uniq).to_frame(index=False).to_numpy(dtype="float64")
        u_x, u_T, u_t = stacked.T
        g = self._growth(r, alpha, a, b, u_x, u_T, u_t)
        bad = ~np.isfinite(g)
        if bad.any():  # scipy's hyp2f1 gives up in some corners (large x·t, extreme parameters)
            g[bad] = self._growth_quadrature(r, alpha, a, b, u_x[bad], u_T[bad], u_t[bad])
        g = (g if codes is None else g[codes]).reshape(shape)
        if not np.all(np.isfinite(g)):
            warnings.warn(
                f"BetaGeoFitter: the expected-purchases formula is not finite for "
                f"{int((~np.isfinite(g)).sum())} value(s) (parameters r={r:.4g}, alpha={alpha:.4g}, "
                f"a={a:.4g}, b={b:.4g}); those predictions are NaN",
                LifetimeModelWarning,
                stacklevel=3,
            )
        return g

    @overload
    def conditional_expected_purchases(
        self,
        t: npt.ArrayLike,
        repeat_purchases: pd.Series,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> pd.Series[float]: ...
    @overload
    def conditional_expected_purchases(
        self,
        t: npt.ArrayLike,
        repeat_purchases: NotSeries,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> FloatArray: ...
    def conditional_expected_purchases(
        self,
        t: npt.ArrayLike,
        repeat_purchases: pd.Series | npt.ArrayLike,
        recency: npt.ArrayLike,
        age: npt.ArrayLike,
    ) -> pd.Series[float] | FloatArray:
        r"""Expected repeat purchases in the next ``t`` time units, given each customer's history.

        .. math::

            E[Y(t) \mid x, t_x, T] = \frac{\dfrac{a+b+x-1}{a-1}\Big[1 -
            \Big(\dfrac{\alpha+T}{\alpha+T+t}\Big)^{r+x}
            {}_2F_1\Big(r+x, b+x; a+b+x-1; \dfrac{t}{\alpha+T+t}\Big)\Big]}
            {1 + \delta_{x>0}\dfrac{a}{b+x-1}\Big(\dfrac{\alpha+T}{\alpha+t_x}\Big)^{r+x}}

        (Fader, Hardie & Lee 2005a, eq. 10) = P(alive) × the expected purchases of an active
        customer, with the hypergeometric factor evaluated as in :meth:`_growth`.

        Parameters
        ----------
        t : float or array-like
            Horizon(s) in time units; scalar or one per customer.
        repeat_purchases, recency, age : array-like
            Calibration summary per customer (:math:`x, t_x, T`).
        """
        r, alpha, a, b = self._params()
        x, tx, T_ = _fit.as_float_arrays(repeat_purchases, recency, age)
        t_arr = np.asarray(t, dtype="float64")
        if np.any(t_arr < 0):
            raise ValueError("conditional_expected_purchases: t must be >= 0")
        g = self._growth_unique(x, T_, np.broadcast_to(t_arr, x.shape) if t_arr.ndim else t_arr)
        out = self._p_alive(r, alpha, a, b, x, tx, T_) * g
        return _fit.wrap(out, repeat_purchases, "expected_purchases")

    @overload
    def expected_purchases(self, t: float) -> float: ...
    @overload
    def expected_purchases(self, t: npt.ArrayLike) -> float | FloatArray: ...
    def expected_purchases(self, t: npt.ArrayLike) -> float | FloatArray:
        r"""Unconditional expected repeat purchases of a new customer in :math:`(0, t]`.

        .. math::

            E[X(t)] = \frac{a+b-1}{a-1}\Big[1 - \Big(\frac{\alpha}{\alpha+t}\Big)^r
            {}_2F_1\Big(r, b; a+b-1; \frac{t}{\alpha+t}\Big)\Big]

        (Fader, Hardie & Lee 2005a, eq. 9): eq. 10 with :math:`x = t_x = T = 0`.
        """
        t_arr = np.asarray(t, dtype="float64")
        if np.any(t_arr < 0):
            raise ValueError("expected_purchases: t must be >= 0")
        out = self._growth_unique(np.zeros_like(t_arr), np.zeros_like(t_arr), t_arr)
        return float(out) if out.ndim == 0 else out
