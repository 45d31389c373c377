r"""Per-customer features of the segments stage, from transactions, customers and linked surveys.

:func:`customer_features` computes, vectorised, what the two behavioural axes and the clusters
are built on: purchase occasions, recency, spend, margin net of the cost to serve, tenure,
regularity of the gaps between purchases, promotion share and — with a ``brand`` column — share
of category requirements and brand switching, including switching onto a brand bought on
promotion, the most consistent deal-proneness signal in scanner panels (Gupta 1988). From survey
responses linked by ``customer_id`` it takes the latest likelihood to recommend and the
emotional-loyalty items, the attitudinal axis of Dick & Basu (1994). The tables and their columns
are those of ``docs/data-model.md``.

References
----------
Dick, A. S. & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework.
*Journal of the Academy of Marketing Science* 22(2), 99–113.

Gupta, S. (1988). Impact of sales promotions on when, what, and how much to buy. *Journal of
Marketing Research* 25(4), 342–355.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx.segments._common import _DAYS_PER_YEAR, _NS_PER_DAY, _ratio, _warn

__all__ = ["customer_features"]


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
        The clean ``transactions`` table (``docs/data-model.md``): ``customer_id``, ``ts``,
        ``amount`` (negative = return), optional ``margin``, ``promo``, ``brand``.
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
            the number of purchase *occasions* (all of them, the first included): days with a
            purchase (same-day purchases merged, as in :func:`cemlib.stats.lifetime.rfm_summary`,
            whose ``repeat_purchases`` is this minus one). The name is that of the column in
            ``data/results/segments.parquet``.
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
            signal in scanner panels (Gupta 1988). The counts behind them: ``n_focal``,
            ``n_brand_known``, ``n_pairs``, ``n_switches``, ``n_promo_switches``.
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
        n_focal = np.bincount(b_code[known], weights=b_brand[known] == focal_brand, minlength=n)
        out["scr"] = _ratio(n_focal, n_known, 0.0)
        out["n_focal"] = n_focal.astype("int64")
        out["n_brand_known"] = n_known
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
