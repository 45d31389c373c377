"""The consistency rules of a rendered paper (cemlib.report.consistency): each rule fails on a
small hand-built paper that breaks it, and every paper of the gallery — one per bundled real
data set — passes them all, with the grades the evidence calls for (telco and cracker: no CLV
or archetype-share claim stated without its caveat; CMS: driver verdicts withheld or caveated
for the rows listwise deletion lost). The synthetic papers and the partial folders are checked
where they are made (tests/test_whitepaper.py, tests/test_partial_inputs.py)."""

from __future__ import annotations

import json

import pytest

from cemlib.config import PROJ_ROOT
from cemlib.report import consistency
from cemlib.report.cards import QUADRANT_MEANING

GALLERY = PROJ_ROOT / "reports" / "gallery"
SOURCES = sorted(p.name for p in GALLERY.iterdir() if (p / "whitepaper.html").exists())


def _card(quadrant: str, reflect: str, act: str) -> str:
    return (
        f'<article class="wp-card" id="card-x"><h4>X <span class="wp-tag">{quadrant}</span></h4>'
        f"<dl><dt>Observe</dt><dd>o</dd><dt>Probe</dt><dd>p</dd><dt>Reflect</dt><dd>{reflect}</dd>"
        f"<dt>Act</dt><dd>{act}</dd></dl></article>"
    )


def test_a_link_to_a_part_that_is_not_in_the_paper_is_caught():
    paper = '<section><h2 id="sec-summary">S</h2><a href="#sec-act">Section 6</a></section>'
    assert consistency.broken_links(paper) == ["link to #sec-act, which is not in the paper"]
    assert consistency.broken_links(paper + '<section><h2 id="sec-act">A</h2></section>') == []


def test_a_finding_about_an_analysis_that_did_not_run_is_caught():
    finding = {"id": "emotion", "anchor": "fig-emotion", "text": "…", "grade": "stated"}
    assert consistency.missing_evidence("<p>no figure</p>", [finding])
    assert not consistency.missing_evidence('<figure id="fig-emotion"></figure>', [finding])


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (
            "Value is concentrated: the top 20% of customers bring 33% of the positive revenue.",
            False,
        ),
        ("Value is fairly evenly spread: the top 20% of customers bring 33% of it.", True),
        (
            "Value is concentrated: the top 20% of customers bring 62% of the positive revenue.",
            True,
        ),
        ("Value is fairly evenly spread: the top 20% of customers bring 62% of it.", False),
    ],
)
def test_the_adjective_must_be_the_one_its_number_earns(text, ok):
    violations = consistency.adjective_mismatches([{"id": "concentration", "text": text}])
    assert (violations == []) is ok


def test_a_card_whose_action_contradicts_its_verdict_is_caught():
    overkill = QUADRANT_MEANING["possible overkill"].capitalize()
    invest = _card("possible overkill", overkill, "Coach empathy. Owner: Service.")
    hold = _card("possible overkill", overkill, "Hold the current level; … Owner: Service.")
    assert consistency.card_contradictions(invest)
    assert consistency.card_contradictions(hold) == []
    wrong_meaning = _card("fix first", overkill, "Root-cause review. Owner: Service.")
    assert consistency.card_contradictions(wrong_meaning)
    fix_hold = _card("fix first", QUADRANT_MEANING["fix first"], "Hold the current level")
    assert consistency.card_contradictions(fix_hold)


def test_methods_describing_an_analysis_that_did_not_run_is_caught():
    methods = '<section><h2 id="sec-methods">M</h2><ul><li><b>NPS</b>: …</li></ul></section>'
    assert consistency.methods_not_run(methods) == [
        "Methods describes 'NPS', which did not run (no #sec-feel-nps)"
    ]
    assert consistency.methods_not_run(methods + '<h3 id="sec-feel-nps"></h3>') == []


def test_a_withheld_finding_in_the_summary_or_a_caveat_left_out_is_caught():
    summary = (
        '<section><h2 id="sec-summary">S</h2><ol><li>NPS is +5. <span class="wp-evidence">'
        "(x)</span></li></ol></section>"
    )
    withheld = [{"id": "nps", "text": "NPS is +5.", "grade": "withheld", "anchor": "sec-summary"}]
    caveated = [{"id": "nps", "text": "NPS is +5.", "grade": "caveated", "anchor": "sec-summary"}]
    assert consistency.summary_grades(summary, withheld)
    assert consistency.summary_grades(summary, caveated)
    with_caveat = summary.replace("</span></li>", '</span><span class="wp-caveat">c</span></li>')
    assert consistency.summary_grades(with_caveat, caveated) == []


def _gallery(name: str) -> tuple[str, dict]:
    html = (GALLERY / name / "whitepaper.html").read_text(encoding="utf-8")
    record = json.loads((GALLERY / name / "metrics" / "findings.json").read_text(encoding="utf-8"))
    return html, record


@pytest.mark.parametrize("name", SOURCES)
def test_every_gallery_paper_is_consistent(name):
    html, record = _gallery(name)
    assert consistency.paper_violations(html, record) == []


@pytest.mark.parametrize("name", ["telco_churn", "cracker"])
def test_no_lifetime_value_or_archetype_claim_is_stated_without_its_caveat(name):
    _, record = _gallery(name)
    about_customers = [f for f in record["findings"] if f["id"] in ("strategic", "butterfly")]
    assert about_customers, "the archetype findings should exist (else nothing is tested)"
    for finding in about_customers:
        assert finding["grade"] != "stated", finding
    for finding in record["findings"]:
        if "projected" in finding["text"] or "lifetime value" in finding["text"]:
            assert finding["grade"] != "stated", finding


def test_cms_driver_verdicts_carry_the_listwise_loss():
    _, record = _gallery("cms_patient_experience")
    verdicts = [
        f
        for f in record["findings"]
        if f["id"] in ("top-driver", "fix-first", "explained", "stated")
    ]
    assert verdicts
    for finding in verdicts:
        assert finding["grade"] != "stated", finding
        assert any(
            "listwise" in reason or "observations" in reason for reason in finding["reasons"]
        )
