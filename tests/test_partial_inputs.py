"""Graceful partial inputs: every stage runs on whatever tables exist.

Three folders a researcher may hold — transactions only, a survey only, and a survey without
customer ids beside the other tables — go through every stage exactly as `dvc repro` runs them (the commands of dvc.yaml, papermill, data and reports under a temporary
folder). Each stage must succeed, write every output it declares, list what it skipped in its
metrics JSON, show one line per skipped analysis in its report, and show no NaN and no chart for
an analysis it skipped. The whitepaper of each passes the consistency rules of
:mod:`cemlib.report.consistency` and gathers the parts the data cannot support in one box.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from stage_runner import run_stage

from pipeline.stages import DVC_STAGES

STAGES = ("ingest", "clean", "drivers", "segments", "sentiment_model", "verbatims", "whitepaper")
# the whitepaper of the two extremes (the third folder lies between them; tests stay in budget)
PAPER_SCENARIOS = ("transactions_only", "survey_only")
FAST = {"drivers": ["n_boot=20"], "segments": ["n_boot=2"]}
METRICS = {
    "clean": "quality.json",
    "drivers": "drivers.json",
    "segments": "segments.json",
    "verbatims": "verbatims.json",
}
REPORTS = {
    "clean": "01_clean_xvoc.html",
    "drivers": "02_key_drivers.html",
    "segments": "03_customer_segments.html",
    "verbatims": "04_verbatims.html",
}
ALL_DRIVERS = {
    "NPS",
    "experience scores",
    "advocacy against satisfaction",
    "key drivers",
    "importance–performance",
    "stated against derived importance",
    "Kano penalty–reward",
    "CEI × BEI map",
    "emotion curve",
}
ALL_SEGMENTS = {
    "value × loyalty archetypes",
    "value concentration",
    "CLV by archetype",
    "natural clusters",
    "lifetime-model holdout check",
    "brand switching",
    "attitude × behaviour grid",
}
SURVEY_LINKED = {"NPS per archetype", "attitude × behaviour grid"}
ALL_VERBATIMS = {
    "themes",
    "sentiment",
    "NPS impact of themes",
    "emerging themes",
    "reasons for leaving",
}

# scenario -> expected skipped analyses per stage
EXPECTED = {
    "transactions_only": {
        "clean": {"survey quality checks", "codebook gaps", "customer linkage"},
        "drivers": ALL_DRIVERS,
        "segments": {"brand switching", "complaints per archetype"} | SURVEY_LINKED,
        "verbatims": ALL_VERBATIMS,
    },
    "survey_only": {
        "clean": {"customer linkage"},
        "drivers": set(),
        "segments": ALL_SEGMENTS,
        # no segments; the small world's last two quarters hold fewer than 30 comments each
        "verbatims": {"reasons for leaving", "emerging themes"},
    },
    "survey_without_customer_ids": {
        "clean": {"near-duplicate check"},  # no respondent to tell repeats from look-alikes
        "drivers": set(),
        "segments": {"brand switching"} | SURVEY_LINKED,
        "verbatims": set(),
    },
}


def _without_customer_ids(source: Path, target: Path) -> None:
    """The responses CSV as written, minus its customer_id column (every value kept as text)."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.drop(columns="customer_id").to_csv(target, index=False)


def _scenario_folder(world: Path, name: str, root: Path) -> Path:
    folder = root / "input"
    folder.mkdir(parents=True)
    keep = {
        "transactions_only": ["transactions.parquet"],
        "survey_only": ["responses.csv", "codebook.yaml"],
        "survey_without_customer_ids": [
            "customers.csv",
            "transactions.parquet",
            "feedback.csv",
            "codebook.yaml",
        ],
    }[name]
    for file in keep:
        shutil.copy2(world / file, folder / file)
    if name == "survey_without_customer_ids":
        _without_customer_ids(world / "responses.csv", folder / "responses.csv")
    return folder


@pytest.fixture(scope="module", params=list(EXPECTED))
def scenario(request, small_world, tmp_path_factory):
    """Run every stage on one partial folder; returns (name, root)."""
    root = tmp_path_factory.mktemp(request.param)
    folder = _scenario_folder(small_world, request.param, root)
    for stage in STAGES:
        if stage == "whitepaper" and request.param not in PAPER_SCENARIOS:
            continue
        sets = [f"source={folder}"] if stage == "ingest" else FAST.get(stage, [])
        done = run_stage(stage, root, *sets)
        assert done.returncode == 0, f"{request.param}: stage {stage} failed\n{done.stderr[-3000:]}"
    return request.param, root


