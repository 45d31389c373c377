"""The provenance appendix: the commit of the paper's own code (the code dependencies of its DVC
stage, read from ``dvc.yaml``), the data files with their MD5 hashes, the parameters and the package
versions."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from cemlib.config import PROJ_ROOT
from cemlib.data.io import file_manifest
from cemlib.report.html import esc, para, section, table
from cemlib.report.study import Study

__all__ = [
    "REPORTED_PACKAGES",
    "stage_code",
    "git_commit",
    "file_hashes",
    "package_versions",
    "parameters_used",
    "provenance_appendix",
]


REPORTED_PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "statsmodels",
    "pingouin",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "dvc",
)


def stage_code(stage: str = "whitepaper", root: Path = PROJ_ROOT) -> list[str]:
    """The code a DVC stage depends on (its notebook, cemlib modules, glue and template): the
    ``deps`` of ``dvc.yaml`` that are not data or metrics."""
    deps = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"][stage]["deps"]
    return [d for d in deps if not d.startswith(("data/", "reports/metrics/"))]


def git_commit(paths: list[str], root: Path = PROJ_ROOT) -> str:
    """The last commit that changed ``paths`` (the code that ran), marked when they have
    uncommitted changes.

    Not ``HEAD``: the paper must come out byte-identical from a fresh clone at any later commit
    that leaves this code alone, because DVC reruns the stage only when its code changes.
    """
    try:
        commit = _git(root, "log", "-1", "--format=%H", "--", *paths)
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no", "--", *paths)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git work tree)"
    if not commit:
        return "unknown (the code is not committed)"
    return f"{commit} (with uncommitted changes to this code)" if dirty else commit


def _git(root: Path, *args: str) -> str:
    """The stripped output of one git command run in ``root``; raises when git fails."""
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def file_hashes(data_dir: Path | str, folders=("raw", "clean", "results")) -> pd.DataFrame:
    """MD5 of every data file the paper rests on — the hash DVC records for a file."""
    frames = [
        file_manifest(Path(data_dir) / folder, "md5", None).assign(
            file=lambda t, folder=folder: folder + "/" + t["file"]
        )
        for folder in folders
    ]
    return pd.concat(frames, ignore_index=True)


def package_versions(names=REPORTED_PACKAGES) -> pd.DataFrame:
    rows = [{"package": "python", "version": platform.python_version()}]
    for name in names:
        try:
            rows.append({"package": name, "version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            continue
    return pd.DataFrame(rows)


def parameters_used(
    all_params: dict, study: Study, paper_params: dict | None = None
) -> tuple[dict, list[str]]:
    """The parameters this run used: ``params.yaml`` with what the run itself records put in
    place of the file's value — the data source the ingest stage wrote (``provenance.json``)
    and the paper's own parameters — and the list of keys that differ from the file (set on
    the command line, as the gallery does).

    >>> study = Study({"source": "cdnow"}, False, Path("."), None, None, None, {}, {}, None)
    >>> used, changed = parameters_used(
    ...     {"ingest": {"source": "synthetic"}, "whitepaper": {"max_findings": 8}},
    ...     study, {"max_findings": 6})
    >>> used["ingest"]["source"], used["whitepaper"]["max_findings"], changed
    ('cdnow', 6, ['ingest.source', 'whitepaper.max_findings'])
    >>> parameters_used({"drivers": {"map_threshold": 60}, "whitepaper": {}}, study,
    ...                 {"map_threshold": 60})[1]  # read from the drivers section, unchanged
    []
    """
    used = {
        name: dict(values) if isinstance(values, dict) else values
        for name, values in all_params.items()
    }
    recorded = {("ingest", "source"): study.provenance.get("source")}
    for key, value in (paper_params or {}).items():
        # a paper parameter lives in the whitepaper section or, read from another stage, there
        holder = next(
            (n for n in ("whitepaper", *used) if isinstance(used.get(n), dict) and key in used[n]),
            "whitepaper",
        )
        recorded[(holder, key)] = value
    changed = []
    for (section_name, key), value in recorded.items():
        section_values = used.get(section_name)
        if value is None or not isinstance(section_values, dict):
            continue
        if section_values.get(key) != value:
            section_values[key] = value
            changed.append(f"{section_name}.{key}")
    return used, changed


def provenance_appendix(
    study: Study, data_dir: Path | str, all_params: dict, paper_params: dict | None = None
) -> str:
    source = study.provenance
    body = para(
        f"Code: commit <code>{esc(git_commit(stage_code()))}</code> (the last change to the "
        "paper's code). Data source: "
        f"{esc(source.get('title') or source['source'])}"
        + (f" — {esc(source['citation'])}" if source.get("citation") else "")
        + (f" (licence: {esc(source['licence'])})" if source.get("licence") else "")
        + "."
    )
    body += table(file_hashes(data_dir), "hashes", "Data files and their MD5 hashes.")
    used, changed = parameters_used(all_params, study, paper_params)
    note = (
        "; set for this run instead of the file's value: "
        + ", ".join(f"<code>{esc(key)}</code>" for key in changed)
        if changed
        else ""
    )
    body += (
        '<details class="wp-details"><summary>Parameters this run used (params.yaml'
        f"{note})</summary>"
        f"<pre>{esc(yaml.safe_dump(used, sort_keys=False, allow_unicode=True))}</pre>"
        "</details>"
    )
    body += table(package_versions(), "packages", "Package versions.")
    return section("provenance", "Provenance", body, appendix=True)
