r"""Customer segments: value × loyalty archetypes, natural clusters, profiles and treatments.

The question a CX director asks is *who are our strategic customers, who are the butterflies, and
what should we stop and start doing for each?* (DESIGN §1 point 3, §6 "Segments"). Reinartz &
Kumar (2002) place customers on two behavioural axes, **profitability** × **projected relationship
duration**, and name the quadrants:

================  ==================  =====================  ==========================
archetype         value               loyalty (duration)     Reinartz & Kumar's name
================  ==================  =====================  ==========================
``strategic``     high                long                   true friends
``butterfly``     high                short                  butterflies
``barnacle``      low                 long                   barnacles
``stranger``      low                 short                  strangers
================  ==================  =====================  ==========================

Survey attitudes (would recommend, treats us as the standard, pays a premium, helps improve) are
a *third*, attitudinal axis — Dick & Basu (1994) cross relative attitude with repeat patronage
(loyalty, latent, spurious, no loyalty) — and never replace the two behavioural axes here; they
are carried as features (``ltr``, the loyalty items, ``emotional_loyalty``) for that grid.

Pipeline of :func:`segment_customers`
-------------------------------------
1. :func:`customer_features` — vectorised per-customer features from transactions (recency,
   purchase occasions, spend, margin net of cost to serve, tenure, regularity, promo share,
   brand switching where a ``brand`` column exists) and from linked surveys.
2. :func:`lifetime_columns` — BG/NBD and Gamma-Gamma (:mod:`cemlib.stats.lifetime`): probability
   alive, expected purchases over a horizon, expected spend, discounted margin CLV, the purchase
   rate while active and the projected active time.
3. :func:`score_customers` — ``value_score`` (annual contribution while active) and
   ``loyalty_score`` (projected relationship duration, behavioural), both z-scores.
4. :func:`assign_archetypes` — quadrant of the grid, thresholds from a two-component Gaussian
   mixture per axis (or medians, or numbers), ``archetype_confidence`` and ``thin_history``.
5. :func:`cluster_customers` — Gaussian mixtures on the standardised features, number of
   clusters by BIC, clusters named by where they sit on the grid, bootstrap stability (ARI).
6. :func:`profile_segments` and :func:`treatment` — what each group is worth and what to do.

:func:`archetype_recovery` compares the archetypes with what the synthetic world planted.

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing* 24(3),
201–209.

Biernacki, C., Celeux, G. & Govaert, G. (2000). Assessing a mixture model for clustering with the
integrated completed likelihood. *IEEE Transactions on Pattern Analysis and Machine
Intelligence* 22(7), 719–725.

Dick, A. S. & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework.
*Journal of the Academy of Marketing Science* 22(2), 99–113.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415–430.

Fraley, C. & Raftery, A. E. (2002). Model-based clustering, discriminant analysis, and density
estimation. *Journal of the American Statistical Association* 97(458), 611–631.

Gupta, S. (1988). Impact of sales promotions on when, what, and how much to buy. *Journal of
Marketing Research* 25(4), 342–355.

Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2, 193–218.

Kleinman, J. C. (1973). Proportions with extraneous variance: single and independent samples.
*Journal of the American Statistical Association* 68(341), 46–54.

McLachlan, G. & Peel, D. (2000). *Finite Mixture Models*. Wiley.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review* 80(7), 86–94.

Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation of
cluster analysis. *Journal of Computational and Applied Mathematics* 20, 53–65.

Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics* 6(2), 461–464.

"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats
from sklearn.base import BaseEstimator
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture

from cemlib.cx.metrics import nps as _nps
from cemlib.data.io import empty_frame
from cemlib.data.schema import ARCHETYPES
from cemlib.stats import lifetime as _lt

__all__ = [
    "ARCHETYPES",
    "DEFAULT_PARAMS",
    "TREATMENTS",
    "AxisThresholds",
    "SegmentWarning",
    "archetype_recovery",
    "archetype_stability",
    "assign_archetypes",
    "attitudinal_grid",
    "cluster_customers",
    "customer_features",
    "lifetime_columns",
    "profile_segments",
    "score_customers",
    "segment_customers",
    "shrink_share",
    "treatment",
]

_DAYS_PER_YEAR = 365.25
_NS_PER_DAY = 86_400 * 10**9

DEFAULT_PARAMS: dict = {
    "observation_end": None,  # last day observed (inclusive); default: day of the last transaction
    "time_unit_days": 7.0,  # lifetime models count time in weeks (Fader, Hardie & Lee 2005)
    "horizon_days": 365,  # horizon of expected purchases and CLV
    "duration_days": 1095,  # horizon of the projected remaining relationship (loyalty axis)
    "annual_discount_rate": 0.10,  # CLV discount rate per year
    "default_margin_rate": 1.0,  # margin = amount × this when transactions carry no margin
    "focal_brand": None,  # brand whose share of requirements is measured; default: most bought
    "thin_history_max": 2,  # customers with at most this many purchase occasions: thin history
    "thresholds": "mixture",  # mixture | median | {"value": z, "loyalty": z}
    "cluster_k": [2, 8],  # range of clusters tried (inclusive)
    "cluster_criterion": "bic",  # bic | icl | silhouette
    "cluster_features": None,  # default: value score, loyalty components, value ingredients
    "covariance_type": "full",
    "max_fit_rows": 20000,  # axis mixtures are fitted on a seeded sample of at most this many
    "cluster_max_rows": 10000,  # cluster mixtures likewise (then every customer is assigned)
    "n_boot": 10,  # bootstrap resamples of the stability report
    "top_reasons": 3,  # complaint reasons listed per segment
    "random_state": 0,
}

TREATMENTS: dict[str, str] = {
    "strategic": (
        "True friends: invest in their experience. Communicate consistently but not too often, "
        "reward them with service and recognition rather than points, fix what they complain "
        "about first, and protect them from the offers made to switchers."
    ),
    "butterfly": (
        "Harvest while they are here: make transactional offers that pay on each sale, do not try "
        "to buy their loyalty with points or discounts, and stop investing (mailings, retention "
        "offers) as soon as they stop buying."
    ),
    "barnacle": (
        "Serve at lower cost (self-service and cheaper channels) or grow share of wallet where "
        "there is headroom: up-sell and cross-sell to those who buy elsewhere too; otherwise keep "
        "them satisfied without extra spend."
    ),
    "stranger": (
        "Spend little: no loyalty investment, lean service, and make a profit on every "
        "transaction; review offers that attract them at a loss."
    ),
}


class SegmentWarning(UserWarning):
    """Segmenting degenerate input: the result is defined but means less than usual."""


def _warn(message: str, notes: list | None = None) -> None:
    warnings.warn(message, SegmentWarning, stacklevel=3)
    if notes is not None:
        notes.append(message)


def _relay(caught, notes: list) -> None:
    """Pass on the lifetime models' warnings (not numpy's floating-point chatter) as ours."""
    for w in caught:
        if issubclass(w.category, UserWarning) and not issubclass(w.category, SegmentWarning):
            _warn(f"lifetime: {w.message}", notes)


def treatment(archetype: str) -> str:
    """The recommended treatment of an archetype, in words a manager acts on.

    Parameters
    ----------
    archetype : str
        One of :data:`ARCHETYPES`.

    Returns
    -------
    str
        The treatment after Reinartz & Kumar (2002): invest in the experience of true friends
        (``strategic``); harvest ``butterfly`` customers without buying their loyalty; serve
        ``barnacle`` customers at lower cost or grow their share of wallet; spend little on
        ``stranger`` customers and profit on each transaction.
    """
    try:
        return TREATMENTS[archetype]
    except KeyError:
        raise ValueError(f"unknown archetype {archetype!r}; expected one of {ARCHETYPES}") from None


# ----------------------------------------------------------------------------------------------
# 1. Features
# ----------------------------------------------------------------------------------------------


def _day_numbers(ts: pd.Series) -> np.ndarray:
    """Calendar day (days since 1970-01-01, floor) of datetimes, timezone wall-clock time."""
    ts = pd.to_datetime(ts)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.to_numpy(dtype="datetime64[ns]").astype("int64") // _NS_PER_DAY


def _as_day(value) -> int:
    stamp = pd.Timestamp(value)
    if stamp.tz is not None:
        stamp = stamp.tz_localize(None)
    return int(stamp.normalize().value // _NS_PER_DAY)


def _ratio(num: np.ndarray, den: np.ndarray, fill: float = np.nan) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), fill)


def _survey_items(codebook, responses: pd.DataFrame) -> tuple[str | None, list[str], dict]:
    """The likelihood-to-recommend item and the emotional-loyalty items, with their scales."""
    if codebook is None:
        ltr = "ltr" if "ltr" in responses.columns else None
        return ltr, [], {}
    nps_items = [i for i in codebook.items if i.role == "outcome" and i.metric == "nps"]
    ltr = nps_items[0].id if nps_items else None
    loyalty = [i.id for i in codebook.by_role("loyalty") if i.id in responses.columns]
    scales = {i.id: tuple(i.scale) for i in codebook.items}
    if ltr is not None and ltr not in responses.columns:
        ltr = None
    return ltr, loyalty, scales


def customer_features(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    responses: pd.DataFrame | None = None,
    codebook=None,
    observation_end=None,
    focal_brand: str | None = None,
    default_margin_rate: float = 1.0,
    notes: list | None = None,
) -> pd.DataFrame:
    r"""One row of behavioural and attitudinal features per customer.

    Parameters
    ----------
    transactions : DataFrame
        The clean ``transactions`` table (DESIGN §4): ``customer_id``, ``ts``, ``amount``
        (negative = return), optional ``margin``, ``promo``, ``brand``.
    customers : DataFrame, optional
        The clean ``customers`` table; its customers without a transaction get a row too, and
        ``first_seen`` and ``cost_to_serve`` are used when present.
    responses : DataFrame, optional
        Survey responses; used when they carry ``customer_id``.
    codebook : Codebook, optional
        Names the likelihood-to-recommend item (``role: outcome``, ``metric: nps``) and the
        emotional-loyalty items (``role: loyalty``).
    observation_end : date-like, optional
        Last day observed (inclusive). Default: the day of the last transaction.
    focal_brand : str, optional
        Brand whose share of category requirements is measured; default the most bought brand.
    default_margin_rate : float
        Without a ``margin`` column, margin = amount × this rate (1 = revenue), with a warning.
    notes : list, optional
        Warnings are appended here as text too.

    Returns
    -------
    DataFrame
        Sorted by ``customer_id``, with columns

        ``n_transactions``, ``n_purchases``
            rows, and rows with ``amount`` ≥ 0 (purchases; the rest are returns).
        ``frequency``
            purchase *occasions*: days with a purchase (same-day purchases merged, as in
            :func:`cemlib.stats.lifetime.rfm_summary`).
        ``recency_days``
            days from the last purchase to ``observation_end`` (for customers without a purchase:
            days since ``first_seen``).
        ``monetary``
            mean amount per purchase row; ``revenue``, net amount (returns deducted).
        ``margin_total``, ``cost_to_serve_total``, ``margin_net``
            gross margin of all rows; ``cost_to_serve`` (a yearly figure) × the years of the
            relationship that fall inside the data window; their difference.
        ``tenure_days``
            days from the first purchase or ``first_seen``, whichever is earlier, to
            ``observation_end``; ``relationship_days``, from there to the last purchase;
            ``window_days``, the part of the tenure inside the data window (first transaction
            of the table to ``observation_end``), over which purchases were observed.
        ``regularity_cv``
            coefficient of variation (sd / mean, population sd) of the days between consecutive
            purchase occasions; needs two gaps (three occasions) — otherwise 1.0, the value of a
            Poisson purchase process, with ``n_gaps`` saying how many gaps it rests on. Below 1
            is more regular than chance, above 1 bursty.
        ``promo_share``, ``n_promo``
            share and number of purchases made on promotion (0 without a ``promo`` column).
        ``cost_to_serve``
            the yearly cost to serve of the customers table (0 when not given).
        ``scr``, ``switching_rate``, ``promo_switching`` (with ``brand``)
            share of category requirements of the focal brand (share of the customer's purchases
            that are of the focal brand); share of consecutive purchase pairs where the brand
            changes; share of those switches made onto a brand bought on promotion (0 without a
            switch). The promotion-conditional switch is the most consistent deal-proneness
            signal in scanner panels (Gupta 1988). The counts behind them: ``n_pairs``,
            ``n_switches``, ``n_promo_switches``.
        ``n_surveys``, ``ltr``, loyalty items, ``emotional_loyalty`` (with linked surveys)
            responses per customer; the latest answer to the likelihood-to-recommend item and to
            each emotional-loyalty item (latest non-missing by ``submitted_at``); the mean of the
            loyalty items rescaled to 0–1. Missing (NaN) for customers never surveyed.

        ``attrs`` hold ``observation_end``, ``window_start``, ``margin_basis``, ``focal_brand``,
        ``survey_items``.

    Notes
    -----
    Vectorised throughout: customer ids are factorised once, the purchases are sorted once by
    (customer, time), and every per-customer statistic is a ``numpy.bincount`` or a difference of
    adjacent sorted rows — no Python loop over customers, so 10 million transactions take
    seconds.
    """
    notes = notes if notes is not None else []
    for col in ("customer_id", "ts", "amount"):
        if col not in transactions.columns:
            raise ValueError(f"customer_features: transactions lack the column {col!r}")
    tx = transactions
    keep = tx["customer_id"].notna().to_numpy() & tx["ts"].notna().to_numpy()
    if not keep.all():
        _warn(
            f"customer_features: {int((~keep).sum())} transaction(s) without customer or time "
            "were left out",
            notes,
        )
        tx = tx.loc[keep]
    if len(tx) == 0:
        raise ValueError("customer_features: no transactions with a customer and a time")

    ids = [pd.Index(tx["customer_id"].astype("string").unique())]
    if customers is not None and "customer_id" in customers.columns:
        ids.append(pd.Index(customers["customer_id"].dropna().astype("string").unique()))
    universe = (
        ids[0].append(ids[1:]).unique().sort_values() if len(ids) > 1 else ids[0].sort_values()
    )
    universe = pd.Index(universe, name="customer_id")
    n = len(universe)
    codes = universe.get_indexer(tx["customer_id"].astype("string"))

    day = _day_numbers(tx["ts"])
    t_ns = pd.to_datetime(tx["ts"]).to_numpy(dtype="datetime64[ns]").astype("int64")
    end_day = _as_day(observation_end) if observation_end is not None else int(day.max())
    if (day > end_day).any():
        _warn(
            f"customer_features: {int((day > end_day).sum())} transaction(s) after "
            "observation_end were left out",
            notes,
        )
        inside = day <= end_day
        tx, codes, day, t_ns = tx.loc[inside], codes[inside], day[inside], t_ns[inside]
    window_start = int(day.min())

    amount = pd.to_numeric(tx["amount"], errors="coerce").to_numpy(dtype="float64", na_value=0.0)
    if "margin" in tx.columns and tx["margin"].notna().any():
        margin = pd.to_numeric(tx["margin"], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        if np.isnan(margin).any():
            _warn(
                f"customer_features: {int(np.isnan(margin).sum())} transaction(s) without a "
                f"margin: margin taken as amount × {default_margin_rate}",
                notes,
            )
            margin = np.where(np.isnan(margin), amount * default_margin_rate, margin)
        margin_basis = "margin"
    else:
        _warn(
            "customer_features: transactions carry no margin column; value is measured on "
            f"amount × {default_margin_rate} (revenue when 1) instead of gross margin",
            notes,
        )
        margin = amount * default_margin_rate
        margin_basis = "revenue" if default_margin_rate == 1 else f"amount x {default_margin_rate}"
    if "promo" in tx.columns:
        promo = tx["promo"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        _warn("customer_features: transactions carry no promo column; promo_share is 0", notes)
        promo = np.zeros(len(tx), dtype=bool)

    out = pd.DataFrame(index=universe)
    out["n_transactions"] = np.bincount(codes, minlength=n)
    buy = amount >= 0
    out["n_purchases"] = np.bincount(codes[buy], minlength=n)
    out["revenue"] = np.bincount(codes, weights=amount, minlength=n)
    out["monetary"] = _ratio(
        np.bincount(codes[buy], weights=amount[buy], minlength=n),
        out["n_purchases"].to_numpy(),
        0.0,
    )
    out["margin_total"] = np.bincount(codes, weights=margin, minlength=n)
    out["n_promo"] = np.bincount(codes[buy], weights=promo[buy], minlength=n).astype("int64")
    out["promo_share"] = _ratio(out["n_promo"].to_numpy(), out["n_purchases"].to_numpy(), 0.0)

    # purchases sorted by (customer, time): occasions, first/last, gaps, brand sequences
    order = np.lexsort((t_ns[buy], codes[buy]))
    b_code = codes[buy][order]
    b_day = day[buy][order]
    new_cust = np.r_[True, b_code[1:] != b_code[:-1]]
    new_occ = new_cust | np.r_[True, b_day[1:] != b_day[:-1]]
    out["frequency"] = np.bincount(b_code[new_occ], minlength=n)
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    first[b_code[new_cust]] = b_day[new_cust]
    last_row = np.r_[new_cust[1:], True]
    last[b_code[last_row]] = b_day[last_row]
    o_code, o_day = b_code[new_occ], b_day[new_occ].astype("float64")
    same = np.r_[False, o_code[1:] == o_code[:-1]]
    gaps = np.diff(o_day, prepend=np.nan)[same]
    g_code = o_code[same]
    n_gaps = np.bincount(g_code, minlength=n)
    g_mean = _ratio(np.bincount(g_code, weights=gaps, minlength=n), n_gaps)
    g_sq = _ratio(np.bincount(g_code, weights=gaps**2, minlength=n), n_gaps)
    g_sd = np.sqrt(np.maximum(g_sq - g_mean**2, 0.0))
    out["n_gaps"] = n_gaps
    out["regularity_cv"] = np.where(n_gaps >= 2, _ratio(g_sd, g_mean, 1.0), 1.0)

    # customers table: acquisition date and cost to serve
    first_seen = np.full(n, np.nan)
    cost = np.zeros(n)
    has_cost = False
    if customers is not None and "customer_id" in customers.columns:
        cu = customers.dropna(subset=["customer_id"]).drop_duplicates("customer_id")
        pos = universe.get_indexer(cu["customer_id"].astype("string"))
        if "first_seen" in cu.columns:
            fs = pd.to_datetime(cu["first_seen"])
            ok = fs.notna().to_numpy()
            first_seen[pos[ok]] = _day_numbers(fs[ok])
        if "cost_to_serve" in cu.columns:
            c = pd.to_numeric(cu["cost_to_serve"], errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
            has_cost = bool(np.isfinite(c).any())
            cost[pos] = np.where(np.isfinite(c), c, 0.0)
    start = np.fmin(first, first_seen)  # earliest evidence of the relationship
    start = np.where(np.isnan(start), end_day, start)
    out["tenure_days"] = np.maximum(end_day - start, 0.0)
    out["recency_days"] = np.where(np.isnan(last), out["tenure_days"], end_day - last)
    out["relationship_days"] = np.where(np.isnan(last), 0.0, last - start)
    served_years = np.maximum(end_day - np.maximum(start, window_start), 0.0) / _DAYS_PER_YEAR
    out["window_days"] = served_years * _DAYS_PER_YEAR
    out["cost_to_serve"] = cost
    out["cost_to_serve_total"] = cost * served_years
    out["margin_net"] = out["margin_total"] - out["cost_to_serve_total"]
    if not has_cost:
        _warn(
            "customer_features: no cost_to_serve in customers; margin_net equals margin_total",
            notes,
        )

    # brand panels: share of category requirements, switching, promotion-conditional switching
    brand = None
    if "brand" in tx.columns and tx["brand"].notna().any():
        b_brand = tx["brand"].astype("string").to_numpy(dtype=object, na_value=None)[buy][order]
        b_promo = promo[buy][order]
        known = pd.notna(b_brand)
        counts = pd.Series(b_brand[known]).value_counts()
        if focal_brand is None:
            top = counts[counts == counts.max()].index
            focal_brand = str(sorted(top)[0])
        elif focal_brand not in counts.index:
            _warn(f"customer_features: focal brand {focal_brand!r} is never bought", notes)
        brand = focal_brand
        n_known = np.bincount(b_code[known], minlength=n)
        out["scr"] = _ratio(
            np.bincount(b_code[known], weights=b_brand[known] == focal_brand, minlength=n),
            n_known,
            0.0,
        )
        pair = ~new_cust & known & np.r_[False, known[:-1]]
        prev = np.r_[None, b_brand[:-1]]
        switch = pair & (b_brand != prev)
        n_pairs = np.bincount(b_code[pair], minlength=n)
        n_switch = np.bincount(b_code[switch], minlength=n)
        out["switching_rate"] = _ratio(n_switch, n_pairs, 0.0)
        out["promo_switching"] = _ratio(
            np.bincount(b_code[switch & b_promo], minlength=n), n_switch, 0.0
        )
        out["n_pairs"] = n_pairs
        out["n_switches"] = n_switch
        out["n_promo_switches"] = np.bincount(b_code[switch & b_promo], minlength=n)

    # surveys: latest likelihood to recommend and emotional-loyalty items
    survey_items: list[str] = []
    out["n_surveys"] = 0
    if responses is not None:
        linked = (
            responses[responses["customer_id"].notna()]
            if "customer_id" in responses.columns
            else responses.iloc[0:0]
        )
        ltr_item, loyalty_items, scales = _survey_items(codebook, responses)
        if len(linked) == 0:
            _warn(
                "customer_features: no survey response is linked to a customer (no "
                "customer_id); survey features are missing",
                notes,
            )
        elif ltr_item is None and not loyalty_items:
            _warn("customer_features: the codebook names no NPS outcome and no loyalty item", notes)
        else:
            if "submitted_at" in linked.columns:
                linked = linked.sort_values("submitted_at", kind="stable", na_position="first")
            cols = [c for c in [ltr_item, *loyalty_items] if c is not None]
            key = linked["customer_id"].astype("string")
            latest = (
                linked[cols].apply(pd.to_numeric, errors="coerce").groupby(key.to_numpy()).last()
            )
            out["n_surveys"] = key.value_counts().reindex(universe, fill_value=0).to_numpy()
            latest = latest.reindex(universe)
            unknown = int((~key.isin(universe)).sum())
            if unknown:
                _warn(
                    f"customer_features: {unknown} linked response(s) of unknown customers were "
                    "left out",
                    notes,
                )
            if ltr_item is not None:
                out["ltr"] = latest[ltr_item].to_numpy()
            for item in loyalty_items:
                out[item] = latest[item].to_numpy()
            if loyalty_items:
                scaled = [
                    (latest[i] - scales[i][0]) / (scales[i][1] - scales[i][0])
                    for i in loyalty_items
                ]
                out["emotional_loyalty"] = pd.concat(scaled, axis=1).mean(axis=1).to_numpy()
            survey_items = cols
    out = out.reset_index()
    out.attrs = {
        "observation_end": str(pd.Timestamp(end_day, unit="D").date()),
        "window_start": str(pd.Timestamp(window_start, unit="D").date()),
        "margin_basis": margin_basis,
        "focal_brand": brand,
        "survey_items": survey_items,
        "end_day": end_day,
    }
    return out


# ----------------------------------------------------------------------------------------------
# 2. Lifetime columns
# ----------------------------------------------------------------------------------------------


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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rfm = _lt.rfm_summary(tx, calibration_end=end, time_unit_days=unit)
    _relay(caught, notes)
    rfm.index = rfm.index.astype("string")
    rfm = rfm.reindex(ids)
    has = rfm["frequency"].notna().to_numpy()
    x = rfm["frequency"].to_numpy(dtype="float64", na_value=0.0)
    tx_ = rfm["recency"].to_numpy(dtype="float64", na_value=0.0)
    T = rfm["T"].to_numpy(dtype="float64", na_value=0.0)
    mv = rfm["monetary_value"].to_numpy(dtype="float64", na_value=0.0)
    info: dict = {"bgnbd": None, "gamma_gamma": None, "n_customers_fitted": int(has.sum())}

    cols = pd.DataFrame(index=features.index)
    bg = None
    if has.any():
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                bg = _lt.BetaGeoFitter().fit(x[has], tx_[has], T[has])
            _relay(caught, notes)
            info["bgnbd"] = {k: float(v) for k, v in bg.params_.items()}
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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pa = np.asarray(bg.probability_alive(x[has], tx_[has], T[has]), dtype="float64")
            ey = np.asarray(
                bg.conditional_expected_purchases(horizon, x[has], tx_[has], T[has]),
                dtype="float64",
            )
            ey_long = np.asarray(
                bg.conditional_expected_purchases(duration_h, x[has], tx_[has], T[has]),
                dtype="float64",
            )
        _relay(caught, notes)
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
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                gg = _lt.GammaGammaFitter().fit(x[has], mv[has])
                es = np.asarray(
                    gg.conditional_expected_average_profit(x[has], mv[has]), dtype="float64"
                )
            _relay(caught, notes)
            es = np.where(np.isfinite(es), es, own[has])
            spend[has] = es
            info["gamma_gamma"] = {k: float(v) for k, v in gg.params_.items()}
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

    revenue = features["revenue"].to_numpy(dtype="float64")
    margin = features["margin_total"].to_numpy(dtype="float64")
    total_rev = revenue.sum()
    overall = float(margin.sum() / total_rev) if total_rev > 0 else 1.0
    prior_weight = 2.0 * (float(own[has].mean()) if has.any() else 0.0)
    m_rate = _ratio(margin + prior_weight * overall, revenue + prior_weight, overall)
    m_rate = np.clip(np.nan_to_num(m_rate, nan=overall), -1.0, 1.0)
    cols["margin_rate"] = m_rate

    clv_gross = np.zeros(n)
    if bg is not None and has.any():
        gg_for_clv = gg if gg is not None else _OwnSpend(spend[has])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clv_gross[has] = np.asarray(
                _lt.customer_lifetime_value(
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
        _relay(caught, notes)
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


class _OwnSpend:
    """Stand-in for a Gamma-Gamma fit: each customer's own expected spend (rows in order)."""

    def __init__(self, spend: np.ndarray) -> None:
        self._spend = np.asarray(spend, dtype="float64")

    def conditional_expected_average_profit(self, frequency, monetary_value):
        return self._spend


