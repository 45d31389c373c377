"""Run one stage notebook with Papermill and render it to a self-contained HTML report.

    python pipeline/run_notebook.py 01_clean_xvoc --params clean

Parameters come from the ``params.yaml`` sections named by ``--params`` (later sections win; a
dotted name such as ``drivers.focus_outcome`` takes one key of a section); the notebook's own
defaults apply to anything not given. ``--template whitepaper`` renders with the whitepaper's
own look instead of the stage-report look. Malformed input stops with the single
line of the :class:`cemlib.errors.XVOCError`, not a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

# jsonschema builds a full RFC 3987 grammar at import when rfc3987-syntax is installed (it is,
# for jupyter-events): 2 s of every stage's start-up spent on an IRI format check that notebook
# validation never uses. Marking the module absent makes jsonschema skip that one check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402
import papermill as pm  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402

# The workspace this script belongs to is the one being run: under `dvc exp run --temp` or a
# `dvc queue` worker that is a copy of the checkout, and its own cemlib and params.yaml must be
# used, not those of the checkout the virtualenv points at. The kernel inherits both settings.
WORKSPACE = Path(__file__).resolve().parents[1]
os.environ["CEM_WORKSPACE"] = str(WORKSPACE)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(WORKSPACE), *filter(None, [os.environ.get("PYTHONPATH")])]
)
sys.path.insert(0, str(WORKSPACE))

from cemlib.config import (  # noqa: E402
    CLEAN_DIR,
    NOTEBOOKS_DIR,
    RAW_DIR,
    REPORTS_DIR,
    TEMPLATES_DIR,
    load_params,
)


def stage_parameters(sections: list[str], overrides: list[str]) -> dict:
    """Merge the named ``params.yaml`` sections (flat keys) and ``key=value`` overrides."""

    merged: dict = {}
    for section in sections:
        name, _, key = section.partition(".")
        values = load_params(name)
        merged.update({key: values[key]} if key else values)
    for item in overrides:
        key, _, value = item.partition("=")
        merged[key] = override_value(value)
    return merged


def override_value(value: str):
    """A ``--set`` value read as YAML (numbers, lists, booleans), except where YAML would turn
    plain text into something else: a folder path such as ``/data/run: 2025`` stays a string.

    >>> override_value("20"), override_value("[2, 8]"), override_value("/data/run: 2025")
    (20, [2, 8], '/data/run: 2025')
    >>> override_value("{a: 1}")
    {'a': 1}
    """
    import yaml

    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    if isinstance(parsed, dict) and not value.lstrip().startswith("{"):
        return value
    return parsed


def tidy_executed(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what differs run to run (timings, papermill metadata) and stderr (progress bars)."""
    nb.metadata.pop("papermill", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell["id"] = f"cell-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    return nb


def notebook_title(nb: nbformat.NotebookNode, name: str) -> str:
    """The notebook's first heading ('# ...'), else its name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return name


def render_html(
    nb: nbformat.NotebookNode, name: str, template: str = "cem", title: str | None = None
) -> str:
    """The report: the executed notebook through the template, titled by ``title`` (else the
    notebook's heading) and the data it ran on, so reports of different data sets differ."""
    from cemlib.data.io import data_identity

    # the clean stage writes the input's provenance into data/clean; before that, data/raw
    data = data_identity(CLEAN_DIR if (CLEAN_DIR / "provenance.json").exists() else RAW_DIR)
    heading = title or notebook_title(nb, name)
    nb.metadata["title"] = f"{heading} — {data}"
    exporter = HTMLExporter(template_name=template, extra_template_basedirs=[str(TEMPLATES_DIR)])
    meta = {"name": name, "title": heading, "data": data}
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": meta})
    return html


def exit_message(name: str, exc) -> str:
    """One line for malformed input (an XVOCError); the end of the traceback for anything else,
    which is a bug worth reading."""
    if exc.ename == "XVOCError":
        return f"error: {exc.evalue}"
    tail = "\n".join(exc.traceback[-6:]) if exc.traceback else ""
    return f"error: {name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n{tail}"


def run(name: str, parameters: dict, report: Path | None, template: str = "cem") -> None:
    source = NOTEBOOKS_DIR / f"{name}.ipynb"
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / f"{name}.ipynb"
        try:
            pm.execute_notebook(
                str(source),
                str(executed),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(NOTEBOOKS_DIR),
                progress_bar=False,
                log_output=False,
            )
        except pm.PapermillExecutionError as exc:
            sys.exit(exit_message(name, exc))
        nb = tidy_executed(nbformat.read(executed, as_version=4))
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        title = parameters.get("study_title")
        report.write_text(render_html(nb, name, template, title), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="notebook name in notebooks/, without .ipynb")
    parser.add_argument("--params", nargs="*", default=[], help="params.yaml sections to pass")
    parser.add_argument("--set", nargs="*", default=[], help="extra key=value parameters")
    parser.add_argument(
        "--report", help="file name of the HTML report in the reports folder (default NAME.html)"
    )
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--template", default="cem", help="nbconvert template in reports/templates")
    args = parser.parse_args(argv)
    report = None if args.no_report else REPORTS_DIR / (args.report or f"{args.notebook}.html")
    run(args.notebook, stage_parameters(args.params, args.set), report, args.template)


if __name__ == "__main__":
    main()
