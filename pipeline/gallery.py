"""Render the stage reports and the whitepaper of every bundled real data set into the gallery.

    python pipeline/gallery.py                 (or: make gallery)
    python pipeline/gallery.py attitude cdnow  (some of them)

Each source runs through the same stage commands as `dvc repro` (``pipeline/stages.py``) with
its data under ``build/gallery/NAME/`` (not in git) and its reports and metrics under
``reports/gallery/NAME/`` (committed, so a reader sees real-data reports without running
anything). The whitepaper takes the data set's own title from its provenance note.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time

from cemlib.config import PROJ_ROOT
from cemlib.data.sources import SOURCES
from pipeline.stages import STAGES, run_stage

GALLERY_DIR = PROJ_ROOT / "reports" / "gallery"
BUILD_DIR = PROJ_ROOT / "build" / "gallery"


def render(name: str) -> list[str]:
    """Run every stage on source ``name``; return the files written to the gallery."""
    data_dir, reports_dir = BUILD_DIR / name / "data", GALLERY_DIR / name
    for folder in (data_dir, reports_dir):
        shutil.rmtree(folder, ignore_errors=True)
    for stage in STAGES:
        sets = [f"source={name}"] if stage == "ingest" else []
        if stage == "whitepaper":
            provenance = json.loads((data_dir / "raw" / "provenance.json").read_text("utf-8"))
            sets = [f"study_title={json.dumps(provenance['title'])}"]
        started = time.perf_counter()
        done = run_stage(stage, data_dir, reports_dir, sets)
        if done.returncode != 0:
            sys.exit(f"gallery {name}: stage {stage} failed\n{done.stderr[-3000:]}")
        print(f"  {name:24s} {stage:11s} {time.perf_counter() - started:6.1f} s", flush=True)
    return sorted(
        p.relative_to(PROJ_ROOT).as_posix() for p in reports_dir.rglob("*") if p.is_file()
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"sources to render (default: all of {list(SOURCES)})"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(SOURCES))
    if unknown:
        sys.exit(f"error: unknown source(s) {unknown}; bundled: {sorted(SOURCES)}")
    for name in args.names or list(SOURCES):
        for path in render(name):
            print(f"  wrote {path}")


if __name__ == "__main__":
    main()
