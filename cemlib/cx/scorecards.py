"""The survey's headline tables, item by item from the codebook: the score of every outcome
(NPS, CSAT, CES or a 0–100 mean), how a top-box "satisfaction" rate flatters against advocacy,
NPS by group, and the customer- and brand-experience indices (CEI, BEI) of every touchpoint.

Each is built from the single-quantity estimates of :mod:`cemlib.cx.metrics` (same weights, same
intervals); the drivers stage shows them and the whitepaper quotes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cemlib.cx.metrics import (
    PROMOTER_MIN,
    _alpha,
    _weighted_share,
    box_shares,
    ces,
    csat,
    is_rating_scale,
    nps,
    nps_difference,
    nps_summary,
    to_index,
    weighted_mean_ci,
)
from cemlib.data.schema import Codebook

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "PERIOD_COLUMNS",
    "experience_scores",
    "holm",
    "nps_table",
    "period_changes",
    "satisfaction_inflation",
    "touchpoint_indices",
]


def satisfaction_inflation(
    responses: pd.DataFrame, codebook: Codebook, weights: str | None = None
) -> pd.DataFrame:
    """Advocacy beside "satisfaction": how a top-2/top-3-box headline flatters.

    For each outcome item on a rating scale (:func:`is_rating_scale`; others have no boxes): the
    share of promoters (9–10) for NPS items, else the top box, beside the top-2 and top-3 box
    shares that headline "satisfaction" rates usually quote.
    """
    rows = []
    w = responses[weights] if weights else None
    for item in [i for i in codebook.by_role("outcome") if is_rating_scale(i)]:
        shares = box_shares(responses[item.id], item.scale, w)
        if item.metric == "nps":
            shares["top1"] = float(
                100 * _weighted_share(responses[item.id] >= PROMOTER_MIN, responses[item.id], w)
            )
        rows.append(
            {
                "item": item.id,
                "label": item.label,
                "metric": item.metric,
                "scale": f"{item.scale[0]:g}–{item.scale[1]:g}",
                "top_box": shares["top1"],
                "top2_box": shares["top2"],
                "top3_box": shares["top3"],
            }
        )
    return pd.DataFrame(rows)


def touchpoint_indices(
    responses: pd.DataFrame, codebook: Codebook, weights: str | None = None, ci: float = 0.95
) -> pd.DataFrame:
    """CEI and BEI per touchpoint on 0–100.

    CEI (customer-experience index): mean of the touchpoint's driver items, each rescaled to
    0–100, per respondent, then averaged (weighted). BEI (brand-experience index): the same over
    the touchpoint's brand items ("the experience felt true to what the brand stands for").
    Also the journey stage, the number of items and Cronbach's alpha of the driver items.
    """
    w = responses[weights] if weights else None
    rows = []
    touchpoints = {}
    for item in codebook.items:
        if item.touchpoint and item.role in ("driver", "brand"):
            touchpoints.setdefault(item.touchpoint, []).append(item)
    for touchpoint, items in touchpoints.items():
        drivers = [i for i in items if i.role == "driver"]
        brands = [i for i in items if i.role == "brand"]
        row = {
            "touchpoint": touchpoint,
            "stage": min((i.stage for i in drivers if i.stage is not None), default=None),
            "n_driver_items": len(drivers),
            "n_brand_items": len(brands),
        }
        for name, group in (("cei", drivers), ("bei", brands)):
            if group:
                scaled = pd.concat([to_index(responses[i.id], i.scale) for i in group], axis=1)
                estimate = weighted_mean_ci(scaled.mean(axis=1), w, ci)
                row.update(
                    {
                        name: estimate["mean"],
                        f"{name}_ci_low": estimate["ci_low"],
                        f"{name}_ci_high": estimate["ci_high"],
                    }
                )
            else:
                row.update({name: np.nan, f"{name}_ci_low": np.nan, f"{name}_ci_high": np.nan})
        row["alpha"] = _alpha(responses[[i.id for i in drivers]]) if len(drivers) > 1 else np.nan
        rows.append(row)
    return pd.DataFrame(rows).sort_values(
        ["stage", "touchpoint"], na_position="last", ignore_index=True
    )


def nps_table(
    responses: pd.DataFrame,
    ltr: str,
    by: list[str],
    weights: str | None = None,
    ci: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """NPS overall and per value of each ``by`` column, in one long table (columns ``by``, ``group``).

    A period column (:data:`PERIOD_COLUMNS`, the survey wave) comes in time order with
    ``change`` (points from the previous period) and ``change_p`` (its Holm-adjusted p-value,
    :func:`period_changes`); other rows leave both null.
    """
    parts = [nps(responses, ltr, weights=weights, ci=ci).assign(by="all", group="all")]
    for column in by:
        if column in responses:
            part = nps(responses, ltr, by=column, weights=weights, ci=ci, min_n=min_n)
            part = part.rename(columns={column: "group"}).assign(by=column)
            part["group"] = part["group"].astype("string")
            if column in PERIOD_COLUMNS:
                part = period_changes(responses, ltr, column, part, weights)
            parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["group"] = table["group"].astype("string")
    for column in ("change", "change_p"):
        table[column] = table[column].astype("float64") if column in table else np.nan
    return table[["by", "group", *[c for c in table.columns if c not in ("by", "group")]]]


def experience_scores(
    responses: pd.DataFrame, codebook: Codebook, weights: str | None = None, ci: float = 0.95
) -> pd.DataFrame:
    """The headline score of every outcome item by its ``metric``: NPS, CSAT or CES, with CI."""
    w = responses[weights] if weights else None
    rows = []
    for item in codebook.by_role("outcome"):
        values = responses[item.id]
        mean = weighted_mean_ci(to_index(values, item.scale), w, ci)
        row = {
            "item": item.id,
            "metric": item.metric or "mean",
            "label": item.label,
            "index_0_100": mean["mean"],
            "index_ci_low": mean["ci_low"],
            "index_ci_high": mean["ci_high"],
            "n": mean["n"],
        }
        if item.metric == "nps":
            result = nps_summary(values, w, ci)
            row.update(
                score=result["nps"],
                ci_low=result["ci_low"],
                ci_high=result["ci_high"],
                definition="% promoters (9–10) − % detractors (0–6)",
            )
        elif item.metric == "csat":
            row.update(
                score=csat(values, item.scale, w)["csat_top2"],
                ci_low=np.nan,
                ci_high=np.nan,
                definition="% in the top two boxes",
            )
        elif item.metric == "ces":
            result = ces(values, item.scale, w)
            row.update(
                score=result["ces_mean"],
                ci_low=np.nan,
                ci_high=np.nan,
                definition=f"mean on {item.scale[0]:g}–{item.scale[1]:g}, higher = easier; "
                f"{result['ces_easy']:.1f}% find it easy",
            )
        else:
            row.update(
                score=mean["mean"],
                ci_low=mean["ci_low"],
                ci_high=mean["ci_high"],
                definition="mean on 0–100",
            )
        rows.append(row)
    return pd.DataFrame(rows)


# Groupings that are periods of time: shown in time order, each tested against the one before.
PERIOD_COLUMNS = ("wave",)


def holm(p_values: npt.ArrayLike) -> np.ndarray:
    """Holm's step-down adjustment of p-values for several tests at once (controls the
    family-wise error rate without assuming independence). NaN stays NaN.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6(2), 65-70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype="float64")
    out = np.full(p.shape, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    order = known[np.argsort(p[known], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        out[index] = running
    return out


def period_changes(
    responses: pd.DataFrame,
    ltr: str,
    period: str,
    groups: pd.DataFrame,
    weights: str | None = None,
    time: str = "submitted_at",
) -> pd.DataFrame:
    """``groups`` (the NPS rows of one period column) in time order, with the change from the
    previous period and its Holm-adjusted p-value.

    Periods are ordered by the median time of their answers (column ``time``), else by label.
    The test is :func:`~cemlib.cx.metrics.nps_difference` (trinomial variance, Kish's n where
    weighted); a period whose previous one is missing from ``groups`` (too small) gets no change.
    """
    labels = responses[period].astype("string")
    every = pd.DataFrame({"group": labels.dropna().unique()})
    if time in responses:
        when = pd.to_datetime(responses[time], errors="coerce").groupby(labels).median()
        every["_rank"] = every["group"].map(when).to_numpy()
    else:
        every["_rank"] = every["group"]
    every = every.sort_values(["_rank", "group"], kind="stable")["group"].tolist()
    # each period's predecessor among *all* periods answered, shown or not
    previous = dict(zip(every[1:], every[:-1], strict=True))
    position = {g: i for i, g in enumerate(every)}
    ordered = groups.assign(_rank=groups["group"].astype("string").map(position).to_numpy())
    ordered = ordered.sort_values(["_rank", "group"], kind="stable")
    ordered = ordered.drop(columns="_rank").reset_index(drop=True)
    change = np.full(len(ordered), np.nan)
    p_value = np.full(len(ordered), np.nan)
    w = responses[weights] if weights else None
    shown = set(ordered["group"].astype("string"))
    for i in range(len(ordered)):
        before_label = previous.get(str(ordered.loc[i, "group"]))
        if before_label is None or before_label not in shown:
            continue  # the first period, or its predecessor too small to be shown
        now = labels == ordered.loc[i, "group"]
        before = labels == before_label
        test = nps_difference(
            responses.loc[now, ltr],
            responses.loc[before, ltr],
            w[now] if w is not None else None,
            w[before] if w is not None else None,
        )
        change[i], p_value[i] = test["difference"], test["p_value"]
    return ordered.assign(change=change, change_p=holm(p_value))
