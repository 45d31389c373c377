"""Run the pipeline in a test as `dvc repro` does, on a small world, under a temporary folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.stages import STAGES
from pipeline.stages import run_stage as _run

# Small and fast: fewer bootstrap resamples; the statistics are tested elsewhere.
FAST = {"drivers": ["n_boot=40"], "segments": ["n_boot=3"]}


def run_stage(stage: str, root: Path, *sets: str) -> subprocess.CompletedProcess:
    """One stage with data in ``root/data`` and reports in ``root/reports``."""
    return _run(stage, root / "data", root / "reports", sets, timeout=900)


def run_pipeline(root: Path, *ingest_sets: str, stages=STAGES) -> Path:
    """Run ``stages`` in order into ``root``; fail with the stage's stderr. Returns ``root``."""
    for stage in stages:
        sets = list(ingest_sets) if stage == "ingest" else FAST.get(stage, [])
        done = run_stage(stage, root, *sets)
        assert done.returncode == 0, f"stage {stage} failed:\n{done.stderr[-3000:]}"
    return root
