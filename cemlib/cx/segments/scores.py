r"""The two behavioural axes of the segments stage as scores: value and loyalty.

:func:`score_customers` turns the features and lifetime columns into ``value_score``
(profitability per year of an active relationship, Reinartz & Kumar 2002) and ``loyalty_score``
(projected relationship duration: observed behaviour first — recency against the customer's own
rhythm, the relationship so far, deal-proneness — and the lifetime model second, weighted by
its diagnostics), both standardised.
Shares observed on a few purchases are shrunk toward the overall share first
(:func:`shrink_share`, the beta-binomial empirical-Bayes mean with Kleinman's (1973) moment
estimate of the prior). :func:`_zscore` and :func:`_slog` are the standardisations shared with
the clustering features.

References
----------
Dick, A. S. & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework.
*Journal of the Academy of Marketing Science* 22(2), 99–113.

Kleinman, J. C. (1973). Proportions with extraneous variance: single and independent samples.
*Journal of the American Statistical Association* 68(341), 46–54.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review* 80(7), 86–94.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from cemlib.cx.segments._common import _warn

__all__ = ["score_customers", "shrink_share"]


def shrink_share(successes, trials) -> tuple[np.ndarray, dict]:
    r"""Empirical-Bayes (beta-binomial) posterior mean of per-customer shares.

    A share observed on one or two purchases (0 % or 100 % promo) says little; the posterior mean
    :math:`(k_i + \alpha) / (n_i + \alpha + \beta)` pulls it toward the overall share with the
    weight the data give the prior. The prior is fitted by the method of moments: with overall
    share :math:`\mu = \sum k / \sum n` and :math:`S = \sum n_i (\hat p_i - \mu)^2`, the
    intra-customer correlation is :math:`\rho = (S / (\mu(1-\mu)) - N) / \sum (n_i - 1)`
    (from :math:`\operatorname{Var}\hat p_i = \mu(1-\mu)[1 + (n_i - 1)\rho] / n_i`), and
    :math:`\alpha + \beta = (1 - \rho) / \rho` (Kleinman 1973, *Journal of the American
    Statistical Association* 68, 46–54).

    Parameters
    ----------
    successes, trials : array-like
        Per customer, e.g. purchases on promotion and purchases.

    Returns
    -------
    posterior : ndarray
        Posterior mean per customer (the overall share for customers without trials).
    prior : dict
        ``mean``, ``rho``, ``alpha``, ``beta``.
    """
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    has = n > 0
    if not has.any():
        return np.zeros_like(k), {"mean": 0.0, "rho": float("nan"), "alpha": 0.0, "beta": 0.0}
    mu = float(k[has].sum() / n[has].sum())
    if mu <= 0 or mu >= 1:
        return np.full_like(k, mu), {"mean": mu, "rho": float("nan"), "alpha": 0.0, "beta": 0.0}
    phat = k[has] / n[has]
    S = float(np.sum(n[has] * (phat - mu) ** 2))
    extra = float(np.sum(n[has] - 1))
    rho = (S / (mu * (1 - mu)) - has.sum()) / extra if extra > 0 else 1.0
    rho = float(np.clip(rho, 1e-3, 1 - 1e-6))
    ab = (1 - rho) / rho
    alpha, beta = mu * ab, (1 - mu) * ab
    return (k + alpha) / (n + ab), {"mean": mu, "rho": rho, "alpha": alpha, "beta": beta}


_NOISE_RTOL = 1e-4  # a spread below this fraction of the values' magnitude is model noise


def _zscore(values: np.ndarray, name: str, notes: list, quiet: bool = False) -> np.ndarray:
    """z-score of a feature; 0 for a feature that does not vary across customers.

    A spread below :data:`_NOISE_RTOL` of the values' magnitude counts as no variation: it is
    the numerical noise of a model evaluation (e.g. a projected duration of 1,821.99 against
    1,822 days when the BG/NBD sees no dropout), and standardising it would blow one customer's
    rounding error up to ten standard deviations.
    """
    v = np.asarray(values, dtype="float64")
    v = np.where(np.isfinite(v), v, np.nanmedian(v) if np.isfinite(v).any() else 0.0)
    sd = v.std()
    if not sd > _NOISE_RTOL * max(1.0, abs(v.mean())):
        if not quiet:
            _warn(f"scores: {name} is the same for every customer; its z-score is 0", notes)
        return np.zeros_like(v)
    return (v - v.mean()) / sd


def _slog(values: np.ndarray) -> np.ndarray:
    """Signed log scale: asinh(v / s) with s the median absolute value (log-like in the tails)."""
    v = np.asarray(values, dtype="float64")
    s = np.median(np.abs(v[np.isfinite(v)])) if np.isfinite(v).any() else 1.0
    return np.arcsinh(v / (s if s > 0 else 1.0))


def rhythm_gap_days(frame: pd.DataFrame) -> tuple[np.ndarray, float]:
    r"""Each customer's own inter-purchase rhythm in days, shrunk toward the population's.

    The mean gap between a customer's purchase occasions, with one pseudo-gap of the
    population's typical gap :math:`g_0` (the median mean gap of customers with a repeat
    purchase) added: :math:`(d + g_0) / (x + 1)` for :math:`x` gaps spanning :math:`d` days.
    A customer with many gaps keeps their own rhythm; a one-time buyer gets :math:`g_0`.

    Returns
    -------
    gaps : ndarray
        Days per customer.
    g0 : float
        The population's typical gap.
    """
    f = frame["frequency"].to_numpy(dtype="float64")
    span = frame["relationship_days"].to_numpy(dtype="float64")
    repeat = f >= 2
    own = span[repeat] / (f[repeat] - 1)
    g0 = float(np.median(own)) if repeat.any() else float(np.median(frame["tenure_days"]))
    g0 = max(g0, 1.0)
    return (span + g0) / (np.maximum(f - 1, 0) + 1), g0


def score_customers(
    frame: pd.DataFrame, notes: list | None = None, model_weight: float = 1.0
) -> pd.DataFrame:
    r"""``value_score`` and ``loyalty_score`` per customer, with the z-scored components.

    Parameters
    ----------
    frame : DataFrame
        Features (:func:`customer_features`) joined with lifetime columns
        (:func:`lifetime_columns` or :func:`~cemlib.cx.segments.contractual.contractual_columns`).
    notes : list, optional
        Warnings are appended here as text too.
    model_weight : float
        Weight of the lifetime model's block in the loyalty score (1 = as much as one
        behavioural component; 0 when the model failed its diagnostics, see
        :func:`~cemlib.cx.segments.pipeline.segment_customers`).

    Returns
    -------
    DataFrame
        ``value_rate`` (annual contribution while active, currency per year), ``value_score``,
        ``loyalty_score``, the loyalty components ``z_*``, ``rhythm_days`` and
        ``recency_ratio`` (recency over the customer's rhythm).

    Notes
    -----
    **Value** is profitability in Reinartz & Kumar's sense, measured per year of an active
    relationship so that the value axis does not count duration a second time (CLV ≈ value rate
    × duration):

    .. math:: \text{value rate} = \hat\lambda \cdot \hat z \cdot \hat m - c,

    the purchase rate while active (the BG/NBD posterior; the billing rate in a contractual
    business), the expected spend per purchase (Gamma-Gamma), the shrunk margin rate and the
    yearly cost to serve. Both model estimates are empirical-Bayes means, so a short history is
    pulled toward the population and cannot look extreme. ``value_score`` is the z-score of its
    signed log, :math:`\operatorname{asinh}(v/s)` with :math:`s` the median absolute value rate.

    **Loyalty** is the projected relationship duration, behavioural only (survey attitudes are a
    separate axis, Dick & Basu 1994), built from what each customer *did* first and from the
    lifetime model second. Three behavioural components, each a z-score:

    * ``z_rhythm`` — still buying at their own rhythm: :math:`-\log(1 + \text{recency} / g)`
      with :math:`g` the customer's shrunk inter-purchase gap (:func:`rhythm_gap_days`). The
      classical "lapsed customer" reading of recency (Hughes 2005): a month of silence is
      nothing for a quarterly buyer and a warning for a weekly one, and a one-time buyer is
      measured against the population's rhythm;
    * ``z_tenure`` — the relationship so far, :math:`\log(1 + \text{days from its first
      evidence to the last purchase})`;
    * ``z_deal`` — low deal-proneness: the mean of the z-scores of ``−promo_share_eb`` and,
      where a ``brand`` column exists, ``−switching_eb``, ``−promo_switching_eb`` and
      ``scr_eb`` (share of category requirements of the focal brand; shares shrunk by
      :func:`shrink_share`, so one purchase on promotion does not make a deal-seeker),
      re-standardised;

    and one model block, ``z_model``: the mean of ``logit(p_active)``, ``−logit(dropout
    propensity)`` and ``log1p(projected_duration_days)`` (each z-scored, then re-standardised),
    weighted by ``model_weight``. ``loyalty_score`` is the weighted mean, re-standardised to mean 0
    and standard deviation 1 (probabilities clipped to [0.001, 0.999] before the logit). Equal
    weights are the transparent choice when no outcome is there to weight against; a model that
    failed its diagnostics (degenerate parameters, not fitted) gets weight 0 and the axis rests on
    behaviour alone.

    References
    ----------
    Hughes, A. M. (2005). *Strategic Database Marketing*, 3rd ed. McGraw-Hill (recency,
    frequency and the lapsed customer).
    """
    notes = notes if notes is not None else []
    out = pd.DataFrame(index=frame.index)
    rate = frame["purchase_rate"].to_numpy(dtype="float64")
    value_rate = rate * frame["expected_spend"].to_numpy(dtype="float64") * frame[
        "margin_rate"
    ].to_numpy(dtype="float64") - frame["cost_to_serve"].to_numpy(dtype="float64")
    value_rate = np.nan_to_num(value_rate, nan=0.0, posinf=0.0, neginf=0.0)
    out["value_rate"] = value_rate
    out["value_score"] = _zscore(_slog(value_rate), "value rate", notes)

    gap, _ = rhythm_gap_days(frame)
    ratio = frame["recency_days"].to_numpy(dtype="float64") / gap
    out["rhythm_days"] = gap
    out["recency_ratio"] = ratio
    out["z_rhythm"] = _zscore(-np.log1p(ratio), "recency over rhythm", notes)
    out["z_tenure"] = _zscore(
        np.log1p(frame["relationship_days"].to_numpy(dtype="float64")), "relationship so far", notes
    )
    promo_eb, _ = shrink_share(frame["n_promo"], frame["n_purchases"])
    out["promo_share_eb"] = promo_eb
    deal = [_zscore(-promo_eb, "promo share", notes)]
    if "switching_rate" in frame.columns:
        switch_eb, _ = shrink_share(frame["n_switches"], frame["n_pairs"])
        promo_switch_eb, _ = shrink_share(frame["n_promo_switches"], frame["n_switches"])
        scr_eb, _ = shrink_share(frame["n_focal"], frame["n_brand_known"])
        out["switching_eb"], out["promo_switching_eb"] = switch_eb, promo_switch_eb
        out["scr_eb"] = scr_eb
        deal += [
            _zscore(-switch_eb, "switching rate", notes),
            _zscore(-promo_switch_eb, "promotion-conditional switching", notes),
            _zscore(scr_eb, "share of category requirements", notes),
        ]
    out["z_deal"] = _zscore(np.mean(deal, axis=0), "deal-proneness", notes, quiet=True)

    p = np.clip(frame["p_active"].to_numpy(dtype="float64"), 1e-3, 1 - 1e-3)
    q = np.clip(frame["dropout_propensity"].to_numpy(dtype="float64"), 1e-3, 1 - 1e-3)
    out["z_projected"] = _zscore(
        np.log1p(frame["projected_duration_days"].to_numpy(dtype="float64")),
        "projected duration",
        notes,
    )
    out["z_duration"] = _zscore(-special.logit(q), "dropout propensity", notes)
    out["z_p_active"] = _zscore(special.logit(p), "p_active", notes)
    model = out[["z_p_active", "z_duration", "z_projected"]].mean(axis=1).to_numpy()
    out["z_model"] = _zscore(model, "lifetime-model block", notes, quiet=True)
    weights = {"z_rhythm": 1.0, "z_tenure": 1.0, "z_deal": 1.0, "z_model": float(model_weight)}
    composite = sum(w * out[c].to_numpy() for c, w in weights.items()) / sum(weights.values())
    sd = composite.std()
    out["loyalty_score"] = (composite - composite.mean()) / sd if sd > 1e-12 else 0.0 * composite
    out.attrs["loyalty_weights"] = weights
    return out
