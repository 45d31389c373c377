"""Run one stage notebook with Papermill and render it to a self-contained HTML report.

    python pipeline/run_notebook.py 01_clean_xvoc --params clean

Parameters come from the ``params.yaml`` sections named by ``--params`` (later sections win);
the notebook's own defaults apply to anything not given. Malformed input stops with the single
line of the :class:`cemlib.errors.XVOCError`, not a traceback.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter

from cemlib.config import NOTEBOOKS_DIR, REPORTS_DIR, TEMPLATES_DIR, load_params


def stage_parameters(sections: list[str], overrides: list[str]) -> dict:
    """Merge the named ``params.yaml`` sections (flat keys) and ``key=value`` overrides."""
    import yaml

    merged: dict = {}
    for section in sections:
        merged.update(load_params(section))
    for item in overrides:
        key, _, value = item.partition("=")
        merged[key] = yaml.safe_load(value)
    return merged


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


def render_html(nb: nbformat.NotebookNode, name: str) -> str:
    exporter = HTMLExporter(template_name="cem", extra_template_basedirs=[str(TEMPLATES_DIR)])
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    return html


def exit_message(name: str, exc) -> str:
    """One line for malformed input (an XVOCError); the end of the traceback for anything else,
    which is a bug worth reading."""
    if exc.ename == "XVOCError":
        return f"error: {exc.evalue}"
    tail = "\n".join(exc.traceback[-6:]) if exc.traceback else ""
    return f"error: {name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n{tail}"


def run(name: str, parameters: dict, report: Path | None) -> None:
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
        report.write_text(render_html(nb, name), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="notebook name in notebooks/, without .ipynb")
    parser.add_argument("--params", nargs="*", default=[], help="params.yaml sections to pass")
    parser.add_argument("--set", nargs="*", default=[], help="extra key=value parameters")
    parser.add_argument(
        "--report", type=Path, help="HTML report to write (default reports/NAME.html)"
    )
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    report = None if args.no_report else (args.report or REPORTS_DIR / f"{args.notebook}.html")
    run(args.notebook, stage_parameters(args.params, args.set), report)


if __name__ == "__main__":
    main()
