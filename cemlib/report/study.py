"""What the earlier stages left on disk, read once: the :class:`Study` every part of the paper is
built from, the notebook's parameter list, and the facts of the title page (data period, sample
sizes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cemlib.data.io import read_clean
from cemlib.data.schema import Codebook

__all__ = [
    "RESULT_FILES",
    "WHITEPAPER_PARAMETERS",
    "Study",
    "load_study",
    "data_period",
    "sample_sizes",
]


RESULT_FILES = (
    "drivers",
    "drivers_nps",
    "drivers_priorities",
    "drivers_touchpoints",
    "drivers_emotion",
    "segments",
    "segments_profiles",
    "verbatims",
    "themes",
    "verbatims_emerging",
    "verbatims_pareto",
)


# The notebook's parameters, all of them wording or presentation: changing one reruns only the
# whitepaper stage (the drivers stage's importance method and map thresholds are read, not
# recomputed; its focus outcome comes from drivers.json).
WHITEPAPER_PARAMETERS = (
    "study_title",
    "organisation",
    "max_findings",
    "verbatims_per_theme",
    "top_themes",
    "importance_method",
    "map_threshold",
    "map_off_diagonal",
    "evidence",
)


@dataclass
class Study:
    """What the earlier stages left on disk; ``None`` or an empty frame where a stage skipped."""

    provenance: dict
    planted: bool
    truth_dir: Path
    quality: dict | None
    drivers_metrics: dict | None
    segments_metrics: dict | None
    results: dict[str, pd.DataFrame]
    tables: dict[str, pd.DataFrame]
    codebook: Codebook | None
    verbatims_metrics: dict | None = None
    sentiment_metrics: dict | None = None

    def result(self, name: str) -> pd.DataFrame | None:
        """A result table, or ``None`` when it is missing or has no rows."""
        frame = self.results.get(name)
        return frame if frame is not None and len(frame) else None

    @property
    def skipped(self) -> list[dict]:
        """Every analysis an earlier stage skipped, from the ``skipped`` lists of its metrics."""
        stages = (self.quality, self.drivers_metrics, self.segments_metrics, self.verbatims_metrics)
        return [entry for metrics in stages for entry in (metrics or {}).get("skipped", [])]

    @property
    def focus_outcome(self) -> str | None:
        """The outcome the drivers stage built its maps for (it falls back to the codebook's
        first outcome when the configured one is absent, and records its choice)."""
        return (self.drivers_metrics or {}).get("focus_outcome")

    @property
    def weight_column(self) -> str | None:
        """The survey-weight column the drivers stage used (``None``: unweighted), as it recorded
        it by :func:`cemlib.data.schema.survey_weight_column`; the paper's own tables follow it."""
        return (self.drivers_metrics or {}).get("weights")

    def table(self, name: str) -> pd.DataFrame | None:
        frame = self.tables.get(name)
        return frame if frame is not None and len(frame) else None


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def load_study(data_dir: Path | str, metrics_dir: Path | str) -> Study:
    """Read the clean tables, the results, the metrics JSON and the provenance of one run."""
    data_dir, metrics_dir = Path(data_dir), Path(metrics_dir)
    raw, clean, results_dir = data_dir / "raw", data_dir / "clean", data_dir / "results"
    truth_dir = raw / "truth"
    truth = _read_json(truth_dir / "truth.json")
    # The generator's truth.json describes what it planted; real data writes {"planted": false}.
    planted = truth is not None and truth.get("planted", True) is not False
    provenance = _read_json(raw / "provenance.json") or {
        "source": "synthetic" if planted else (truth or {}).get("source", "unknown"),
    }
    tables, codebook = read_clean(clean) if clean.is_dir() else ({}, None)
    results = {
        name: pd.read_parquet(results_dir / f"{name}.parquet")
        for name in RESULT_FILES
        if (results_dir / f"{name}.parquet").exists()
    }
    return Study(
        provenance=provenance,
        planted=planted,
        truth_dir=truth_dir,
        quality=_read_json(metrics_dir / "quality.json"),
        drivers_metrics=_read_json(metrics_dir / "drivers.json"),
        segments_metrics=_read_json(metrics_dir / "segments.json"),
        verbatims_metrics=_read_json(metrics_dir / "verbatims.json"),
        sentiment_metrics=_read_json(metrics_dir / "sentiment.json"),
        results=results,
        tables=tables,
        codebook=codebook,
    )


def data_period(study: Study) -> dict:
    """First and last day observed in the survey and the transactions (the date of the data)."""
    dates = []
    for name, column in (("responses", "submitted_at"), ("transactions", "ts")):
        frame = study.table(name)
        if frame is not None and column in frame:
            values = pd.to_datetime(frame[column]).dropna()
            if len(values):
                dates += [values.min(), values.max()]
    if not dates:
        return {"start": None, "end": None}
    return {"start": min(dates).date().isoformat(), "end": max(dates).date().isoformat()}


def sample_sizes(study: Study) -> pd.DataFrame:
    """Rows read and rows kept per table (from ``quality.json``)."""
    rows = [
        {"table": name, "rows in": t["rows_in"], "rows kept": t["rows_out"]}
        for name, t in ((study.quality or {}).get("tables") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["table", "rows in", "rows kept"])
