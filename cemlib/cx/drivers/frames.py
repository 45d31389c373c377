"""The output of a key-driver analysis: method names, the columns of the importance and pairs
tables, the per-driver notes and warnings, and the builders of those tables.

``drivers.parquet`` has one row per outcome × driver × method (:data:`TABLE_COLUMNS`, explained
in :func:`cemlib.cx.drivers.relative_importance`), ``drivers_pairs.parquet`` one row per outcome ×
decomposing method × pair of drivers (:data:`PAIR_COLUMNS`, see
:func:`cemlib.cx.drivers.dominance_pairs`). Degenerate input never gives NaN: every message
about it is a :class:`DriverWarning`, returned as text too, and a ``note`` on the rows concerned.

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. New York: Chapman &
Hall (percentile intervals).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cemlib.data import contracts

__all__ = [
    "DECOMPOSING_METHODS",
    "DriverAnalysis",
    "DriverWarning",
    "LOGISTIC_METHOD",
    "METHODS",
    "METHOD_ALIASES",
    "PAIR_COLUMNS",
    "TABLE_COLUMNS",
]

METHODS = ("correlation", "beta", "pratt", "relative_weight", "shapley")
DECOMPOSING_METHODS = ("pratt", "relative_weight", "shapley")
LOGISTIC_METHOD = "relative_weight_logistic"
# Names the literature uses for the same decomposition (LMG: Lindeman, Merenda & Gold 1980).
METHOD_ALIASES = {"lmg": "shapley"}

# The columns of drivers.parquet and drivers_pairs.parquet: declared once, in the contracts.
TABLE_COLUMNS = contracts.columns("drivers")
PAIR_COLUMNS = contracts.columns("drivers_pairs")

_TIE_TOL = 1e-12  # bootstrap importances closer than this count as tied


class DriverWarning(UserWarning):
    """Degenerate key-driver input: the result is defined but needs reading with care."""


def percentiles(boot: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1.0 - ci) / 2.0
    low, high = np.percentile(boot, [100 * alpha, 100 * (1 - alpha)], axis=0)
    return low, high


def rank(values: np.ndarray) -> np.ndarray:
    """1 = largest; ties share the smallest rank."""
    return pd.Series(values).rank(method="min", ascending=False).to_numpy(dtype=np.int64)


@dataclass
class DriverAnalysis:
    """Result of :func:`analyse_drivers`: the tidy table, the pairwise comparisons, the warnings."""

    table: pd.DataFrame
    pairs: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


class Notes:
    """Per-driver notes and the warnings of one analysis."""

    def __init__(self, outcome: str, drivers: list[str]):
        self.outcome = outcome
        self.by_driver: dict[str, list[str]] = {d: [] for d in drivers}
        self.messages: list[str] = []

    def warn(self, message: str, drivers=None, note: str | None = None) -> None:
        text = f"outcome '{self.outcome}': {message}"
        self.messages.append(text)
        warnings.warn(text, DriverWarning, stacklevel=4)
        for d in self.by_driver if drivers is None else drivers:
            self.by_driver[d].append(note or message)

    def add(self, driver: str, note: str) -> None:
        self.by_driver[driver].append(note)

    def text(self, driver: str) -> str:
        return "; ".join(dict.fromkeys(self.by_driver[driver]))


def empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(
                dtype=float if c not in ("outcome", "method", "driver_i", "driver_j") else object
            )
            for c in PAIR_COLUMNS
        }
    )


def pairs(
    outcome: str,
    method: str,
    drivers: list[str],
    point: np.ndarray,
    boot: np.ndarray | None,
    ci: float,
    degenerate: bool = False,
) -> list[dict]:
    """Rows of the dominance table; without a bootstrap the comparison is undefined (null), except
    for degenerate input, where every importance is 0 and no driver outweighs another (0.5)."""
    rows = []
    for i in range(len(drivers)):
        for j in range(i + 1, len(drivers)):
            diff = float(point[i] - point[j])
            if boot is None or len(boot) == 0:
                p_greater, low, high = (0.5, diff, diff) if degenerate else (np.nan,) * 3
            else:
                d = boot[:, i] - boot[:, j]
                p_greater = float(np.mean(d > _TIE_TOL) + 0.5 * np.mean(np.abs(d) <= _TIE_TOL))
                low, high = (float(v) for v in percentiles(d, ci))
            rows.append(
                {
                    "outcome": outcome,
                    "method": method,
                    "driver_i": drivers[i],
                    "driver_j": drivers[j],
                    "p_i_greater": p_greater,
                    "diff": diff,
                    "diff_ci_low": low,
                    "diff_ci_high": high,
                }
            )
    return rows


def to_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("rank", "n", "sign"):
        if col in frame:
            frame[col] = frame[col].astype(np.int64)
    for col in (
        "importance",
        "share",
        "ci_low",
        "ci_high",
        "signed_importance",
        "vif",
        "r2",
        "n_effective",
        "r2_cv",
    ):
        if col in frame:
            frame[col] = frame[col].astype(float)
    return frame


def zero_result(outcome, drivers, n_rows, n_eff, notes: Notes, methods) -> DriverAnalysis:
    rows = []
    for method in methods:
        for d, n, ne in zip(drivers, n_rows, n_eff, strict=True):
            rows.append(
                {
                    "outcome": outcome,
                    "driver": d,
                    "method": method,
                    "importance": 0.0,
                    "share": 0.0 if method in (*DECOMPOSING_METHODS, LOGISTIC_METHOD) else np.nan,
                    "ci_low": 0.0,
                    "ci_high": 0.0,
                    "rank": 1,
                    "n": int(n),
                    "sign": 0,
                    "signed_importance": 0.0,
                    "vif": np.nan,
                    "r2": 0.0,
                    "n_effective": float(ne),
                    "note": notes.text(d),
                    "r2_cv": np.nan,
                }
            )
    pair_rows = []
    for method in methods:
        if method in (*DECOMPOSING_METHODS, LOGISTIC_METHOD):
            pair_rows += pairs(
                outcome, method, drivers, np.zeros(len(drivers)), None, 0.95, degenerate=True
            )
    return DriverAnalysis(
        to_frame(rows, TABLE_COLUMNS),
        to_frame(pair_rows, PAIR_COLUMNS) if pair_rows else empty_pairs(),
        notes.messages,
    )
