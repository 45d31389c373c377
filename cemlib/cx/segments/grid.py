r"""The value × loyalty grid: each customer's archetype, and what to do for each archetype.

Reinartz & Kumar (2002) place customers on two behavioural axes, profitability × projected
relationship duration, and name the quadrants (``strategic`` true friends, ``butterfly``,
``barnacle``, ``stranger``). :class:`AxisThresholds` splits one score axis into low and high — at
the Bayes boundary of a two-component Gaussian mixture (:func:`cemlib.stats.mixture.
split_two_groups`; McLachlan & Peel 2000), at the median or at a given number;
:func:`assign_archetypes` places every customer in a quadrant with a confidence and flags thin
histories; :func:`treatment` says what to do for each archetype.

References
----------
McLachlan, G. & Peel, D. (2000). *Finite Mixture Models*. Wiley.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review* 80(7), 86–94.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator

from cemlib.cx.segments._common import _warn
from cemlib.data.schema import ARCHETYPES
from cemlib.stats.mixture import split_two_groups

__all__ = ["ARCHETYPES", "TREATMENTS", "AxisThresholds", "assign_archetypes", "treatment"]

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


class AxisThresholds(BaseEstimator):
    """Split one score axis into low and high: a two-component Gaussian mixture, or the median.

    Parameters
    ----------
    method : {"mixture", "median"} or float
        ``mixture`` (default): fit a two-component univariate Gaussian mixture by EM and cut where
        the two weighted component densities are equal between the component means (the Bayes
        boundary of the fitted mixture; McLachlan & Peel 2000;
        :func:`cemlib.stats.mixture.split_two_groups`). The mixture lets the data say
        where low and high part, instead of forcing half of the customers into each (the
        median) — value is concentrated in a minority, so a 50/50 split mislabels many.
        ``median``: the median. A number: that threshold.
    random_state : int
    max_fit_rows : int
        The mixture is fitted on a seeded sample of at most this many values.
    n_boot : int
        With ``mixture``: fit the mixture on this many bootstrap resamples and cut at the median
        of their boundaries (bagging, Breiman 1996), so the cut does not hinge on one EM run;
        0 fits once.

    Attributes
    ----------
    threshold_ : float
    spread_ : float
        Within-component standard deviation (pooled), the unit of the confidence.
    method_ : str
        The method used (``median`` when the mixture fell back to it).
    boot_thresholds_ : ndarray
        The resamples' boundaries (empty without bootstrap); ``interval_`` their 2.5 and 97.5
        percentiles (the threshold itself twice without bootstrap).

    References
    ----------
    Breiman, L. (1996). Bagging predictors. *Machine Learning* 24(2), 123–140.
    """

    def __init__(
        self, method="mixture", random_state: int = 0, max_fit_rows: int = 20000, n_boot: int = 0
    ):
        self.method = method
        self.random_state = random_state
        self.max_fit_rows = max_fit_rows
        self.n_boot = n_boot

    def fit(self, scores, notes: list | None = None, name: str = "score"):
        s = np.asarray(scores, dtype="float64")
        sd = float(s.std()) if len(s) else 0.0
        self.spread_ = sd if sd > 0 else 1.0
        self.boot_thresholds_ = np.empty(0)
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
        split = split_two_groups(s, self.random_state, self.max_fit_rows)
        if split.threshold is None or min(split.weights) < 0.05:
            _warn(
                f"thresholds: the {name} shows no two groups (mixture weights "
                f"{np.round(split.weights, 2).tolist()}); median used",
                notes,
            )
            return self
        self.threshold_, self.method_ = split.threshold, "mixture"
        self.spread_ = split.spread
        self.mixture_ = split.components
        if self.n_boot > 0:
            self._bag(s)
        return self

    def _bag(self, s: np.ndarray) -> None:
        """Cut at the median boundary of mixtures fitted on bootstrap resamples."""
        size = min(len(s), self.max_fit_rows)
        cuts = []
        for b in range(int(self.n_boot)):
            rng = np.random.default_rng([self.random_state, 20_000 + b])
            split = split_two_groups(s[rng.integers(0, len(s), size)], self.random_state, size)
            if split.threshold is not None and min(split.weights) >= 0.05:
                cuts.append(split.threshold)
        if len(cuts) * 2 < self.n_boot:  # most resamples show no two groups: keep the one fit
            return
        self.boot_thresholds_ = np.asarray(cuts)
        self.threshold_ = float(np.median(cuts))
        self.interval_ = tuple(float(q) for q in np.quantile(cuts, [0.025, 0.975]))
        self.method_ = f"mixture, median of {len(cuts)} bootstrap fits"

    def confidence(self, scores) -> np.ndarray:
        """Probability that the true score lies on the observed side: Φ(|s − t| / spread)."""
        s = np.asarray(scores, dtype="float64")
        return stats.norm.cdf(np.abs(s - self.threshold_) / self.spread_)


def _axis_methods(thresholds) -> dict:
    """The thresholds setting per axis: a dict as given, or one method for both axes."""
    if isinstance(thresholds, dict):
        return thresholds
    return {"value": thresholds, "loyalty": thresholds}


def _agreement(v, lo, high_v, high_l, value_cuts, loyalty_cuts) -> np.ndarray:
    """Share of the bootstrap pairs of cuts under which each customer stays in the quadrant
    (pairs by resample; an axis without resamples keeps its one cut)."""
    k = max(len(value_cuts), len(loyalty_cuts))
    if k == 0:
        return np.ones(len(v))
    same = np.zeros(len(v))
    for b in range(k):
        keep_v = (v >= value_cuts[b % len(value_cuts)]) == high_v if len(value_cuts) else True
        keep_l = (
            (lo >= loyalty_cuts[b % len(loyalty_cuts)]) == high_l if len(loyalty_cuts) else True
        )
        same += keep_v & keep_l
    return same / k


def assign_archetypes(
    scores: pd.DataFrame,
    n_occasions=None,
    thresholds="mixture",
    thin_history_max: int = 2,
    random_state: int = 0,
    max_fit_rows: int = 20000,
    notes: list | None = None,
    n_boot: int = 0,
) -> tuple[pd.DataFrame, dict]:
    r"""Place every customer in a quadrant of the value × loyalty grid.

    Parameters
    ----------
    scores : DataFrame
        ``value_score`` and ``loyalty_score`` (:func:`score_customers`).
    n_occasions : array-like, optional
        Purchase occasions per customer (all of them: the ``frequency`` column of
        :func:`~cemlib.cx.segments.features.customer_features`), for the ``thin_history`` flag.
    thresholds : {"mixture", "median"} or dict
        How each axis is split (:class:`AxisThresholds`); a dict gives ``value`` and ``loyalty``
        separately (a method name or a number on the z-score scale).
    thin_history_max : int
        Customers with at most this many purchase occasions are flagged ``thin_history``.
    random_state, max_fit_rows : int
        For the mixtures.
    n_boot : int
        Bootstrap resamples of each axis' mixture (:class:`AxisThresholds`): the cut is the
        median boundary, reported with its 95 % interval.

    Returns
    -------
    assigned : DataFrame
        ``archetype``, ``high_value``, ``high_loyalty``, ``archetype_confidence`` (probability,
        0.25–1, that both axes are on the observed side: the product of Φ(distance to the
        threshold / within-group spread) over the two axes — near 0.25 on the crossing, near 1
        far inside a quadrant), ``archetype_agreement`` (with bootstrap: the share of the
        resamples' pairs of cuts under which the customer keeps the archetype; 1 without) and
        ``thin_history``.
    info : dict
        Threshold, method, spread, ``interval`` (2.5 and 97.5 percentiles of the bootstrap cuts)
        and ``n_boot`` (resamples that found two groups) per axis.

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
    spec = _axis_methods(thresholds)
    if n_occasions is None:
        thin = np.zeros(len(scores), dtype=bool)
    else:
        thin = np.asarray(n_occasions, dtype="float64") <= thin_history_max
    fit_rows = ~thin if (~thin).sum() >= 20 else np.ones(len(scores), dtype=bool)
    axes = {}
    for axis in ("value", "loyalty"):
        axes[axis] = AxisThresholds(
            spec.get(axis, "mixture"), random_state, max_fit_rows, n_boot
        ).fit(scores[f"{axis}_score"].to_numpy(dtype="float64")[fit_rows], notes, f"{axis} score")
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
    out["archetype_agreement"] = _agreement(
        v, lo, high_v, high_l, axes["value"].boot_thresholds_, axes["loyalty"].boot_thresholds_
    )
    out["thin_history"] = thin
    if len(np.unique(arche)) == 1:
        _warn(f"archetypes: every customer falls in one quadrant ({arche[0]})", notes)
    info = {
        axis: {
            "threshold": float(t.threshold_),
            "method": t.method_,
            "spread": float(t.spread_),
            "interval": list(getattr(t, "interval_", (t.threshold_, t.threshold_))),
            "n_boot": len(t.boot_thresholds_),
            **({"mixture": t.mixture_} if hasattr(t, "mixture_") else {}),
        }
        for axis, t in axes.items()
    }
    return out, info
