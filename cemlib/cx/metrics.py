"""Experience metrics: NPS with honest intervals, box scores, CSAT, CES, reliability, 0–100 indices.

Every estimate accepts survey weights; with weights, shares are weighted and the sample size in
variance formulas is Kish's effective n, (Σw)² / Σw² (Kish 1965, *Survey Sampling*).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from cemlib.cx.promoters import DETRACTOR_MAX, NPS_SCALE, PROMOTER_MIN, detractor_max, promoter_min
from cemlib.stats.lmg import kish_effective_n

if TYPE_CHECKING:
    from cemlib.data.schema import Item

_Frame = TypeVar("_Frame", pd.Series, pd.DataFrame)

__all__ = [
    "DETRACTOR_MAX",
    "NPS_SCALE",
    "PROMOTER_MIN",
    "RATING_POINTS_MAX",
    "box_shares",
    "ces",
    "concentration_curve",
    "cronbach_alpha",
    "csat",
    "detractor_max",
    "is_rating_scale",
    "kish_n",
    "nps",
    "nps_difference",
    "nps_summary",
    "promoter_min",
    "share_at",
    "to_index",
    "top_box",
    "top_share",
    "weighted_mean_ci",
]

RATING_POINTS_MAX = 11  # a rating scale has at most 11 answer categories (0–10)


def is_rating_scale(item: Item) -> bool:
    """Whether an item is answered on a rating scale (at most :data:`RATING_POINTS_MAX` points).

    Box shares need answer categories: on a 0–100 percentage the "top box" is the single value
    100, and the bottom two boxes are 0 and 1.
    """
    return bool(item.scale[1] - item.scale[0] + 1 <= RATING_POINTS_MAX)


def _weights(values: pd.Series, weights: pd.Series | None) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=values.index)
    return weights.reindex(values.index).astype("float64")


def kish_n(weights: pd.Series) -> float:
    """Kish's effective sample size (:func:`cemlib.stats.lmg.kish_effective_n`), 0 for no weight."""
    w = np.asarray(weights, dtype="float64")
    return kish_effective_n(w) if len(w) and (w**2).sum() > 0 else 0.0


def nps_summary(
    ltr: pd.Series, weights: pd.Series | None = None, ci: float = 0.95
) -> dict[str, float]:
    """Net Promoter Score of one series of 0–10 answers, with its trinomial standard error and
    adjusted-Wald CI (the computation behind :func:`nps`).

    Notes
    -----
    Promoters answer 9–10, detractors 0–6. Per respondent the score is +1, 0 or −1, so the
    variance of the NPS (as a proportion difference) is p + d − (p − d)². The interval is the
    adjusted Wald of Rocks (2016): add 3 to n and ¾ to both promoters and detractors, then
    NPS* ± z √((p* + d* − (p* − d*)²) / n*), which keeps its coverage near nominal for small n
    and extreme scores.

    References
    ----------
    Reichheld, F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician* 70(4), 365–372.
    """
    valid = ltr.notna()
    scores = ltr[valid].astype("float64")
    w = _weights(scores, weights)
    keep = w.notna() & (w > 0)
    scores, w = scores[keep], w[keep]
    n, n_eff = int(len(scores)), kish_n(w)
    if n == 0:
        return {
            k: float("nan")
            for k in ("nps", "se", "ci_low", "ci_high", "promoters", "passives", "detractors")
        } | {"n": 0, "n_effective": 0.0}
    total = w.sum()
    p = float(w[scores >= PROMOTER_MIN].sum() / total)
    d = float(w[scores <= DETRACTOR_MAX].sum() / total)
    z = stats.norm.ppf(0.5 + ci / 2)
    n_adj = n_eff + 3
    p_adj, d_adj = (p * n_eff + 0.75) / n_adj, (d * n_eff + 0.75) / n_adj
    centre = p_adj - d_adj
    half = z * np.sqrt((p_adj + d_adj - centre**2) / n_adj)
    return {
        "n": n,
        "n_effective": n_eff,
        "promoters": 100 * p,
        "passives": 100 * (1 - p - d),
        "detractors": 100 * d,
        "nps": 100 * (p - d),
        "se": 100 * np.sqrt(max(p + d - (p - d) ** 2, 0.0) / n_eff),
        "ci_low": 100 * max(centre - half, -1.0),
        "ci_high": 100 * min(centre + half, 1.0),
    }


