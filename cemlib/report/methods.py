"""The Methods section: what each analysis that ran did, with its source; the analyses the data
could not support; the findings withheld for want of evidence; and the notes of the data set.
Only what ran is described (:data:`METHOD_ANCHORS` ties each entry to its evidence)."""

from __future__ import annotations

from cemlib.report.customer_findings import lifetime_failures
from cemlib.report.evidence import Finding
from cemlib.report.html import bullet_list, esc, para, section
from cemlib.report.study import Study

__all__ = ["METHOD_ANCHORS", "methods_section", "skipped_lines"]


# The analysis each Methods entry describes: its term and the anchor of its evidence in the paper
# (the consistency check reads the same map to confirm Methods lists only what ran).
METHOD_ANCHORS = {
    "NPS": "sec-feel-nps",
    "Key drivers": "sec-drivers-importance",
    "Importance–performance": "fig-ipa",
    "CEI × BEI": "fig-cei-bei",
    "Emotion curve": "fig-emotion",
    "Archetypes": "fig-value-loyalty",
    "Themes and sentiment": "tab-themes",
    "Evidence grades": "sec-summary",
}


def _method_items(study: Study, params: dict, weighting: str) -> list[tuple[bool, str]]:
    """(whether the analysis ran, its Methods entry) in the order of the paper."""
    priorities = study.result("drivers_priorities")
    has_kano = priorities is not None and "kano" in priorities and priorities["kano"].notna().any()
    drivers_ran = study.result("drivers") is not None and study.focus_outcome is not None
    survey = study.table("responses") is not None
    kano = (
        "; penalty/reward asymmetry for Kano categories (Kano et al. 1984), each class with "
        "the share of bootstrap resamples that agree on it"
        if has_kano
        else ""
    )
    failed = lifetime_failures(study)
    loyalty = (
        "; the lifetime model failed its checks here, so loyalty rests on observed behaviour"
        if failed
        else ""
    )
    business_model = (study.segments_metrics or {}).get("business_model") or {}
    lifetime_model = (
        "margin per bill × the discounted expected residual lifetime of the shifted-beta-"
        "geometric model, Fader & Hardie 2007, 2010"
        if business_model.get("model") == "contractual"
        else "BG/NBD and Gamma-Gamma CLV, Fader, Hardie & Lee 2005"
    )
    business = esc(business_model.get("reason", ""))
    assumptions = ["importance is association, not proof of cause"] * drivers_ran
    assumptions = ["drivers are treated as interval scales"] * drivers_ran + assumptions
    assumptions += ["the survey sample may not represent non-respondents"] * survey
    return [
        (
            (study.drivers_metrics or {}).get("nps") is not None,
            "<b>NPS</b>: promoters (9–10) minus detractors (0–6) with the adjusted-Wald interval "
            f"(Rocks 2016); {weighting}.",
        ),
        (
            drivers_ran,
            "<b>Key drivers</b>: exact Shapley/LMG decomposition of R² (Lindeman, Merenda & Gold "
            "1980; Grömping 2006), Johnson's relative weights (2000), Pratt's measure, "
            "standardised beta and correlation, each with percentile bootstrap intervals; the "
            "model's R² also measured out of sample by 10-fold cross-validation (Stone 1974).",
        ),
        (
            priorities is not None,
            "<b>Importance–performance</b>: quadrants split at the means (Martilla & James "
            f"1977), a driver whose interval crosses the mean marked borderline{kano}.",
        ),
        (
            study.result("drivers_touchpoints") is not None,
            "<b>CEI × BEI</b>: touchpoint experience and brand indices on 0–100; the zone "
            f"thresholds ({params['map_threshold']:g} and ±{params['map_off_diagonal']:g} off "
            "the diagonal) are conventions of this project, set in params.yaml, not a published "
            "standard.",
        ),
        (
            study.result("drivers_emotion") is not None,
            "<b>Emotion curve</b>: mean experience per journey stage, peak and end marked "
            "(the peak-end rule, Kahneman et al. 1993).",
        ),
        (
            study.result("segments") is not None,
            f"<b>Archetypes</b>: value ({lifetime_model}) × loyalty (projected relationship "
            "duration: recency against each customer's own buying rhythm, the relationship so "
            "far and deal-proneness, with the lifetime model as a fourth input weighted by its "
            "diagnostics), each axis cut at the median boundary of two-component mixtures "
            "fitted on 20 bootstrap resamples (Reinartz & Kumar 2002; Breiman 1996); customers "
            f"with one or two purchases are flagged thin history{loyalty}. {business}",
        ),
        (
            study.result("themes") is not None,
            "<b>Themes and sentiment</b>: texts coded by the codeframe's keyword and pattern "
            "rules in English and Chinese (Traditional read as Simplified, jieba word "
            "segmentation), and the rest clustered in the multilingual Universal Sentence "
            "Encoder space (Yang et al. 2020) by consensus clustering, the number of themes "
            "chosen by the stability of the consensus (Monti et al. 2003), each labelled by its "
            "class-based TF-IDF terms; sentiment from a classifier trained on packaged review "
            "corpora and tested on texts it never saw; NPS impact with the trinomial variance "
            "(Rocks 2016); emerging themes by the two-proportion z-test with Benjamini–Hochberg "
            "control. Verbatims are quoted as written: no machine translation is available "
            "offline.",
        ),
        (
            True,
            "<b>Evidence grades</b>: each finding is stated, stated with a caveat or withheld by "
            "the rules in params.yaml (<code>whitepaper.evidence</code>): the observations "
            "behind it, rows lost to listwise deletion, provisional labels, intervals that "
            "cross the cut a verdict uses, out-of-sample fit and failed model checks.",
        ),
        (
            bool(assumptions),
            "<b>Assumptions</b>: " + "; ".join(assumptions) + ".",
        ),
    ]


