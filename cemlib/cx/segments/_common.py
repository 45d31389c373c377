"""What every module of the segments sub-package shares: the warning it raises and how warnings
are collected as notes, a division that tolerates empty groups, and the time units.

A segments run never stops on degenerate input; it warns (:class:`SegmentWarning`) and keeps the
text of each warning in a ``notes`` list that the stage reports (``info["warnings"]``). Warnings
of the lifetime models (:mod:`cemlib.stats.lifetime`) are relayed into the same list.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np

__all__ = ["SegmentWarning"]

_DAYS_PER_YEAR = 365.25
_NS_PER_DAY = 86_400 * 10**9


class SegmentWarning(UserWarning):
    """Segmenting degenerate input: the result is defined but means less than usual."""


def _warn(message: str, notes: list | None = None) -> None:
    warnings.warn(message, SegmentWarning, stacklevel=3)
    if notes is not None:
        notes.append(message)


def _relay(caught, notes: list) -> None:
    """Pass on the lifetime models' warnings (not numpy's floating-point chatter) as ours."""
    for w in caught:
        if issubclass(w.category, UserWarning) and not issubclass(w.category, SegmentWarning):
            _warn(f"lifetime: {w.message}", notes)


@contextmanager
def _relayed(notes: list):
    """Record the warnings raised inside the block and relay them (:func:`_relay`) when it ends
    normally; when it raises, the recorded warnings are dropped with it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    _relay(caught, notes)


def _ratio(num: np.ndarray, den: np.ndarray, fill: float = np.nan) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), fill)
