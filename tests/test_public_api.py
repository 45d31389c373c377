"""The front door: `import cemlib as cx` gives the researcher's functions, each documented with a
runnable example, each equal to an independent oracle where one exists."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import cemlib as cx

PACKAGE = Path(cx.__file__).parent


def test_every_export_resolves_and_the_three_lists_agree():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    typed = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cemlib.")
        for alias in node.names
    }
    assert cx.__all__ == sorted(cx._EXPORTS) == sorted(typed)
    for name in cx.__all__:
        assert getattr(cx, name) is getattr(importlib.import_module(cx._EXPORTS[name]), name)


@pytest.mark.parametrize("name", sorted(cx._EXPORTS))
def test_each_public_function_documents_parameters_returns_and_an_example(name):
    obj = getattr(cx, name)
    if inspect.isclass(obj) and issubclass(obj, Exception) or name in ("RawFolder", "CleanResult"):
        return  # data holders and the error type: a one-line docstring is enough
    doc = inspect.getdoc(obj) or ""
    for part in ("Parameters", "Examples"):
        assert part in doc, f"{name}: no {part} section"
    if not inspect.isclass(obj):
        assert "Returns" in doc, f"{name}: no Returns section"


def test_every_module_declares_all():
    missing = [
        str(path.relative_to(PACKAGE.parent))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__all__" not in path.read_text(encoding="utf-8")
    ]
    assert missing == []


def test_no_module_cites_a_document_outside_the_repository():
    cites = [
        str(p.relative_to(PACKAGE.parent))
        for p in PACKAGE.rglob("*.py")
        if any(
            mark in p.read_text(encoding="utf-8") for mark in ("DESIGN" + " §", ".." + "/shared")
        )
    ]
    assert cites == []


def test_lmg_equals_pingouin_relimp_under_either_name():
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a", "b", "c", "d"])
    data["y"] = data @ [0.5, 0.3, 0.2, 0.0] + rng.normal(size=300)
    oracle = pg.linear_regression(data[["a", "b", "c", "d"]], data["y"], relimp=True)
    oracle = oracle.set_index("names")["relimp"].drop("Intercept")
    for method in ("lmg", "shapley"):
        ours = cx.relative_importance(data, "y", ["a", "b", "c", "d"], method=method, n_boot=0)
        assert set(ours["method"]) == {method}
        np.testing.assert_allclose(ours.set_index("driver")["importance"], oracle, atol=1e-10)
    with pytest.raises(ValueError, match="unknown importance method 'dominance'"):
        cx.relative_importance(data, "y", ["a", "b"], method="dominance", n_boot=0)


def test_nps_is_a_tidy_frame_overall_and_by_group():
    survey = pd.DataFrame({"likely": [10, 9, 0, 7, 10, 3], "wave": [1, 1, 1, 2, 2, 2]})
    overall = cx.nps(survey, "likely")
    assert overall[["n", "nps"]].to_numpy().tolist() == [[6, pytest.approx(100 * (3 - 2) / 6)]]
    by_wave = cx.nps(survey, "likely", by="wave")
    assert by_wave["wave"].tolist() == [1, 2]
    assert by_wave["nps"].tolist() == pytest.approx([100 * 1 / 3, 0.0])


def test_kano_recovers_planted_must_be_and_attractive_attributes():
    rng = np.random.default_rng(11)
    survey = pd.DataFrame(rng.integers(1, 6, size=(800, 3)), columns=["clean", "gift", "noise"])
    survey["osat"] = (
        7 - 3 * (survey["clean"] <= 2) + 2 * (survey["gift"] == 5) + rng.normal(0, 0.5, 800)
    )
    table = cx.kano(survey, "osat", ["clean", "gift", "noise"], (1, 5), (0, 10)).set_index("driver")
    assert table["kano"].to_dict() == {
        "clean": "must-be",
        "gift": "attractive",
        "noise": "indifferent",
    }


def test_frame_functions_name_a_missing_column():
    with pytest.raises(KeyError, match="column 'staff' is not in the data"):
        cx.importance_performance(pd.DataFrame({"ltr": [1, 2]}), "ltr", ["staff"], (1, 5))
