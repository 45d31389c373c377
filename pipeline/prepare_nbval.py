"""Copy every stage notebook into a folder with a small parameter set injected, for nbval.

    python pipeline/prepare_nbval.py build/nbval

nbval runs a notebook's own parameters cell and cannot inject values, so Papermill's
parameterisation (the same one ``dvc repro`` uses) writes an "injected-parameters" cell into each
copy. A first cell points the data and reports folders (CEM_DATA_DIR / CEM_REPORTS_DIR) inside
the folder, before anything imports :mod:`cemlib.config`, so the pipeline's own data is never
touched and the copies can run in the same pytest session as the other tests (``make test``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import papermill as pm

from cemlib.config import NOTEBOOKS_DIR

# Small enough to keep `make test` fast, large enough that every planted defect occurs.
SMALL = {
    "00_ingest": {"n_customers": 400, "seed": 1},
    "02_key_drivers": {"n_boot": 100},
    "03_customer_segments": {"n_boot": 3},
}


def prepare(out_dir: Path) -> list[Path]:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    written = []
    for source in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        target = out_dir / source.name
        pm.execute_notebook(
            str(source),
            str(target),
            parameters=SMALL.get(source.stem, {}),
            kernel_name="python3",
            prepare_only=True,
            progress_bar=False,
        )
        _point_folders_inside(target, out_dir.resolve())
        written.append(target)
    return written


def _point_folders_inside(notebook: Path, root: Path) -> None:
    """Prepend the cell that sends the stage's data and reports to ``root``."""
    nb = nbformat.read(notebook, as_version=4)
    setup = nbformat.v4.new_code_cell(
        "import os\n"
        f"os.environ['CEM_DATA_DIR'] = {str(root / 'data')!r}\n"
        f"os.environ['CEM_REPORTS_DIR'] = {str(root / 'reports')!r}"
    )
    setup.metadata["tags"] = ["nbval-folders"]
    nb.cells.insert(0, setup)
    nbformat.write(nb, notebook)


if __name__ == "__main__":
    for path in prepare(Path(sys.argv[1] if len(sys.argv) > 1 else "build/nbval")):
        print(path)
