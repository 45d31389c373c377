r"""Contractual or not: which lifetime model a customer base needs, and the contractual one.

The BG/NBD (:mod:`.lifetime_columns`) is built for *non-contractual* buying, where a customer's
leaving is never observed and must be inferred from silence. Subscriptions, telecom lines,
memberships and policies are *contractual*: the customer is billed every period until they cancel,
so silence says nothing and the BG/NBD fits degenerately (Fader & Hardie 2009 lay out the
distinction). :func:`detect_business_model` decides which setting the transactions show and
says why; :func:`contractual_columns` derives the same lifetime columns from the
shifted-beta-geometric model (:class:`cemlib.stats.lifetime.ShiftedBetaGeometricFitter`; Fader &
Hardie 2007) and the discounted expected residual lifetime (Fader & Hardie 2010).

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
Interactive Marketing* 21(1), 76–90.

Fader, P. S. & Hardie, B. G. S. (2009). Probability models for customer-base analysis. *Journal
of Interactive Marketing* 23(1), 61–69.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the
perils of ignoring heterogeneity. *Marketing Science* 29(1), 85–93.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from cemlib.cx.segments._common import _DAYS_PER_YEAR, _relayed, _warn
from cemlib.cx.segments.lifetime_columns import shrunk_margin_rate
from cemlib.stats.lifetime import ShiftedBetaGeometricFitter

__all__ = [
    "BUSINESS_MODELS",
    "contractual_columns",
    "detect_business_model",
    "snapshot_fit_check",
]

BUSINESS_MODELS = ("auto", "non_contractual", "contractual")
REGULAR_CV = 0.1  # gaps this regular (sd / mean) are a billing cycle, not buying
REGULAR_SHARE = 0.8  # of the customers with three or more occasions
_CADENCES = {
    "week": 7.0,
    "month": _DAYS_PER_YEAR / 12,
    "quarter": _DAYS_PER_YEAR / 4,
    "year": _DAYS_PER_YEAR,
}
_MIN_CHURNERS = 20  # observed cancellations needed to fit on individual tenures


def _cadence(features: pd.DataFrame) -> tuple[float, str]:
    """The typical gap between occasions (median of the customers' mean gaps), snapped to a
    week, month, quarter or year when within 15 % of one."""
    many = features["n_gaps"].to_numpy() >= 1
    if not many.any():
        return _CADENCES["month"], "month"
    gaps = (
        features["relationship_days"].to_numpy(dtype="float64")[many]
        / features["n_gaps"].to_numpy(dtype="float64")[many]
    )
    typical = float(np.median(gaps))
    for name, days in _CADENCES.items():
        if abs(typical - days) <= 0.15 * days:
            return days, name
    return max(typical, 1.0), f"{typical:.0f} days"


def detect_business_model(
    features: pd.DataFrame, customers: pd.DataFrame | None = None, setting: str = "auto"
) -> dict:
    """Contractual or non-contractual, decided from the data (or as set), with the reason.

    A contractual base bills its customers on one cycle: the gaps between a customer's occasions
    barely vary, and they are the same for everybody. Auto calls the data contractual when at
    least :data:`REGULAR_SHARE` of the customers with three or more occasions have gaps whose
    coefficient of variation (``regularity_cv``) is at most :data:`REGULAR_CV` — buying as a
    Poisson process gives about 1 — and whose mean gap is within 15 % of the typical gap
    (occasions spread evenly but each customer at their own spacing, as in a panel without
    dates, are not bills). A ``contract`` column in the customers table is named in the
    reason as supporting evidence but does not decide on its own (a retailer may record a loyalty
    contract and still see irregular buying).

    Parameters
    ----------
    features : DataFrame
        :func:`~cemlib.cx.segments.features.customer_features`.
    customers : DataFrame, optional
        The customers table.
    setting : {"auto", "non_contractual", "contractual"}

    Returns
    -------
    dict
        ``model`` (``contractual`` | ``non_contractual``), ``setting``, ``reason`` (one
        sentence), ``period_days`` and ``cadence`` (the billing period), ``regular_share`` (or
        ``None`` when too few customers have three occasions).
    """
    if setting not in BUSINESS_MODELS:
        raise ValueError(
            f"segments: business_model must be one of {BUSINESS_MODELS}, got {setting!r}"
        )
    period, cadence = _cadence(features)
    three = features["n_gaps"].to_numpy() >= 2
    cv = features["regularity_cv"].to_numpy(dtype="float64")[three]
    gap = (
        features["relationship_days"].to_numpy(dtype="float64")
        / np.maximum(features["n_gaps"].to_numpy(dtype="float64"), 1)
    )[three]
    # billed: regular gaps *and* the same cycle for everybody (evenly spaced purchases whose
    # spacing differs from customer to customer are not a bill)
    on_cycle = (cv <= REGULAR_CV) & (np.abs(gap - period) <= 0.15 * period)
    share = float(np.mean(on_cycle)) if three.sum() >= 30 else None
    contract_col = customers is not None and "contract" in customers.columns
    evidence = (
        f"{share:.0%} of the {int(three.sum()):,} customers with three or more occasions are "
        f"billed on a common cycle (gap CV ≤ {REGULAR_CV}, mean gap within 15% of the typical "
        f"{cadence})"
        if share is not None
        else "fewer than 30 customers have three or more occasions, so no cadence can be seen"
    )
    if contract_col:
        evidence += "; the customers table records a contract"
    if setting != "auto":
        model, reason = setting, f"Set in params (segments.business_model); {evidence}."
    elif share is not None and share >= REGULAR_SHARE:
        model, reason = "contractual", f"Auto-detected contractual: {evidence}."
    else:
        model, reason = "non_contractual", f"Auto-detected non-contractual: {evidence}."
    return {
        "model": model,
        "setting": setting,
        "reason": reason,
        "period_days": period,
        "cadence": cadence,
        "regular_share": share,
    }


def snapshot_fit_check(model: ShiftedBetaGeometricFitter, periods: np.ndarray) -> dict:
    r"""Do the active customers' tenures look like steady acquisition under the fitted sBG?

    Pearson's chi-square of the tenure histogram against :math:`S(t-1) / \sum S`, the upper
    tenures pooled until each cell expects at least 5 customers (Cochran 1954); also the largest
    absolute gap between observed and fitted shares and where it is. A rejection (the pipeline
    uses p < 0.001) means the one assumption the snapshot fit rests on is contradicted, e.g. a
    base that grew or shrank, or tenures capped at a maximum.

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. *Biometrics*
    10(4), 417–451.
    """
    t = np.asarray(periods, dtype="int64")
    m = int(t.max())
    observed = np.bincount(t - 1, minlength=m).astype("float64")
    surv = np.asarray(model.survival(np.arange(m)), dtype="float64")
    expected = observed.sum() * surv / surv.sum()
    gaps = np.abs(observed - expected) / observed.sum()
    worst = int(np.argmax(gaps))
    cells_o, cells_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected, strict=True):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 5:
            cells_o.append(acc_o)
            cells_e.append(acc_e)
            acc_o, acc_e = 0.0, 0.0
    if acc_e > 0 and cells_e:  # the remainder joins the last cell
        cells_o[-1] += acc_o
        cells_e[-1] += acc_e
    dof = max(len(cells_o) - 1 - 2, 1)
    statistic = float(np.sum((np.subtract(cells_o, cells_e)) ** 2 / np.asarray(cells_e)))
    return {
        "chi2": statistic,
        "dof": dof,
        "p_value": float(stats.chi2.sf(statistic, dof)),
        "max_gap": float(gaps[worst]),
        "worst_period": worst + 1,
    }


def contractual_columns(
    features: pd.DataFrame,
    period_days: float,
    horizon_days: float = 365.0,
    annual_discount_rate: float = 0.10,
    duration_days: float = 1095.0,
    notes: list | None = None,
) -> tuple[pd.DataFrame, dict]:
    r"""The lifetime columns of a contractual base, from the sBG model (same names as
    :func:`~cemlib.cx.segments.lifetime_columns.lifetime_columns`).

    Each occasion is a bill. A customer billed :math:`n` times whose last bill falls within 1.5
    periods of the observation end is *active* (has renewed :math:`n-1` times); anyone else
    cancelled after :math:`n` periods. With at least 20 cancellations observed the sBG is fitted
    on the individual tenures (``fit_durations``, right-censored); otherwise nobody's leaving is
    in the data — a snapshot of survivors — and it is fitted on the active customers' tenures
    under steady acquisition (``fit_snapshot``), which the returned ``info`` and the notes say.

    Returns
    -------
    columns : DataFrame
        ``p_alive`` and ``p_active`` (1 for active customers, 0 for those who cancelled),
        ``expected_purchases`` (expected bills over ``horizon_days``), ``purchase_rate`` (bills
        per year while active), ``dropout_propensity`` (posterior mean cancellation probability
        :math:`\alpha / (\alpha + \beta + n - 1)`; 1 after a cancellation),
        ``projected_duration_days`` (the relationship so far plus the expected remaining
        lifetime within ``duration_days``), ``expected_spend`` (the customer's mean bill),
        ``margin_rate`` (shrunk), ``active_weeks``, ``clv_gross`` (margin per bill × the
        discounted expected residual lifetime over ``horizon_days``, Fader & Hardie 2010) and
        ``clv`` (net of the cost to serve over the same discounted lifetime).
    info : dict
        ``sbg`` (parameters), ``sbg_degenerate`` (parameters at an extreme), ``sbg_fit``
        (``durations`` | ``snapshot``), ``snapshot_check`` (:func:`snapshot_fit_check`),
        ``sbg_failed_check`` (``"steady acquisition"`` when that check rejects the fit, else
        ``None``), ``period_days``, ``active`` and ``cancelled`` counts.
    """
    notes = notes if notes is not None else []
    n_bills = features["frequency"].to_numpy(dtype="float64")
    billed = n_bills > 0
    active = billed & (features["recency_days"].to_numpy(dtype="float64") <= 1.5 * period_days)
    cancelled = billed & ~active
    info: dict = {
        "sbg": None,
        "sbg_degenerate": [],
        "sbg_failed_check": None,
        "sbg_fit": None,
        "period_days": period_days,
        "active": int(active.sum()),
        "cancelled": int(cancelled.sum()),
    }
    model = ShiftedBetaGeometricFitter()
    with _relayed(notes):
        try:
            if cancelled.sum() >= _MIN_CHURNERS:
                periods = np.where(active, n_bills - 1, n_bills)
                use = billed & (periods >= 1)
                model.fit_durations(periods[use], cancelled[use])
                info["sbg_fit"] = "durations"
            else:
                model.fit_snapshot(n_bills[active])
                info["sbg_fit"] = "snapshot"
                _warn(
                    f"lifetime: no cancellation is in the data ({int(cancelled.sum())} customers "
                    "without a recent bill); the sBG is fitted on the tenures of the active "
                    "customers assuming steady acquisition",
                    notes,
                )
                info["snapshot_check"] = snapshot_fit_check(model, n_bills[active])
                if info["snapshot_check"]["p_value"] < 0.001:
                    info["sbg_failed_check"] = "steady acquisition"
                    _warn(
                        "lifetime: the active customers' tenures do not follow steady acquisition "
                        f"under the sBG (chi-square p = {info['snapshot_check']['p_value']:.2g}, "
                        f"largest gap {info['snapshot_check']['max_gap']:.1%} of customers at "
                        f"{info['snapshot_check']['worst_period']} periods); its retention and "
                        "CLV are not to be relied on",
                        notes,
                    )
        except ValueError as err:
            _warn(f"lifetime: sBG not fitted ({err}); every active customer alike", notes)
            model = None
    n = len(features)
    per_year = _DAYS_PER_YEAR / period_days
    d_period = (1.0 + annual_discount_rate) ** (period_days / _DAYS_PER_YEAR) - 1.0
    renewals = np.maximum(n_bills - 1, 0)
    ahead = np.zeros(n)  # expected future renewals within duration_days, undiscounted
    expected = np.zeros(n)
    derl = np.zeros(n)  # discounted, within horizon_days
    dropout = np.ones(n)
    if model is not None:
        info["sbg"] = {k: float(v) for k, v in model.params_.items()}
        info["sbg_degenerate"] = list(getattr(model, "degenerate_", []))
        a, b = model.alpha_, model.beta_
        k = renewals[active]
        with _relayed(notes):
            ahead[active] = model.expected_residual_lifetime(
                k, 0.0, horizon=max(int(round(duration_days / period_days)), 1)
            )
            horizon = max(int(round(horizon_days / period_days)), 1)
            expected[active] = model.expected_residual_lifetime(k, 0.0, horizon=horizon)
            derl[active] = model.expected_residual_lifetime(k, d_period, horizon=horizon)
        dropout[active] = a / (a + b + k)
    else:
        dropout[active] = 0.5
    cols = pd.DataFrame(index=features.index)
    cols["p_alive"] = active.astype("float64")
    cols["p_active"] = active.astype("float64")
    cols["expected_purchases"] = expected
    cols["purchase_rate"] = np.where(billed, per_year, 0.0)
    cols["dropout_propensity"] = np.clip(dropout, 1e-6, 1.0)
    cols["projected_duration_days"] = (
        features["relationship_days"].to_numpy(dtype="float64") + ahead * period_days
    )
    spend = features["monetary"].to_numpy(dtype="float64")
    spend = np.where(billed, spend, float(spend[billed].mean()) if billed.any() else 0.0)
    cols["expected_spend"] = spend
    m_rate = shrunk_margin_rate(features, billed)
    cols["margin_rate"] = m_rate
    cols["active_weeks"] = expected * period_days / 7.0
    cols["clv_gross"] = spend * m_rate * derl
    cost_period = features["cost_to_serve"].to_numpy(dtype="float64") / per_year
    cols["clv"] = cols["clv_gross"].to_numpy() - cost_period * derl
    return cols, info
