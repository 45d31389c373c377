"""How well the archetypes recover those a synthetic world planted (``truth/archetypes.parquet``).

:func:`archetype_recovery` cross-tabulates planted against assigned archetypes and gives the
adjusted Rand index (Hubert & Arabie 1985), accuracy, and recall and precision per archetype,
over all customers and over those with more than a thin history. Real data have no planted
truth: the result is then empty.

References
----------
Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2, 193–218.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from cemlib.data.schema import ARCHETYPES

__all__ = ["archetype_recovery"]


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