def skipped_lines(skipped: list[dict]) -> list[str]:
    """The skipped analyses grouped by their reason, one line per reason (a transaction-only
    folder skips a dozen survey analyses for the same reason: one line, not a page).

    >>> skipped_lines([{"analysis": "NPS", "needs": "an NPS item", "reason": "No survey."},
    ...                {"analysis": "key drivers", "needs": "drivers", "reason": "No survey."}])
    ['No survey. Not run: NPS (needs an NPS item), key drivers (needs drivers).']
    """
    by_reason: dict[str, list[str]] = {}
    for entry in skipped:
        what = f"{esc(entry.get('analysis'))} (needs {esc(entry.get('needs'))})"
        by_reason.setdefault(esc(entry.get("reason") or ""), []).append(what)
    return [
        f"{reason} Not run: {', '.join(analyses)}.".strip()
        for reason, analyses in by_reason.items()
    ]


def methods_section(study: Study, params: dict, findings: list[Finding] | None = None) -> str:
    weighting = (
        f"weighted by the survey weights (column {esc(study.weight_column)}), with Kish's "
        "effective n"
        if study.weight_column
        else "unweighted (no survey weights were used)"
    )
    items = [text for result, text in _method_items(study, params, weighting) if result]
    body = bullet_list(items)
    if study.skipped:
        body += para("These analyses were skipped because the data lacks what they need:")
        body += bullet_list(skipped_lines(study.skipped))
    withheld = [f for f in findings or [] if f.grade == "withheld"]
    if withheld:
        body += para(
            "These findings were withheld from the summary because their evidence does not carry "
            "them (the rules are in params.yaml, <code>whitepaper.evidence</code>):"
        )
        body += bullet_list(
            [f"{f.text} <i>Withheld: {esc('; '.join(f.reasons))}.</i>" for f in withheld]
        )
    notes = study.provenance.get("notes") or []
    if notes:
        body += para("About this data set:") + bullet_list([esc(n) for n in notes])
    return section("methods", "Methods and assumptions", body)
