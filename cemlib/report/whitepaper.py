"""The paper assembled: every part in reading order, then numbered and cross-referenced over the
whole document."""

from __future__ import annotations

from pathlib import Path

from cemlib.cx import scorecards
from cemlib.report.appendices import quality_appendix, recovery_appendix
from cemlib.report.cards import act_section, action_cards
from cemlib.report.evidence import EvidenceRules
from cemlib.report.findings import Finding, key_findings
from cemlib.report.numbering import number_document
from cemlib.report.provenance import provenance_appendix
from cemlib.report.sections import (
    drivers_section,
    executive_summary,
    feel_section,
    methods_section,
    say_section,
    title_page,
    who_section,
)
from cemlib.report.study import Study

__all__ = ["build_whitepaper"]


def build_whitepaper(
    study: Study, params: dict, data_dir: Path | str, all_params: dict
) -> tuple[dict[str, str], list[Finding]]:
    """Every part of the paper, in reading order, numbered and cross-referenced, and every
    finding with its grade (for ``findings.json``).

    ``params``: the whitepaper parameters (study_title, organisation, max_findings,
    verbatims_per_reason, top_reasons, evidence — the grading rules of
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
    has_actions = bool(action_cards(study))
    parts = {
        "title": title_page(study, params),
        "summary": executive_summary(study, findings, params["max_findings"], has_actions),
        "feel": feel_section(study, params, inflation),
        "drivers": drivers_section(study, params),
        "who": who_section(study, params),
        "say": say_section(study, params),
        "act": act_section(study),
        "methods": methods_section(study, params, findings),
        "quality": quality_appendix(study),
        "recovery": recovery_appendix(study, params),
        "provenance": provenance_appendix(study, data_dir, all_params),
    }
    numbered = number_document(list(parts.values()))
    return dict(zip(parts, numbered, strict=True)), findings
