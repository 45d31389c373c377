"""Findings a board can trust: each claim graded by its evidence (hand-built cases for every
branch of the grading rules and of the verdict words), and findings that follow what the
diagnostics say."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from cemlib.cx import priorities
from cemlib.report import cards, findings, sections, wording
from cemlib.report.evidence import Evidence, EvidenceRules, caveat_sentence, grade
from cemlib.report.methods import methods_section
from cemlib.report.study import Study

RULES = EvidenceRules(
    min_n=30,
    caveat_n=100,
    caveat_listwise_loss=0.2,
    withhold_listwise_loss=0.8,
    caveat_thin_share=0.3,
    withhold_thin_share=0.8,
)


@pytest.mark.parametrize(
    "evidence, expected",
    [
        (Evidence(), "stated"),
        (Evidence(n=100), "stated"),
        (Evidence(n=99), "caveated"),
        (Evidence(n=30), "caveated"),
        (Evidence(n=29), "withheld"),
        (Evidence(n=500, listwise_loss=0.2), "stated"),
        (Evidence(n=500, listwise_loss=0.21), "caveated"),
        (Evidence(n=500, listwise_loss=0.84), "withheld"),
        (Evidence(n=500, thin_share=0.3), "stated"),
        (Evidence(n=500, thin_share=0.69), "caveated"),
        (Evidence(n=500, thin_share=0.81), "withheld"),
        (Evidence(n=500, borderline=("on the edge",)), "caveated"),
        (Evidence(n=500, cautions=("in-sample",)), "caveated"),
        (Evidence(n=5000, failures=("model degenerate",)), "withheld"),
    ],
)
def test_each_grading_rule(evidence, expected):
    verdict, reasons = grade(evidence, RULES)
    assert verdict == expected
    assert (reasons == ()) == (expected == "stated")


def test_a_withheld_claim_gives_only_the_reasons_that_withhold_it():
    verdict, reasons = grade(Evidence(n=10, cautions=("in-sample",), failures=("failed",)), RULES)
    assert verdict == "withheld" and reasons == (
        "failed",
        "only 10 observations (at least 30 are needed)",
    )


def test_rules_come_from_params_and_refuse_unknown_keys():
    assert EvidenceRules.from_params({"min_n": 50}).min_n == 50
    assert EvidenceRules.from_params(None) == EvidenceRules()
    with pytest.raises(ValueError, match="unknown rule"):
        EvidenceRules.from_params({"min_sample": 50})


def test_caveat_sentence_says_every_reason():
    assert caveat_sentence(("a", "b")) == "Read with care: a; b."
    assert caveat_sentence(()) == ""


@pytest.mark.parametrize(
    "share, words",
    [
        (0.80, "Value is concentrated"),
        (0.50, "Value is concentrated"),
        (0.49, "Value is somewhat concentrated"),
        (0.35, "Value is somewhat concentrated"),
        (0.33, "Value is fairly evenly spread"),
        (0.20, "Value is fairly evenly spread"),
    ],
)
def test_concentration_adjective_agrees_with_its_number(share, words):
    assert wording.concentration_word(share) == words


def test_value_is_called_what_the_data_holds():
    assert wording.value_word("margin") == "net margin"
    assert wording.value_word("revenue") == "revenue"
    assert wording.value_word("amount x 0.25") == "estimated margin (25% of revenue)"


# ---------------------------------------------------------------- quadrant verdicts use intervals


def _drivers_table(shares, half_widths, r2=0.5):
    rows = [
        {
            "outcome": "ltr",
            "driver": d,
            "method": "shapley",
            "importance": s * r2,
            "share": s,
            "ci_low": (s - h) * r2,
            "ci_high": (s + h) * r2,
            "r2": r2,
        }
        for d, s, h in zip("abc", shares, half_widths, strict=True)
    ]
    return pd.DataFrame(rows)


def _performance(means, half_widths):
    return pd.DataFrame(
        {
            "driver": list("abc"),
            "performance": means,
            "performance_ci_low": np.subtract(means, half_widths),
            "performance_ci_high": np.add(means, half_widths),
        }
    )


def test_a_driver_whose_interval_crosses_the_cut_is_borderline():
    # shares 0.5, 0.32, 0.18: the cut is their mean, 1/3; b's interval 0.28–0.36 crosses it
    table = priorities.importance_performance(
        _drivers_table([0.5, 0.32, 0.18], [0.05, 0.04, 0.05]),
        _performance([50, 70, 80], [2, 2, 2]),
        "ltr",
    ).set_index("driver")
    assert table.loc["b", "quadrant"] == "possible overkill"
    assert table.loc["b", "borderline"] and not table.loc["a", "borderline"]
    assert not table.loc["c", "borderline"]
    # performance: the cut is 66.7; c at 80 ± 2 is clear, a at 66 ± 2 would cross it
    table = priorities.importance_performance(
        _drivers_table([0.5, 0.32, 0.18], [0.01, 0.01, 0.01]),
        _performance([66, 54, 80], [2, 2, 2]),
        "ltr",
    ).set_index("driver")
    assert table.loc["a", "borderline"] and not table.loc["c", "borderline"]


# ------------------------------------------------------------------- findings follow diagnostics


def _study(segments_metrics=None, results=None, drivers_metrics=None, tables=None):
    return Study(
        provenance={"source": "hand-built"},
        planted=False,
        truth_dir=None,
        quality=None,
        drivers_metrics=drivers_metrics,
        segments_metrics=segments_metrics,
        results=results or {},
        tables=tables or {},
        codebook=None,
    )


ARCHETYPES = {
    "strategic": {"n": 400, "share_customers": 0.2, "share_margin": 0.6, "share_clv": 0.7},
    "butterfly": {"n": 300, "share_customers": 0.15, "share_margin": 0.2, "share_clv": 0.1},
}


def test_a_degenerate_lifetime_model_takes_clv_out_of_the_summary():
    healthy = _study(
        {
            "archetypes": ARCHETYPES,
            "margin_basis": "margin",
            "thin_history_share": 0.1,
            "lifetime": {"bgnbd": {"fitted": True, "degenerate": []}},
        }
    )
    broken = _study(
        {
            "archetypes": ARCHETYPES,
            "margin_basis": "revenue",
            "thin_history_share": 0.1,
            "lifetime": {"bgnbd": {"fitted": True, "degenerate": ["a", "b"]}},
        }
    )
    ok = findings.finding_strategic(healthy)
    assert "projected lifetime value" in ok.text and "net margin" in ok.text
    assert grade(ok.evidence)[0] == "stated"
    bad = findings.finding_strategic(broken)
    assert "lifetime value" not in bad.text and "revenue" in bad.text and "margin" not in bad.text
    assert grade(bad.evidence)[0] == "caveated"
    assert "projected future value" not in findings.finding_butterflies(broken).text
    assert findings.lifetime_failures(broken) and not findings.lifetime_failures(healthy)


def test_a_contractual_model_resting_on_a_contradicted_assumption_is_a_failure():
    def failures(sbg):
        return findings.lifetime_failures(
            _study({"archetypes": ARCHETYPES, "lifetime": {"sbg": sbg}})
        )

    assert failures({"fitted": True, "degenerate": [], "failed_check": None}) == ()
    (why,) = failures({"fitted": True, "degenerate": [], "failed_check": "steady acquisition"})
    assert "sBG" in why and "steady acquisition" in why
    (why,) = failures({"fitted": True, "degenerate": ["alpha"], "failed_check": None})
    assert "degenerate" in why and "alpha" in why
    study = _study(
        {
            "archetypes": ARCHETYPES,
            "thin_history_share": 0.1,
            "lifetime": {
                "sbg": {"fitted": True, "degenerate": [], "failed_check": "steady acquisition"}
            },
        }
    )
    assert grade(findings.finding_strategic(study).evidence)[0] == "caveated"


def test_provisional_labels_caveat_or_withhold_archetype_claims():
    def graded(thin):
        study = _study({"archetypes": ARCHETYPES, "thin_history_share": thin})
        return grade(findings.finding_strategic(study).evidence)[0]

    assert [graded(0.1), graded(0.69), graded(0.9)] == ["stated", "caveated", "withheld"]


def test_value_concentration_is_not_called_concentrated_at_a_third():
    margin = np.r_[np.full(20, 10.0), np.full(80, 5.0)]  # top 20% bring 200/600 = 33%
    study = _study(results={"segments": pd.DataFrame({"margin_net": margin})})
    finding = findings.finding_concentration(study)
    assert finding.text.startswith("Value is fairly evenly spread") and "33%" in finding.text


def test_summary_states_caveats_withholds_and_links_only_what_exists():
    stated = findings.Finding("a", "Alpha is 1.", "sec-feel", grade="stated")
    caveated = findings.Finding(
        "b", "Beta is 2.", "sec-feel", grade="caveated", reasons=("small sample (n = 40)",)
    )
    withheld = findings.Finding(
        "c", "Gamma is 3.", "sec-who", grade="withheld", reasons=("degenerate",)
    )
    html = sections.executive_summary(_study(), [stated, caveated, withheld], 8, has_actions=False)
    assert "Alpha is 1." in html and "Beta is 2." in html and "Gamma" not in html
    assert "Read with care: small sample (n = 40)." in html
    assert "sec-act" not in html and "1 more were withheld" in html
    methods = methods_section(
        _study(), {"map_threshold": 60, "map_off_diagonal": 10}, [stated, caveated, withheld]
    )
    assert "Gamma is 3." in methods and "degenerate" in methods


def test_findings_record_is_plain_text_with_grades_and_citations():
    record = findings.findings_record(
        [
            findings.Finding(
                "a",
                "<b>A &amp; B</b> rise.",
                "fig-x",
                ("drivers.nps.n",),
                grade="caveated",
                reasons=("r",),
            )
        ]
    )
    assert record == {
        "findings": [
            {
                "id": "a",
                "text": "A & B rise.",
                "grade": "caveated",
                "reasons": ["r"],
                "cites": ["drivers.nps.n"],
                "anchor": "fig-x",
            }
        ]
    }
    json.dumps(record)


def test_a_card_that_says_do_not_invest_does_not_recommend_investing():
    assert "not a priority" in cards.act_line("possible overkill", "empathy coaching", "Service")
    assert "not a priority" in cards.act_line("low priority", "redesign the form", "Web")
    assert cards.act_line("fix first", "empathy coaching", "Service").startswith("Empathy coaching")


def test_chinese_verbatims_keep_their_punctuation_and_are_not_set_in_italic():
    from cemlib.config import TEMPLATES_DIR
    from cemlib.report.say import quote

    quoted = quote("送货太慢，等了三天！", "zh")
    assert quoted == '<blockquote lang="zh">送货太慢，等了三天！</blockquote>'
    assert quote("Too slow", "en").startswith('<blockquote lang="en">')
    assert quote("<b>x</b>", "en") == '<blockquote lang="en">&lt;b&gt;x&lt;/b&gt;</blockquote>'
    css = (TEMPLATES_DIR / "whitepaper" / "index.html.j2").read_text(encoding="utf-8")
    assert "blockquote:lang(zh) { font-style: normal; }" in css


def test_the_nps_finding_shows_kish_n_where_weights_shrink_it_and_is_graded_on_it():
    headline = {
        "nps": 12.0,
        "ci_low": 2.0,
        "ci_high": 22.0,
        "n": 400,
        "promoters": 40.0,
        "detractors": 28.0,
    }
    nps = pd.DataFrame({"by": ["all"], "group": ["all"], "n": [400], "n_effective": [80.0]})
    weighted = findings.finding_nps(
        _study(drivers_metrics={"nps": headline}, results={"drivers_nps": nps})
    )
    assert "n = 400, effective n 80 after weighting" in weighted.text
    assert grade(weighted.evidence)[0] == "caveated"  # 80 < caveat_n, though 400 is not
    unweighted = findings.finding_nps(
        _study(
            drivers_metrics={"nps": headline},
            results={"drivers_nps": nps.assign(n_effective=400.0)},
        )
    )
    assert "effective" not in unweighted.text and grade(unweighted.evidence)[0] == "stated"


def test_the_inflation_finding_rests_on_the_answers_to_both_items():
    inflation = pd.DataFrame(
        {
            "item": ["osat", "ltr"],
            "metric": ["csat", "nps"],
            "top_box": [30.0, 25.0],
            "top2_box": [60.0, 40.0],
        }
    )
    responses = pd.DataFrame({"osat": [5.0] * 50 + [None] * 30, "ltr": [9.0] * 80})
    finding = findings.finding_inflation(_study(tables={"responses": responses}), inflation)
    assert finding.evidence.n == 50 and grade(finding.evidence)[0] == "caveated"
    assert "(overall satisfaction)" in finding.text and "(likelihood to recommend)" in finding.text


def test_a_survey_without_waves_gets_no_reference_to_a_wave_figure():
    from cemlib.report.numbering import number_document

    nps = pd.DataFrame(
        {
            "by": ["all", "channel", "channel"],
            "group": ["all", "web", "app"],
            "n": [60, 30, 30],
            "nps": [10.0, 5.0, 15.0],
            "ci_low": [-10.0, -20.0, -10.0],
            "ci_high": [30.0, 30.0, 40.0],
        }
    )
    html = sections.feel_section(_study(results={"drivers_nps": nps}), {}, None)
    assert "fig-nps-wave" not in html and "fig-nps-channel" in html
    assert "shows it by channel;" in re.sub(r"<[^>]+>", "", html)
    number_document([html])  # every cross-reference resolves


# ------------------------------------------------------------------- verdicts and their intervals


def _kano_survey(n: int, penalty: float, reward: float, seed: int) -> tuple[pd.DataFrame, object]:
    """Answers on 1–5 for one driver and an outcome on 0–10 that drops by ``penalty`` (0–1) when
    the driver is in the bottom two boxes and rises by ``reward`` in the top box, plus noise."""
    from cemlib.data.schema import Codebook, Item

    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=n)
    y = 6 + 10 * (-penalty * (x <= 2) + reward * (x == 5)) + rng.normal(0, 1.5, size=n)
    frame = pd.DataFrame({"x": x, "y": np.clip(y, 0, 10)})
    book = Codebook(
        items=(
            Item("y", "outcome", (0, 10), metric="nps"),
            Item("x", "driver", (1, 5)),
        )
    )
    return frame, book


def test_a_clear_kano_class_holds_in_the_bootstrap_and_a_ratio_near_the_cut_does_not():
    clear, book = _kano_survey(2000, penalty=0.20, reward=0.01, seed=1)
    firm = priorities.penalty_reward(clear, book, "y", n_boot=100).iloc[0]
    assert firm["kano"] == "must-be" and firm["kano_agreement"] >= 0.95
    assert not firm["kano_borderline"]
    assert firm["penalty_ci_low"] < firm["penalty"] < firm["penalty_ci_high"]
    # a penalty twice the reward sits on the must-be / performance cut (ratio 2)
    edge, book = _kano_survey(400, penalty=0.08, reward=0.04, seed=2)
    shaky = priorities.penalty_reward(edge, book, "y", n_boot=100).iloc[0]
    assert shaky["kano_agreement"] < 0.8 and shaky["kano_borderline"]
    assert "borderline" in cards.kano_line(shaky.to_dict())


def test_driver_verdicts_inherit_the_model_grade_so_cards_go_when_it_is_withheld():
    drivers = _drivers_table([0.5, 0.32, 0.18], [0.05, 0.04, 0.05]).assign(n=15)
    ipa = priorities.importance_performance(drivers, _performance([50, 70, 80], [2, 2, 2]), "ltr")
    ipa = ipa.assign(owner="Owner", action="Act", touchpoint="web", verdict=None, kano=None)
    ipa = ipa.assign(stated_rank=np.nan, derived_rank=np.nan, penalty=np.nan, reward=np.nan)
    responses = pd.DataFrame({"ltr": np.arange(95.0)})  # 95 answered the outcome, 15 used
    metrics = {"focus_outcome": "ltr", "r2": {"ltr": 0.6}, "r2_cv": {"ltr": 0.5}}
    small = _study(
        results={"drivers": drivers, "drivers_priorities": ipa},
        drivers_metrics=metrics,
        tables={"responses": responses},
    )
    verdict, reasons = findings.model_grade(small, RULES)
    assert verdict == "withheld" and any("listwise" in r for r in reasons)
    assert findings.finding_fix_first(small) is not None
    assert grade(findings.finding_fix_first(small).evidence, RULES)[0] == "withheld"
    assert cards.action_cards(small, rules=RULES) == []
    assert "Withheld: only 15 observations" in cards.act_section(small, RULES)
    big = _study(
        results={"drivers": drivers.assign(n=90), "drivers_priorities": ipa},
        drivers_metrics=metrics,
        tables={"responses": responses},
    )
    assert findings.model_grade(big, RULES)[0] == "caveated"  # small sample, R² shrinks 10 points
    assert cards.action_cards(big, rules=RULES)
    assert "Read with care" in cards.act_section(big, RULES)


def test_in_sample_r2_is_reported_beside_its_cross_validated_value():
    drivers = _drivers_table([0.5, 0.32, 0.18], [0.05, 0.04, 0.05]).assign(n=900)
    metrics = {"focus_outcome": "ltr", "r2": {"ltr": 0.6}, "r2_cv": {"ltr": 0.58}}
    study = _study(results={"drivers": drivers}, drivers_metrics=metrics)
    explained = findings.finding_explained(study, "ltr")
    assert "60%" in explained.text and "58%</b> in responses left out" in explained.text
    assert grade(explained.evidence, RULES)[0] == "stated"
    overfit = _study(
        results={"drivers": drivers},
        drivers_metrics=metrics | {"r2_cv": {"ltr": -0.02}},
    )
    assert grade(findings.finding_explained(overfit, "ltr").evidence, RULES)[0] == "withheld"


def test_nps_table_shows_kish_n_and_the_change_between_waves():
    nps = pd.DataFrame(
        {
            "by": ["all", "wave", "wave"],
            "group": ["all", "2024H1", "2024H2"],
            "n": [200, 100, 100],
            "n_effective": [150.4, 80.2, 70.6],
            "nps": [10.0, 5.0, 15.0],
            "ci_low": [2.0, -6.0, 4.0],
            "ci_high": [18.0, 16.0, 26.0],
            "change": [np.nan, np.nan, 10.0],
            "change_p": [np.nan, np.nan, 0.2],
        }
    )
    shown = sections.nps_table(nps)
    assert shown["effective n"].tolist() == [80, 71]
    assert shown["change from previous wave"].iloc[1] == 10.0


def test_complaints_per_archetype_are_rates_not_counts():
    from cemlib.cx.segments.profiles import profile_segments

    seg = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(12)],
            "archetype": ["strategic"] * 2 + ["stranger"] * 10,
            "cluster": [0] * 12,
            "cluster_archetype": ["stranger"] * 12,
            "margin_net": 1.0,
            "clv": 1.0,
            "value_score": 0.0,
            "loyalty_score": 0.0,
            "p_alive": 0.5,
            "promo_share": 0.0,
        }
    )
    feedback = pd.DataFrame(
        {
            "customer_id": ["C0", "C1", "C2", "C3"],  # 2 of 2 strategic, 2 of 10 strangers
            "kind": "complaint",
            "reason": "late",
        }
    )
    profiles = profile_segments(seg, feedback).set_index(["level", "segment"])
    assert profiles.loc[("archetype", "strategic"), "complaints_per_100"] == 100.0
    assert profiles.loc[("archetype", "stranger"), "complaints_per_100"] == 20.0
    shown = sections.archetype_table(profiles.loc["archetype"].reset_index(), value="revenue")
    assert "complaints per 100 customers" in shown and "% revenue" in shown
    assert "% net margin" not in shown
