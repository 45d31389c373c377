"""The whitepaper: one self-contained HTML paper built from the results of every stage.

The paper argues from evidence in the order a CX director reads: key findings first, then how
customers feel, what drives advocacy, who matters, what customers say and what to do, then the
methods, the data-quality appendix and provenance. The structure follows the practitioners'
whitepaper; each recommendation is a finding card in the *observe → probe → reflect → act*
sequence used in customer-insight work (what happened, why, what it means, what to do and who
owns it).

Everything here is a function of the results on disk, so changing the data changes the words. A
section returns HTML with placeholders for its numbers; :func:`number_document` numbers sections,
figures and tables over the whole paper at the end and resolves cross-references, so the
executive summary can point forward to evidence. Every string that came from data — verbatims,
labels, category names, ids — passes :func:`cemlib.text.html_escape` (verbatims after
:func:`cemlib.text.redact_pii`) on its way into markup.

Modules, in the order the paper is made:

* :mod:`~cemlib.report.study` — :func:`load_study` reads what the stages left on disk into a
  :class:`Study`; :data:`WHITEPAPER_PARAMETERS` are the notebook's parameters.
* :mod:`~cemlib.report.html` — the building blocks: headings, sections, figures, tables.
* :mod:`~cemlib.report.messages` — every sentence of the findings as a template, in one place;
  :mod:`~cemlib.report.wording` — the words and thresholds they use.
* :mod:`~cemlib.report.evidence` — each finding's evidence and its grade (stated, caveated,
  withheld); :mod:`~cemlib.report.findings` and :mod:`~cemlib.report.customer_findings` — the
  key findings of the executive summary.
* :mod:`~cemlib.report.sections`, :mod:`~cemlib.report.cards`, :mod:`~cemlib.report.methods`,
  :mod:`~cemlib.report.appendices` and :mod:`~cemlib.report.provenance` — the parts of the paper.
* :mod:`~cemlib.report.consistency` — the checks a rendered paper must pass (links, adjectives
  against numbers, verdicts against actions, Methods against what ran).
* :mod:`~cemlib.report.numbering` — numbers and cross-references over the whole paper.
* :mod:`~cemlib.report.whitepaper` — :func:`build_whitepaper`, the assembly.
* :mod:`~cemlib.report.plots` (and :mod:`~cemlib.report.plots_segments`, the segment figures)
  — the figures, shared with the stage reports; :mod:`~cemlib.report.figure_check` — the
  readability check every figure passes (text size at print size, overlaps, legends, clipping,
  axes that start at the scale's minimum).
"""

__all__ = [
    "appendices",
    "cards",
    "consistency",
    "customer_findings",
    "evidence",
    "figure_check",
    "findings",
    "html",
    "messages",
    "methods",
    "numbering",
    "plots",
    "plots_segments",
    "provenance",
    "sections",
    "study",
    "whitepaper",
    "wording",
]
