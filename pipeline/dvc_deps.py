"""The cemlib files each stage runs, for the ``deps`` of ``dvc.yaml``.

    python pipeline/dvc_deps.py           # print what each stage imports, and any drift
    python pipeline/dvc_deps.py --write   # rewrite the cemlib lines of dvc.yaml's deps

A stage depends on exactly the cemlib modules its notebook imports, followed through every
import they make (package ``__init__`` files included, since Python runs them), so a change
reruns only the stages that run the changed code. ``tests/test_pipeline.py`` fails when
``dvc.yaml`` and this list drift apart.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
DVC_FILE = ROOT / "dvc.yaml"
# Data files a module reads at run time: a stage that runs the module depends on them too.
DATA_FILES = {"cemlib/text/codeframe.py": ("cemlib/text/codeframe_default.yaml",)}


def _module_file(module: str) -> Path | None:
    """The file of a cemlib module or package, or ``None`` (a name that is not a module)."""
    base = ROOT / module.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _runtime_imports(source: str) -> set[str]:
    """Modules a piece of code imports when it runs (``if TYPE_CHECKING:`` blocks left out)."""
    tree = ast.parse(source)
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cemlib"):
            found.add(node.module)
            # `from cemlib.cx import drivers` imports the sub-module cemlib.cx.drivers
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cemlib"))
    return {m for m in found if _module_file(m) is not None}


def _with_parents(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[: k + 1]) for k in range(len(parts))}


def module_closure(modules: set[str]) -> set[str]:
    """Every cemlib module that importing ``modules`` runs."""
    seen: set[str] = set()
    todo = [p for m in modules for p in _with_parents(m)]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        path = _module_file(module)
        if path is None:
            continue
        seen.add(module)
        for found in _runtime_imports(path.read_text(encoding="utf-8")):
            todo.extend(_with_parents(found))
    return seen


def source_files(source: str) -> list[str]:
    """The cemlib files (paths relative to the checkout) a piece of code runs, with the data
    files they read, sorted."""
    modules = module_closure(_runtime_imports(source))
    files = {str(_module_file(m).relative_to(ROOT)) for m in modules}
    files |= {data for f in list(files) for data in DATA_FILES.get(f, ())}
    return sorted(files)


def notebook_files(notebook: Path) -> list[str]:
    """The cemlib files a notebook runs (its code cells), sorted."""
    cells = nbformat.read(notebook, as_version=4).cells
    return source_files("\n".join(c.source for c in cells if c.cell_type == "code"))


def stage_files() -> dict[str, list[str]]:
    """For each notebook or script stage of dvc.yaml, the cemlib files it runs."""
    stages = yaml.safe_load(DVC_FILE.read_text(encoding="utf-8"))["stages"]
    found = {}
    for name, stage in stages.items():
        deps = stage.get("deps", [])
        notebooks = [d for d in deps if re.match(r"notebooks/.*\.ipynb$", d)]
        scripts = [d for d in deps if re.match(r"pipeline/(?!run_notebook).*\.py$", d)]
        if notebooks:
            found[name] = notebook_files(ROOT / notebooks[0])
        elif scripts:  # a stage run by a script of its own (the sentiment model's training)
            found[name] = source_files((ROOT / scripts[0]).read_text(encoding="utf-8"))
    return found


def rewrite(text: str, files: dict[str, list[str]]) -> str:
    """dvc.yaml with each stage's ``- cemlib/…`` deps lines replaced by ``files[stage]``."""
    out, stage, written = [], None, set()
    for line in text.splitlines(keepends=True):
        header = re.match(r"^  (\w+):\s*$", line)
        if header:
            stage = header.group(1)
        dep = re.match(r"^(\s+)- cemlib/", line)
        if dep and stage in files:
            if stage not in written:  # the whole list replaces the stage's first cemlib line
                out.extend(f"{dep.group(1)}- {f}\n" for f in files[stage])
                written.add(stage)
            continue
        out.append(line)
    return "".join(out)


def main(argv: list[str]) -> int:
    files = stage_files()
    text = DVC_FILE.read_text(encoding="utf-8")
    updated = rewrite(text, files)
    if "--write" in argv:
        DVC_FILE.write_text(updated, encoding="utf-8")
        print("dvc.yaml: cemlib deps rewritten")
        return 0
    for name, listed in files.items():
        print(f"{name}: {len(listed)} cemlib files")
    if updated != text:
        print("dvc.yaml differs: run `python pipeline/dvc_deps.py --write`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
