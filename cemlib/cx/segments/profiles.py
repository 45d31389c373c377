r"""What each segment is worth and how it feels: segment profiles and the attitude × behaviour grid.

:func:`profile_segments` describes every archetype and cluster — size, shares of margin and CLV,
behaviour, NPS with its interval (:func:`cemlib.cx.metrics.nps_summary`), top complaint reasons
and the treatment (:func:`~cemlib.cx.segments.grid.treatment`). :func:`attitudinal_grid`
crosses relative attitude with repeat patronage into Dick & Basu's (1994) four loyalty types, the
attitudinal axis that survey answers add beside the two behavioural ones.

References
----------
Dick, A. S. & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework.
*Journal of the Academy of Marketing Science* 22(2), 99–113.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx.metrics import nps_summary as _nps
from cemlib.cx.segments.grid import ARCHETYPES, treatment

__all__ = ["archetype_confidence_table", "attitudinal_grid", "profile_segments"]


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
        (:func:`cemlib.cx.metrics.nps_summary` on the customers' latest ``ltr``; NaN when nobody
        answered),
        ``n_complaints``, ``complaints_per_100`` (complaints per 100 customers of the group),
        ``top_complaints`` (``reason (count)``, …) and ``treatment`` (of the archetype, or of
        the cluster's majority archetype).
    """
    seg = segments
    margin_total = float(seg["margin_net"].sum())
    clv_total = float(seg["clv"].clip(lower=0).sum())
    complaints = None
    if feedback is not None and {"customer_id", "kind"} <= set(feedback.columns):
        fb = feedback[(feedback["kind"] == "complaint") & feedback["customer_id"].notna()]
        # a pre-coded reason is listed where the data carry one; coding free text is the
        # verbatims stage's work (the whitepaper shows its themes per archetype)
        reason = fb["reason"] if "reason" in fb else pd.Series(pd.NA, index=fb.index)
        complaints = pd.DataFrame({"customer_id": fb["customer_id"], "reason": reason}).astype(
            "string"
        )
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
                counts = mine.dropna().value_counts().head(top_reasons)
                row["n_complaints"] = int(len(mine))
                # a rate, not a count: the groups differ in size by an order of magnitude
                row["complaints_per_100"] = 100 * len(mine) / len(group)
                if len(counts):
                    row["top_complaints"] = ", ".join(f"{r} ({c})" for r, c in counts.items())
            arche = str(key) if level == "archetype" else str(group["cluster_archetype"].iloc[0])
            row["treatment"] = treatment(arche)
            rows.append(row)
    return pd.DataFrame(rows)


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


def archetype_confidence_table(segments: pd.DataFrame) -> pd.DataFrame:
    """How firmly each archetype's customers sit in it: per archetype, ``customers``, the median
    ``archetype_confidence`` (both axes on the observed side, from the distance to each cut),
    the share of customers whose archetype holds under at least 90 % of the bootstrap cuts
    (``archetype_agreement``) and the share with a thin history (a provisional label)."""
    g = segments.groupby("archetype", observed=True, sort=False)
    table = pd.DataFrame(
        {
            "customers": g.size(),
            "median_confidence": g["archetype_confidence"].median(),
            "share_stable_90": g["archetype_agreement"].agg(lambda a: float((a >= 0.9).mean())),
            "share_thin_history": g["thin_history"].mean(),
        }
    )
    order = [a for a in ARCHETYPES if a in table.index]
    return table.reindex(order).rename_axis("archetype").reset_index()
