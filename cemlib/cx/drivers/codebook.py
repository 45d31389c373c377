"""Key drivers of a whole codebook: every outcome item against every driver item
(:func:`key_drivers`), the promoter-vs-not logistic view (promoters by
:func:`cemlib.cx.promoters.promoter_min`), and stated importance set
against derived importance (:func:`stated_vs_derived`).

Both weigh the responses by the one rule of
:func:`cemlib.cx.drivers.inputs.survey_weight_column`, so stated means are weighted exactly when
the derived importance is.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*, 81(12),
46-54.

Gustafsson, A. & Johnson, M. D. (2004). Determining attribute importance in a service
satisfaction model. *Journal of Service Research*, 7(2), 124-141.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx.drivers import frames
from cemlib.cx.drivers.analysis import analyse_drivers
from cemlib.cx.drivers.inputs import _numeric, _weights_array
from cemlib.cx.drivers.logistic import _analyse_logistic
from cemlib.cx.promoters import promoter_min
from cemlib.data.schema import Codebook, survey_weight_column

__all__ = ["key_drivers", "stated_vs_derived"]


def key_drivers(
    responses: pd.DataFrame,
    codebook: Codebook,
    weights_column: str | None = "weight",
    missing: str = "listwise",
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Key drivers of every outcome item of the codebook against all its driver items.

    For each item with ``role: outcome`` (codebook order), :func:`relative_importance` and
    :func:`dominance_pairs` of all ``role: driver`` items; for an outcome with ``metric: nps``
    also :func:`logistic_relative_weight` of the binary outcome ``<id>_promoter`` (answer
    :math:`\\ge 9` on 0-10; complete cases whatever ``missing`` says).

    Parameters
    ----------
    responses : pandas.DataFrame
        Clean responses, one column per codebook item.
    codebook : Codebook
    weights_column : str or None
        Survey weight column, used when present in ``responses`` with any value
        (:func:`~cemlib.cx.drivers.inputs.survey_weight_column`); ``None``: unweighted.
    missing, n_boot, seed, ci, progress
        As in :func:`relative_importance` (every outcome uses the same seed).

    Returns
    -------
    drivers_table : pandas.DataFrame
        The ``drivers.parquet`` table, one row per outcome × driver × method (columns as in
        :func:`cemlib.cx.drivers.relative_importance`).
    pairs_table : pandas.DataFrame
        The dominance pairs of every outcome and decomposing method.
    warnings : list of str
        Every degenerate-input warning, naming its outcome (also emitted with
        :func:`warnings.warn`).

    References
    ----------
    Johnson, J. W. (2000). *Multivariate Behavioral Research*, 35(1), 1-19.

    Grömping, U. (2006). *Journal of Statistical Software*, 17(1), 1-27.

    Tonidandel, S. & LeBreton, J. M. (2010). *Organizational Research Methods*, 13(4), 767-781.
    """
    outcomes = codebook.by_role("outcome")
    drivers = [item.id for item in codebook.by_role("driver")]
    messages: list[str] = []
    if not outcomes or not drivers:
        raise ValueError("the codebook needs at least one outcome item and one driver item")
    absent = [d for d in drivers if d not in responses.columns]
    if absent:
        raise ValueError(f"driver items not in the responses: {', '.join(absent)}")
    weights = survey_weight_column(responses, weights_column)
    tables, pairs = [], []
    kw = dict(n_boot=n_boot, seed=seed, ci=ci, progress=progress)
    for item in outcomes:
        if item.id not in responses.columns:
            raise ValueError(f"outcome item '{item.id}' is not in the responses")
        result = analyse_drivers(responses, item.id, drivers, weights, missing, **kw)
        tables.append(result.table)
        pairs.append(result.pairs)
        messages += result.warnings
        if item.metric == "nps":
            name = f"{item.id}_promoter"
            values = pd.to_numeric(responses[item.id], errors="coerce")
            binary = (values >= promoter_min(item.scale)).astype(float).where(values.notna())
            frame = responses.assign(**{name: binary})
            result = _analyse_logistic(frame, name, drivers, weights, **kw)
            tables.append(result.table)
            pairs.append(result.pairs)
            messages += result.warnings
    table = pd.concat(tables, ignore_index=True)
    pair_table = (
        pd.concat([p for p in pairs if len(p)], ignore_index=True)
        if any(len(p) for p in pairs)
        else frames.empty_pairs()
    )
    return table, pair_table, messages


