"""Headline numbers of each stage, written to ``reports/metrics/*.json`` for `dvc metrics`."""

from __future__ import annotations

import math

import pandas as pd

__all__ = [
    "drivers_headline",
    "segments_headline",
    "verbatims_headline",
]


def drivers_headline(
    nps_overall: pd.DataFrame,
    drivers_table: pd.DataFrame,
    priorities: pd.DataFrame,
    method: str = "shapley",
    top: int = 3,
) -> dict:
    """Headline numbers of the drivers stage for ``reports/metrics/drivers.json``.

    An analysis the stage skipped leaves its part empty, never NaN: ``nps`` is ``None`` without
    an NPS item, ``r2``, ``r2_cv`` (10-fold cross-validated; ``None`` where too few rows) and
    ``top_drivers`` are ``{}`` and ``fix_first`` ``[]`` without key drivers.
    """
    overall = nps_overall[nps_overall["by"] == "all"] if "by" in nps_overall else nps_overall
    first = overall.iloc[0] if len(overall) and overall["n"].iloc[0] > 0 else None
    chosen = drivers_table[drivers_table["method"] == method].sort_values(["outcome", "rank"])
    top_drivers = {
        outcome: [
            {
                "driver": row.driver,
                "share": round(float(row.share), 4),
                "ci_low": round(float(row.ci_low / row.r2), 4) if row.r2 > 0 else 0.0,
                "ci_high": round(float(row.ci_high / row.r2), 4) if row.r2 > 0 else 0.0,
            }
            for row in part.head(top).itertuples()
        ]
        for outcome, part in chosen.groupby("outcome", sort=True)
    }
    r2 = chosen.groupby("outcome")["r2"].first().round(4).to_dict()
    r2_cv = chosen.groupby("outcome")["r2_cv"].first().to_dict() if "r2_cv" in chosen else {}
    fix_first = priorities.loc[priorities["quadrant"] == "fix first", "driver"].tolist()
    nps = None
    if first is not None:
        nps = {
            k: round(float(first[k]), 2)
            for k in ("nps", "ci_low", "ci_high", "promoters", "detractors")
        } | {"n": int(first["n"])}
    return {
        "nps": nps,
        "r2": {k: float(v) for k, v in r2.items()},
        "r2_cv": {k: _number(v) for k, v in r2_cv.items()},
        "top_drivers": top_drivers,
        "fix_first": fix_first,
    }


