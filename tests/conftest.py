"""Shared fixtures: a tiny hand-written folder in the X-VOC data model, and small synthetic worlds."""

from __future__ import annotations

from pathlib import Path

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
