r"""The segments stage in one call: :func:`segment_customers`, with its parameters.

It runs the steps of the sub-package in order — features (:mod:`.features`), lifetime columns
(:mod:`.lifetime_columns`), scores (:mod:`.scores`), archetypes (:mod:`.grid`), clusters on
the standardised features (:func:`_cluster_matrix`, :mod:`.clusters`), profiles
(:mod:`.profiles`) — and returns the per-customer frame whose leading columns are the contract of
``data/results/segments.parquet``, the segment profiles and everything a report needs. The
transactions may name their columns differently: the keyword arguments map them to the names
used inside (those of ``docs/data-model.md``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cemlib.cx.segments._common import _warn
from cemlib.cx.segments.clusters import _name_clusters, archetype_stability, cluster_customers
from cemlib.cx.segments.contractual import contractual_columns, detect_business_model
from cemlib.cx.segments.features import customer_features
from cemlib.cx.segments.grid import TREATMENTS, assign_archetypes
from cemlib.cx.segments.lifetime_columns import lifetime_columns
from cemlib.cx.segments.profiles import attitudinal_grid, profile_segments
from cemlib.cx.segments.scores import _slog, _zscore, score_customers
from cemlib.data import contracts

if TYPE_CHECKING:
    from cemlib.data.schema import Codebook

__all__ = ["DEFAULT_PARAMS", "archetypes", "segment_customers"]

DEFAULT_PARAMS: dict[str, Any] = {
    "observation_end": None,  # last day observed (inclusive); default: day of the last transaction
    "time_unit_days": 7.0,  # lifetime models count time in weeks (Fader, Hardie & Lee 2005)
    "horizon_days": 365,  # horizon of expected purchases and CLV
    "duration_days": 1095,  # horizon of the projected remaining relationship (loyalty axis)
    "annual_discount_rate": 0.10,  # CLV discount rate per year
    "default_margin_rate": 1.0,  # margin = amount × this when transactions carry no margin
    "focal_brand": None,  # brand whose share of requirements is measured; default: most bought
    "thin_history_max": 2,  # customers with at most this many purchase occasions: thin history
    "business_model": "auto",  # auto | non_contractual | contractual (lifetime model to use)
    "thresholds": "mixture",  # mixture | median | {"value": z, "loyalty": z}
    "threshold_boot": 20,  # bootstrap fits of each axis' mixture: the cut is their median
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


_CLUSTER_FEATURES = (
    "value_score",
    "z_rhythm",
    "z_tenure",
    "z_deal",
    "z_model",
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


def _cluster_matrix(
    frame: pd.DataFrame, columns: Sequence[str] | None, notes: list[str]
) -> pd.DataFrame:
    """Standardised clustering features.

    Default: the value score, the four loyalty components and the ingredients of the value
    rate (purchase rate, expected spend, margin rate, cost to serve). Scores and ``z_*``
    components are used as they are; money, counts and durations as z-scores of their signed
    log (:func:`~cemlib.cx.segments.scores._slog`), other features as plain z-scores.
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


def _model_weight(
    business_model: str,
    fitted: dict[str, float] | None,
    degenerate: list[str],
    failed_check: str | None = None,
) -> tuple[float, str]:
    """Weight of the lifetime model in the loyalty axis, from its diagnostics, and why."""
    name = "sBG" if business_model == "contractual" else "BG/NBD"
    if fitted is None:
        return 0.0, f"The {name} could not be fitted; loyalty rests on observed behaviour alone."
    if failed_check == "steady acquisition":
        return 0.0, (
            f"The {name} was fitted on a snapshot of today's customers, which assumes steady "
            "acquisition, and their tenures contradict it; loyalty rests on observed behaviour "
            "alone, and the CLV it gives should not be read."
        )
    if degenerate:
        return 0.0, (
            f"The {name} fit is degenerate ({', '.join(degenerate)} at an extreme: not identified "
            "by these data); loyalty rests on observed behaviour alone."
        )
    return (
        1.0,
        f"The {name} fitted without degenerate parameters; it is one of four loyalty inputs.",
    )


