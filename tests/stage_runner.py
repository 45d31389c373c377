"""Run the pipeline's stages in a test exactly as `dvc repro` does (the commands of dvc.yaml),
on a small world, with data and reports under a temporary folder."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from cemlib.config import PROJ_ROOT

DVC = yaml.safe_load((PROJ_ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
STAGES = ("ingest", "clean", "drivers", "segments", "whitepaper")
# Small and fast: fewer bootstrap resamples; the statistics are tested elsewhere.
FAST = {"drivers": ["n_boot=40"], "segments": ["n_boot=3"]}


def stage_env(root: Path) -> dict:
    """Environment that points the stages' data and reports into ``root``."""
    return {
        **os.environ,
        "CEM_DATA_DIR": str(root / "data"),
        "CEM_REPORTS_DIR": str(root / "reports"),
    }


def run_stage(stage: str, root: Path, *sets: str) -> subprocess.CompletedProcess:
    """The stage's dvc.yaml command, with ``key=value`` parameter overrides."""
    command = shlex.split(DVC[stage]["cmd"])
    assert command[0] == "python"
    command[0] = sys.executable
    if sets:
        command += ["--set", *sets]
    return subprocess.run(
        command,
        cwd=PROJ_ROOT,
        env=stage_env(root),
        capture_output=True,
        text=True,
        timeout=900,
    )


def run_pipeline(root: Path, *ingest_sets: str, stages=STAGES) -> Path:
    """Run ``stages`` in order into ``root``; fail with the stage's stderr. Returns ``root``."""
    for stage in stages:
        sets = list(ingest_sets) if stage == "ingest" else FAST.get(stage, [])
        done = run_stage(stage, root, *sets)
        assert done.returncode == 0, f"stage {stage} failed:\n{done.stderr[-3000:]}"
    return root
