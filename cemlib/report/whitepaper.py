"""The paper assembled: every part in reading order, then numbered and cross-referenced over the
whole document."""

from __future__ import annotations

import re
from pathlib import Path

from cemlib.cx import scorecards
from cemlib.report.appendices import quality_appendix, recovery_appendix
from cemlib.report.cards import act_section, action_cards
from cemlib.report.evidence import EvidenceRules
from cemlib.report.findings import Finding, key_findings
from cemlib.report.methods import methods_section
from cemlib.report.numbering import number_document
from cemlib.report.provenance import provenance_appendix
from cemlib.report.say import say_section
from cemlib.report.sections import (
    drivers_section,
    executive_summary,
    feel_section,
    title_page,
    who_section,
)
from cemlib.report.study import Study

__all__ = ["SKIPPABLE_SECTIONS", "build_whitepaper", "gather_skipped"]

# The body sections a data set may not support at all (a transaction-only folder has no survey)
SKIPPABLE_SECTIONS = ("feel", "drivers", "who", "say", "act")
_WHOLLY_SKIPPED = re.compile(
    r'<section class="wp-section" aria-labelledby="sec-[\w-]+"><h2[^>]*>'
    r'<span class="wp-num"[^>]*></span> (?P<title>[^<]*)</h2>'
    r'(?P<lines>(?:<p class="wp-skip">[^<]*</p>)+)</section>'
)


def gather_skipped(parts: dict[str, str], into: str = "summary") -> dict[str, str]:
    """Sections with nothing but skip lines leave the paper; their lines go into one compact
    box at the end of ``into`` (no page with a heading and a single line, no numbers wasted
    on sections without content, and the reader learns in one place what the data do not
    cover)."""
    lines = []
    gathered = dict(parts)
    for key in SKIPPABLE_SECTIONS:
        match = _WHOLLY_SKIPPED.fullmatch(parts.get(key, ""))
        if match is None:
            continue
        for line in re.findall(r'<p class="wp-skip">Skipped: ([^<]*)</p>', match["lines"]):
            lines.append(f"<li><b>{match['title']}</b>: {line}</li>")
        gathered[key] = ""
    if lines and gathered.get(into, "").endswith("</section>"):
        box = (
            '<aside class="wp-skip wp-skip-box"><p><b>Not covered by this data</b> — each '
            f"part needs data the folder does not hold:</p><ul>{''.join(lines)}</ul></aside>"
        )
        gathered[into] = gathered[into].removesuffix("</section>") + box + "</section>"
    return gathered


def build_whitepaper(
    study: Study, params: dict, data_dir: Path | str, all_params: dict
) -> tuple[dict[str, str], list[Finding]]:
    """Every part of the paper, in reading order, numbered and cross-referenced, and every
    finding with its grade (for ``findings.json``).

    ``params``: the whitepaper parameters (study_title, organisation, max_findings,
    verbatims_per_theme, top_themes, evidence — the grading rules of
    :class:`~cemlib.report.evidence.EvidenceRules`) and the drivers parameters it presents
    (importance_method, map_threshold, map_off_diagonal).
    """
    inflation = None
    responses = study.table("responses")
    if responses is not None and study.codebook is not None and study.codebook.by_role("outcome"):
        inflation = scorecards.satisfaction_inflation(
            responses, study.codebook, weights=study.weight_column
        )
    rules = EvidenceRules.from_params(params.get("evidence"))
    findings = key_findings(study, params, inflation, rules)
    has_actions = bool(action_cards(study, rules=rules))
    parts = {
        "title": title_page(study, params),
        "summary": executive_summary(study, findings, params["max_findings"], has_actions),
        "feel": feel_section(study, params, inflation),
        "drivers": drivers_section(study, params),
        "who": who_section(study, params),
        "say": say_section(study, params),
        "act": act_section(study, rules),
        "methods": methods_section(study, params, findings),
        "quality": quality_appendix(study),
        "recovery": recovery_appendix(study, params),
        "provenance": provenance_appendix(study, data_dir, all_params, params),
    }
    parts = gather_skipped(parts)
    numbered = number_document(list(parts.values()))
    return dict(zip(parts, numbered, strict=True)), findings