def _visible_text(report: Path) -> str:
    """What a reader sees: the report without its folded code, styles and tags."""
    text = report.read_text(encoding="utf-8")
    text = re.sub(r'<details class="cem-code">.*?</details>', " ", text, flags=re.S)
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _declared_outputs(stage: str) -> list[str]:
    spec = DVC_STAGES[stage]
    metrics = [next(iter(m)) if isinstance(m, dict) else m for m in spec.get("metrics", [])]
    return [*spec["outs"], *metrics]


@pytest.mark.parametrize("stage", list(METRICS))
def test_every_declared_output_is_written(scenario, stage):
    name, root = scenario
    for out in _declared_outputs(stage):
        path = root / out  # outs are data/... and reports/..., as under the project root
        assert path.exists(), f"{name}: {stage} did not write {out}"
    if stage == "drivers":
        drivers = pd.read_parquet(root / "data" / "results" / "drivers.parquet")
        contract = ["outcome", "driver", "method", "importance", "share", "ci_low", "ci_high"]
        assert set(contract + ["rank", "n"]) <= set(drivers.columns)
    if stage == "segments":
        segments = pd.read_parquet(root / "data" / "results" / "segments.parquet")
        contract = ["customer_id", "archetype", "value_score", "loyalty_score", "cluster"]
        assert set(contract + ["clv", "p_alive"]) <= set(segments.columns)
        assert not segments[contract].isna().any().any()


@pytest.mark.parametrize("stage", list(METRICS))
def test_skipped_analyses_are_listed_and_shown_once(scenario, stage):
    name, root = scenario
    metrics = json.loads((root / "reports" / "metrics" / METRICS[stage]).read_text("utf-8"))
    skipped = metrics["skipped"]
    assert {entry["analysis"] for entry in skipped} == EXPECTED[name][stage]
    assert len({entry["analysis"] for entry in skipped}) == len(skipped)
    visible = _visible_text(root / "reports" / REPORTS[stage])
    for entry in skipped:
        assert set(entry) == {"analysis", "needs", "reason"} and all(entry.values())
        line = f"Skipped: {entry['analysis']} — needs {entry['needs']}. {entry['reason']}"
        assert visible.count(line) == 1, f"{name}/{stage}: {line!r} not shown exactly once"


@pytest.mark.parametrize("stage", list(METRICS))
def test_reports_show_no_nan_and_no_chart_of_a_skipped_analysis(scenario, stage):
    name, root = scenario
    report = root / "reports" / REPORTS[stage]
    visible = _visible_text(report)
    assert not re.search(r"\b(NaN|nan|<NA>|NaT)\b", visible), re.search(
        r".{60}\b(NaN|nan|<NA>|NaT)\b.{30}", visible, flags=re.S
    )
    charts = len(re.findall(r"<img\b", report.read_text(encoding="utf-8")))
    expected_none = (name == "transactions_only" and stage in ("drivers", "verbatims")) or (
        name == "survey_only" and stage == "segments"
    )
    if expected_none:  # every analysis of the stage was skipped: not one (empty) chart
        assert charts == 0
    else:
        assert charts > 0


def test_anonymous_survey_still_gets_its_key_drivers(scenario):
    name, root = scenario
    drivers = pd.read_parquet(root / "data" / "results" / "drivers.parquet")
    metrics = json.loads((root / "reports" / "metrics" / "drivers.json").read_text("utf-8"))
    if name == "transactions_only":
        assert drivers.empty and metrics["nps"] is None and metrics["top_drivers"] == {}
    else:
        assert {"correlation", "beta", "pratt", "relative_weight", "shapley"} <= set(
            drivers["method"]
        )
        assert metrics["nps"]["n"] > 0 and metrics["focus_outcome"] == "ltr"
    segments = json.loads((root / "reports" / "metrics" / "segments.json").read_text("utf-8"))
    if name == "survey_only":
        assert segments["archetypes"] == {} and segments["clusters"] is None
    else:
        assert set(segments["archetypes"]) <= {"strategic", "butterfly", "barnacle", "stranger"}
        assert all(a["nps"] is None for a in segments["archetypes"].values())


def test_the_paper_is_consistent_and_gathers_what_the_data_cannot_support(scenario):
    from cemlib.report.consistency import paper_violations

    name, root = scenario
    if name not in PAPER_SCENARIOS:
        pytest.skip("the paper is rendered for the two extreme folders only")
    paper = (root / "reports" / "whitepaper.html").read_text(encoding="utf-8")
    record = json.loads((root / "reports" / "metrics" / "findings.json").read_text("utf-8"))
    assert paper_violations(paper, record) == [], name
    boxes = paper.count('class="wp-skip wp-skip-box"')
    if name == "transactions_only":  # no survey, no feedback: four parts in one box
        assert boxes == 1
        for gone in ("sec-feel", "sec-drivers", "sec-say", "sec-act"):
            assert f'id="{gone}"' not in paper, gone
    assert boxes <= 1