def _number(value, digits: int = 4):
    """A finite number rounded for JSON, else ``None`` (JSON has no NaN)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return round(value, digits) if math.isfinite(value) else None


def _lifetime_diagnostics(life: dict) -> dict:
    """Per lifetime model: whether it was fitted, which parameters ran to a degenerate extreme
    and, for the sBG fitted on a snapshot, which assumption the data contradict
    (``failed_check``); no customer with a purchase: no model is attempted, each ``None``. A
    contractual base has the sBG alone."""
    if "sbg" in life:
        return {
            "sbg": {
                "fitted": life["sbg"] is not None,
                "degenerate": life["sbg_degenerate"],
                "failed_check": life["sbg_failed_check"],
            }
        }
    if not life.get("n_customers_fitted"):
        return {"bgnbd": None, "gamma_gamma": None}
    return {
        model: {
            "fitted": life.get(model) is not None,
            "degenerate": life.get(f"{model}_degenerate", []),
        }
        for model in ("bgnbd", "gamma_gamma")
    }


def segments_headline(
    profiles: pd.DataFrame,
    info: dict | None,
    recovery: dict | None = None,
    brand: pd.DataFrame | None = None,
    observed: pd.DataFrame | None = None,
) -> dict:
    """Headline numbers of the segments stage: archetype sizes and value shares, stability.

    Without transactions (``info`` is ``None``) ``archetypes`` is ``{}`` and the counts are
    ``None``; a value that does not exist (NPS of an archetype nobody surveyed) is ``None``.
    With brand data, ``brand_switching`` gives each archetype's pooled switching and
    promotion-conditional switching rates (:func:`cemlib.cx.segments.brand_behaviour`). Where
    the data hold an outcome observed after the fact, ``observed`` gives its rate per archetype
    with the Wilson interval (:func:`cemlib.stages.recovery.observed_outcomes`).
    """
    level = profiles["level"] if "level" in profiles else pd.Series(dtype="str")
    archetypes = profiles[level == "archetype"].set_index("segment")
    out = {
        "archetypes": {
            name: {
                "n": int(row["n"]),
                "share_customers": _number(row["share_customers"]),
                "share_margin": _number(row["share_margin"]),
                "share_clv": _number(row["share_clv"]),
                "nps": _number(row.get("nps"), 2),
            }
            for name, row in archetypes.iterrows()
        },
        # where each axis was split (the lines of the value × loyalty map)
        "thresholds": {
            axis: _number(info["thresholds"][axis]["threshold"]) for axis in ("value", "loyalty")
        }
        if info
        else None,
        "clusters": int(info["clusters"]["k"]) if info else None,
        "stability_ari": {
            "archetypes": _number(info["archetype_stability"]["ari_mean"]) if info else None,
            "clusters": _number(info["clusters"]["stability"]["ari_mean"]) if info else None,
        },
        # what the findings of the paper must know to grade their claims
        "margin_basis": info["margin_basis"] if info else None,
        "thin_history_share": _number(info["thin_history_share"]) if info else None,
        "lifetime": _lifetime_diagnostics(info["lifetime"]) if info else None,
        "business_model": {k: info["business_model"][k] for k in ("model", "reason", "cadence")}
        if info
        else None,
        "loyalty_weights": info["loyalty"]["weights"] if info else None,
    }
    if recovery:
        out["recovery"] = {
            "ari": round(float(recovery["ari"]), 4),
            "recall": {k: round(float(v), 4) for k, v in recovery["recall"].items()},
        }
    if brand is not None and len(brand):
        out["brand_switching"] = {
            row.archetype: {
                "customers": int(row.customers),
                "switching_rate": _number(row.switching_rate),
                "promo_switching": _number(row.promo_switching),
                "promo_share": _number(row.promo_share),
            }
            for row in brand.itertuples()
        }
    if observed is not None and len(observed):
        out["observed"] = {
            outcome: {
                row.archetype: {
                    "customers": int(row.customers),
                    "rate": _number(row.rate),
                    "ci_low": _number(row.ci_low),
                    "ci_high": _number(row.ci_high),
                }
                for row in part.itertuples()
            }
            for outcome, part in observed.groupby("outcome", sort=True)
        }
    return out


def verbatims_headline(results, sentiment_metrics: dict, recovered: dict | None = None) -> dict:
    """Headline numbers of the verbatims stage for ``reports/metrics/verbatims.json``.

    ``n`` verbatims and ``by_language``; ``themes`` (count by how they were found),
    ``unclassified`` (texts no theme fits), ``top_themes`` (largest five with share, sentiment and
    NPS impact), ``emerging`` (themes whose change survives the false-discovery control),
    ``sentiment_held_out`` (the classifier's accuracy and AUC on texts it never saw, per
    language) and, on synthetic data, ``recovery``.
    """
    verbatims, themes = results.verbatims, results.themes
    by_source = themes["source"].value_counts().to_dict() if len(themes) else {}
    top = themes.sort_values(["n", "theme"], ascending=[False, True]).head(5)
    emerging = results.emerging
    significant = (
        emerging.loc[emerging["change_q"] < 0.05, "theme"].tolist() if len(emerging) else []
    )
    held_out = {
        language: {
            k: _number(sentiment_metrics.get(language, {}).get(k)) for k in ("accuracy", "roc_auc")
        }
        for language in ("en", "zh")
    }
    out = {
        "n": int(len(verbatims)),
        "by_language": {
            str(k): int(v) for k, v in verbatims["language"].value_counts().sort_index().items()
        },
        "themes": {
            "codeframe": int(by_source.get("codeframe", 0)),
            "discovered": int(by_source.get("discovered", 0)),
        },
        "unclassified": int((verbatims["theme"] == "unclassified").sum()),
        "top_themes": [
            {
                "theme": row.theme,
                "share": _number(row.share),
                "sentiment_mean": _number(row.sentiment_mean),
                "nps_impact": _number(row.nps_impact, 2),
            }
            for row in top.itertuples()
        ],
        "emerging": significant,
        "sentiment_held_out": held_out,
        "sentiment_vs_ratings": {k: _number(v) for k, v in results.ratings.items()},
    }
    if recovered:
        out["recovery"] = {
            k: recovered[k] for k in ("primary_ari", "macro_f1", "cross_lingual", "sentiment_sign")
        } | {
            "nps_effects_covered": sum(e.get("covered", False) for e in recovered["nps_effects"]),
            "nps_effects": len(recovered["nps_effects"]),
        }
    return out
