"""Where to act: importance–performance quadrants, Kano-style penalty–reward, the CEI × BEI map
and the emotion curve across the journey.

Derived importance alone does not say where money should go: set against how well the company
performs, against the brand at each touchpoint, and against the shape of the journey, it does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx.metrics import to_index, weighted_mean_ci
from cemlib.data.io import empty_frame
from cemlib.data.schema import Codebook

__all__ = [
    "QUADRANTS",
    "cei_bei_map",
    "driver_priorities",
    "emotion_curve",
    "importance_performance",
    "item_performance",
    "method_importance",
    "penalty_reward",
]

QUADRANTS = {  # (importance above mean, performance above mean) -> label
    (True, False): "fix first",
    (True, True): "keep up",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


def method_importance(drivers_table: pd.DataFrame, outcome: str, method: str) -> pd.Series:
    """Each driver's importance for ``outcome`` by ``method``: its share of R² where the method
    decomposes R², else its raw importance; indexed by driver."""
    chosen = drivers_table[
        (drivers_table["outcome"] == outcome) & (drivers_table["method"] == method)
    ].set_index("driver")
    return chosen["share"].fillna(chosen["importance"]).rename("importance_share")


def item_performance(
    responses: pd.DataFrame, codebook: Codebook, role: str = "driver", weights: str | None = None
) -> pd.DataFrame:
    """Mean score of each item of ``role`` on 0–100 with its CI (how well the company performs)."""
    rows = []
    w = responses[weights] if weights else None
    for item in codebook.by_role(role):
        estimate = weighted_mean_ci(to_index(responses[item.id], item.scale), w)
        rows.append(
            {
                "driver": item.id,
                "label": item.label,
                "touchpoint": item.touchpoint,
                "stage": item.stage,
                "performance": estimate["mean"],
                "performance_ci_low": estimate["ci_low"],
                "performance_ci_high": estimate["ci_high"],
            }
        )
    return pd.DataFrame(rows)


def importance_performance(
    drivers_table: pd.DataFrame, performance: pd.DataFrame, outcome: str, method: str = "shapley"
) -> pd.DataFrame:
    """Importance–performance analysis (Martilla & James 1977, *Journal of Marketing* 41(1)) with
    derived rather than stated importance: quadrants split at the means of both axes.

    Labels: "fix first" (important, under-performing), "keep up" (important, performing),
    "low priority" (neither), "possible overkill" (performing beyond its importance).

    A quadrant is a verdict made at two cuts, so it is only as certain as the intervals allow:
    ``borderline`` is true where the importance interval (``importance_ci_low``/``_high``, the
    bootstrap interval of the importance, in the units of ``importance_share``) or the
    performance interval contains its axis's cut. Reports say such a verdict could go either way.
    """
    chosen = drivers_table[
        (drivers_table["outcome"] == outcome) & (drivers_table["method"] == method)
    ]
    table = performance.merge(chosen[["driver", "importance"]], on="driver", how="inner")
    table = table.merge(method_importance(drivers_table, outcome, method), on="driver")
    table = table.merge(_importance_interval(chosen), on="driver", how="left")
    importance_cut = table["importance_share"].mean()
    performance_cut = table["performance"].mean()
    high_importance = table["importance_share"] >= importance_cut
    high_performance = table["performance"] >= performance_cut
    table["quadrant"] = [
        QUADRANTS[(bool(i), bool(p))]
        for i, p in zip(high_importance, high_performance, strict=True)
    ]
    table["borderline"] = _contains(
        table["importance_ci_low"], table["importance_ci_high"], importance_cut
    ) | _contains(table["performance_ci_low"], table["performance_ci_high"], performance_cut)
    return table.sort_values("importance_share", ascending=False, ignore_index=True)


def _importance_interval(chosen: pd.DataFrame) -> pd.DataFrame:
    """The bootstrap interval of each driver's importance, in the units of ``importance_share``
    (divided by the full-sample R² where the method shares out R²)."""
    scale = np.where(chosen["share"].notna(), 1 / chosen["r2"], 1.0)
    return pd.DataFrame(
        {
            "driver": chosen["driver"].to_numpy(),
            "importance_ci_low": chosen["ci_low"].to_numpy(dtype="float64") * scale,
            "importance_ci_high": chosen["ci_high"].to_numpy(dtype="float64") * scale,
        }
    )


def _contains(low: pd.Series, high: pd.Series, cut: float) -> pd.Series:
    """Whether each interval contains ``cut`` (an interval not known contains nothing)."""
    return ((low <= cut) & (cut <= high)).fillna(False).astype(bool)


def penalty_reward(
    responses: pd.DataFrame,
    codebook: Codebook,
    outcome: str,
    weights: str | None = None,
    low_boxes: int = 2,
    high_boxes: int = 1,
    ratio: float = 2.0,
    min_effect: float = 0.02,
    n_boot: int = 200,
    seed: int = 0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Kano-style penalty–reward analysis by dummy-variable regression.

    Each driver is coded as two dummies — low performance (bottom ``low_boxes`` answers) and
    high performance (top ``high_boxes`` answers), the middle as reference — and the outcome
    (rescaled to 0–1) is regressed on all dummies together (weighted least squares with survey
    weights). The penalty is the drop in the outcome when the driver performs badly, the reward
    the lift when it excels. Classification: *must-be* when the penalty outweighs the reward by
    ``ratio``, *attractive* when the reward outweighs the penalty by ``ratio``, *performance*
    when both matter, *indifferent* when neither exceeds ``min_effect``.

    A class rests on a ratio of two estimates, so it can flip with the sample: ``n_boot``
    bootstrap resamples of the respondents (Efron & Tibshirani 1993) give percentile intervals
    of penalty and reward (``penalty_ci_low`` … ``reward_ci_high``) and ``kano_agreement``, the
    share of resamples that give the same class; below 0.8 the class is ``kano_borderline``
    and the report says so (NaN and ``False`` without resamples).

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
    Brandt, D. R. (1987). A procedure for identifying value-enhancing service components using
    customer satisfaction survey data. In *Add Value to Your Service*, AMA.
    Mittal, V., Ross, W. T. & Baldasare, P. M. (1998). The asymmetric impact of negative and
    positive attribute-level performance. *Journal of Marketing* 62(1).
    Kano, N. et al. (1984). Attractive quality and must-be quality. *Hinshitsu* 14(2).
    """
    target = codebook.item(outcome)
    drivers = codebook.by_role("driver")
    columns = [outcome, *[d.id for d in drivers]] + ([weights] if weights else [])
    data = responses[columns].dropna()
    y = to_index(data[outcome], target.scale).to_numpy() / 100
    design, names = [np.ones(len(data))], []
    for d in drivers:
        x = data[d.id].to_numpy()
        design += [
            (x <= d.scale[0] + low_boxes - 1).astype(float),
            (x >= d.scale[1] - high_boxes + 1).astype(float),
        ]
        names += [(d.id, "low"), (d.id, "high")]
    X = np.column_stack(design)
    w = data[weights].to_numpy() if weights else np.ones(len(data))
    coef = _dummy_effects(X, y, w)
    rng = np.random.default_rng(seed)
    boot = np.array(
        [_dummy_effects(X[rows], y[rows], w[rows]) for rows in _resamples(len(y), n_boot, rng)]
    ).reshape(-1, X.shape[1])
    tail = 100 * (1 - ci) / 2
    rows = []
    for j, d in enumerate(drivers):
        low_col, high_col = 1 + 2 * j, 2 + 2 * j
        penalty, reward = -coef[low_col], coef[high_col]
        kano_class = _kano_class(penalty, reward, ratio, min_effect)
        row = {
            "driver": d.id,
            "label": d.label,
            "penalty": penalty,
            "reward": reward,
            "kano": kano_class,
            "penalty_ci_low": np.nan,
            "penalty_ci_high": np.nan,
            "reward_ci_low": np.nan,
            "reward_ci_high": np.nan,
            "kano_agreement": np.nan,
        }
        if len(boot):
            penalties, rewards = -boot[:, low_col], boot[:, high_col]
            row["penalty_ci_low"], row["penalty_ci_high"] = np.percentile(
                penalties, [tail, 100 - tail]
            )
            row["reward_ci_low"], row["reward_ci_high"] = np.percentile(rewards, [tail, 100 - tail])
            same = [
                _kano_class(p, r, ratio, min_effect) == kano_class
                for p, r in zip(penalties, rewards, strict=True)
            ]
            row["kano_agreement"] = float(np.mean(same))
        row["kano_borderline"] = bool(row["kano_agreement"] < KANO_STABLE)
        rows.append(row)
    return pd.DataFrame(rows)


