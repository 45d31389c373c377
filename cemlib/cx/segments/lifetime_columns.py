r"""The lifetime-model columns of the segments stage: BG/NBD and Gamma-Gamma quantities per
customer.

:func:`lifetime_columns` fits the BG/NBD (Fader, Hardie & Lee 2005a) and the Gamma-Gamma model
(Fader, Hardie & Lee 2005b) of :mod:`cemlib.stats.lifetime` on the customers' transactions and
derives what the two axes need: the probability that a customer is still active (with the
MBG/NBD correction for one-time buyers, Batislam, Denizel & Filiztekin 2007), the purchase rate
while active, the posterior dropout propensity, the projected relationship duration of Reinartz
& Kumar (2002), the expected spend per purchase, a shrunk margin rate and the discounted CLV net
of the cost to serve.

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing* 24(3),
201–209.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415–430.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review* 80(7), 86–94.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx.segments._common import _DAYS_PER_YEAR, _ratio, _relayed, _warn
from cemlib.stats.lifetime import (
    BetaGeoFitter,
    GammaGammaFitter,
    customer_lifetime_value,
    rfm_summary,
)

__all__ = ["lifetime_columns", "shrunk_margin_rate"]


def _record_fit(info: dict, name: str, model: BetaGeoFitter | GammaGammaFitter) -> None:
    """The fitted parameters and the names of those at a degenerate extreme."""
    info[name] = {k: float(v) for k, v in model.params_.items()}
    info[f"{name}_degenerate"] = list(model.degenerate_)


def lifetime_columns(
    transactions: pd.DataFrame,
    features: pd.DataFrame,
    time_unit_days: float = 7.0,
    horizon_days: float = 365.0,
    annual_discount_rate: float = 0.10,
    duration_days: float = 1095.0,
    notes: list | None = None,
) -> tuple[pd.DataFrame, dict]:
    r"""BG/NBD and Gamma-Gamma quantities per customer, aligned to ``features``.

    Parameters
    ----------
    transactions : DataFrame
        The transactions the features were computed from.
    features : DataFrame
        Output of :func:`customer_features` (its ``attrs`` give the observation end).
    time_unit_days : float
        Time unit of the models (7 = weeks).
    horizon_days : float
        Horizon of ``expected_purchases`` and ``clv``.
    annual_discount_rate : float
        Yearly discount rate of the CLV.
    duration_days : float
        Horizon of the projected remaining relationship (``projected_duration_days``).
    notes : list, optional
        Warnings are appended here as text too.

    Returns
    -------
    columns : DataFrame
        One row per row of ``features``:

        ``p_alive``
            BG/NBD probability that the customer is still active (Fader, Hardie & Lee 2005,
            eq. 11); 0 for customers without a purchase in the window.
        ``p_active``
            ``p_alive``, except for one-time buyers: the BG/NBD lets a customer drop out only
            after a *repeat* purchase, so it calls every one-time buyer alive however long ago the
            purchase was. For them ``p_active`` uses the MBG/NBD expression (Batislam, Denizel &
            Filiztekin 2007), which allows dropout right after the first purchase,
            :math:`[1 + \frac{a}{b}(\frac{\alpha+T}{\alpha})^r]^{-1}`, at the BG/NBD estimates.
            Used by the loyalty axis.
        ``expected_purchases``
            BG/NBD expected repeat purchases over the horizon (eq. 10).
        ``purchase_rate``
            expected purchases per year *while active*: the posterior mean of :math:`\lambda`,
            :math:`P(\text{alive})\frac{r+x}{\alpha+T} + (1-P(\text{alive}))\frac{r+x}{\alpha+t_x}`
            (the gamma posterior of each branch of the BG/NBD likelihood), per year.
        ``dropout_propensity``
            posterior mean of the dropout probability :math:`p`: :math:`a/(a+b+x)` if alive,
            :math:`(a+1)/(a+b+x)` if the customer left after the last purchase, weighted by
            ``p_active`` (1 for customers without a purchase in the window).
        ``projected_duration_days``
            projected length of the whole relationship: from its first evidence to the last
            purchase, plus the expected active time ahead within ``duration_days``,
            :math:`E[Y(H)] / E[\lambda \mid \text{alive}]` (one-time buyers: times
            ``p_active``). Reinartz & Kumar's "projected relationship duration".
        ``expected_spend``
            Gamma-Gamma expected amount per future purchase (Fader, Hardie & Lee 2005b, eq. 5).
        ``margin_rate``
            the customer's margin / revenue, shrunk toward the overall rate with the weight of
            two average purchases (so one purchase cannot give an extreme rate).
        ``active_weeks``
            expected active time within the horizon, in time units:
            ``expected_purchases / rate while alive`` (the mean of the survival curve when rate
            and dropout are independent).
        ``clv_gross``, ``clv``
            discounted expected margin over the horizon (:func:`cemlib.stats.lifetime.
            customer_lifetime_value` with the margin rate), and the same net of the cost to
            serve over the expected active time, discounted at the same effective rate.
    info : dict
        ``bgnbd`` and ``gamma_gamma`` parameters (or ``None`` when the model could not be fitted).
    """
    notes = notes if notes is not None else []
    ids = features["customer_id"].astype("string")
    n = len(features)
    end = features.attrs.get("observation_end")
    unit = float(time_unit_days)
    per_year = _DAYS_PER_YEAR / unit
    horizon = float(horizon_days) / unit
    d_unit = (1.0 + annual_discount_rate) ** (unit / _DAYS_PER_YEAR) - 1.0
    tx = transactions[transactions["customer_id"].notna() & transactions["ts"].notna()]
    with _relayed(notes):
        rfm = rfm_summary(tx, calibration_end=end, time_unit_days=unit)
    rfm.index = rfm.index.astype("string")
    rfm = rfm.reindex(ids)
    # the BG/NBD summary (x, t_x, T): repeat purchases, recency and age, in time units
    has = rfm["repeat_purchases"].notna().to_numpy()
    x = rfm["repeat_purchases"].to_numpy(dtype="float64", na_value=0.0)
    tx_ = rfm["recency"].to_numpy(dtype="float64", na_value=0.0)
    T = rfm["age"].to_numpy(dtype="float64", na_value=0.0)
    mv = rfm["monetary_value"].to_numpy(dtype="float64", na_value=0.0)
    info: dict = {"bgnbd": None, "gamma_gamma": None, "n_customers_fitted": int(has.sum())}

    cols = pd.DataFrame(index=features.index)
    bg = None
    if has.any():
        try:
            with _relayed(notes):
                bg = BetaGeoFitter().fit(x[has], tx_[has], T[has])
            _record_fit(info, "bgnbd", bg)
            info["bgnbd_log_likelihood"] = float(bg.log_likelihood_)
        except ValueError as err:
            _warn(
                f"lifetime: BG/NBD not fitted ({err}); p_alive = 1 and no expected purchases "
                "for customers with a purchase",
                notes,
            )
            bg = None
    p_alive = np.zeros(n)
    p_active = np.zeros(n)
    expected = np.zeros(n)
    rate = np.zeros(n)  # per time unit, while active
    rate_alive = np.zeros(n)
    dropout = np.ones(n)  # no purchase in the window: gone
    remaining = np.zeros(n)
    duration_h = float(duration_days) / unit
    # customers without a purchase in the window: exposure = their time inside the window
    exposure = features["window_days"].to_numpy(dtype="float64") / unit
    if bg is not None:
        r, alpha, a, b = bg.r_, bg.alpha_, bg.a_, bg.b_
        with _relayed(notes):
            pa = np.asarray(bg.probability_alive(x[has], tx_[has], T[has]), dtype="float64")
            ey = np.asarray(
                bg.conditional_expected_purchases(horizon, x[has], tx_[has], T[has]),
                dtype="float64",
            )
            ey_long = np.asarray(
                bg.conditional_expected_purchases(duration_h, x[has], tx_[has], T[has]),
                dtype="float64",
            )
        pa = np.nan_to_num(pa, nan=1.0)
        ey = np.nan_to_num(ey, nan=0.0, posinf=0.0)
        ey_long = np.nan_to_num(ey_long, nan=0.0, posinf=0.0)
        p_alive[has] = pa
        expected[has] = ey
        xh, th, Th = x[has], tx_[has], T[has]
        lam_alive = (r + xh) / (alpha + Th)
        lam_dead = (r + xh) / (alpha + th)
        mbg = 1.0 / (1.0 + (a / b) * np.exp(r * np.log1p(Th / alpha)))
        p_active[has] = np.where(xh > 0, pa, mbg)
        # one-time buyers who left right after buying tell nothing about their rate: prior mean
        lam_dead = np.where(xh > 0, lam_dead, r / alpha)
        rate[has] = p_active[has] * lam_alive + (1 - p_active[has]) * lam_dead
        rate_alive[has] = lam_alive
        # posterior mean dropout probability: Beta(a, b + x) if alive, Beta(a + 1, b + x - 1) if
        # the customer left after the last purchase (for one-time buyers, MBG: Beta(a + 1, b))
        pa_ = p_active[has]
        dead_b = np.where(xh > 0, b + xh - 1, b)
        dropout[has] = pa_ * a / (a + b + xh) + (1 - pa_) * (a + 1) / (a + 1 + dead_b)
        # expected active time ahead: E[Y(H)] / rate while alive (one-time buyers: × p_active,
        # as the BG/NBD counts them alive for sure)
        ahead = np.where(xh > 0, ey_long, ey_long * pa_) / lam_alive
        remaining[has] = np.minimum(ahead, duration_h)
        rate[~has] = r / (alpha + exposure[~has])
        dropout[~has] = (a + 1) / (a + b + 1)
    else:  # no repeat purchase at all: nothing tells the customers' dropout apart
        p_alive[has] = 1.0
        p_active[has] = 1.0
        rate[has] = _ratio(x[has], T[has], 0.0)
        rate_alive[has] = rate[has]
        dropout[has] = 0.5
    cols["p_alive"] = p_alive
    cols["p_active"] = np.clip(p_active, 0.0, 1.0)
    cols["expected_purchases"] = expected
    cols["purchase_rate"] = rate * per_year
    cols["dropout_propensity"] = np.clip(dropout, 1e-6, 1.0)
    cols["projected_duration_days"] = (
        features["relationship_days"].to_numpy(dtype="float64") + remaining * unit
    )

    # spend per purchase: Gamma-Gamma where possible, the customer's own mean otherwise
    own = features["monetary"].to_numpy(dtype="float64")
    spend = own.copy()
    gg = None
    if has.any():
        try:
            with _relayed(notes):
                gg = GammaGammaFitter().fit(x[has], mv[has])
                es = np.asarray(
                    gg.conditional_expected_average_profit(x[has], mv[has]), dtype="float64"
                )
            es = np.where(np.isfinite(es), es, own[has])
            spend[has] = es
            _record_fit(info, "gamma_gamma", gg)
        except ValueError as err:
            _warn(
                f"lifetime: Gamma-Gamma not fitted ({err}); expected spend is the customer's "
                "mean purchase",
                notes,
            )
    pop_spend = float(np.mean(spend[has])) if has.any() else 0.0
    spend[~has] = pop_spend
    spend = np.where(np.isfinite(spend), spend, pop_spend)
    cols["expected_spend"] = spend

    m_rate = shrunk_margin_rate(features, has)
    cols["margin_rate"] = m_rate

    clv_gross = np.zeros(n)
    if bg is not None and has.any():
        gg_for_clv = gg if gg is not None else _OwnSpend(spend[has])
        with _relayed(notes):
            clv_gross[has] = np.asarray(
                customer_lifetime_value(
                    bg,
                    gg_for_clv,
                    x[has],
                    tx_[has],
                    T[has],
                    mv[has],
                    horizon,
                    d_unit,
                    margin=m_rate[has],
                ),
                dtype="float64",
            )
        clv_gross = np.nan_to_num(clv_gross, nan=0.0, posinf=0.0, neginf=0.0)
    # cost to serve while active, discounted at the customer's effective rate
    active = _ratio(expected, rate_alive, 0.0)
    active = np.minimum(active, horizon)
    undiscounted = expected * spend * m_rate
    disc = np.clip(_ratio(clv_gross, undiscounted, 1.0), 0.0, 1.0)
    cost_unit = features["cost_to_serve"].to_numpy(dtype="float64") / per_year
    cols["active_weeks"] = active
    cols["clv_gross"] = clv_gross
    cols["clv"] = clv_gross - cost_unit * active * disc
    return cols, info


def shrunk_margin_rate(features: pd.DataFrame, buyers: np.ndarray) -> np.ndarray:
    """Each customer's margin / revenue, shrunk toward the overall rate with the weight of two
    average purchases of the ``buyers`` (so one purchase cannot give an extreme rate)."""
    own = features["monetary"].to_numpy(dtype="float64")
    revenue = features["revenue"].to_numpy(dtype="float64")
    margin = features["margin_total"].to_numpy(dtype="float64")
    total_rev = revenue.sum()
    overall = float(margin.sum() / total_rev) if total_rev > 0 else 1.0
    prior_weight = 2.0 * (float(own[buyers].mean()) if buyers.any() else 0.0)
    m_rate = _ratio(margin + prior_weight * overall, revenue + prior_weight, overall)
    return np.clip(np.nan_to_num(m_rate, nan=overall), -1.0, 1.0)


class _OwnSpend:
    """Stand-in for a Gamma-Gamma fit: each customer's own expected spend (rows in order)."""

    def __init__(self, spend: np.ndarray) -> None:
        self._spend = np.asarray(spend, dtype="float64")

    def conditional_expected_average_profit(self, repeat_purchases, monetary_value):
        return self._spend
