"""Run the pipeline's stages exactly as `dvc repro` does — the commands of ``dvc.yaml`` — but with
data and reports in another folder and optional parameter overrides.

Used by the tests (small worlds in temporary folders) and by the gallery (each bundled data set
into ``reports/gallery/NAME/``), so both run what a reproducer runs.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from cemlib.config import PROJ_ROOT

DVC_STAGES = yaml.safe_load((PROJ_ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
STAGES = tuple(DVC_STAGES)  # in pipeline order: ingest, clean, drivers, segments, whitepaper


def stage_env(data_dir: Path, reports_dir: Path) -> dict:
    """The environment that points a stage's data and reports at other folders."""
    return {**os.environ, "CEM_DATA_DIR": str(data_dir), "CEM_REPORTS_DIR": str(reports_dir)}


def stage_command(stage: str, sets: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The stage's ``dvc.yaml`` command run by this Python, with ``key=value`` overrides."""
    command = shlex.split(DVC_STAGES[stage]["cmd"])
    if command[0] != "python":
        raise ValueError(f"stage {stage}: expected a python command, found {command[0]!r}")
    command[0] = sys.executable
    return command + (["--set", *sets] if sets else [])


def run_stage(
    stage: str, data_dir: Path, reports_dir: Path, sets=(), timeout: int = 3600
) -> subprocess.CompletedProcess:
    return subprocess.run(
        stage_command(stage, sets),
        cwd=PROJ_ROOT,
        env=stage_env(data_dir, reports_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
