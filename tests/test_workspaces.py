"""Paths follow the run's workspace: `dvc exp run --temp` and a two-worker `dvc queue` each read
their own params.yaml and write their own outputs, never the checkout the virtualenv points at."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from stage_runner import run_stage

from cemlib.config import WORKSPACE_ENV, find_workspace

PROJ_ROOT = Path(__file__).resolve().parents[1]
# clean.speeder_fraction of each queued experiment; "usual" is params.yaml's own value
VARIANTS = {"usual": 0.3333, "strict": 0.6}


def test_the_environment_variable_names_the_workspace(tmp_path):
    assert find_workspace(PROJ_ROOT, environ={WORKSPACE_ENV: str(tmp_path)}) == tmp_path.resolve()


def test_the_working_directory_finds_the_workspace_above_it(tmp_path):
    for marker in ("dvc.yaml", "params.yaml"):
        (tmp_path / marker).write_text("")
    inner = tmp_path / "notebooks" / "examples"
    inner.mkdir(parents=True)
    assert find_workspace(inner, environ={}) == tmp_path.resolve()
    # Without both markers the package's own checkout is the fallback.
    (tmp_path / "dvc.yaml").unlink()
    assert find_workspace(inner, environ={}) == PROJ_ROOT


def _dvc(clone: Path, *args: str, timeout: int = 300) -> str:
    dvc = Path(sys.executable).with_name("dvc")
    env = {k: v for k, v in os.environ.items() if k not in {WORKSPACE_ENV, "PYTHONPATH"}}
    # queue workers and stage commands find `dvc` and `python` on PATH: this environment's
    env["PATH"] = os.pathsep.join([str(dvc.parent), env.get("PATH", "")])
    done = subprocess.run(
        [str(dvc), *args], cwd=clone, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"dvc {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    )
    return done.stdout


def _numbers(tree: dict, prefix: str = "") -> dict[str, float]:
    """The numeric leaves of a metrics JSON, as ``dvc exp show`` reports them (lists and text
    are not metrics to DVC)."""
    found: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            found |= _numbers(value, f"{prefix}{key}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found[prefix + key] = value
    return found


def _experiment_metrics(show: list) -> dict[str, dict]:
    """``{experiment name: quality.json}`` from ``dvc exp show --json``."""
    found = {}
    for commit in show:
        for exp in commit.get("experiments") or []:
            for rev in exp.get("revs", []):
                data = rev.get("data") or {}
                metrics = (data.get("metrics") or {}).get("reports/metrics/quality.json")
                if rev.get("name") and metrics:
                    found[rev["name"]] = metrics["data"]
    return found


@pytest.mark.slow
def test_two_queued_experiments_write_their_own_results(tmp_path, small_pipeline):
    """The way researchers sweep parameters: two variants queued, run by two workers at once.
    Each experiment's quality.json must equal a direct run of the same stages with its own
    parameters (for the usual cut, the shared small pipeline; for the strict one, the clean
    stage rerun on that pipeline's raw data), and the clone's own workspace stays untouched."""
    from conftest import SMALL_PIPELINE_WORLD

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(PROJ_ROOT), str(clone)], check=True)
    world = [f"ingest.{s}" if s.startswith("n_") else f"base.{s}" for s in SMALL_PIPELINE_WORLD]
    for name, fraction in VARIANTS.items():
        sets = [f"-S{s}" for s in [*world, f"clean.speeder_fraction={fraction}"]]
        _dvc(clone, "exp", "run", "--queue", "clean", "-n", name, *sets)
    _dvc(clone, "queue", "start", "-j", "2")
    deadline = time.monotonic() + 600
    while True:
        status = _dvc(clone, "queue", "status")
        if not any(word in status for word in ("Queued", "Running")):
            break
        if time.monotonic() > deadline:
            _dvc(clone, "queue", "kill", *VARIANTS)
            pytest.fail(f"queued experiments did not finish in 10 minutes:\n{status}")
        time.sleep(3)
    _dvc(clone, "queue", "stop")
    assert status.count("Success") == len(VARIANTS), status

    results = _experiment_metrics(json.loads(_dvc(clone, "exp", "show", "--json")))
    assert set(results) == set(VARIANTS)
    strict = tmp_path / "strict"
    shutil.copytree(small_pipeline / "data" / "raw", strict / "data" / "raw")
    clean = run_stage("clean", strict, f"speeder_fraction={VARIANTS['strict']}")
    assert clean.returncode == 0, clean.stderr[-2000:]
    for name, root in (("usual", small_pipeline), ("strict", strict)):
        direct = json.loads((root / "reports" / "metrics" / "quality.json").read_text())
        assert _numbers(results[name]) == _numbers(direct), name
    speeders = {n: results[n]["tables"]["responses"]["rules"].get("speeder", 0) for n in VARIANTS}
    assert speeders["strict"] > speeders["usual"]
    # The queued runs wrote into their own copies, not into the clone's workspace.
    assert not (clone / "data" / "clean").exists()
    assert subprocess.run(["git", "diff", "--quiet"], cwd=clone).returncode == 0