def stated_vs_derived(
    responses: pd.DataFrame,
    codebook: Codebook,
    drivers_table: pd.DataFrame,
    outcome: str,
    method: str = "shapley",
    weights_column: str | None = "weight",
    tolerance: int = 1,
) -> pd.DataFrame:
    """Stated importance (what customers say matters) against derived importance.

    Parameters
    ----------
    responses : pandas.DataFrame
        Clean responses with the ``stated_importance`` items (``of:`` names the driver).
    codebook : Codebook
    drivers_table : pandas.DataFrame
        Output of :func:`key_drivers` / :func:`relative_importance`.
    outcome : str
        Outcome whose derived shares are compared.
    method : str
        Derived method (default ``shapley``).
    weights_column : str or None
        Survey weight column, by the same rule as in :func:`key_drivers`; pass the column the
        drivers table was computed with (``None``: unweighted stated means).
    tolerance : int
        Rank differences up to this count as ``aligned``.

    Returns
    -------
    pandas.DataFrame
        One row per driver (journey order): ``driver, label, stated_item, stated_mean`` (weighted
        mean answer, null when the driver's importance was not asked), ``stated_n``,
        ``stated_share`` (stated mean above the scale minimum, as a share of the total over the
        drivers asked), ``derived_share``, ``stated_rank``, ``derived_rank`` (1 = most
        important), ``rank_gap = derived_rank - stated_rank`` (positive: customers say it
        matters more than it moves the outcome: *over-stated*), ``share_gap = stated_share -
        derived_share`` and ``verdict`` (over-stated, under-stated, aligned, not asked).

    Notes
    -----
    Stated ratings are notoriously flat (everything "very important") and favour rational
    attributes like price; derived importance reflects what co-varies with the outcome. The gap
    is the finding, not an error in either.

    References
    ----------
    Gustafsson, A. & Johnson, M. D. (2004). Determining attribute importance in a service
    satisfaction model. *Journal of Service Research*, 7(2), 124-141.

    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77-79.
    """
    chosen = drivers_table[
        (drivers_table["outcome"] == outcome) & (drivers_table["method"] == method)
    ]
    if chosen.empty:
        raise ValueError(f"no '{method}' rows for outcome '{outcome}' in the drivers table")
    derived = chosen.set_index("driver")
    derived_share = derived["share"].fillna(derived["importance"])
    stated_items = {i.of: i for i in codebook.by_role("stated_importance") if i.of}
    w = _weights_array(responses, survey_weight_column(responses, weights_column))
    rows = []
    for item in codebook.by_role("driver"):
        stated = stated_items.get(item.id)
        mean, count, low = np.nan, 0, np.nan
        if stated is not None and stated.id in responses.columns:
            values = _numeric(responses, [stated.id])[:, 0]
            ok = np.isfinite(values) & (np.isfinite(w) & (w >= 0) if w is not None else True)
            count = int(ok.sum())
            if count and (w is None or w[ok].sum() > 0):
                mean = float(np.average(values[ok], weights=None if w is None else w[ok]))
            low = stated.scale[0]
        rows.append(
            {
                "driver": item.id,
                "label": item.label,
                "stated_item": stated.id if stated is not None else None,
                "stated_mean": mean,
                "stated_n": count,
                "_above": mean - low if np.isfinite(mean) else np.nan,
                "derived_share": float(derived_share.get(item.id, 0.0)),
            }
        )
    table = pd.DataFrame(rows)
    asked = table["stated_mean"].notna()
    total = table.loc[asked, "_above"].sum()
    table["stated_share"] = np.where(asked, table["_above"] / total if total > 0 else 0.0, np.nan)
    table["stated_rank"] = table["stated_mean"].rank(method="min", ascending=False).astype("Int64")
    table["derived_rank"] = (
        table["derived_share"].rank(method="min", ascending=False).astype("Int64")
    )
    table["rank_gap"] = (table["derived_rank"] - table["stated_rank"]).astype("Int64")
    table["share_gap"] = table["stated_share"] - table["derived_share"]
    gap = table["rank_gap"].astype(float).to_numpy()
    table["verdict"] = np.select(
        [~asked, gap > tolerance, gap < -tolerance],
        ["not asked", "over-stated", "under-stated"],
        default="aligned",
    )
    return table[
        [
            "driver",
            "label",
            "stated_item",
            "stated_mean",
            "stated_n",
            "stated_share",
            "derived_share",
            "stated_rank",
            "derived_rank",
            "rank_gap",
            "share_gap",
            "verdict",
        ]
    ]
