"""How well the methods recover what the synthetic generator planted (absent on real data)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from scipy import stats

__all__ = [
    "driver_recovery",
]


def driver_recovery(
    drivers_table: pd.DataFrame, truth_dir: Path | str, outcome: str, method: str = "shapley"
) -> pd.DataFrame:
    """Estimated shares of R² beside the population shares the generator planted.

    Empty when the data carries no planted truth. The Spearman rank correlation and whether
    the top three agree are in the frame's ``attrs``.
    """
    path = Path(truth_dir) / "drivers.parquet"
    columns = [
        "driver",
        "estimated_share",
        "ci_low",
        "ci_high",
        "population_share",
        "estimated_rank",
        "population_rank",
    ]
    if not path.exists():
        return pd.DataFrame(columns=columns)
    truth = pd.read_parquet(path)
    truth = truth[truth["outcome"] == outcome]
    estimate = drivers_table[
        (drivers_table["outcome"] == outcome) & (drivers_table["method"] == method)
    ].copy()
    r2 = estimate["r2"].replace(0, float("nan"))
    estimate["ci_low"] = estimate["ci_low"] / r2
    estimate["ci_high"] = estimate["ci_high"] / r2
    table = estimate.rename(columns={"share": "estimated_share", "rank": "estimated_rank"}).merge(
        truth[["driver", "population_share", "population_rank"]], on="driver"
    )[columns]
    table = table.sort_values("population_rank", ignore_index=True)
    rho = stats.spearmanr(table["estimated_share"], table["population_share"]).statistic
    top = set(table.nsmallest(3, "estimated_rank")["driver"])
    table.attrs = {
        "spearman": float(rho),
        "top3_match": top == set(table.nsmallest(3, "population_rank")["driver"]),
    }
    return table