def nps(
    data: pd.DataFrame,
    column: str = "ltr",
    by: str | list[str] | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    min_n: int = 1,
) -> pd.DataFrame:
    """Net Promoter Score with its adjusted-Wald interval, overall or per group.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    column : str
        The 0–10 likelihood-to-recommend answers (missing answers are left out).
    by : str or list of str, optional
        Group columns: one row per group, groups with fewer than ``min_n`` answers dropped.
    weights : str, optional
        Survey-weight column: shares are weighted and the variance uses Kish's effective n.
    ci : float
        Confidence level.
    min_n : int
        Smallest group shown.

    Returns
    -------
    DataFrame
        The group columns (if any), then ``n``, ``n_effective``, ``promoters``, ``passives``,
        ``detractors`` (%), ``nps`` (−100…100), ``se``, ``ci_low``, ``ci_high``.

    Notes
    -----
    Promoters answer 9–10, detractors 0–6 (:func:`promoter_min`, :func:`detractor_max`). Per
    respondent the score is +1, 0 or −1, so the variance is p + d − (p − d)². The interval is
    the adjusted Wald of Rocks (2016): add 3 to n and ¾ to promoters and detractors.

    References
    ----------
    Reichheld, F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician* 70(4), 365–372.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"ltr": [10, 9, 9, 8, 7, 6, 3, 10, 9, 0],
    ...                        "channel": ["web"] * 5 + ["app"] * 5})
    >>> nps(survey)[["n", "promoters", "detractors", "nps"]]
        n  promoters  detractors   nps
    0  10       50.0        30.0  20.0
    >>> nps(survey, by="channel")[["channel", "n", "nps"]]
      channel  n   nps
    0     app  5 -20.0
    1     web  5  60.0
    """

    def one(group: pd.DataFrame) -> dict[str, Any]:
        return nps_summary(group[column], group[weights] if weights else None, ci)

    table = _per_group(data, by, one)
    if by is None or table.empty:
        return table
    return table[table["n"] >= min_n].reset_index(drop=True)


def nps_difference(
    a: pd.Series,
    b: pd.Series,
    weights_a: pd.Series | None = None,
    weights_b: pd.Series | None = None,
) -> dict[str, float]:
    """Test whether two groups' NPS differ: z = Δ / √(Var₁/n₁ + Var₂/n₂).

    Each group's variance is the trinomial p + d − (p − d)², not that of two independent
    proportions, which would overstate the uncertainty (Rocks 2016, §4). A group without an
    answer gives NaN throughout: there is nothing to compare.
    """
    first, second = nps_summary(a, weights_a), nps_summary(b, weights_b)
    if not (first["n_effective"] > 0 and second["n_effective"] > 0):
        return dict.fromkeys(("difference", "se", "z", "p_value"), float("nan"))
    var = []
    for result in (first, second):
        p, d = result["promoters"] / 100, result["detractors"] / 100
        var.append((p + d - (p - d) ** 2) / result["n_effective"])
    diff = (first["nps"] - second["nps"]) / 100
    se = float(np.sqrt(sum(var)))
    z_value = diff / se if se > 0 else 0.0
    return {
        "difference": 100 * diff,
        "se": 100 * se,
        "z": z_value,
        "p_value": float(2 * stats.norm.sf(abs(z_value))),
    }


def box_shares(
    values: pd.Series, scale: tuple[float, float], weights: pd.Series | None = None
) -> dict[str, float]:
    """Weighted shares (%) answering in the top box, the top two and the top three boxes."""
    valid = values.notna()
    v, w = values[valid].astype("float64"), _weights(values[valid], weights)
    total = w.sum()
    high = scale[1]
    return {
        f"top{k}": float(100 * w[v >= high - k + 1].sum() / total) if total else float("nan")
        for k in (1, 2, 3)
    }