def _canonical_transactions(
    transactions: pd.DataFrame, names: Mapping[str, str | None]
) -> pd.DataFrame:
    """The transactions with the columns the stage reads under their internal names.

    ``names`` maps each internal name (``customer_id``, ``ts``, …) to the caller's column, or to
    ``None`` for the internal name itself. A renamed copy is returned (a column that already
    carries an internal name given to another column is left out of it); the input is never
    changed, and returned as it is when every column already has its internal name.
    """
    given = {internal: col for internal, col in names.items() if col not in (None, internal)}
    missing = [col for col in given.values() if col not in transactions.columns]
    if missing:
        raise ValueError(
            f"segments: the transactions have no column(s) {missing}; "
            f"have {list(transactions.columns)}"
        )
    if len(set(given.values())) < len(given):
        raise ValueError(f"segments: one column given for several roles: {given}")
    if not given:
        return transactions
    rename = {col: internal for internal, col in given.items()}
    replaced = [c for c in given if c in transactions.columns and c not in rename]
    return transactions.drop(columns=replaced).rename(columns=rename)


def segment_customers(
    tables: Mapping[str, pd.DataFrame | None],
    codebook: Codebook | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    customer: str = "customer_id",
    timestamp: str = "ts",
    amount: str = "amount",
    margin: str | None = None,
    promo: str | None = None,
    brand: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The segments stage: features, lifetime models, archetypes, clusters, profiles.

    Parameters
    ----------
    tables : dict
        Clean tables by name (``docs/data-model.md``): ``transactions`` (required),
        ``customers``, ``responses``, ``feedback`` (optional).
    codebook : Codebook, optional
        For the survey features.
    params : dict, optional
        Overrides of :data:`DEFAULT_PARAMS` (``params.yaml`` → ``segments``).
    customer, timestamp, amount : str
        The transactions' columns holding the customer id, the time and the amount (negative =
        return); default the data model's ``customer_id``, ``ts`` and ``amount``.
    margin, promo, brand : str, optional
        The transactions' columns holding the gross margin, the promotion flag and the brand;
        ``None`` uses the column of the data model's name (``margin``, ``promo``, ``brand``)
        when there is one. A table with other names is renamed in a copy, never changed; the
        other tables keep the data model's names.

    Returns
    -------
    segments : DataFrame
        One row per customer, written as ``data/results/segments.parquet``. Its contract
        (:mod:`cemlib.data.contracts`), the leading columns: ``customer_id``, ``archetype``,
        ``value_score``, ``loyalty_score``, ``cluster``, ``clv``, ``p_alive``, then
        ``cluster_name``, ``thin_history``, ``archetype_confidence``; after them
        ``attitudinal_type`` (:func:`attitudinal_grid`) and the features used
        (:func:`customer_features`, :func:`lifetime_columns`, :func:`score_customers`). The
        contract columns are never NaN.
    profiles : DataFrame
        :func:`profile_segments`.
    info : dict
        ``thresholds`` (per axis), ``clusters`` (k, BIC table, stability, names, standardised
        means per cluster for a heatmap), ``archetype_stability``, ``lifetime`` (model
        parameters), ``business_model`` (:func:`~cemlib.cx.segments.contractual.
        detect_business_model`: which lifetime model and why), ``loyalty`` (the components'
        weights and why the model's weight is what it is), ``observation_end``,
        ``margin_basis``, ``focal_brand``, ``params`` and ``warnings`` (every warning raised, as
        text).
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
    tx = _canonical_transactions(
        tables["transactions"],
        {"customer_id": customer, "ts": timestamp, "amount": amount}
        | {"margin": margin, "promo": promo, "brand": brand},
    )
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
    business = detect_business_model(feats, tables.get("customers"), p["business_model"])
    if business["model"] == "contractual":
        life, life_info = contractual_columns(
            feats,
            business["period_days"],
            p["horizon_days"],
            p["annual_discount_rate"],
            p["duration_days"],
            notes,
        )
        fitted, degenerate = life_info["sbg"], life_info["sbg_degenerate"]
        failed_check = life_info["sbg_failed_check"]
    else:
        life, life_info = lifetime_columns(
            tx,
            feats,
            p["time_unit_days"],
            p["horizon_days"],
            p["annual_discount_rate"],
            p["duration_days"],
            notes,
        )
        fitted, degenerate = life_info["bgnbd"], life_info.get("bgnbd_degenerate", [])
        failed_check = None
    model_weight, model_note = _model_weight(business["model"], fitted, degenerate, failed_check)
    frame = pd.concat([feats, life], axis=1)
    frame.attrs = attrs
    scores = score_customers(frame, notes, model_weight)
    loyalty_info = {"weights": scores.attrs["loyalty_weights"], "model": model_note}
    frame = pd.concat([frame, scores], axis=1)
    assigned, thr_info = assign_archetypes(
        frame,
        frame["frequency"],  # all purchase occasions: thin_history counts them
        p["thresholds"],
        p["thin_history_max"],
        p["random_state"],
        p["max_fit_rows"],
        notes,
        p["threshold_boot"],
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
    lead = contracts.columns("segments")  # the contract columns come first, in its order
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
        "business_model": business,
        "loyalty": loyalty_info,
        "thin_history_share": n_thin / len(frame) if len(frame) else None,
        "observation_end": attrs["observation_end"],
        "margin_basis": attrs["margin_basis"],
        "focal_brand": attrs["focal_brand"],
        "params": p,
        "warnings": notes,
    }
    return segments.reset_index(drop=True), profiles, info


def archetypes(
    transactions: pd.DataFrame,
    customer: str = "customer_id",
    timestamp: str = "ts",
    amount: str = "amount",
    margin: str | None = None,
    responses: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    customers: pd.DataFrame | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Strategic customers, butterflies, barnacles and strangers from a transactions table.

    Value (net margin and CLV) × loyalty (projected relationship duration and observed buying)
    give each customer an archetype; the segments stage runs the same analysis
    (:func:`segment_customers`, which also returns clusters and profiles).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (negative amount = return), any column names.
    customer, timestamp, amount : str
        The columns holding the customer id, the time of purchase and the amount.
    margin : str, optional
        Gross-margin column (default: amount × ``default_margin_rate``).
    responses, codebook : optional
        Survey responses with a ``customer_id`` and their codebook: adds advocacy to the profile.
    customers : DataFrame, optional
        The customers table (``customer_id``, ``first_seen``): tenure from acquisition.
    **params
        Overrides of :data:`DEFAULT_PARAMS` (the ``segments`` section of ``params.yaml``).

    Returns
    -------
    DataFrame
        One row per customer: the customer column (under its own name), ``archetype``,
        ``value_score``, ``loyalty_score``, ``clv``, ``p_alive``, ``thin_history`` (at most
        ``thin_history_max`` purchases: a provisional label), ``archetype_confidence``,
        ``cluster``, ``cluster_name``, ``treatment``. ``attrs["notes"]`` lists what the models
        warned about.

    References
    ----------
    Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
    Review* 80(7), 86–94.
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way.
    *Marketing Science* 24(2), 275–284.

    Examples
    --------
    The CDNOW music-purchase log (Fader, Hardie & Lee 2005), under a researcher's own names:

    >>> from cemlib.stats.lifetime import read_cdnow
    >>> orders = read_cdnow().rename(
    ...     columns={"customer_id": "client", "ts": "paid_at", "amount": "usd"})
    >>> table = archetypes(orders, customer="client", timestamp="paid_at", amount="usd",
    ...                    n_boot=0)
    >>> table.columns[:3].tolist()
    ['client', 'archetype', 'value_score']
    >>> table["archetype"].value_counts().to_dict()
    {'stranger': 1513, 'barnacle': 435, 'butterfly': 253, 'strategic': 156}
    >>> table.attrs["notes"][0].split(";")[0]
    'customer_features: transactions carry no margin column'
    """
    tables = {"transactions": transactions, "customers": customers, "responses": responses}
    with warnings.catch_warnings():  # collected in attrs["notes"]: one warning says so below
        warnings.simplefilter("ignore")
        segments, _, info = segment_customers(
            {k: v for k, v in tables.items() if v is not None},
            codebook,
            params,
            customer=customer,
            timestamp=timestamp,
            amount=amount,
            margin=margin,
        )
    shown = [
        "customer_id",
        "archetype",
        "value_score",
        "loyalty_score",
        "clv",
        "p_alive",
        "thin_history",
        "archetype_confidence",
        "cluster",
        "cluster_name",
    ]
    table = segments[shown].assign(treatment=segments["archetype"].map(TREATMENTS))
    table = table.rename(columns={"customer_id": customer})
    table.attrs["notes"] = list(info["warnings"])
    if table.attrs["notes"]:
        _warn(
            f"archetypes: {len(table.attrs['notes'])} note(s) on the data and models, listed "
            "in the result's attrs['notes']"
        )
    return table
