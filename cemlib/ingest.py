"""Stage ``ingest``: fill ``data/raw/`` from the source named in ``params.yaml`` → ``ingest.source``.

``synthetic`` runs the seeded generator (:mod:`cemlib.synth`); a folder path copies the user's
files in the X-VOC data model as they are (the clean stage reads their encodings and formats),
after checking that the folder can be read at all so that a wrong path or a broken codebook
stops here with one clear line.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd

from cemlib.errors import XVOCError
from cemlib.io import SUPPORTED_SUFFIXES, read_folder, write_json

CODEBOOK_NAMES = ("codebook.yaml", "codebook.yml")


def file_manifest(folder: Path) -> pd.DataFrame:
    """One row per file under ``folder``: relative path, bytes and SHA-256 (for provenance)."""
    rows = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        rows.append(
            {
                "file": path.relative_to(folder).as_posix(),
                "bytes": path.stat().st_size,
                "sha256": digest[:16],
            }
        )
    return pd.DataFrame(rows, columns=["file", "bytes", "sha256"])


def copy_user_folder(source: Path, out_dir: Path) -> None:
    """Copy the data-model files of a user's folder verbatim into ``out_dir``."""
    read_folder(source)  # structural check first: fail here, naming the user's file
    for path in sorted(source.iterdir()):
        keep = path.name.lower() in CODEBOOK_NAMES or path.suffix.lower() in SUPPORTED_SUFFIXES
        if path.is_file() and keep:
            shutil.copy2(path, out_dir / path.name)


def ingest(source: str, out_dir: Path, *, seed: int = 0, **synthetic_options) -> pd.DataFrame:
    """Write the raw input of the pipeline into ``out_dir`` (emptied first); return its manifest.

    Parameters
    ----------
    source : ``"synthetic"`` or a folder path holding files in the X-VOC data model.
    out_dir : usually :data:`cemlib.config.RAW_DIR`.
    seed, synthetic_options : passed to :func:`cemlib.synth.generate` for ``synthetic``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    if source == "synthetic":
        from cemlib.synth import generate

        generate(out_dir, seed=seed, **synthetic_options)
    else:
        folder = Path(source).expanduser()
        if not folder.is_dir():
            raise XVOCError(
                f"ingest.source '{source}' is neither 'synthetic' nor an existing folder",
                rule="unknown_source",
            )
        copy_user_folder(folder, out_dir)
        # Real data carries no planted truth; the folder exists so later stages can depend on it.
        write_json({"source": str(folder), "planted": False}, out_dir / "truth" / "truth.json")
    return file_manifest(out_dir)
