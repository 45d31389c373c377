r"""Natural groups of customers: Gaussian mixtures on the standardised features, and how stable
both the clusters and the archetypes are under resampling.

:func:`cluster_customers` fits mixtures of 2 to 8 components (:mod:`cemlib.stats.mixture`),
chooses the number by BIC (Schwarz 1978; Fraley & Raftery 2002), ICL (Biernacki, Celeux &
Govaert 2000) or the silhouette (Rousseeuw 1987) and reports the bootstrap stability of the
clustering as an adjusted Rand index (Hubert & Arabie 1985); :func:`archetype_stability` does the
same for the archetype assignment with thresholds re-estimated per resample; :func:`_name_clusters`
names each cluster by where it sits on the value × loyalty grid.

References
----------
Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2, 193–218.

For Biernacki, Celeux & Govaert (2000), Fraley & Raftery (2002), Rousseeuw (1987) and Schwarz
(1978), see :mod:`cemlib.stats.mixture`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from cemlib.cx.segments._common import SegmentWarning, _warn
from cemlib.cx.segments.grid import AxisThresholds, _axis_methods, assign_archetypes
from cemlib.stats.mixture import fit_gaussian_mixture, selection_criterion

__all__ = ["archetype_stability", "cluster_customers"]


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
        gm = fit_gaussian_mixture(S, k, covariance_type, random_state)
        fits[k] = gm
        row = {"k": k, "bic": float(gm.bic(S))}
        row[criterion] = (
            selection_criterion(gm, S, criterion, random_state)
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
        gm = fit_gaussian_mixture(S[boot], k, covariance_type, random_state + b + 1)
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
        ``value_score``, ``loyalty_score`` and, optionally, ``frequency`` (purchase occasions;
        then thresholds are fitted on customers beyond a thin history, as
        :func:`assign_archetypes` does).
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
    # all purchase occasions (the segments frame calls them "frequency")
    n_occasions = scores["frequency"].to_numpy(dtype="float64") if "frequency" in scores else None
    ref, _ = assign_archetypes(
        scores, n_occasions, thresholds, thin_history_max, random_state, max_fit_rows, notes=[]
    )
    thin = ref["thin_history"].to_numpy()
    pool = np.flatnonzero(~thin) if (~thin).sum() >= 20 else np.arange(len(scores))
    spec = _axis_methods(thresholds)
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
