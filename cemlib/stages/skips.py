"""Analyses a stage could not run, and why — one shared way for the clean, drivers and segments
stages to say so.

Researchers hold one table and not another: transactions without a survey, a survey without
customer ids, answers on 0–100 instead of a rating scale. A stage then still writes every
declared output (result tables with their contract columns and zero rows) and records each
analysis it skipped in its metrics JSON under ``"skipped"``: a list of ``{"analysis", "needs",
"reason"}`` (empty when nothing was skipped, so ``dvc metrics diff`` stays stable). Its report
shows exactly one line per skipped analysis, :attr:`Skip.line`, and never an empty chart or a
NaN (:func:`for_display`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "MISSING_MARK",
    "for_display",
    "Skip",
    "Skips",
    "StagePlan",
    "with_skipped",
]

MISSING_MARK = "—"  # what a table shows where a value does not exist


@dataclass(frozen=True)
class Skip:
    """One analysis not run: its short name, what would enable it, and why it was skipped."""

    analysis: str
    needs: str
    reason: str

    @property
    def line(self) -> str:
        """The one line a report shows, e.g. ``Skipped: key drivers — needs the responses table
        with an outcome and at least two drivers. The input has no responses table.``"""
        return f"Skipped: {self.analysis} — needs {self.needs}. {self.reason}"

    def as_dict(self) -> dict:
        return {"analysis": self.analysis, "needs": self.needs, "reason": self.reason}


class Skips:
    """The analyses a stage skipped, in the order they were found (one entry per analysis)."""

    def __init__(self) -> None:
        self._entries: dict[str, Skip] = {}

    def add(self, analysis: str, needs: str, reason: str) -> None:
        """Record a skipped analysis; the first reason given for an analysis is kept."""
        self._entries.setdefault(analysis, Skip(analysis, needs, reason))

    def __contains__(self, analysis: str) -> bool:
        return analysis in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries.values())

    def runs(self, analysis: str) -> bool:
        """Whether ``analysis`` can run (was not skipped)."""
        return analysis not in self._entries

    def line(self, analysis: str) -> str:
        return self._entries[analysis].line

    def show(self, analysis: str) -> None:
        """Print the analysis's one skip line (what a stage report shows in its place)."""
        print(self.line(analysis))

    def records(self) -> list[dict]:
        """The ``"skipped"`` list of a metrics JSON."""
        return [entry.as_dict() for entry in self._entries.values()]


@dataclass
class StagePlan:
    """What a stage can compute from the tables at hand: the one plan every stage uses.

    ``skips`` holds one entry per analysis that cannot run (its report section shows the line);
    ``blocked`` names parts of an analysis not run because the analysis they belong to was
    skipped (no line of their own); ``notes`` says what the plan chose and why. A stage that
    needs more (the drivers stage's focus outcome, say) subclasses it with those fields.
    """

    skips: Skips = field(default_factory=Skips)
    blocked: set = field(default_factory=set)
    notes: list = field(default_factory=list)

    def runs(self, analysis: str) -> bool:
        """Whether ``analysis`` runs: neither skipped nor blocked."""
        return self.skips.runs(analysis) and analysis not in self.blocked

    def show(self, analysis: str) -> None:
        """Print the analysis's skip line (nothing for a blocked part)."""
        if analysis in self.skips:
            self.skips.show(analysis)


def with_skipped(headline: dict, skips: Skips) -> dict:
    """A stage's headline metrics with its ``"skipped"`` list (always present)."""
    return {**headline, "skipped": skips.records()}


def for_display(frame: pd.DataFrame, digits: int | None = None) -> pd.DataFrame:
    """A table as a report shows it: floats rounded, columns with no value at all left out,
    and any other missing value shown as an em dash instead of NaN.

    For display only; result files keep their missing values as nulls.
    """
    frame = frame.loc[:, [c for c in frame.columns if frame[c].notna().any()]]
    if digits is not None:
        frame = frame.round(digits)
    if not frame.isna().any().any():
        return frame
    shown = frame.astype(object)
    return shown.where(frame.notna().to_numpy(), MISSING_MARK)
