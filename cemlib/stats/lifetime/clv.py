r"""What the fitted lifetime models are used for: discounted customer lifetime value, and the
calibration/holdout check of the BG/NBD.

:func:`customer_lifetime_value` discounts the BG/NBD expected purchases step by step and values
them at the Gamma-Gamma expected spend (Fader, Hardie & Lee 2005b, eq. 2 in discrete form).
:func:`holdout_check` sets the purchases the BG/NBD expects in a held-out period beside those made,
by calibration repeat purchases (Fader, Hardie & Lee 2005a, Figure 4); :func:`holdout_validation`
splits a transaction log by date, fits and checks in one call.

References
----------
Fader, Hardie & Lee (2005a, 2005b): see :mod:`cemlib.stats.lifetime`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast, overload

import numpy as np
import pandas as pd

from cemlib.stats.lifetime import _fit
from cemlib.stats.lifetime.bgnbd import BetaGeoFitter
from cemlib.stats.lifetime.gamma_gamma import GammaGammaFitter
from cemlib.stats.lifetime.rfm import rfm_summary

if TYPE_CHECKING:
    import numpy.typing as npt

    from cemlib.stats.lifetime._fit import NotSeries

__all__ = ["customer_lifetime_value", "holdout_check", "holdout_validation"]


@overload
def customer_lifetime_value(
    bgnbd: BetaGeoFitter,
    gg: GammaGammaFitter,
    repeat_purchases: pd.Series,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    horizon_units: float,
    discount_rate_per_unit: float,
    margin: npt.ArrayLike | None = None,
    step: float = 1.0,
) -> pd.Series[float]: ...
@overload
def customer_lifetime_value(
    bgnbd: BetaGeoFitter,
    gg: GammaGammaFitter,
    repeat_purchases: NotSeries,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    horizon_units: float,
    discount_rate_per_unit: float,
    margin: npt.ArrayLike | None = None,
    step: float = 1.0,
) -> npt.NDArray[np.float64]: ...
def customer_lifetime_value(
    bgnbd: BetaGeoFitter,
    gg: GammaGammaFitter,
    repeat_purchases: pd.Series | npt.ArrayLike,
    recency: npt.ArrayLike,
    age: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    horizon_units: float,
    discount_rate_per_unit: float,
    margin: npt.ArrayLike | None = None,
    step: float = 1.0,
) -> pd.Series[float] | npt.NDArray[np.float64]:
    r"""Discounted expected value of each customer's purchases over a horizon.

    .. math::

        \mathrm{CLV}_i = m_i\,E[Z_i] \sum_{k=1}^{K}
        \frac{E[Y_i(t_k)] - E[Y_i(t_{k-1})]}{(1+d)^{t_k}},
        \qquad t_k = \min(k\cdot\text{step}, H),\; t_0 = 0,

    with :math:`E[Y_i(t)]` the BG/NBD conditional expectation (:meth:`BetaGeoFitter.
    conditional_expected_purchases`), :math:`E[Z_i]` the Gamma-Gamma expected spend
    (:meth:`GammaGammaFitter.conditional_expected_average_profit`), :math:`d` the discount rate per
    time unit, :math:`H` the horizon and :math:`m_i` the margin (1 when not given). Purchases in a
    step are discounted at the step's end, the convention of Fader, Hardie & Lee (2005b, eq. 2 in
    discrete form).

    Parameters
    ----------
    bgnbd, gg : fitted BetaGeoFitter, GammaGammaFitter
        The purchase model and the spend model, fitted (``fit``) or built from known parameters
        (``from_params``), in the same time unit as the summary.
    repeat_purchases, recency, age, monetary_value : array-like
        Calibration summary per customer (:func:`~cemlib.stats.lifetime.rfm.rfm_summary`):
        :math:`x`, :math:`t_x`, :math:`T` and the mean value :math:`\bar z` of the repeat
        purchases.
    horizon_units : float
        Horizon :math:`H` in time units (e.g. 52 for a year in weeks).
    discount_rate_per_unit : float
        :math:`d` per time unit (e.g. ``1.10 ** (1 / 52) - 1`` for 10% a year in weeks).
    margin : float or array-like, optional
        Share of spend that is profit (scalar) or one value per customer; multiplies spend.
    step : float, default 1
        Length of the discounting steps in time units.

    Returns
    -------
    Series or ndarray
        CLV per customer (a Series named ``clv`` on ``repeat_purchases``' index when it is a
        Series), in the currency of ``monetary_value``.

    See Also
    --------
    cemlib.stats.lifetime.bgnbd.BetaGeoFitter : the expected purchases.
    cemlib.stats.lifetime.gamma_gamma.GammaGammaFitter : the expected spend per purchase.

    References
    ----------
    Fader, Hardie & Lee (2005a, 2005b); Fader & Hardie (2013): see :mod:`cemlib.stats.lifetime`.

    Examples
    --------
    1. The value of the next year (52 weeks) of four customers observed for 38.86 weeks, with the
    published CDNOW estimates of both models and a discount rate of 10% a year: a one-off buyer,
    the paper's example customer (``steady``: 2 repeat purchases, the last at week 30.43), a
    customer with the same purchases who has been silent since week 5, and a frequent recent
    buyer.

    >>> import pandas as pd
    >>> from cemlib.stats.lifetime import (
    ...     BetaGeoFitter,
    ...     GammaGammaFitter,
    ...     customer_lifetime_value,
    ... )
    >>> bgnbd = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> customers = pd.DataFrame(
    ...     {
    ...         "repeat_purchases": [0, 2, 2, 10],
    ...         "recency": [0.0, 30.43, 5.0, 37.0],
    ...         "age": [38.86, 38.86, 38.86, 38.86],
    ...         "monetary_value": [0.0, 22.35, 22.35, 40.0],
    ...     },
    ...     index=pd.Index(["one-off", "steady", "lapsed", "loyal"], name="customer"),
    ... )
    >>> customers  # doctest: +NORMALIZE_WHITESPACE
              repeat_purchases  recency    age  monetary_value
    customer
    one-off                  0     0.00  38.86            0.00
    steady                   2    30.43  38.86           22.35
    lapsed                   2     5.00  38.86           22.35
    loyal                   10    37.00  38.86           40.00
    >>> weekly = 1.10 ** (1 / 52) - 1
    >>> clv = customer_lifetime_value(
    ...     bgnbd,
    ...     gg,
    ...     customers["repeat_purchases"],
    ...     customers["recency"],
    ...     customers["age"],
    ...     customers["monetary_value"],
    ...     horizon_units=52,
    ...     discount_rate_per_unit=weekly,
    ... )
    >>> clv.round(2)
    customer
    one-off      8.48
    steady      36.76
    lapsed       6.26
    loyal      313.90
    Name: clv, dtype: float64

    The ``lapsed`` customer bought as often as ``steady`` but is probably gone, so is worth about
    a sixth as much. These are revenues; with a gross margin of 30% they become profits:

    >>> customer_lifetime_value(
    ...     bgnbd,
    ...     gg,
    ...     customers["repeat_purchases"],
    ...     customers["recency"],
    ...     customers["age"],
    ...     customers["monetary_value"],
    ...     horizon_units=52,
    ...     discount_rate_per_unit=weekly,
    ...     margin=0.3,
    ... ).round(2)
    customer
    one-off     2.54
    steady     11.03
    lapsed      1.88
    loyal      94.17
    Name: clv, dtype: float64

    2. Plain numbers give an array back:

    >>> customer_lifetime_value(
    ...     bgnbd, gg, 2, 30.43, 38.86, 22.35, horizon_units=52, discount_rate_per_unit=weekly
    ... ).round(2)
    array([36.76])
    """
    if not horizon_units > 0:
        raise ValueError(f"customer_lifetime_value: horizon_units must be > 0, got {horizon_units}")
    if not step > 0:
        raise ValueError(f"customer_lifetime_value: step must be > 0, got {step}")
    if not discount_rate_per_unit > -1:
        raise ValueError("customer_lifetime_value: discount_rate_per_unit must be > -1")
    x, tx, T_ = _fit.as_float_arrays(repeat_purchases, recency, age)
    spend = np.asarray(gg.conditional_expected_average_profit(x, monetary_value), dtype="float64")
    if margin is not None:
        marg = np.asarray(margin, dtype="float64")
        if marg.ndim and marg.shape != x.shape:
            raise ValueError("customer_lifetime_value: margin must be a scalar or one per customer")
        spend = spend * marg
    r, alpha, a, b = bgnbd._params()
    k = int(np.ceil(horizon_units / step - 1e-12))
    times = np.minimum(np.arange(1, k + 1) * step, horizon_units)
    # G depends on (x, T) only: evaluate on distinct pairs × times, then scatter back
    codes, uniq = pd.MultiIndex.from_arrays([x, T_]).factorize()
    u = cast("pd.MultiIndex", uniq).to_frame(index=False).to_numpy(dtype="float64")
    G = bgnbd._growth_unique(u[:, [0]], u[:, [1]], times[None, :])  # (pairs, K)
    dG = np.diff(np.concatenate([np.zeros((len(u), 1)), G], axis=1), axis=1)
    disc = (1.0 + discount_rate_per_unit) ** (-times)
    per_pair = dG @ disc
    value = bgnbd._p_alive(r, alpha, a, b, x, tx, T_) * per_pair[codes] * spend
    return _fit.wrap(value, repeat_purchases, "clv")


def holdout_check(
    summary_with_holdout: pd.DataFrame, fitter: BetaGeoFitter, max_bucket: int = 7
) -> pd.DataFrame:
    """Predicted vs actual holdout purchases by calibration repeat purchases (the
    calibration/holdout plot).

    Customers are bucketed by calibration ``repeat_purchases`` (0, 1, …, ``max_bucket``-1 and
    ``max_bucket``+ pooled); per bucket the table gives the number of customers, the mean actual
    ``repeat_purchases_holdout`` and the mean of
    :meth:`BetaGeoFitter.conditional_expected_purchases` over ``duration_holdout`` (Fader, Hardie &
    Lee 2005a, Figure 4).

    Returns
    -------
    DataFrame
        Index ``bucket`` (labels ``"0"``, ``"1"``, …, ``"7+"``); columns ``n_customers``,
        ``actual``, ``predicted``, ``difference`` (predicted − actual).
    """
    need = ["repeat_purchases", "recency", "age", "repeat_purchases_holdout", "duration_holdout"]
    missing = [c for c in need if c not in summary_with_holdout.columns]
    if missing:
        raise ValueError(
            f"holdout_check: summary lacks {missing}; build it with rfm_summary(..., "
            "observation_end=...)"
        )
    s = summary_with_holdout
    pred = np.asarray(
        fitter.conditional_expected_purchases(
            s["duration_holdout"].to_numpy(), s["repeat_purchases"], s["recency"], s["age"]
        )
    )
    b = np.minimum(s["repeat_purchases"].to_numpy().astype("int64"), max_bucket)
    labels = [str(i) for i in range(max_bucket)] + [f"{max_bucket}+"]
    frame = pd.DataFrame(
        {
            "bucket": b,
            "actual": s["repeat_purchases_holdout"].to_numpy(dtype="float64"),
            "predicted": pred,
        }
    )
    out = frame.groupby("bucket").agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    out = out.reindex(range(max_bucket + 1))
    out["n_customers"] = out["n_customers"].fillna(0).astype("int64")
    out["difference"] = out["predicted"] - out["actual"]
    out.index = pd.Index(labels, name="bucket")
    return out


def holdout_validation(
    transactions: pd.DataFrame,
    holdout_days: int = 182,
    time_unit_days: float = 7.0,
    observation_end: str | date | np.datetime64 | None = None,
    max_bucket: int = 7,
) -> tuple[BetaGeoFitter, pd.DataFrame]:
    """Fit BG/NBD on a calibration period and compare its forecast with the held-out period.

    The last ``holdout_days`` before ``observation_end`` (default: the last transaction day) are
    held out; the model is fitted on what came before and its expected purchases per
    calibration repeat-purchase bucket are set beside what customers actually bought (Fader,
    Hardie & Lee 2005a, Figure 4). Returns the calibration fit and the table of
    :func:`holdout_check`.
    """
    ts = pd.to_datetime(transactions["ts"])
    end = pd.Timestamp(observation_end) if observation_end is not None else ts.max().normalize()
    calibration_end = end - pd.Timedelta(days=holdout_days)
    summary = rfm_summary(
        transactions,
        calibration_end=calibration_end,
        observation_end=end,
        time_unit_days=time_unit_days,
    )
    fitter = BetaGeoFitter().fit(summary["repeat_purchases"], summary["recency"], summary["age"])
    return fitter, holdout_check(summary, fitter, max_bucket=max_bucket)