KANO_STABLE = 0.8  # share of bootstrap resamples that must agree on a Kano class
KANO_COLUMNS = ("penalty", "reward", "penalty_ci_low", "penalty_ci_high", "reward_ci_low")
KANO_COLUMNS += ("reward_ci_high", "kano_agreement")


def _dummy_effects(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares coefficients of the penalty–reward regression."""
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
    return coef


def _resamples(n: int, n_boot: int, rng: np.random.Generator):
    """Row indices of ``n_boot`` resamples with replacement."""
    for _ in range(n_boot):
        yield rng.integers(0, n, size=n)


def _kano_class(penalty: float, reward: float, ratio: float, min_effect: float) -> str:
    penalty, reward = max(penalty, 0.0), max(reward, 0.0)
    if penalty < min_effect and reward < min_effect:
        return "indifferent"
    if penalty >= ratio * reward:
        return "must-be"
    if reward >= ratio * penalty:
        return "attractive"
    return "performance"


def cei_bei_map(
    indices: pd.DataFrame,
    drivers_table: pd.DataFrame,
    codebook: Codebook,
    outcome: str,
    method: str = "shapley",
    threshold: float = 60.0,
    off_diagonal: float = 10.0,
) -> pd.DataFrame:
    """Place each touchpoint on the customer-experience (CEI) × brand-experience (BEI) map.

    A naive importance–satisfaction quadrant ignores whether an experience carries the brand.
    Here each touchpoint's importance is the sum of its drivers' shares of R² for ``outcome``;
    zones (a convention of this project, thresholds in params): **branded** — both indices at
    or above ``threshold`` (where important touchpoints belong); **un-branded** — both below
    (where none should sit); **non-branded** — one above, one below. A touchpoint more than
    ``off_diagonal`` points off the diagonal is *too brand-centric* (BEI ≫ CEI: promises the
    experience does not keep) or *too customer-centric* (CEI ≫ BEI: a good experience any
    competitor could offer).
    """
    share = method_importance(drivers_table, outcome, method)
    touchpoint_of = {i.id: i.touchpoint for i in codebook.by_role("driver")}
    importance = share.groupby(share.index.map(touchpoint_of)).sum()
    table = indices.copy()
    table["importance"] = table["touchpoint"].map(importance).fillna(0.0)
    both = table[["cei", "bei"]]
    table["zone"] = np.where(
        (both >= threshold).all(axis=1),
        "branded",
        np.where((both < threshold).all(axis=1), "un-branded", "non-branded"),
    )
    gap = table["bei"] - table["cei"]
    table["balance"] = np.where(
        gap > off_diagonal,
        "too brand-centric",
        np.where(gap < -off_diagonal, "too customer-centric", "balanced"),
    )
    table.loc[both.isna().any(axis=1), ["zone", "balance"]] = "no brand items"
    return table


def emotion_curve(
    responses: pd.DataFrame,
    codebook: Codebook,
    by: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """Mean experience (0–100) per journey stage, with CI, overall or per group (``by``).

    Each respondent's stage score is the mean of the stage's driver items on 0–100. Per the
    peak-end rule (Kahneman, Fredrickson, Schreiber & Redelmeier 1993, *Psychological Science*
    4(6)) remembered experience follows the most intense moment and the end, so the stage that
    deviates most from the curve's mean is marked ``peak`` and the last stage ``end``.
    The curve of all respondents comes first (group ``"all"``); groups with fewer than ``min_n``
    respondents are left out.
    """
    stages: dict[int, list] = {}
    for item in codebook.by_role("driver"):
        if item.stage is not None:
            stages.setdefault(item.stage, []).append(item)
    groups = [("all", responses)]
    if by is not None and by in responses:
        groups += list(responses.groupby(by, observed=True, dropna=True, sort=True))
    rows = []
    for key, frame in groups:
        if len(frame) < min_n:
            continue
        w = frame[weights] if weights else None
        for stage, items in sorted(stages.items()):
            score = pd.concat([to_index(frame[i.id], i.scale) for i in items], axis=1).mean(axis=1)
            estimate = weighted_mean_ci(score, w, ci)
            rows.append(
                {
                    "group": str(key),
                    "stage": stage,
                    "touchpoint": items[0].touchpoint,
                    "mean": estimate["mean"],
                    "ci_low": estimate["ci_low"],
                    "ci_high": estimate["ci_high"],
                    "n": estimate["n"],
                }
            )
    curve = pd.DataFrame(
        rows, columns=["group", "stage", "touchpoint", "mean", "ci_low", "ci_high", "n"]
    )
    curve["peak"] = False
    curve["end"] = False
    for _, index in curve.groupby("group", sort=False).groups.items():
        part = curve.loc[index]
        curve.loc[(part["mean"] - part["mean"].mean()).abs().idxmax(), "peak"] = True
        curve.loc[part["stage"].idxmax(), "end"] = True
    return curve


def driver_priorities(
    ipa: pd.DataFrame, kano: pd.DataFrame | None, stated: pd.DataFrame, codebook: Codebook
) -> pd.DataFrame:
    """One row per driver: quadrant, Kano class (with how often the bootstrap agrees on it),
    stated vs derived gap, and who owns the action.

    ``kano`` is ``None`` when the penalty–reward analysis was skipped (drivers not on rating
    scales): its columns are then empty.
    """
    if kano is None:
        kano = empty_frame({c: "float64" for c in KANO_COLUMNS} | {"driver": "str", "kano": "str"})
    for column in KANO_COLUMNS:  # a table from before the Kano intervals
        if column not in kano:
            kano = kano.assign(**{column: np.nan})
    table = ipa.merge(kano[["driver", "kano", *KANO_COLUMNS]], on="driver", how="left")
    table["kano_borderline"] = (table["kano_agreement"] < KANO_STABLE).astype(bool)
    keep = [
        c
        for c in ("driver", "stated_mean", "stated_rank", "derived_rank", "rank_gap", "verdict")
        if c in stated
    ]
    table = table.merge(stated[keep], on="driver", how="left")
    table["owner"] = table["driver"].map({i.id: i.owner for i in codebook.items})
    table["action"] = table["driver"].map({i.id: i.action for i in codebook.items})
    return table