# ----------------------------------------------------------------------------------------------
# 3. Scores
# ----------------------------------------------------------------------------------------------


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


def score_customers(frame: pd.DataFrame, notes: list | None = None) -> pd.DataFrame:
    r"""``value_score`` and ``loyalty_score`` per customer, with the z-scored components.

    Parameters
    ----------
    frame : DataFrame
        Features (:func:`customer_features`) joined with lifetime columns
        (:func:`lifetime_columns`).
    notes : list, optional
        Warnings are appended here as text too.

    Returns
    -------
    DataFrame
        ``value_rate`` (annual contribution while active, currency per year), ``value_score``,
        ``loyalty_score`` and the components ``z_*`` of the loyalty score.

    Notes
    -----
    **Value** is profitability in Reinartz & Kumar's sense, measured per year of an active
    relationship so that the value axis does not count duration a second time (CLV ≈ value rate
    × duration):

    .. math:: \text{value rate} = \hat\lambda \cdot \hat z \cdot \hat m - c,

    the posterior purchase rate while active (BG/NBD), the expected spend per purchase
    (Gamma-Gamma), the shrunk margin rate and the yearly cost to serve. Both model estimates are
    empirical-Bayes means, so a short history is pulled toward the population and cannot look
    extreme. ``value_score`` is the z-score of its signed log, :math:`\operatorname{asinh}(v/s)`
    with :math:`s` the median absolute value rate.

    **Loyalty** is the projected relationship duration, behavioural only (survey attitudes are a
    separate axis, Dick & Basu 1994). It is the mean of four equally weighted z-scores,

    * ``z_projected`` — ``log1p(projected_duration_days)``: the relationship so far (tenure up to
      the last purchase) plus the expected active time ahead (:func:`lifetime_columns`);
    * ``z_duration`` — ``−logit(dropout_propensity)``: the BG/NBD posterior chance of leaving
      after a purchase (low = a long relationship ahead);
    * ``z_p_active`` — ``logit(p_active)``: is the relationship still running;
    * ``z_deal`` — low deal-proneness: the mean of the z-scores of ``−promo_share_eb`` and, where
      a ``brand`` column exists, ``−switching_eb`` and ``−promo_switching_eb`` (shares shrunk by
      :func:`shrink_share`, so one purchase on promotion does not make a deal-seeker),
      re-standardised;

    re-standardised to mean 0 and standard deviation 1 (probabilities are clipped to
    [0.001, 0.999] before the logit). Equal (unit) weights are the transparent choice when no
    outcome is there to weight against. Frequency and tenure enter through the BG/NBD posteriors
    and the relationship length rather than as raw counts: a raw count would call every recently
    acquired customer disloyal for being new.
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

    p = np.clip(frame["p_active"].to_numpy(dtype="float64"), 1e-3, 1 - 1e-3)
    q = np.clip(frame["dropout_propensity"].to_numpy(dtype="float64"), 1e-3, 1 - 1e-3)
    out["z_projected"] = _zscore(
        np.log1p(frame["projected_duration_days"].to_numpy(dtype="float64")),
        "projected duration",
        notes,
    )
    out["z_duration"] = _zscore(-special.logit(q), "dropout propensity", notes)
    out["z_p_active"] = _zscore(special.logit(p), "p_active", notes)
    promo_eb, _ = shrink_share(frame["n_promo"], frame["n_purchases"])
    out["promo_share_eb"] = promo_eb
    deal = [_zscore(-promo_eb, "promo share", notes)]
    if "switching_rate" in frame.columns:
        switch_eb, _ = shrink_share(frame["n_switches"], frame["n_pairs"])
        promo_switch_eb, _ = shrink_share(frame["n_promo_switches"], frame["n_switches"])
        out["switching_eb"], out["promo_switching_eb"] = switch_eb, promo_switch_eb
        deal += [
            _zscore(-switch_eb, "switching rate", notes),
            _zscore(-promo_switch_eb, "promotion-conditional switching", notes),
        ]
    out["z_deal"] = _zscore(np.mean(deal, axis=0), "deal-proneness", notes, quiet=True)
    parts = ["z_projected", "z_duration", "z_p_active", "z_deal"]
    composite = out[parts].mean(axis=1).to_numpy()
    sd = composite.std()
    out["loyalty_score"] = (composite - composite.mean()) / sd if sd > 1e-12 else 0.0 * composite
    return out


# ----------------------------------------------------------------------------------------------
# 4. Archetypes
# ----------------------------------------------------------------------------------------------


class AxisThresholds(BaseEstimator):
    """Split one score axis into low and high: a two-component Gaussian mixture, or the median.

    Parameters
    ----------
    method : {"mixture", "median"} or float
        ``mixture`` (default): fit a two-component univariate Gaussian mixture by EM and cut where
        the two weighted component densities are equal between the component means (the Bayes
        boundary of the fitted mixture; McLachlan & Peel 2000). The mixture lets the data say
        where low and high part, instead of forcing half of the customers into each (the
        median) — value is concentrated in a minority, so a 50/50 split mislabels many.
        ``median``: the median. A number: that threshold.
    random_state : int
    max_fit_rows : int
        The mixture is fitted on a seeded sample of at most this many values.

    Attributes
    ----------
    threshold_ : float
    spread_ : float
        Within-component standard deviation (pooled), the unit of the confidence.
    method_ : str
        The method used (``median`` when the mixture fell back to it).
    """

    def __init__(self, method="mixture", random_state: int = 0, max_fit_rows: int = 20000):
        self.method = method
        self.random_state = random_state
        self.max_fit_rows = max_fit_rows

    def fit(self, scores, notes: list | None = None, name: str = "score"):
        s = np.asarray(scores, dtype="float64")
        sd = float(s.std()) if len(s) else 0.0
        self.spread_ = sd if sd > 0 else 1.0
        if not isinstance(self.method, str):
            self.threshold_, self.method_ = float(self.method), "given"
            return self
        if self.method not in ("mixture", "median"):
            raise ValueError(
                f"thresholds: unknown method {self.method!r} (mixture, median or a number)"
            )
        self.threshold_, self.method_ = float(np.median(s)), "median"
        if self.method == "median":
            return self
        if len(np.unique(s[: 10 * self.max_fit_rows])) < 4 or sd == 0:
            _warn(
                f"thresholds: too few distinct values of the {name} for a mixture; median used",
                notes,
            )
            return self
        rng = np.random.default_rng(self.random_state)
        sample = (
            s if len(s) <= self.max_fit_rows else rng.choice(s, self.max_fit_rows, replace=False)
        )
        start = np.quantile(sample, [0.25, 0.75])[:, None]  # deterministic start: the quartiles
        gm = GaussianMixture(2, random_state=self.random_state, means_init=start).fit(
            sample[:, None]
        )
        mu = gm.means_.ravel()
        var = gm.covariances_.ravel()
        lo, hi = np.argsort(mu)
        grid = np.linspace(mu[lo], mu[hi], 2001)
        dens = [gm.weights_[k] * stats.norm.pdf(grid, mu[k], np.sqrt(var[k])) for k in (lo, hi)]
        diff = dens[1] - dens[0]
        cross = np.flatnonzero(np.diff(np.sign(diff)) > 0)
        if len(cross) == 0 or min(gm.weights_) < 0.05:
            _warn(
                f"thresholds: the {name} shows no two groups (mixture weights "
                f"{np.round(gm.weights_, 2).tolist()}); median used",
                notes,
            )
            return self
        i = cross[0]
        # linear interpolation of the crossing
        t = grid[i] - diff[i] * (grid[i + 1] - grid[i]) / (diff[i + 1] - diff[i])
        self.threshold_, self.method_ = float(t), "mixture"
        self.spread_ = float(np.sqrt(np.sum(gm.weights_ * var)))
        self.mixture_ = {
            "means": mu[[lo, hi]].tolist(),
            "sds": np.sqrt(var[[lo, hi]]).tolist(),
            "weights": gm.weights_[[lo, hi]].tolist(),
        }
        return self

    def confidence(self, scores) -> np.ndarray:
        """Probability that the true score lies on the observed side: Φ(|s − t| / spread)."""
        s = np.asarray(scores, dtype="float64")
        return stats.norm.cdf(np.abs(s - self.threshold_) / self.spread_)


def assign_archetypes(
    scores: pd.DataFrame,
    frequency=None,
    thresholds="mixture",
    thin_history_max: int = 2,
    random_state: int = 0,
    max_fit_rows: int = 20000,
    notes: list | None = None,
) -> tuple[pd.DataFrame, dict]:
    r"""Place every customer in a quadrant of the value × loyalty grid.

    Parameters
    ----------
    scores : DataFrame
        ``value_score`` and ``loyalty_score`` (:func:`score_customers`).
    frequency : array-like, optional
        Purchase occasions per customer, for the ``thin_history`` flag.
    thresholds : {"mixture", "median"} or dict
        How each axis is split (:class:`AxisThresholds`); a dict gives ``value`` and ``loyalty``
        separately (a method name or a number on the z-score scale).
    thin_history_max : int
        Customers with at most this many purchase occasions are flagged ``thin_history``.
    random_state, max_fit_rows : int
        For the mixtures.

    Returns
    -------
    assigned : DataFrame
        ``archetype``, ``high_value``, ``high_loyalty``, ``archetype_confidence`` (probability,
        0.25–1, that both axes are on the observed side: the product of Φ(distance to the
        threshold / within-group spread) over the two axes — near 0.25 on the crossing, near 1
        far inside a quadrant) and ``thin_history``.
    info : dict
        Threshold, method and spread per axis.

    Notes
    -----
    Data-driven thresholds are fitted on the customers *beyond* a thin history (when there are
    at least 20): their scores rest on their own purchases, whereas thin-history scores are
    mostly the population prior and would blur the two groups the mixture looks for.

    Thin-history customers still get the quadrant their scores point to (the contract needs one),
    but their scores come from empirical-Bayes estimates that a short history pulls toward the
    population, so they sit nearer the thresholds and their confidence is lower; the flag says
    to read their label as provisional.
    """
    notes = notes if notes is not None else []
    spec = (
        thresholds if isinstance(thresholds, dict) else {"value": thresholds, "loyalty": thresholds}
    )
    if frequency is None:
        thin = np.zeros(len(scores), dtype=bool)
    else:
        thin = np.asarray(frequency, dtype="float64") <= thin_history_max
    fit_rows = ~thin if (~thin).sum() >= 20 else np.ones(len(scores), dtype=bool)
    axes = {}
    for axis in ("value", "loyalty"):
        axes[axis] = AxisThresholds(spec.get(axis, "mixture"), random_state, max_fit_rows).fit(
            scores[f"{axis}_score"].to_numpy(dtype="float64")[fit_rows], notes, f"{axis} score"
        )
    v = scores["value_score"].to_numpy(dtype="float64")
    lo = scores["loyalty_score"].to_numpy(dtype="float64")
    high_v = v >= axes["value"].threshold_
    high_l = lo >= axes["loyalty"].threshold_
    arche = np.select(
        [high_v & high_l, high_v & ~high_l, ~high_v & high_l], ARCHETYPES[:3], ARCHETYPES[3]
    )
    out = pd.DataFrame(index=scores.index)
    out["archetype"] = pd.Categorical(arche, categories=ARCHETYPES)
    out["high_value"] = high_v
    out["high_loyalty"] = high_l
    out["archetype_confidence"] = axes["value"].confidence(v) * axes["loyalty"].confidence(lo)
    out["thin_history"] = thin
    if len(np.unique(arche)) == 1:
        _warn(f"archetypes: every customer falls in one quadrant ({arche[0]})", notes)
    info = {
        axis: {
            "threshold": float(t.threshold_),
            "method": t.method_,
            "spread": float(t.spread_),
            **({"mixture": t.mixture_} if hasattr(t, "mixture_") else {}),
        }
        for axis, t in axes.items()
    }
    return out, info


# ----------------------------------------------------------------------------------------------
# 5. Clusters
# ----------------------------------------------------------------------------------------------


def _fit_gmm(X: np.ndarray, k: int, covariance_type: str, seed: int) -> GaussianMixture:
    return GaussianMixture(
        k, covariance_type=covariance_type, random_state=seed, n_init=1, reg_covar=1e-2
    ).fit(X)


def _criterion(gm: GaussianMixture, S: np.ndarray, criterion: str, seed: int) -> float:
    """Lower is better: BIC, ICL (BIC + 2 × classification entropy) or minus the silhouette."""
    if criterion == "bic":
        return float(gm.bic(S))
    if criterion == "icl":
        t = gm.predict_proba(S)
        return float(gm.bic(S) - 2 * np.sum(t * np.log(np.clip(t, 1e-300, 1.0))))
    labels = gm.predict(S)
    if len(np.unique(labels)) < 2:
        return float("inf")
    rows = np.random.default_rng(seed).choice(len(S), min(len(S), 4000), replace=False)
    if len(np.unique(labels[rows])) < 2:
        return float("inf")
    return -float(silhouette_score(S[rows], labels[rows]))


def cluster_customers(
    X: pd.DataFrame,
    k_range=(2, 8),
    covariance_type: str = "full",
    random_state: int = 0,
    max_fit_rows: int = 10000,
    n_boot: int = 10,
    criterion: str = "bic",
    notes: list | None = None,
) -> tuple[np.ndarray, dict]:
    r"""Natural groups in the standardised feature space: Gaussian mixtures, k by BIC.

    Parameters
    ----------
    X : DataFrame
        Standardised features, one row per customer to cluster.
    k_range : (int, int)
        Smallest and largest number of clusters tried.
    covariance_type : str
        Of :class:`sklearn.mixture.GaussianMixture`.
    random_state : int
        Seeds the sample, every fit and the bootstrap: the same seed gives the same report.
    max_fit_rows : int
        Mixtures are fitted on a seeded sample of at most this many customers, then every
        customer is assigned to its most probable component (so the cost does not grow with the
        customer base beyond one prediction pass).
    n_boot : int
        Bootstrap resamples of the stability report (0 = none).
    criterion : {"bic", "icl", "silhouette"}
        How the number of clusters is chosen: the Bayesian information criterion (Schwarz 1978;
        Fraley & Raftery 2002), the integrated completed likelihood, which adds the
        classification entropy and so prefers well-separated clusters (Biernacki, Celeux &
        Govaert 2000), or the mean silhouette width on a sample of 4,000 (Rousseeuw 1987).

    Returns
    -------
    labels : ndarray of int
        Cluster per customer, numbered 0… in decreasing order of size.
    info : dict
        ``k``, ``selection`` (DataFrame: ``k`` and the criterion, plus ``bic``), ``criterion``,
        ``stability`` (``ari_mean``, ``ari_sd``, ``ari_min``, ``n_boot``): the adjusted Rand
        index (Hubert & Arabie 1985) between the clustering of the fit sample and the clustering
        that a mixture refitted on a bootstrap resample gives the same customers — 1 is
        perfectly reproducible, 0 is chance. ``features``: the features used.

    Notes
    -----
    Components get a variance floor of 0.01 (``reg_covar``; the features are standardised, so a
    tenth of a standard deviation): without it, a group of customers with *identical* features
    (e.g. one-time buyers on the same day) becomes a zero-variance component of unbounded
    likelihood, and BIC would reward it. Features without variance are dropped; with none left
    every customer is one cluster.
    """
    notes = notes if notes is not None else []
    if criterion not in ("bic", "icl", "silhouette"):
        raise ValueError(f"clusters: unknown criterion {criterion!r} (bic, icl or silhouette)")
    M = X.to_numpy(dtype="float64")
    M = np.where(np.isfinite(M), M, 0.0)
    varying = M.std(axis=0) > 1e-9 if len(M) else np.zeros(M.shape[1], dtype=bool)
    n = len(M)
    if not varying.any() or n < 10:
        _warn(
            "clusters: no feature varies across customers (or fewer than 10 customers); "
            "everyone is one cluster",
            notes,
        )
        return np.zeros(n, dtype=int), {
            "k": 1,
            "criterion": criterion,
            "selection": pd.DataFrame({"k": [1], "bic": [np.nan], criterion: [np.nan]}),
            "stability": {"ari_mean": 1.0, "ari_sd": 0.0, "ari_min": 1.0, "n_boot": 0},
            "features": list(X.columns[varying]),
        }
    M = M[:, varying]
    rng = np.random.default_rng(random_state)
    fit_rows = (
        np.sort(rng.choice(n, max_fit_rows, replace=False)) if n > max_fit_rows else np.arange(n)
    )
    S = M[fit_rows]
    n_distinct = len(np.unique(S, axis=0))
    k_lo, k_hi = int(k_range[0]), int(k_range[1])
    k_hi = max(min(k_hi, n_distinct - 1, len(S) // 10), 1)
    k_lo = max(min(k_lo, k_hi), 1)
    rows, fits = [], {}
    for k in range(k_lo, k_hi + 1):
        gm = _fit_gmm(S, k, covariance_type, random_state)
        fits[k] = gm
        row = {"k": k, "bic": float(gm.bic(S))}
        row[criterion] = (
            _criterion(gm, S, criterion, random_state)
            if k > 1 or criterion != "silhouette"
            else float("inf")
        )
        rows.append(row)
    selection = pd.DataFrame(rows)
    k = int(selection.loc[selection[criterion].idxmin(), "k"])
    if k == k_hi and k_hi > k_lo:
        _warn(
            f"clusters: the {criterion.upper()} chose the largest number tried (k = {k}); "
            "a wider cluster_k range or criterion 'icl' may suit better",
            notes,
        )
    best = fits[k]
    raw = best.predict(M)
    sizes = np.bincount(raw, minlength=k)
    relabel = np.empty(k, dtype=int)
    relabel[np.argsort(-sizes, kind="stable")] = np.arange(k)
    labels = relabel[raw]
    ref = labels[fit_rows]
    aris = []
    for b in range(int(n_boot)):
        boot = np.random.default_rng([random_state, b]).integers(0, len(S), len(S))
        gm = _fit_gmm(S[boot], k, covariance_type, random_state + b + 1)
        aris.append(adjusted_rand_score(ref, gm.predict(S)))
    stability = {
        "ari_mean": float(np.mean(aris)) if aris else float("nan"),
        "ari_sd": float(np.std(aris)) if aris else float("nan"),
        "ari_min": float(np.min(aris)) if aris else float("nan"),
        "n_boot": int(n_boot),
    }
    return labels, {
        "k": k,
        "criterion": criterion,
        "selection": selection,
        "stability": stability,
        "features": list(X.columns[varying]),
    }


def archetype_stability(
    scores: pd.DataFrame,
    thresholds="mixture",
    n_boot: int = 10,
    random_state: int = 0,
    max_fit_rows: int = 20000,
    thin_history_max: int = 2,
) -> dict:
    """Bootstrap agreement of the archetype assignment, thresholds re-estimated per resample.

    Parameters
    ----------
    scores : DataFrame
        ``value_score``, ``loyalty_score`` and, optionally, ``frequency`` (then thresholds are
        fitted on customers beyond a thin history, as :func:`assign_archetypes` does).
    thresholds, random_state, max_fit_rows, thin_history_max
        As for :func:`assign_archetypes`.
    n_boot : int
        Resamples (seeded by ``random_state``: the same seed gives the same report).

    Returns
    -------
    dict
        ``ari_mean``, ``ari_sd``, ``ari_min`` (adjusted Rand index between the assignment and the
        assignment with thresholds fitted on a bootstrap resample of customers), ``agreement``
        (share of customers whose archetype is unchanged, mean over resamples) and ``n_boot``.
        Only meaningful for data-driven thresholds; fixed numbers give 1.
    """
    freq = scores["frequency"].to_numpy(dtype="float64") if "frequency" in scores else None
    ref, _ = assign_archetypes(
        scores, freq, thresholds, thin_history_max, random_state, max_fit_rows, notes=[]
    )
    thin = ref["thin_history"].to_numpy()
    pool = np.flatnonzero(~thin) if (~thin).sum() >= 20 else np.arange(len(scores))
    spec = (
        thresholds if isinstance(thresholds, dict) else {"value": thresholds, "loyalty": thresholds}
    )
    aris, agree = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SegmentWarning)
        for b in range(int(n_boot)):
            rows = pool[
                np.random.default_rng([random_state, 10_000 + b]).integers(0, len(pool), len(pool))
            ]
            fitted = {}
            for axis in ("value", "loyalty"):
                t = AxisThresholds(spec.get(axis, "mixture"), random_state + b + 1, max_fit_rows)
                fitted[axis] = t.fit(scores[f"{axis}_score"].to_numpy()[rows], []).threshold_
            again, _ = assign_archetypes(scores, thresholds=fitted, notes=[])
            aris.append(
                adjusted_rand_score(ref["archetype"].cat.codes, again["archetype"].cat.codes)
            )
            agree.append(
                float(np.mean(ref["archetype"].to_numpy() == again["archetype"].to_numpy()))
            )
    if not aris:
        nan = float("nan")
        return {"ari_mean": nan, "ari_sd": nan, "ari_min": nan, "agreement": nan, "n_boot": 0}
    return {
        "ari_mean": float(np.mean(aris)),
        "ari_sd": float(np.std(aris)),
        "ari_min": float(np.min(aris)),
        "agreement": float(np.mean(agree)),
        "n_boot": int(n_boot),
    }


def _name_clusters(frame: pd.DataFrame, no_purchase: int | None = None) -> pd.DataFrame:
    """Majority archetype and mean scores of each cluster, and a name from them."""
    g = frame.groupby("cluster", observed=True)
    table = pd.DataFrame(
        {
            "n": g.size(),
            "value_score": g["value_score"].mean(),
            "loyalty_score": g["loyalty_score"].mean(),
            "majority_archetype": g["archetype"].agg(lambda s: s.value_counts().index[0]),
            "majority_share": g["archetype"].agg(lambda s: s.value_counts(normalize=True).iloc[0]),
        }
    )
    table["cluster_name"] = [
        f"{c}: {'no purchase in window, ' if c == no_purchase else ''}{a} "
        f"(value {v:+.1f}, loyalty {lo:+.1f})"
        for c, a, v, lo in zip(
            table.index,
            table["majority_archetype"],
            table["value_score"],
            table["loyalty_score"],
            strict=True,
        )
    ]
    return table


# ----------------------------------------------------------------------------------------------
# 6. Profiles
# ----------------------------------------------------------------------------------------------


def profile_segments(
    segments: pd.DataFrame, feedback: pd.DataFrame | None = None, top_reasons: int = 3
) -> pd.DataFrame:
    """Per archetype and per cluster: size, value shares, behaviour, NPS and complaints.

    Parameters
    ----------
    segments : DataFrame
        The segments frame of :func:`segment_customers`.
    feedback : DataFrame, optional
        Unsolicited feedback; complaints (``kind == "complaint"``) linked to customers give the
        top ``reason`` values of each group.
    top_reasons : int
        How many complaint reasons to list.

    Returns
    -------
    DataFrame
        One row per ``level`` (``archetype`` or ``cluster``) and ``segment``: ``n``,
        ``share_customers``, ``share_margin`` (of the total net margin of the window; can be
        negative for groups that cost more than they bring), ``share_clv`` (of projected CLV),
        mean ``value_score``, ``loyalty_score``, ``p_alive``, ``clv``, ``promo_share``,
        ``switching_rate`` (with brand data), NPS with its adjusted-Wald interval
        (:func:`cemlib.cx.metrics.nps` on the customers' latest ``ltr``; NaN when nobody answered),
        ``top_complaints`` (``reason (count)``, …) and ``treatment`` (of the archetype, or of
        the cluster's majority archetype).
    """
    seg = segments
    margin_total = float(seg["margin_net"].sum())
    clv_total = float(seg["clv"].clip(lower=0).sum())
    complaints = None
    if feedback is not None and {"customer_id", "kind", "reason"} <= set(feedback.columns):
        fb = feedback[(feedback["kind"] == "complaint") & feedback["customer_id"].notna()]
        fb = fb[fb["reason"].notna()]
        complaints = fb[["customer_id", "reason"]].astype("string")
        row_of = pd.Series(np.arange(len(seg)), index=seg["customer_id"].astype("string"))
        complaints["row"] = row_of.reindex(complaints["customer_id"]).to_numpy()
        complaints = complaints[complaints["row"].notna()]
        complaints["row"] = complaints["row"].astype("int64")
    rows = []
    for level in ("archetype", "cluster"):
        if complaints is not None:
            labels = seg[level].astype("string").to_numpy()[complaints["row"].to_numpy()]
            by_segment = complaints.assign(segment=labels).groupby("segment")["reason"]
        for key, group in seg.groupby(level, observed=True, sort=True):
            row = {
                "level": level,
                "segment": str(key),
                "n": int(len(group)),
                "share_customers": len(group) / len(seg),
                "share_margin": float(group["margin_net"].sum()) / margin_total
                if margin_total
                else float("nan"),
                "share_clv": float(group["clv"].clip(lower=0).sum()) / clv_total
                if clv_total
                else float("nan"),
                "value_score": float(group["value_score"].mean()),
                "loyalty_score": float(group["loyalty_score"].mean()),
                "p_alive": float(group["p_alive"].mean()),
                "clv": float(group["clv"].mean()),
                "promo_share": float(group["promo_share"].mean()),
            }
            if "switching_rate" in group.columns:
                row["switching_rate"] = float(group["switching_rate"].mean())
                row["promo_switching"] = float(group["promo_switching"].mean())
            if "ltr" in group.columns:
                res = _nps(group["ltr"])
                row.update(
                    {
                        "nps": res["nps"],
                        "nps_ci_low": res["ci_low"],
                        "nps_ci_high": res["ci_high"],
                        "nps_n": res["n"],
                    }
                )
            if complaints is not None:
                mine = (
                    by_segment.get_group(str(key))
                    if str(key) in by_segment.groups
                    else pd.Series([], dtype="string")
                )
                counts = mine.value_counts().head(top_reasons)
                row["n_complaints"] = int(len(mine))
                row["top_complaints"] = ", ".join(f"{r} ({c})" for r, c in counts.items())
            arche = str(key) if level == "archetype" else str(group["cluster_archetype"].iloc[0])
            row["treatment"] = treatment(arche)
            rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# 7. The stage
# ----------------------------------------------------------------------------------------------


_CLUSTER_FEATURES = (
    "value_score",
    "z_projected",
    "z_duration",
    "z_p_active",
    "z_deal",
    "purchase_rate",
    "expected_spend",
    "margin_rate",
    "cost_to_serve",
)
_LOG_FEATURES = (
    "purchase_rate",
    "expected_spend",
    "monetary",
    "cost_to_serve",
    "clv",
    "margin_total",
    "margin_net",
    "revenue",
    "tenure_days",
    "recency_days",
    "relationship_days",
    "projected_duration_days",
    "frequency",
    "n_purchases",
)


def _cluster_matrix(frame: pd.DataFrame, columns, notes: list) -> pd.DataFrame:
    """Standardised clustering features.

    Default: the value score, the four loyalty components and the ingredients of the value
    rate (purchase rate, expected spend, margin rate, cost to serve). Scores and ``z_*``
    components are used as they are; money, counts and durations as z-scores of their signed
    log (:func:`_slog`), other features as plain z-scores.
    """
    if columns is None:
        columns = [c for c in _CLUSTER_FEATURES if c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"segments: cluster_features {missing} are not columns of the features")
    X = pd.DataFrame(index=frame.index)
    for c in columns:
        v = frame[c].to_numpy(dtype="float64")
        if c.startswith("z_") or c.endswith("_score"):
            X[c] = v
        elif c in _LOG_FEATURES:
            X[c] = _zscore(_slog(v), c, notes)
        else:
            X[c] = _zscore(v, c, notes)
    return X


def attitudinal_grid(segments: pd.DataFrame, attitude: str | None = None) -> pd.Series:
    """Dick & Basu (1994) loyalty type: relative attitude × repeat patronage.

    Repeat patronage is the behavioural loyalty axis (``high_loyalty``); relative attitude is
    ``emotional_loyalty`` (else ``ltr``), high at or above its median among surveyed customers.
    Types: ``loyalty`` (both high), ``latent`` (attitude high, patronage low), ``spurious``
    (patronage high, attitude low), ``no loyalty``; missing for customers never surveyed.
    """
    if attitude is None:
        attitude = next((c for c in ("emotional_loyalty", "ltr") if c in segments.columns), None)
    if attitude is None or segments[attitude].notna().sum() == 0:
        return pd.Series(pd.NA, index=segments.index, dtype="string", name="attitudinal_type")
    att = segments[attitude]
    high_att = att >= att.median()
    high_beh = segments["high_loyalty"].astype(bool)
    kind = np.select(
        [high_att & high_beh, high_att & ~high_beh, ~high_att & high_beh],
        ["loyalty", "latent", "spurious"],
        "no loyalty",
    )
    out = pd.Series(kind, index=segments.index, dtype="string", name="attitudinal_type")
    out[att.isna()] = pd.NA
    return out


def segment_customers(
    tables: dict, codebook=None, params: dict | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The segments stage: features, lifetime models, archetypes, clusters, profiles.

    Parameters
    ----------
    tables : dict
        Clean tables by name (DESIGN §4): ``transactions`` (required), ``customers``,
        ``responses``, ``feedback`` (optional).
    codebook : Codebook, optional
        For the survey features.
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS` (``params.yaml`` → ``segments``).

    Returns
    -------
    segments : DataFrame
        One row per customer, the contract of ``data/results/segments.parquet`` (DESIGN §9):
        ``customer_id``, ``archetype``, ``value_score``, ``loyalty_score``, ``cluster``, ``clv``,
        ``p_alive``, then ``cluster_name``, ``thin_history``, ``archetype_confidence``,
        ``attitudinal_type`` (:func:`attitudinal_grid`) and the features used (:func:`customer_features`, :func:`lifetime_columns`,
        :func:`score_customers`). The contract columns are never NaN.
    profiles : DataFrame
        :func:`profile_segments`.
    info : dict
        ``thresholds`` (per axis), ``clusters`` (k, BIC table, stability, names, standardised
        means per cluster for a heatmap), ``archetype_stability``, ``lifetime`` (model
        parameters), ``observation_end``, ``margin_basis``, ``focal_brand``, ``params`` and
        ``warnings`` (every warning raised, as text).
    """
    p = {**DEFAULT_PARAMS, **(params or {})}
    unknown = set(p) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(
            f"segments: unknown parameter(s) {sorted(unknown)}; "
            f"expected some of {sorted(DEFAULT_PARAMS)}"
        )
    if "transactions" not in tables or tables["transactions"] is None:
        raise ValueError("segments: a transactions table is needed to segment customers")
    notes: list[str] = []
    tx = tables["transactions"]
    feats = customer_features(
        tx,
        tables.get("customers"),
        tables.get("responses"),
        codebook,
        observation_end=p["observation_end"],
        focal_brand=p["focal_brand"],
        default_margin_rate=p["default_margin_rate"],
        notes=notes,
    )
    attrs = dict(feats.attrs)
    life, life_info = lifetime_columns(
        tx,
        feats,
        p["time_unit_days"],
        p["horizon_days"],
        p["annual_discount_rate"],
        p["duration_days"],
        notes,
    )
    frame = pd.concat([feats, life], axis=1)
    frame.attrs = attrs
    scores = score_customers(frame, notes)
    frame = pd.concat([frame, scores], axis=1)
    assigned, thr_info = assign_archetypes(
        frame,
        frame["frequency"],
        p["thresholds"],
        p["thin_history_max"],
        p["random_state"],
        p["max_fit_rows"],
        notes,
    )
    frame = pd.concat([frame, assigned], axis=1)
    n_thin = int(frame["thin_history"].sum())
    if n_thin:
        _warn(
            f"segments: {n_thin} of {len(frame)} customers ({n_thin / len(frame):.0%}) have at "
            f"most {p['thin_history_max']} purchase occasions; their archetype is provisional "
            "(thin_history)",
            notes,
        )

    X = _cluster_matrix(frame, p["cluster_features"], notes)
    # customers without a purchase in the window have identical features: their own group
    buyers = frame["n_purchases"].to_numpy() > 0
    labels = np.zeros(len(frame), dtype=int)
    sub, cl_info = cluster_customers(
        X[buyers],
        p["cluster_k"],
        p["covariance_type"],
        p["random_state"],
        p["cluster_max_rows"],
        p["n_boot"],
        p["cluster_criterion"],
        notes,
    )
    labels[buyers] = sub
    cl_info["no_purchase_cluster"] = None
    if (~buyers).any():
        labels[~buyers] = int(sub.max()) + 1 if buyers.any() else 0
        cl_info["no_purchase_cluster"] = int(labels[~buyers][0])
    frame["cluster"] = labels
    names = _name_clusters(frame, cl_info["no_purchase_cluster"])
    frame["cluster_name"] = names["cluster_name"].reindex(labels).to_numpy()
    frame["cluster_archetype"] = names["majority_archetype"].reindex(labels).to_numpy()
    centroids = X.groupby(labels).mean()
    centroids.index.name = "cluster"
    cl_info.update({"names": names, "centroids": centroids})
    arch_stab = archetype_stability(
        frame,
        p["thresholds"],
        p["n_boot"],
        p["random_state"],
        p["max_fit_rows"],
        p["thin_history_max"],
    )

    frame["attitudinal_type"] = attitudinal_grid(frame)
    contract = [
        "customer_id",
        "archetype",
        "value_score",
        "loyalty_score",
        "cluster",
        "clv",
        "p_alive",
    ]
    lead = contract + ["cluster_name", "thin_history", "archetype_confidence"]
    segments = frame[lead + [c for c in frame.columns if c not in lead]].copy()
    segments["archetype"] = segments["archetype"].astype("string")
    for c in ("value_score", "loyalty_score", "clv", "p_alive", "archetype_confidence"):
        bad = ~np.isfinite(segments[c].to_numpy(dtype="float64"))
        if bad.any():  # defensive: the steps above keep these finite
            _warn(f"segments: {int(bad.sum())} non-finite {c} set to 0", notes)
            segments.loc[bad, c] = 0.0
    profiles = profile_segments(segments, tables.get("feedback"), p["top_reasons"])
    info = {
        "thresholds": thr_info,
        "clusters": cl_info,
        "archetype_stability": arch_stab,
        "lifetime": life_info,
        "observation_end": attrs["observation_end"],
        "margin_basis": attrs["margin_basis"],
        "focal_brand": attrs["focal_brand"],
        "params": p,
        "warnings": notes,
    }
    return segments.reset_index(drop=True), profiles, info


# ----------------------------------------------------------------------------------------------
# 8. Recovery of the planted truth
# ----------------------------------------------------------------------------------------------


def _recovery_metrics(truth: pd.Series, found: pd.Series) -> dict:
    recall = {}
    precision = {}
    for a in ARCHETYPES:
        t, f = truth == a, found == a
        recall[a] = float((t & f).sum() / t.sum()) if t.any() else float("nan")
        precision[a] = float((t & f).sum() / f.sum()) if f.any() else float("nan")
    return {
        "n": int(len(truth)),
        "ari": float(adjusted_rand_score(truth, found)) if len(truth) else float("nan"),
        "accuracy": float((truth == found).mean()) if len(truth) else float("nan"),
        "recall": recall,
        "precision": precision,
    }


def archetype_recovery(segments: pd.DataFrame, truth_dir) -> tuple[pd.DataFrame, dict]:
    """How well the archetypes recover those the synthetic world planted.

    Parameters
    ----------
    segments : DataFrame
        The segments frame (``customer_id``, ``archetype``, ``thin_history``).
    truth_dir : path
        Folder holding ``archetypes.parquet`` (``truth/`` of a synthetic world).

    Returns
    -------
    confusion : DataFrame
        Planted archetype (rows) × assigned archetype (columns), counts; empty without truth.
    metrics : dict
        ``ari`` (adjusted Rand index, Hubert & Arabie 1985), ``accuracy``, ``recall`` and
        ``precision`` per archetype and ``n`` over all matched customers; the same under
        ``established`` for customers without ``thin_history``, with ``coverage`` (their share);
        empty without truth.

    Notes
    -----
    The synthetic world plants archetypes as latent classes that are well apart in their buying
    parameters (a classifier given every customer's true parameters reaches an ARI near 1), but a
    two-year window shows many customers only once or twice and a relationship's length only once
    it has ended, so recovery from the data stays well below 1 (on the default world about 0.63,
    see ``tests/test_segments.py``).
    """
    from pathlib import Path

    path = Path(truth_dir) / "archetypes.parquet"
    if not path.exists():
        return pd.DataFrame(), {}
    truth = pd.read_parquet(path, columns=["customer_id", "archetype"])
    truth["customer_id"] = truth["customer_id"].astype("string")
    seg = segments[["customer_id", "archetype", "thin_history"]].copy()
    seg["customer_id"] = seg["customer_id"].astype("string")
    both = seg.merge(truth, on="customer_id", suffixes=("", "_true"))
    t = both["archetype_true"].astype("string")
    f = both["archetype"].astype("string")
    confusion = pd.crosstab(
        pd.Categorical(t, categories=ARCHETYPES),
        pd.Categorical(f, categories=ARCHETYPES),
        rownames=["planted"],
        colnames=["assigned"],
        dropna=False,
    )
    metrics = _recovery_metrics(t, f)
    est = ~both["thin_history"].to_numpy(dtype=bool)
    metrics["established"] = _recovery_metrics(t[est], f[est])
    metrics["established"]["coverage"] = float(est.mean()) if len(est) else float("nan")
    metrics["n_truth"] = int(len(truth))
    return confusion, metrics


# ----------------------------------------------------------------------------------------------
# 9. The stage: which analyses the data allows
# ----------------------------------------------------------------------------------------------

NEEDS_TRANSACTIONS = "the transactions table (customer_id, ts, amount)"
NEEDS_LINKED_SURVEY = "survey responses with a customer_id that matches a customer"


@dataclass
class SegmentsPlan:
    """What the segments stage can compute from the tables at hand (:func:`plan_stage`).

    ``skips`` holds one entry per section-level analysis that cannot run (its report section
    shows the line); ``blocked`` names parts of a section not run because the section was skipped
    (no line of their own).
    """

    skips: object  # cemlib.stages.skips.Skips
    blocked: set = field(default_factory=set)

    def runs(self, analysis: str) -> bool:
        return self.skips.runs(analysis) and analysis not in self.blocked

    def show(self, analysis: str) -> None:
        """Print the analysis's skip line (nothing for a blocked part)."""
        if analysis in self.skips:
            self.skips.show(analysis)


def _linked_responses(tables: dict) -> pd.DataFrame:
    """Responses whose customer_id is a customer of the transactions or customers table."""
    responses = tables.get("responses")
    if responses is None or "customer_id" not in responses.columns:
        return pd.DataFrame()
    known = [
        tables[t]["customer_id"].dropna().astype("string")
        for t in ("transactions", "customers")
        if tables.get(t) is not None and "customer_id" in tables[t].columns
    ]
    if not known:
        return responses.iloc[0:0]
    ids = pd.concat(known).unique()
    return responses[responses["customer_id"].astype("string").isin(ids).fillna(False)]


def plan_stage(tables: dict, codebook=None, holdout_days: int = 182) -> SegmentsPlan:
    """Decide which analyses of the segments stage the data allows, and say why not for the rest.

    Section-level analyses: ``value × loyalty archetypes`` (the map, what each archetype is
    worth and the treatments), ``value concentration``, ``CLV by archetype``, ``natural
    clusters``, ``lifetime-model holdout check``, ``brand switching``, ``attitude × behaviour
    grid``; parts of the archetype table: ``NPS per archetype`` and ``complaints per archetype``
    (a line of their own only when the archetypes run). Everything needs transactions; the
    survey-linked parts need responses carrying customer ids that match a customer; brand
    switching needs a ``brand`` column; the holdout check needs a history longer than its
    held-out period. (Whether the lifetime model then fits is known only after trying: the
    notebook adds that skip itself.)
    """
    from cemlib.stages.skips import Skips

    plan = SegmentsPlan(skips=Skips())
    skips = plan.skips
    tx = tables.get("transactions")
    if tx is None or len(tx) == 0:
        reason = (
            "The input has no transactions table."
            if tx is None
            else "The transactions table has no rows."
        )
        for analysis in (
            "value × loyalty archetypes",
            "value concentration",
            "CLV by archetype",
            "natural clusters",
            "lifetime-model holdout check",
        ):
            skips.add(analysis, NEEDS_TRANSACTIONS, reason)
        skips.add("brand switching", f"{NEEDS_TRANSACTIONS} with a brand column", reason)
        skips.add(
            "attitude × behaviour grid", f"{NEEDS_TRANSACTIONS} and {NEEDS_LINKED_SURVEY}", reason
        )
        plan.blocked |= {"NPS per archetype", "complaints per archetype"}
        return plan

    if "brand" not in tx.columns or tx["brand"].notna().sum() == 0:
        skips.add(
            "brand switching",
            "a brand column in transactions (a category panel with competitors' brands)",
            "The transactions record only purchases of this company, not the brand chosen.",
        )
    ts = pd.to_datetime(tx["ts"])
    span = (ts.max() - ts.min()).days if ts.notna().any() else 0
    if span <= holdout_days:
        skips.add(
            "lifetime-model holdout check",
            f"transactions spanning more than the held-out {holdout_days} days",
            f"The transactions span {span} day{'' if span == 1 else 's'}.",
        )
    linked = _linked_responses(tables)
    ltr, loyalty, _ = _survey_items(codebook, linked) if len(linked) else (None, [], {})
    has_nps = codebook is not None and any(
        i.role == "outcome" and i.metric == "nps" for i in codebook.items
    )
    if tables.get("responses") is None:
        why = "The input has no survey responses."
    elif "customer_id" not in tables["responses"].columns:
        why = "The responses carry no customer_id: the survey is anonymous."
    elif len(linked) == 0:
        why = "No response's customer_id matches a customer."
    else:
        why = None
    if why or ltr is None:
        skips.add(
            "NPS per archetype",
            f"{NEEDS_LINKED_SURVEY}, and a 0–10 likelihood-to-recommend item",
            why or ("The codebook has no NPS item." if not has_nps else "Nobody answered it."),
        )
    if why or (ltr is None and not loyalty):
        skips.add(
            "attitude × behaviour grid",
            f"{NEEDS_LINKED_SURVEY}, with an NPS or emotional-loyalty item",
            why or "The codebook has neither an NPS item nor loyalty items.",
        )
    feedback = tables.get("feedback")
    complaints = 0
    if feedback is not None and {"customer_id", "kind", "reason"} <= set(feedback.columns):
        complaints = int(
            (
                (feedback["kind"] == "complaint")
                & feedback["customer_id"].notna()
                & feedback["reason"].notna()
            ).sum()
        )
    if complaints == 0:
        skips.add(
            "complaints per archetype",
            "a feedback table of complaints with a customer_id and a reason",
            "The input has no feedback table."
            if feedback is None
            else "No complaint carries both a customer_id and a reason.",
        )
    return plan


def brand_behaviour(segments: pd.DataFrame) -> pd.DataFrame:
    """Brand switching and deal-proneness per archetype, pooled over the archetype's purchases.

    Per archetype: customers, ``switching_rate`` (switches / consecutive purchase pairs),
    ``promo_switching`` (switches onto a brand bought on promotion / switches — Gupta's (1988)
    promotion-conditional switching), ``promo_share`` (purchases on promotion / purchases) and
    the mean share of category requirements of the focal brand (``scr``). Pooled ratios weigh
    each purchase alike, so a household with two purchases cannot swing an archetype's rate.
    Empty (with these columns) without brand data.
    """
    columns = ["archetype", "customers", "switching_rate", "promo_switching", "promo_share", "scr"]
    if "n_switches" not in segments.columns:
        return pd.DataFrame(columns=columns)
    g = segments.groupby("archetype", observed=True, sort=False)
    table = pd.DataFrame(
        {
            "customers": g.size(),
            "switching_rate": g["n_switches"].sum() / g["n_pairs"].sum().replace(0, np.nan),
            "promo_switching": g["n_promo_switches"].sum()
            / g["n_switches"].sum().replace(0, np.nan),
            "promo_share": g["n_promo"].sum() / g["n_purchases"].sum().replace(0, np.nan),
            "scr": g["scr"].mean(),
        }
    )
    order = [a for a in ARCHETYPES if a in table.index]
    return table.reindex(order).rename_axis("archetype").reset_index()[columns]


def empty_results() -> dict[str, pd.DataFrame]:
    """The segments stage's result tables with their contract columns and no rows (DESIGN §9),
    written when there is nothing to segment."""

    num = "float64"
    return {
        "segments": empty_frame(
            {"customer_id": "string", "archetype": "string", "value_score": num}
            | {"loyalty_score": num, "cluster": "int64", "clv": num, "p_alive": num}
            | {"cluster_name": "str", "thin_history": "bool", "archetype_confidence": num}
        ),
        "segments_profiles": empty_frame(
            {"level": "str", "segment": "str", "n": "int64"}
            | {c: num for c in ("share_customers", "share_margin", "share_clv", "value_score")}
            | {c: num for c in ("loyalty_score", "p_alive", "clv", "promo_share")}
            | {"treatment": "str"}
        ),
        "segments_holdout": empty_frame(
            {"bucket": "str", "n_customers": "int64", "actual": num, "predicted": num}
            | {"difference": num}
        ),
    }


def holdout_or_reason(
    transactions: pd.DataFrame, holdout_days: int = 182, time_unit_days: float = 7.0
) -> tuple[pd.DataFrame | None, str | None]:
    """The BG/NBD holdout table (:func:`cemlib.stats.lifetime.holdout_validation`), or why the model
    could not be fitted on the calibration period (then ``None``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            _, table = _lt.holdout_validation(
                transactions, holdout_days=holdout_days, time_unit_days=time_unit_days
            )
    except ValueError as err:
        return None, f"The BG/NBD could not be fitted on the calibration period ({err})."
    return table, None