def _weighted_share(mask: pd.Series, values: pd.Series, weights: pd.Series | None) -> float:
    valid = values.notna()
    w = _weights(values[valid], weights)
    return float(w[mask[valid]].sum() / w.sum()) if w.sum() else float("nan")


def to_index(values: _Frame, scale: tuple[float, float]) -> _Frame:
    """Rescale answers onto 0–100: 100 (x − min) / (max − min)."""
    low, high = scale
    return 100 * (values - low) / (high - low)


def weighted_mean_ci(
    values: pd.Series, weights: pd.Series | None = None, ci: float = 0.95
) -> dict[str, float]:
    """Weighted mean with a t interval on Kish's effective n (normal-theory, per respondent)."""
    valid = values.notna()
    v, w = values[valid].astype("float64"), _weights(values[valid], weights)
    n_eff = kish_n(w)
    if n_eff < 2:
        mean = float(v.mean()) if len(v) else float("nan")
        return {
            "mean": mean,
            "ci_low": mean,
            "ci_high": mean,
            "n": int(len(v)),
            "n_effective": n_eff,
        }
    mean = float(np.average(v, weights=w))
    var = float(np.average((v - mean) ** 2, weights=w)) * n_eff / (n_eff - 1)
    half = stats.t.ppf(0.5 + ci / 2, n_eff - 1) * np.sqrt(var / n_eff)
    return {
        "mean": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "n": int(len(v)),
        "n_effective": n_eff,
    }


def csat(
    osat: pd.Series, scale: tuple[float, float], weights: pd.Series | None = None
) -> dict[str, float]:
    """CSAT as usually reported: % in the top two boxes, with the mean on 0–100."""
    shares = box_shares(osat, scale, weights)
    return {
        "csat_top2": shares["top2"],
        **{f"index_{k}": v for k, v in weighted_mean_ci(to_index(osat, scale), weights).items()},
    }


def ces(
    effort: pd.Series, scale: tuple[float, float], weights: pd.Series | None = None
) -> dict[str, float]:
    """Customer Effort Score (higher = easier after harmonisation): mean, % easy (top three of
    seven boxes, 'somewhat agree' or more), and the mean on 0–100 (Dixon, Freeman & Toman 2010,
    *Harvard Business Review* 88(7))."""
    mean = weighted_mean_ci(effort, weights)
    return {
        "ces_mean": mean["mean"],
        "ces_easy": box_shares(effort, scale, weights)["top3"],
        "ces_index": float(to_index(pd.Series([mean["mean"]]), scale).iloc[0]),
    }


