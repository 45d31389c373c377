"""Shared fixtures: a tiny hand-written folder in the X-VOC data model, and small synthetic worlds."""

from __future__ import annotations

import os
from pathlib import Path

# Every figure made in a test run — here, and in the stage notebooks it runs (their kernels
# inherit the environment) — fails on a readability problem (cemlib.report.figure_check).
os.environ.setdefault("CEM_FIGURE_CHECK", "strict")

import pytest
from cem_fixtures import write_folder


@pytest.fixture
def fixture_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "input")


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A small synthetic world (every defect planted a few times), generated once per run."""
    from cemlib.data.synth import generate

    folder = tmp_path_factory.mktemp("small_world")
    generate(folder, n_customers=600, seed=7)
    return folder


@pytest.fixture(scope="session")
def default_world(tmp_path_factory) -> Path:
    """The synthetic world at its default size, as `make repro` builds it."""
    from cemlib.data.synth import generate

    folder = tmp_path_factory.mktemp("default_world")
    generate(folder, seed=0)
    return folder


@pytest.fixture(scope="session")
def sentiment_model():
    """The trained sentiment model. Training reads only corpora inside pinned packages, so the
    model is cached by the code and package versions (cemlib.text.sentiment.default_model_path):
    a machine trains it once, and parallel workers and the stage subprocesses wait for the first
    (a file lock) instead of training again."""
    from cemlib.text.sentiment import cached_sentiment_model, default_model_path

    return cached_sentiment_model(default_model_path())


# The world of `small_pipeline`: the whitepaper, reproducibility and workspace tests share it.
SMALL_PIPELINE_WORLD = ("n_customers=400", "seed=5")


@pytest.fixture(scope="session")
def small_pipeline(tmp_path_factory) -> Path:
    """The whole pipeline, every stage as `dvc repro` runs it, on a small world: run once per
    test session (it is the slowest thing the tests do)."""
    from stage_runner import run_pipeline

    return run_pipeline(tmp_path_factory.mktemp("small_pipeline"), *SMALL_PIPELINE_WORLD)


# `make test` runs the tests on every core (pytest-xdist, `--dist loadgroup`). A session fixture is
# built once per worker, so the tests that share an expensive one are kept on the same worker:
# otherwise each worker would run the same small pipeline or generate the same world again.
SHARED_EXPENSIVE = ("small_pipeline", "default_world")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.suffix == ".ipynb":  # nbval: a notebook's cells share one kernel, and the
            item.add_marker(pytest.mark.xdist_group("notebooks"))  # stage copies run in order
            continue
        shared = [name for name in SHARED_EXPENSIVE if name in getattr(item, "fixturenames", [])]
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "scenario" in callspec.params:  # test_partial_inputs
            shared = [f"partial-{callspec.params['scenario']}"]
        if shared:
            item.add_marker(pytest.mark.xdist_group(shared[0]))
