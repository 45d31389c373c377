"""Headline numbers of each stage, written to ``reports/metrics/*.json`` for `dvc metrics`."""

from __future__ import annotations

import pandas as pd


def drivers_headline(
    nps_overall: pd.DataFrame,
    drivers_table: pd.DataFrame,
    priorities: pd.DataFrame,
    method: str = "shapley",
    top: int = 3,
) -> dict:
    """Headline numbers of the drivers stage for ``reports/metrics/drivers.json``."""
    first = nps_overall.iloc[0]
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
    fix_first = priorities.loc[priorities["quadrant"] == "fix first", "driver"].tolist()
    return {
        "nps": {
            k: round(float(first[k]), 2)
            for k in ("nps", "ci_low", "ci_high", "promoters", "detractors")
        }
        | {"n": int(first["n"])},
        "r2": {k: float(v) for k, v in r2.items()},
        "top_drivers": top_drivers,
        "fix_first": fix_first,
    }


def segments_headline(profiles: pd.DataFrame, info: dict, recovery: dict | None = None) -> dict:
    """Headline numbers of the segments stage: archetype sizes and value shares, stability."""
    archetypes = profiles[profiles["level"] == "archetype"].set_index("segment")
    out = {
        "archetypes": {
            name: {
                "n": int(row["n"]),
                "share_customers": round(float(row["share_customers"]), 4),
                "share_margin": round(float(row["share_margin"]), 4),
                "share_clv": round(float(row["share_clv"]), 4),
                "nps": None if pd.isna(row["nps"]) else round(float(row["nps"]), 2),
            }
            for name, row in archetypes.iterrows()
        },
        "clusters": int(info["clusters"]["k"]),
        "stability_ari": {
            "archetypes": round(float(info["archetype_stability"]["ari_mean"]), 4),
            "clusters": round(float(info["clusters"]["stability"]["ari_mean"]), 4),
        },
    }
    if recovery:
        out["recovery"] = {
            "ari": round(float(recovery["ari"]), 4),
            "recall": {k: round(float(v), 4) for k, v in recovery["recall"].items()},
        }
    return out