def _alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of the complete rows of ``items`` (NaN below two items or two rows)."""
    complete = items.dropna().astype("float64")
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        return float("nan")
    item_var = complete.var(ddof=1).sum()
    total_var = complete.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var)) if total_var > 0 else float("nan")


def cronbach_alpha(
    data: pd.DataFrame, items: list[str] | None = None, ci: float = 0.95
) -> pd.DataFrame:
    """Reliability of a multi-item scale: Cronbach's alpha with Feldt's confidence interval.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    items : list of str, optional
        The columns of the scale (default: every column). Rows with a missing answer are left
        out (listwise).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row: ``alpha``, ``ci_low``, ``ci_high``, ``n`` (complete rows), ``k`` (items).

    Notes
    -----
    alpha = k/(k−1) (1 − Σ var_i / var_total). Feldt's interval uses
    (1 − alpha)/(1 − α_pop) ~ F(n − 1, (n − 1)(k − 1)).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16(3), 297–334.
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability
    coefficient twenty. *Psychometrika* 30(3), 357–370.

    Examples
    --------
    >>> import pandas as pd
    >>> scale = pd.DataFrame({"q1": [4, 5, 3, 4, 2, 5], "q2": [4, 4, 3, 5, 2, 5],
    ...                       "q3": [5, 5, 2, 4, 1, 4]})
    >>> cronbach_alpha(scale).round(3)
       alpha  ci_low  ci_high  n  k
    0  0.925   0.681    0.989  6  3
    """
    frame = data[list(items) if items is not None else list(data.columns)]
    complete = frame.dropna()
    n, k = len(complete), frame.shape[1]
    alpha = _alpha(frame)
    low = high = float("nan")
    if n > 1 and k > 1 and np.isfinite(alpha):
        df1, df2 = n - 1, (n - 1) * (k - 1)
        low = 1 - (1 - alpha) * stats.f.ppf(0.5 + ci / 2, df1, df2)
        high = 1 - (1 - alpha) * stats.f.ppf(0.5 - ci / 2, df1, df2)
    return pd.DataFrame([{"alpha": alpha, "ci_low": low, "ci_high": high, "n": n, "k": k}])


def top_box(
    data: pd.DataFrame,
    column: str,
    scale: tuple[float, float],
    by: str | list[str] | None = None,
    weights: str | None = None,
) -> pd.DataFrame:
    """Top-box, top-2-box and top-3-box shares (%) of a rating item, overall or per group.

    A satisfaction headline usually quotes the top two or three boxes; set beside the top box
    (or the NPS promoters) it shows how much a "satisfied" rate flatters.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    column : str
        The rating item.
    scale : (float, float)
        The item's ``(min, max)``; boxes count down from ``max``.
    by : str or list of str, optional
        Group columns; one row per group.
    weights : str, optional
        Survey-weight column.

    Returns
    -------
    DataFrame
        The group columns (if any), ``n`` (answers), ``top1``, ``top2``, ``top3``.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"osat": [5, 4, 4, 3, 2, 5, 1, 4]})
    >>> top_box(answers, "osat", scale=(1, 5))
       n  top1  top2  top3
    0  8  25.0  62.5  75.0
    """

    def one(group: pd.DataFrame) -> dict[str, Any]:
        w = group[weights] if weights else None
        return {"n": int(group[column].notna().sum()), **box_shares(group[column], scale, w)}

    return _per_group(data, by, one)


def _per_group(
    data: pd.DataFrame,
    by: str | list[str] | None,
    one: Callable[[pd.DataFrame], dict[str, Any]],
) -> pd.DataFrame:
    """``one(frame)`` (a dict) overall, or per group of ``by`` with the group keys in front."""
    if by is None:
        return pd.DataFrame([one(data)])
    keys = [by] if isinstance(by, str) else list(by)
    rows = [
        {**dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)), **one(group)}
        for key, group in data.groupby(keys, observed=True, dropna=True, sort=True)
    ]
    return pd.DataFrame(rows)


def concentration_curve(values: pd.Series) -> pd.DataFrame:
    """Lorenz/Pareto curve of customer value: cumulative share of the total brought by the top
    x share of customers, most valuable first (Pareto's 80/20 reading). Losses count as zero,
    so the curve answers "who brings the value", not "who destroys it"."""
    ordered = values.clip(lower=0).sort_values(ascending=False).to_numpy()
    total = ordered.sum()
    cumulative = ordered.cumsum() / total if total > 0 else ordered * 0.0
    share_customers = np.arange(1, len(ordered) + 1) / max(len(ordered), 1)
    return pd.DataFrame({"share_customers": share_customers, "share_value": cumulative})


def share_at(curve: pd.DataFrame, fraction: float) -> float:
    """Read a :func:`concentration_curve` at the top ``fraction`` of customers."""
    if curve.empty:
        return float("nan")
    return float(curve["share_value"].iloc[max(int(fraction * len(curve)) - 1, 0)])


def top_share(values: pd.Series, fraction: float = 0.2) -> float:
    """Share of the (positive) total brought by the top ``fraction`` of customers."""
    return share_at(concentration_curve(values), fraction)
