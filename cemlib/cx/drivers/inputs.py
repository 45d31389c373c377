"""What a key-driver analysis reads from a data frame: the checks of its arguments, the survey
weights, and the numeric outcome, driver and weight values of the rows it can use.

One rule decides which survey weight column, if any, an estimate uses
(:func:`cemlib.data.schema.survey_weight_column`): the caller's column when weights are on and the responses carry
it with at least one value, else none (every row weighs 1). Every estimate of the drivers
analysis, derived importance and stated importance alike, goes through it.

References
----------
Kish, L. (1965). *Survey Sampling*. New York: Wiley.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx.drivers import frames
from cemlib.stats.importance import CONSTANT_TOL

__all__ = ["MISSING_POLICIES"]

MISSING_POLICIES = ("listwise", "pairwise")


def _weights_array(df: pd.DataFrame, weights) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in df.columns:
            raise ValueError(f"weight column '{weights}' is not in the data")
        values = pd.to_numeric(df[weights], errors="coerce")
    else:
        values = pd.Series(np.asarray(weights, dtype=float), index=df.index)
        if len(values) != len(df):
            raise ValueError(f"weights has {len(values)} values for {len(df)} rows")
    return values.to_numpy(dtype=float, na_value=np.nan)


def _numeric(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return (
        np.column_stack(
            [
                pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                for c in columns
            ]
        )
        if columns
        else np.empty((len(df), 0))
    )


def _is_constant(values: np.ndarray, w: np.ndarray) -> bool:
    ok = np.isfinite(values) & (w > 0)
    if ok.sum() < 2:
        return True
    v = values[ok]
    spread = v.max() - v.min()
    return bool(spread <= CONSTANT_TOL * np.abs(v).max())


def _check_inputs(df, outcome, drivers, missing, ci, n_boot) -> list[str]:
    drivers = list(drivers)
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must lie strictly between 0 and 1, got {ci}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot}")
    if not drivers:
        raise ValueError("no drivers given")
    if len(set(drivers)) != len(drivers):
        raise ValueError("drivers are listed more than once")
    if outcome in drivers:
        raise ValueError(f"outcome '{outcome}' is also listed as a driver")
    absent = [c for c in [outcome, *drivers] if c not in df.columns]
    if absent:
        raise ValueError(f"columns not in the data: {', '.join(absent)}")
    return drivers


def _prepare_rows(df, outcome, drivers, weights, notes: frames.Notes):
    """Outcome and driver values of the rows with an outcome and a usable weight."""
    y = _numeric(df, [outcome])[:, 0]
    x = _numeric(df, drivers)
    w = _weights_array(df, weights)
    weighted = w is not None
    if w is None:
        w = np.ones(len(df))
    bad_w = ~np.isfinite(w) | (w < 0)
    if weighted and bad_w.any():
        notes.warn(
            f"{int(bad_w.sum())} rows without a valid (finite, non-negative) weight left out",
            drivers=[],
        )
    keep = np.isfinite(y) & ~bad_w
    return x[keep], y[keep], w[keep], weighted
