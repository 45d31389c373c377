"""The output contracts: every result table the stages write, its file and its columns.

Other tools read these files, so their names and columns are stable (columns may be added, never
renamed or removed). This module is the one place they are declared; the stages build their
tables in this column order, a skipped analysis writes :func:`empty` (the columns with their types
and no rows), and the tests check every written file against it. ``docs/architecture.md`` lists
them for readers.

Dtypes are pandas dtype names: ``str`` for text, ``float64``/``int64`` for numbers, ``Int64``
for whole numbers that may be missing, ``bool``, ``string`` for ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cemlib.data.io import empty_frame

__all__ = ["CONTRACTS", "Contract", "columns", "empty", "stage_outputs"]

_TEXT, _NUM, _WHOLE = "str", "float64", "int64"


@dataclass(frozen=True)
class Contract:
    """One result table: the stage that writes it, where, and its columns (name → dtype)."""

    name: str
    stage: str
    columns: dict[str, str]
    description: str

    @property
    def path(self) -> str:
        """The file, relative to the workspace."""
        return f"data/results/{self.name}.parquet"


def _contract(name: str, stage: str, description: str, *parts: dict[str, str]) -> Contract:
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part)
    return Contract(name, stage, merged, description)


CONTRACTS: dict[str, Contract] = {
    c.name: c
    for c in (
        _contract(
            "drivers",
            "drivers",
            "one row per outcome × driver × method: importance, share of R², bootstrap CI, rank; "
            "the model's in-sample R² and its 10-fold cross-validated R² (r2_cv)",
            {c: _TEXT for c in ("outcome", "driver", "method")},
            {"importance": _NUM, "share": _NUM, "ci_low": _NUM, "ci_high": _NUM},
            {"rank": _WHOLE, "n": _WHOLE, "sign": _WHOLE},
            {c: _NUM for c in ("signed_importance", "vif", "r2", "n_effective")},
            {"note": _TEXT, "r2_cv": _NUM},
        ),
        _contract(
            "drivers_pairs",
            "drivers",
            "one row per outcome × method × pair of drivers: does one outweigh the other",
            {c: _TEXT for c in ("outcome", "method", "driver_i", "driver_j")},
            {c: _NUM for c in ("p_i_greater", "diff", "diff_ci_low", "diff_ci_high")},
        ),
        _contract(
            "drivers_touchpoints",
            "drivers",
            "one row per touchpoint: CEI and BEI (0–100) with CIs, importance, zone",
            {"touchpoint": _TEXT, "stage": _NUM, "n_driver_items": _WHOLE, "n_brand_items": _WHOLE},
            {c: _NUM for c in ("cei", "cei_ci_low", "cei_ci_high", "bei", "bei_ci_low")},
            {"bei_ci_high": _NUM, "alpha": _NUM, "importance": _NUM},
            {"zone": _TEXT, "balance": _TEXT},
        ),
        _contract(
            "drivers_priorities",
            "drivers",
            "one row per driver item: performance, importance, quadrant, Kano class with its "
            "bootstrap agreement, stated vs derived rank, owner and action",
            {"driver": _TEXT, "label": _TEXT, "touchpoint": _TEXT, "stage": _NUM},
            {c: _NUM for c in ("performance", "performance_ci_low", "performance_ci_high")},
            {"importance": _NUM, "importance_share": _NUM, "quadrant": _TEXT},
            {"importance_ci_low": _NUM, "importance_ci_high": _NUM, "borderline": "bool"},
            {"penalty": _NUM, "reward": _NUM, "kano": _TEXT, "stated_mean": _NUM},
            {c: _NUM for c in ("penalty_ci_low", "penalty_ci_high", "reward_ci_low")},
            {"reward_ci_high": _NUM, "kano_agreement": _NUM, "kano_borderline": "bool"},
            {"stated_rank": "Int64", "derived_rank": "Int64", "rank_gap": "Int64"},
            {"verdict": _TEXT, "owner": _TEXT, "action": _TEXT},
        ),
        _contract(
            "drivers_emotion",
            "drivers",
            "one row per group × journey stage: mean 0–100 experience with CI, peak and end",
            {"group": _TEXT, "stage": _WHOLE, "touchpoint": _TEXT},
            {"mean": _NUM, "ci_low": _NUM, "ci_high": _NUM, "n": _WHOLE},
            {"peak": "bool", "end": "bool"},
        ),
        _contract(
            "drivers_nps",
            "drivers",
            "one row per grouping × group: NPS with its adjusted-Wald CI",
            {"by": _TEXT, "group": "string", "n": _WHOLE, "n_effective": _NUM},
            {c: _NUM for c in ("promoters", "passives", "detractors", "nps", "se")},
            {"ci_low": _NUM, "ci_high": _NUM, "change": _NUM, "change_p": _NUM},
        ),
        _contract(
            "segments",
            "segments",
            "one row per customer: archetype, value and loyalty scores, cluster, CLV, P(alive), "
            "plus the features used",
            {"customer_id": "string", "archetype": "string", "value_score": _NUM},
            {"loyalty_score": _NUM, "cluster": _WHOLE, "clv": _NUM, "p_alive": _NUM},
            {"cluster_name": _TEXT, "thin_history": "bool", "archetype_confidence": _NUM},
        ),
        _contract(
            "segments_profiles",
            "segments",
            "one row per archetype or cluster: size, shares of margin and CLV, treatment",
            {"level": _TEXT, "segment": _TEXT, "n": _WHOLE},
            {c: _NUM for c in ("share_customers", "share_margin", "share_clv", "value_score")},
            {c: _NUM for c in ("loyalty_score", "p_alive", "clv", "promo_share")},
            {"treatment": _TEXT},
        ),
        _contract(
            "segments_holdout",
            "segments",
            "one row per bucket of past purchases: actual vs BG/NBD-predicted holdout purchases",
            {"bucket": _TEXT, "n_customers": _WHOLE, "actual": _NUM, "predicted": _NUM},
            {"difference": _NUM},
        ),
    )
}


def columns(name: str) -> list[str]:
    """The contract columns of result table ``name``, in order."""
    return list(CONTRACTS[name].columns)


def empty(name: str) -> pd.DataFrame:
    """Result table ``name`` with its contract columns and types and no rows: what a skipped
    analysis writes, so the declared output exists and reads as "nothing computed"."""
    return empty_frame(CONTRACTS[name].columns)


def stage_outputs(stage: str) -> list[str]:
    """Names of the result tables ``stage`` writes, in declaration order.

    Examples
    --------
    >>> stage_outputs("segments")
    ['segments', 'segments_profiles', 'segments_holdout']
    """
    return [c.name for c in CONTRACTS.values() if c.stage == stage]
