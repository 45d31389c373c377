"""Every path of the pipeline in one place, so no notebook builds a path by hand.

Layout follows cookiecutter-data-science v2 (raw data is immutable, derived data is rebuilt by
the pipeline), with one difference: the root is the *workspace of the run*, not the folder this
package was imported from. ``dvc exp run --temp`` and ``dvc queue`` run each experiment in a copy
of the workspace while the installed package still points at the original checkout; a root derived
from ``__file__`` would make the copy read the original's ``params.yaml`` and overwrite the
original's outputs. The root is therefore, in order:

1. the environment variable ``CEM_WORKSPACE`` (``pipeline/run_notebook.py`` sets it to the
   workspace it runs in, for the notebook's kernel);
2. the nearest folder at or above the working directory holding both ``dvc.yaml`` and
   ``params.yaml`` (a notebook opened in JupyterLab runs in ``notebooks/``);
3. the checkout this package lives in (cemlib imported from anywhere else).

``CEM_DATA_DIR`` and ``CEM_REPORTS_DIR`` move the data and reports folders elsewhere (tests, the
gallery and the nbval run use them so they never touch the pipeline's own outputs).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "CLEAN_DIR",
    "DATA_DIR",
    "METRICS_DIR",
    "MODELS_DIR",
    "NOTEBOOKS_DIR",
    "PARAMS_FILE",
    "PROJ_ROOT",
    "RAW_DIR",
    "REPORTS_DIR",
    "RESULTS_DIR",
    "TEMPLATES_DIR",
    "TRUTH_DIR",
    "WORKSPACE_ENV",
    "find_workspace",
    "load_params",
]

WORKSPACE_ENV = "CEM_WORKSPACE"
_MARKERS = ("dvc.yaml", "params.yaml")


def find_workspace(start: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The root folder of the run: ``$CEM_WORKSPACE``, else the nearest folder at or above
    ``start`` (default: the working directory) that holds ``dvc.yaml`` and ``params.yaml``,
    else the checkout this package lives in.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp).resolve()
    ...     for name in ("dvc.yaml", "params.yaml"):
    ...         _ = (root / name).write_text("")
    ...     (root / "notebooks").mkdir()
    ...     find_workspace(root / "notebooks", environ={}) == root
    True
    """
    environ = os.environ if environ is None else environ
    if environ.get(WORKSPACE_ENV):
        return Path(environ[WORKSPACE_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / marker).is_file() for marker in _MARKERS):
            return folder
    return Path(__file__).resolve().parents[1]


PROJ_ROOT = find_workspace()
DATA_DIR = Path(os.environ.get("CEM_DATA_DIR", PROJ_ROOT / "data"))
RAW_DIR = DATA_DIR / "raw"
TRUTH_DIR = RAW_DIR / "truth"  # what the synthetic generator planted; absent for real data
CLEAN_DIR = DATA_DIR / "clean"
RESULTS_DIR = DATA_DIR / "results"
MODELS_DIR = DATA_DIR / "models"  # models trained by the pipeline (the sentiment classifier)
REPORTS_DIR = Path(os.environ.get("CEM_REPORTS_DIR", PROJ_ROOT / "reports"))
METRICS_DIR = REPORTS_DIR / "metrics"
TEMPLATES_DIR = PROJ_ROOT / "reports" / "templates"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
PARAMS_FILE = PROJ_ROOT / "params.yaml"


def load_params(section: str | None = None, path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Read ``params.yaml`` (or one of its sections), the single home of every tunable number."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        params = yaml.safe_load(fh) or {}
    return params if section is None else params.get(section, {})
