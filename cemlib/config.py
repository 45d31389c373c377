"""Every path of the project in one place, so no notebook builds a path by hand.

Layout follows cookiecutter-data-science v2: raw data is immutable, derived data is
rebuilt by the pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
# Tests and the nbval run point these elsewhere so they never touch the pipeline's own data.
DATA_DIR = Path(os.environ.get("CEM_DATA_DIR", PROJ_ROOT / "data"))
RAW_DIR = DATA_DIR / "raw"
TRUTH_DIR = RAW_DIR / "truth"  # what the synthetic generator planted; absent for real data
CLEAN_DIR = DATA_DIR / "clean"
RESULTS_DIR = DATA_DIR / "results"
REPORTS_DIR = Path(os.environ.get("CEM_REPORTS_DIR", PROJ_ROOT / "reports"))
METRICS_DIR = REPORTS_DIR / "metrics"
TEMPLATES_DIR = PROJ_ROOT / "reports" / "templates"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
PARAMS_FILE = PROJ_ROOT / "params.yaml"


def load_params(section: str | None = None, path: Path = PARAMS_FILE) -> dict:
    """Read ``params.yaml`` (or one of its sections), the single home of every tunable number."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        params = yaml.safe_load(fh) or {}
    return params if section is None else params.get(section, {})
