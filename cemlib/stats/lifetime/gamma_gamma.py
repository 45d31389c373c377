r"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005b; Fader & Hardie 2013):
:class:`GammaGammaFitter`.

A customer's purchase values are gamma distributed around a customer-level mean, itself gamma
distributed across customers; given a customer's repeat purchases the model predicts the spend
to expect per future purchase, a weighted mean of the population mean and the customer's own
mean. Fitted by maximum likelihood (:func:`cemlib.stats.lifetime._fit._maximise`) on the
customers with repeat purchases of :func:`cemlib.stats.lifetime.rfm.rfm_summary`.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415–430.

Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value. Note,
http://brucehardie.com/notes/025/.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, overload

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator

from cemlib.stats.lifetime import _fit
from cemlib.stats.lifetime._fit import LifetimeModelWarning

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

    from cemlib.stats.lifetime._fit import FloatArray, NotSeries

__all__ = ["GammaGammaFitter"]


class GammaGammaFitter(BaseEstimator):  # type: ignore[misc]  # sklearn ships no type hints
    r"""Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005b; Fader & Hardie 2013).

    A customer's transaction values are i.i.d. :math:`\mathrm{Gamma}(p, \nu)` (shape, rate), so
    their mean spend is :math:`p/\nu`; across customers :math:`\nu \sim \mathrm{Gamma}(q, \gamma)`
    (``v`` below is :math:`\gamma`). The mean :math:`\bar z` of :math:`x` repeat transactions has
    the marginal density

    .. math::

        f(\bar z \mid p, q, \gamma, x) = \frac{\Gamma(px+q)}{\Gamma(px)\,\Gamma(q)}
        \frac{\gamma^q\, x^{px}\, \bar z^{px-1}}{(\gamma + x\bar z)^{px+q}},

    maximised over customers with :math:`x > 0` and :math:`\bar z > 0`.

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty :math:`\text{penalizer}\cdot(p^2+q^2+\gamma^2)` added to the mean negative
        log-likelihood.
    corr_threshold : float, default 0.3
        The model assumes spend per transaction is independent of the purchase process; the fit
        warns (:class:`~cemlib.stats.lifetime._fit.LifetimeModelWarning`) when
        :math:`|\mathrm{corr}(x, \bar z)|` among the fitted customers exceeds this.

    Attributes
    ----------
    p_, q_, v_ : float
        Estimates (``v_`` is the scale parameter :math:`\gamma` of the papers).
    params_ : Series
        The three estimates by name.
    summary_ : DataFrame
        Estimates, standard errors and 95% intervals.
    log_likelihood_ : float
        Total log-likelihood (density of :math:`\bar z`, unpenalised).
    n_ : float
        Number of customers in the fit.
    frequency_monetary_corr_ : float
        Pearson correlation of frequency and monetary value among the fitted customers (Fader &
        Hardie report 0.11 for CDNOW and call that low enough).
    population_mean_spend_ : float
        :math:`p\gamma/(q-1)` (NaN when :math:`q \le 1`, the mean does not exist).

    Notes
    -----
    Customers with :math:`x = 0` carry no information on spend and are skipped; so are
    non-positive monetary values (net returns), with a warning. No eligible customer raises
    ``ValueError``; identical spend for everyone (no heterogeneity) drives the estimates to the
    optimisation bound with a warning but finite values.

    See Also
    --------
    cemlib.stats.lifetime.rfm.rfm_summary : repeat purchases and their mean value per customer.
    cemlib.stats.lifetime.bgnbd.BetaGeoFitter : the purchase process.
    cemlib.stats.lifetime.clv.customer_lifetime_value : both models combined into a value.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
    customer base analysis. *Journal of Marketing Research* 42(4), 415–430.

    Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/.

    Examples
    --------
    1. Fit the model on the CDNOW sample, calibrated on the first 39 weeks. Only the 946
    customers with repeat purchases carry information on spend; the others are skipped.

    >>> from cemlib.stats.lifetime import GammaGammaFitter, read_cdnow, rfm_summary
    >>> summary = rfm_summary(read_cdnow(), calibration_end="1997-09-30")
    >>> model = GammaGammaFitter().fit(summary["repeat_purchases"], summary["monetary_value"])
    >>> model.n_
    946.0

    The estimates are those of Fader & Hardie (2013): p = 6.25, q = 3.74, v = 15.44. Frequency
    and spend are nearly uncorrelated (0.11), as the model assumes, and a customer is expected
    to spend about $35 per purchase on average:

    >>> model.params_.round(2)
    p     6.25
    q     3.74
    v    15.44
    Name: Gamma-Gamma, dtype: float64
    >>> round(model.frequency_monetary_corr_, 2)
    0.11
    >>> round(model.population_mean_spend_, 2)
    35.17

    2. The spend to expect per future purchase shrinks each customer's own mean towards the
    population mean, the less so the more repeat purchases the mean rests on:

    >>> who = summary.loc[["00004", "00021"], ["repeat_purchases", "monetary_value"]]
    >>> who.round(2)  # doctest: +NORMALIZE_WHITESPACE
                 repeat_purchases  monetary_value
    customer_id
    00004                       2           22.34
    00021                       1           11.77
    >>> model.conditional_expected_average_profit(
    ...     who["repeat_purchases"], who["monetary_value"]
    ... ).round(2)
    customer_id
    00004    24.65
    00021    18.91
    Name: expected_spend, dtype: float64

    3. Build the model from the published parameters instead; plain numbers give an array back.
    A customer without repeat purchases gets the population mean:

    >>> published = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> published.conditional_expected_average_profit([0, 2, 10], [0.0, 22.35, 22.35]).round(2)
    array([35.22, 24.66, 22.89])
    """

    _names: ClassVar[tuple[str, ...]] = ("p", "q", "v")

    # learned attributes (set by fit, or by from_params for the parameters alone)
    p_: float
    q_: float
    v_: float
    params_: pd.Series[float]
    population_mean_spend_: float
    frequency_monetary_corr_: float
    log_likelihood_: float
    n_: float
    summary_: pd.DataFrame
    optimizer_result_: Any  # scipy.optimize.OptimizeResult

    def __init__(self, penalizer: float = 0.0, corr_threshold: float = 0.3) -> None:
        self.penalizer = penalizer
        self.corr_threshold = corr_threshold

    @overload
    @staticmethod
    def _loglik_terms(
        params: FloatArray, x: FloatArray, m: FloatArray, with_grad: Literal[False] = ...
    ) -> FloatArray: ...
    @overload
    @staticmethod
    def _loglik_terms(
        params: FloatArray, x: FloatArray, m: FloatArray, with_grad: Literal[True]
    ) -> tuple[FloatArray, FloatArray]: ...
    @staticmethod
    def _loglik_terms(
        params: FloatArray, x: FloatArray, m: FloatArray, with_grad: bool = False
    ) -> FloatArray | tuple[FloatArray, FloatArray]:
        p, q, v = params
        px = p * x
        lxm = np.log(v + x * m)
        ll: FloatArray = (
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * lxm
        )
        if not with_grad:
            return ll
        psi = special.digamma(px + q)
        d_p = x * (psi - special.digamma(px) + np.log(m) + np.log(x) - lxm)
        d_q = psi - special.digamma(q) + np.log(v) - lxm
        d_v = q / v - (px + q) / (v + x * m)
        return ll, np.vstack([d_p, d_q, d_v])

    def _objective(
        self, theta: FloatArray, x: FloatArray, m: FloatArray, w: FloatArray, n: float
    ) -> tuple[float, FloatArray]:
        return _fit.penalised_objective(self._loglik_terms, self.penalizer, theta, (x, m), w, n)

    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> GammaGammaFitter:
        """A fitted model with known parameters (``v`` is the scale :math:`\\gamma`).

        Sets the learned parameters ``p_, q_, v_``, ``params_`` and ``population_mean_spend_``, so
        every prediction method works; the attributes of a fit to data (``summary_``,
        ``log_likelihood_``, ``n_``, ``frequency_monetary_corr_``) are not set. Parameters must
        be positive.
        """
        model = cls()
        model._store(_fit.positive_params(cls, [p, q, v]))
        return model

    def _store(self, params: FloatArray) -> None:
        _fit.store_params(self, params, "Gamma-Gamma")
        self.population_mean_spend_ = (
            self.p_ * self.v_ / (self.q_ - 1) if self.q_ > 1 else float("nan")
        )

    def fit(
        self,
        repeat_purchases: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Estimate ``p, q, v`` by maximum likelihood on customers with repeat purchases.

        Parameters
        ----------
        repeat_purchases : array-like
            Repeat transactions per customer (:math:`x`).
        monetary_value : array-like
            Mean value of those repeat transactions (:math:`\\bar z`).
        weights : array-like, optional
            Number of customers sharing each row.

        Returns
        -------
        self
        """
        x, m = _fit.as_float_arrays(repeat_purchases, monetary_value)
        w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype="float64").ravel()
        if len(w) != len(x):
            raise ValueError("GammaGammaFitter.fit: weights must have one entry per row")
        if np.any(~np.isfinite(x)) or np.any(x < 0):
            raise ValueError("GammaGammaFitter.fit: frequency must be finite and >= 0")
        use = (x > 0) & (w > 0)
        nonpos = use & ~(m > 0)
        if nonpos.any():
            warnings.warn(
                f"GammaGammaFitter.fit: skipped {int(nonpos.sum())} repeat customer(s) with a "
                "monetary value <= 0 or missing (net returns): the model needs positive spend",
                LifetimeModelWarning,
                stacklevel=2,
            )
        use &= m > 0
        if not use.any():
            raise ValueError(
                "GammaGammaFitter.fit: no customer with frequency > 0 and a positive monetary "
                "value: nothing to estimate spend from"
            )
        x, m, w = x[use], m[use], w[use]
        n = float(w.sum())
        if len(x) >= 3 and np.ptp(x) > 0 and np.ptp(m) > 0:
            xm = np.cov(np.vstack([x, m]), aweights=w)
            self.frequency_monetary_corr_ = float(xm[0, 1] / np.sqrt(xm[0, 0] * xm[1, 1]))
        else:
            self.frequency_monetary_corr_ = float("nan")
        if abs(self.frequency_monetary_corr_) > self.corr_threshold:
            warnings.warn(
                "GammaGammaFitter.fit: frequency and monetary value are correlated "
                f"(r = {self.frequency_monetary_corr_:.2f}, threshold {self.corr_threshold}); the "
                "model assumes spend is independent of the purchase process, so its CLV will be "
                "biased",
                LifetimeModelWarning,
                stacklevel=2,
            )
        x0 = np.array([0.0, 0.0, np.log(max(np.average(m, weights=w), 1e-6))])
        theta, res, H = _fit.maximise(
            lambda th: self._objective(th, x, m, w, n),
            x0,
            self._names,
            "GammaGammaFitter.fit",
            "e.g. the same average spend for every customer",
        )
        self._store(np.exp(theta))
        self.log_likelihood_ = float(w @ self._loglik_terms(np.exp(theta), x, m))
        self.n_ = n
        return _fit.finish_fit(self, theta, H, n, res)

    def log_likelihood(
        self,
        repeat_purchases: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        params: npt.ArrayLike | None = None,
    ) -> FloatArray:
        """Per-customer log-density of :math:`\\bar z` at ``params`` (default: fitted)."""
        params = _fit.given_or_fitted(self, params)
        x, m = _fit.as_float_arrays(repeat_purchases, monetary_value)
        return self._loglik_terms(np.asarray(params, dtype="float64"), x, m)

    @overload
    def conditional_expected_average_profit(
        self, repeat_purchases: pd.Series, monetary_value: npt.ArrayLike
    ) -> pd.Series[float]: ...
    @overload
    def conditional_expected_average_profit(
        self, repeat_purchases: NotSeries, monetary_value: npt.ArrayLike
    ) -> FloatArray: ...
    def conditional_expected_average_profit(
        self, repeat_purchases: pd.Series | npt.ArrayLike, monetary_value: npt.ArrayLike
    ) -> pd.Series[float] | FloatArray:
        r"""Expected spend per future transaction given each customer's history.

        .. math::

            E[Z \mid p, q, \gamma, x, \bar z] = \frac{p(\gamma + x\bar z)}{px + q - 1}
            = \frac{q-1}{px+q-1}\,\frac{p\gamma}{q-1} + \frac{px}{px+q-1}\,\bar z

        a weighted mean of the population mean :math:`p\gamma/(q-1)` and the customer's own
        mean (Fader, Hardie & Lee 2005b, eq. 5). For :math:`x = 0` it is the population mean,
        which exists only for :math:`q > 1` (otherwise NaN, with a warning).
        """
        _fit.check_fitted(self, "params_")
        p, q, v = self.p_, self.q_, self.v_
        x, m = _fit.as_float_arrays(repeat_purchases, monetary_value)
        m = np.where(x > 0, m, 0.0)
        den = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(den > 0, p * (v + x * m) / den, np.nan)
        if np.isnan(out).any():
            warnings.warn(
                f"GammaGammaFitter: q = {q:.3g} <= 1, so the population mean spend does not exist; "
                f"expected spend is NaN for {int(np.isnan(out).sum())} customer(s) without repeat "
                "purchases",
                LifetimeModelWarning,
                stacklevel=2,
            )
        return _fit.wrap(out, repeat_purchases, "expected_spend")
