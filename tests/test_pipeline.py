"""The rails: clean notebooks, params in step with notebooks, exact DVC deps, pins in sync,
and the stages run end to end with byte-identical outputs."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from packaging.requirements import Requirement
from stage_runner import run_pipeline, run_stage

from cemlib.config import PROJ_ROOT
from pipeline.run_notebook import stage_parameters

NOTEBOOKS = sorted((PROJ_ROOT / "notebooks").glob("*.ipynb"))
DVC = yaml.safe_load((PROJ_ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def _code(notebook: Path) -> list[nbformat.NotebookNode]:
    return [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]


def _parameters(notebook: Path) -> dict:
    cell = next(c for c in _code(notebook) if "parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
        values[target.id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_committed_without_outputs(notebook):
    for cell in _code(notebook):
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{notebook.name}: run `make strip`"
        )


def _stage_of(notebook: Path) -> tuple[str, dict]:
    return next((n, s) for n, s in DVC.items() if f"notebooks/{notebook.name}" in s["deps"])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_defaults_equal_params_yaml(notebook):
    """Run in JupyterLab with its defaults, a notebook computes what `dvc repro` computes."""
    _, stage = _stage_of(notebook)
    sections = stage["cmd"].split("--params", 1)[1].split("--")[0].split()
    assert _parameters(notebook) == stage_parameters(sections, [])


def _imported_cemlib_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cemlib"):
            modules.add(node.module)
            modules.update(f"cemlib.{a.name}" for a in node.names if node.module == "cemlib")
        elif isinstance(node, ast.Import):
            modules.update(a.name for a in node.names if a.name.startswith("cemlib"))
    return modules


def _closure(modules: set[str]) -> set[str]:
    seen, todo = set(), list(modules)
    while todo:
        module = todo.pop()
        path = PROJ_ROOT / (module.replace(".", "/") + ".py")
        if module in seen or not path.exists():
            continue
        seen.add(module)
        todo.extend(_imported_cemlib_modules(path.read_text(encoding="utf-8")))
    return seen


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_dvc_deps_list_exactly_the_cemlib_code_a_stage_runs(notebook):
    name, stage = _stage_of(notebook)
    source = "\n".join(c.source for c in _code(notebook))
    needed = _closure(_imported_cemlib_modules(source)) | {"cemlib"}
    listed = {
        d[:-3].replace("/", ".").removesuffix(".__init__")
        for d in stage["deps"]
        if d.startswith("cemlib/")
    }
    assert listed == needed, f"stage {name}: add {needed - listed}, remove {listed - needed}"


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = re.match(r"^\s*(?:- )?([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_lock_file_environment_yml_and_pyproject_agree():
    lock = _pins((PROJ_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines())
    conda = _pins((PROJ_ROOT / "environment.yml").read_text(encoding="utf-8").splitlines())
    assert lock == conda, "run `make lock`"
    import tomllib

    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        requirement = Requirement(spec)
        name = requirement.name.lower().replace("_", "-")
        assert name in lock, f"{name} is not pinned: run `make lock`"
        assert requirement.specifier.contains(lock[name]), f"{name}=={lock[name]} violates {spec}"


@pytest.mark.slow
def test_stages_run_end_to_end_and_reproduce_byte_for_byte(tmp_path):
    digests = []
    for attempt in ("first", "second"):
        run_pipeline(tmp_path / attempt, "n_customers=400", "seed=3")
        data = tmp_path / attempt / "data"
        files = sorted(p for p in (data / "clean").glob("*") if p.is_file())
        files += sorted((data / "results").glob("*.parquet"))
        files += sorted((tmp_path / attempt / "reports" / "metrics").glob("*.json"))
        digests.append({p.name: p.read_bytes() for p in files})
    assert digests[0].keys() == digests[1].keys() and len(digests[0]) >= 14
    for name in digests[0]:
        assert digests[0][name] == digests[1][name], f"{name} differs between two runs"
    drivers = pd.read_parquet(tmp_path / "first" / "data" / "results" / "drivers.parquet")
    contract = [
        "outcome",
        "driver",
        "method",
        "importance",
        "share",
        "ci_low",
        "ci_high",
        "rank",
        "n",
    ]
    assert set(contract) <= set(drivers.columns)
    assert {"correlation", "beta", "pratt", "relative_weight", "shapley"} <= set(drivers["method"])
    assert not drivers[["importance", "ci_low", "ci_high", "rank", "n"]].isna().any().any()
    segments = pd.read_parquet(tmp_path / "first" / "data" / "results" / "segments.parquet")
    contract = [
        "customer_id",
        "archetype",
        "value_score",
        "loyalty_score",
        "cluster",
        "clv",
        "p_alive",
    ]
    assert set(contract) <= set(segments.columns) and segments["customer_id"].is_unique
    assert not segments[contract].isna().any().any()
    assert set(segments["archetype"]) <= {"strategic", "butterfly", "barnacle", "stranger"}
    headline = json.loads(
        (tmp_path / "first" / "reports" / "metrics" / "segments.json").read_text()
    )
    assert {"ari", "recall"} <= set(headline["recovery"])  # the synthetic world carries its truth
    html = (tmp_path / "first" / "reports" / "01_clean_xvoc.html").read_text(encoding="utf-8")
    assert "<img" in html and "data:image/png;base64" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?:", html), (
        "report fetches from a network"
    )
    assert '<details class="cem-code">' in html  # code folded away by default
    for attempt in ("first", "second"):
        assert (tmp_path / attempt / "reports" / "whitepaper.html").stat().st_size > 0


def test_wording_parameters_rerun_only_the_whitepaper():
    """`dvc repro` after a change to params.yaml's whitepaper section reruns that stage alone:
    no other stage lists the section, and the whitepaper lists nothing that a wording change
    could alter upstream."""
    for name, stage in DVC.items():
        params = [p if isinstance(p, str) else next(iter(p)) for p in stage.get("params", [])]
        listed = any(p == "whitepaper" or p.startswith("whitepaper.") for p in params)
        assert listed == (name == "whitepaper"), name
    assert "reports/whitepaper.html" in DVC["whitepaper"]["outs"]


@pytest.mark.slow
def test_malformed_input_ends_the_stage_with_one_line(tmp_path):
    from cem_fixtures import write_folder

    folder = write_folder(tmp_path / "bad", **{"codebook.yaml": "items: [oops"})
    done = run_stage("ingest", tmp_path, f"source={folder}")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()
    assert last[-1].startswith("error: file codebook.yaml: [codebook_not_yaml]"), done.stderr[
        -2000:
    ]
    assert "Traceback" not in done.stderr


def test_no_data_outputs_or_rendered_reports_in_git():
    """Data and rendered reports are DVC outputs; git holds only their .gitignore, the metrics
    and the gallery of real-data reports."""
    tracked = subprocess.run(
        ["git", "ls-files", "data", "reports"],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # The gallery of real-data reports is committed on purpose (make gallery).
    allowed = re.compile(
        r"(\.gitignore|reports/metrics/\w+\.json|reports/templates/.*)$|^reports/gallery/"
    )
    assert [path for path in tracked if not allowed.search(path)] == []
