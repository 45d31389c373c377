"""One rule per concept: each test fails when a second, drifting copy of a rule appears."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cemlib.cx import drivers, segments
from cemlib.cx.metrics import DETRACTOR_MAX, PROMOTER_MIN, nps, promoter_min
from cemlib.data import contracts
from cemlib.data.schema import survey_weight_column
from cemlib.stages import drivers_plan, segments_plan
from cemlib.stages.skips import StagePlan
from cemlib.stats.lifetime import rfm_summary

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "cemlib").rglob("*.py"))


def _code(path: Path) -> str:
    """The file without comments and docstrings' prose lines (rough, enough for a scan)."""
    return "\n".join(line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines())


# --- the survey-weight column ---------------------------------------------------------------


def test_the_weight_column_is_chosen_in_one_place():
    """Deciding "use the weight column if there is one" anywhere but the schema's rule is how
    the `use_weights: false` bug came about (stated means and the paper stayed weighted)."""
    choosing = re.compile(r"""["']weight["']\s+(if|in)\b""")
    offenders = [
        str(p.relative_to(ROOT))
        for p in SOURCES
        if p.name != "schema.py"
        and choosing.search(_code(p))
        # cleaning validates the data model's weight column; it chooses nothing
        and p.parts[-2:] != ("cleaning", "table.py")
    ]
    assert offenders == []
    notebook = json.loads((ROOT / "notebooks" / "02_key_drivers.ipynb").read_text("utf-8"))
    code = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "survey_weight_column(" in code and "weights_column=weight" in code


def test_weights_off_means_unweighted_everywhere():
    frame = pd.DataFrame({"ltr": [10, 0], "weight": [3.0, 1.0]})
    assert survey_weight_column(frame, use_weights=False) is None
    unweighted = nps(frame, "ltr", weights=survey_weight_column(frame, use_weights=False))
    weighted = nps(frame, "ltr", weights=survey_weight_column(frame))
    assert unweighted["nps"].iloc[0] == pytest.approx(0.0)
    assert weighted["nps"].iloc[0] == pytest.approx(50.0)


# --- the promoter rule ------------------------------------------------------------------------


def test_the_promoter_rule_has_no_copies():
    literal = re.compile(r"(>=\s*9\b|<=\s*6\b|0\.9\s*\*\s*\(high)")
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in SOURCES
        if p.name != "metrics.py"
        for m in [literal.search(_code(p))]
        if m and "ltr" in _code(p)
    ]
    assert offenders == []
    assert (PROMOTER_MIN, DETRACTOR_MAX) == (9, 6)


def test_drivers_promoter_view_and_nps_count_the_same_promoters(tmp_path):
    scale = (0, 10)
    answers = pd.Series(np.arange(11.0))
    promoters_nps = nps(pd.DataFrame({"ltr": answers}))["promoters"].iloc[0] / 100 * 11
    assert int(round(promoters_nps)) == int((answers >= promoter_min(scale)).sum()) == 2


# --- occasions --------------------------------------------------------------------------------


def test_occasions_and_repeat_purchases_are_one_count_apart():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c", "c"],
            "ts": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-02-01", "2024-01-05", "2024-01-02", "2024-03-01"]
            ),
            "amount": [10.0, 5.0, 20.0, 8.0, 4.0, 6.0],
        }
    )
    feats = segments.customer_features(tx).set_index("customer_id")
    rfm = rfm_summary(tx)
    # same-day purchases are one occasion in both
    assert feats["frequency"].to_dict() == {"a": 2, "b": 1, "c": 2}
    assert (rfm["repeat_purchases"] == feats["frequency"].reindex(rfm.index) - 1).all()


# --- output contracts and stage plans -------------------------------------------------------


@pytest.mark.parametrize("stage", ["drivers", "segments"])
def test_empty_outputs_are_the_contracts(stage):
    module = drivers_plan if stage == "drivers" else segments_plan
    empty = module.empty_results()
    assert list(empty) == contracts.stage_outputs(stage)
    for name, frame in empty.items():
        declared = contracts.CONTRACTS[name].columns
        assert list(frame.columns) == list(declared), name
        assert [str(t) for t in frame.dtypes] == [
            str(pd.Series(dtype=t).dtype) for t in declared.values()
        ]


def test_the_drivers_table_is_built_in_contract_order():
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.normal(size=(60, 3)), columns=["y", "a", "b"])
    table = drivers.relative_importance(data, "y", ["a", "b"], n_boot=0)
    assert list(table.columns) == contracts.columns("drivers")


def test_every_stage_plans_with_the_one_stage_plan():
    assert issubclass(drivers.DriversPlan, StagePlan)
    plan = segments.plan_stage({"transactions": None})
    assert type(plan) is StagePlan and not plan.runs("value × loyalty archetypes")
