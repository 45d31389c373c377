"""The key findings of the executive summary, generated from the results and graded by their
evidence: one function per finding (those about customers and their value in
:mod:`cemlib.report.customer_findings`), each returning a :class:`Finding` (a sentence, the anchor of
its evidence, the metric keys it cites and the :class:`~cemlib.report.evidence.Evidence` it rests
on) or ``None`` when its evidence is missing — a finding is left out, never filled with a default.
:func:`key_findings` grades every finding (:func:`~cemlib.report.evidence.grade`); the summary
states the stated and caveated ones, Methods lists the withheld ones with their reasons, and
``findings.json`` records all of them."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from cemlib.report.customer_findings import (
    finding_butterflies,
    finding_concentration,
    finding_observed,
    finding_strategic,
    lifetime_failures,
    observed_table,
)
from cemlib.report.evidence import (
    DEFAULT_RULES,
    Evidence,
    EvidenceRules,
    Finding,
    caveat_sentence,
    grade,
)
from cemlib.report.html import esc
from cemlib.report.messages import say
from cemlib.report.study import Study
from cemlib.report.text_findings import (
    finding_emerging,
    finding_theme_impact,
    finding_top_complaint,
)
from cemlib.report.wording import (
    code_words,
    named,
    ordinal,
    pct,
    sentence_case,
    strongest,
)
from cemlib.text import strip_html

__all__ = [
    "Finding",
    "key_findings",
    "findings_record",
    "nps_spread",
    "model_caveat",
    "model_grade",
    "model_rows",
    "lifetime_failures",
    "finding_nps",
    "finding_channels",
    "finding_inflation",
    "finding_top_driver",
    "finding_explained",
    "finding_weakest",
    "finding_fix_first",
    "finding_stated",
    "finding_emotion",
    "finding_touchpoints",
    "finding_strategic",
    "finding_butterflies",
    "finding_observed",
    "observed_table",
    "finding_concentration",
]


def finding_nps(study: Study) -> Finding | None:
    headline = (study.drivers_metrics or {}).get("nps")
    if not headline or headline.get("n", 0) == 0:
        return None
    effective = _effective_n(study)
    sizes = say("nps.sizes", n=f"{headline['n']:,}")
    if effective is not None and round(effective) < headline["n"]:
        sizes = say("nps.sizes_weighted", n=f"{headline['n']:,}", effective=f"{effective:,.0f}")
    return Finding(
        "nps",
        say(
            "nps",
            nps=f"{headline['nps']:+.1f}",
            low=f"{headline['ci_low']:+.1f}",
            high=f"{headline['ci_high']:+.1f}",
            sizes=sizes,
            promoters=f"{headline['promoters']:.0f}%",
            detractors=f"{headline['detractors']:.0f}%",
        ),
        "sec-feel-nps",
        tuple(f"drivers.nps.{k}" for k in ("nps", "ci_low", "ci_high", "n")),
        Evidence(n=effective if effective is not None else headline["n"]),
    )


def _effective_n(study: Study) -> float | None:
    """Kish's effective n of the overall NPS (``drivers_nps``), where the stage recorded it."""
    nps = study.result("drivers_nps")
    if nps is None or "n_effective" not in nps:
        return None
    overall = nps.loc[nps["by"] == "all", "n_effective"]
    return float(overall.iloc[0]) if len(overall) and pd.notna(overall.iloc[0]) else None


def nps_spread(nps: pd.DataFrame, by: str) -> dict | None:
    """Highest and lowest group on ``by`` and whether their intervals are apart."""
    groups = nps[nps["by"] == by]
    if len(groups) < 2:
        return None
    high, low = groups.loc[groups["nps"].idxmax()], groups.loc[groups["nps"].idxmin()]
    return {
        "high": high,
        "low": low,
        "separated": bool(low["ci_high"] < high["ci_low"]),
    }


def finding_channels(study: Study) -> Finding | None:
    nps = study.result("drivers_nps")
    spread = nps_spread(nps, "channel") if nps is not None else None
    if spread is None:
        return None
    high, low = spread["high"], spread["low"]
    return Finding(
        "channels",
        say(
            "channels",
            low=f"{low['nps']:+.1f}",
            low_group=code_words(low["group"]),
            low_n=f"{int(low['n']):,}",
            high=f"{high['nps']:+.1f}",
            high_group=code_words(high["group"]),
            high_n=f"{int(high['n']):,}",
            verdict=say("channels.apart" if spread["separated"] else "channels.noise"),
        ),
        "fig-nps-channel",
        ("drivers_nps.channel",),
        Evidence(n=min(low["n"], high["n"])),
    )


def finding_inflation(study: Study, inflation: pd.DataFrame | None) -> Finding | None:
    """Top-2-box satisfaction (the usual headline) against the share of promoters."""
    if inflation is None or inflation.empty:
        return None
    advocacy = inflation[inflation["metric"] == "nps"]
    satisfaction = inflation[inflation["metric"] == "csat"]
    if advocacy.empty or satisfaction.empty:
        return None
    promoters, satisfied = advocacy.iloc[0], satisfaction.iloc[0]
    gap = satisfied["top2_box"] - promoters["top_box"]
    return Finding(
        "inflation",
        say(
            "inflation",
            satisfied=f"{satisfied['top2_box']:.0f}%",
            csat_item=named(study, satisfied["item"]),
            promoters=f"{promoters['top_box']:.0f}%",
            nps_item=named(study, promoters["item"]),
            gap=f"{gap:.0f}",
        ),
        "tab-inflation",
        ("whitepaper.inflation",),
        Evidence(n=_answered(study, [satisfied["item"], promoters["item"]])),
    )


def _answered(study: Study, items: list[str]) -> int | None:
    """The fewest answers any of ``items`` received: the n behind a comparison of their rates."""
    responses = study.table("responses")
    if responses is None or not set(items) <= set(responses.columns):
        return None
    return int(min(responses[item].notna().sum() for item in items))


def _outcome_rows(study: Study, outcome: str) -> tuple[int | None, float | None]:
    """Rows behind the drivers of ``outcome`` and the share of answers to it that listwise
    deletion dropped (``None`` where the tables do not tell)."""
    drivers = study.result("drivers")
    if drivers is None or outcome not in set(drivers["outcome"]):
        return None, None
    used = int(drivers.loc[drivers["outcome"] == outcome, "n"].max())
    responses = study.table("responses")
    if responses is None or outcome not in responses:
        return used, None
    answered = int(responses[outcome].notna().sum())
    return used, (1 - used / answered if answered else None)


def model_rows(study: Study) -> int:
    """Rows the key-driver model of the focus outcome was fitted to (0 without one)."""
    return _outcome_rows(study, study.focus_outcome)[0] or 0 if study.focus_outcome else 0


def model_caveat(study: Study, rules: EvidenceRules = DEFAULT_RULES) -> str:
    """The paragraph that opens what rests on the key-driver model (the drivers section, the
    cards): its caveat sentence, or why it carries no verdict; empty when it is stated."""
    verdict, reasons = model_grade(study, rules)
    if verdict == "caveated":
        return f'<p class="wp-caveat">{esc(caveat_sentence(reasons))}</p>'
    if verdict == "withheld":
        return (
            f'<p class="wp-caveat">The model does not carry verdicts: {esc("; ".join(reasons))}. '
            "The figures below describe this sample only.</p>"
        )
    return ""


def model_grade(study: Study, rules: EvidenceRules = DEFAULT_RULES) -> tuple[str, tuple[str, ...]]:
    """The grade of the key-driver model of the focus outcome itself — what every driver verdict
    (quadrants, cards) inherits: its rows, listwise loss and out-of-sample fit."""
    return grade(_model_evidence(study, study.focus_outcome), rules)


def _model_evidence(study: Study, outcome: str | None, **more) -> Evidence:
    """What a claim drawn from the key-driver model of ``outcome`` rests on: the rows the model
    used, the share listwise deletion lost, and its in-sample against cross-validated R²."""
    used, loss = _outcome_rows(study, outcome) if outcome else (None, None)
    drivers = study.drivers_metrics or {}
    r2 = (drivers.get("r2") or {}).get(outcome)
    r2_cv = (drivers.get("r2_cv") or {}).get(outcome)
    failures = (say("grade.no_variation"),) if r2 is not None and r2 <= 1e-9 else ()
    return Evidence(n=used, listwise_loss=loss, r2=r2, r2_cv=r2_cv, failures=failures, **more)


def finding_top_driver(study: Study, outcome: str) -> Finding | None:
    tops = ((study.drivers_metrics or {}).get("top_drivers") or {}).get(outcome)
    if not tops:
        return None
    first = tops[0]
    others = " and ".join(named(study, t["driver"]) for t in tops[1:])
    tail = say("top_driver.ahead", others=others) if others else ""
    used = _outcome_rows(study, outcome)[0]
    borderline = ()
    if len(tops) > 1 and first["ci_low"] is not None and tops[1]["ci_high"] is not None:
        if first["ci_low"] <= tops[1]["ci_high"]:
            other = named(study, tops[1]["driver"], html=False)
            borderline = (say("top_driver.overlap", other=other),)
    return Finding(
        "top-driver",
        say(
            "top_driver",
            driver=named(study, first["driver"]),
            outcome=named(study, outcome),
            share=pct(first["share"]),
            low=pct(first["ci_low"]),
            high=pct(first["ci_high"]),
            n=f"{used or 0:,}",
            tail=tail,
        ),
        "fig-drivers",
        (f"drivers.top_drivers.{outcome}",),
        _model_evidence(study, outcome, borderline=borderline),
    )


def finding_explained(study: Study, outcome: str | None) -> Finding | None:
    """How much of the outcome the attributes explain together — the ceiling of any driver
    programme. The R² is in-sample, so it is an upper bound for new data."""
    r2 = ((study.drivers_metrics or {}).get("r2") or {}).get(outcome)
    drivers = study.result("drivers")
    if r2 is None or drivers is None or outcome is None:
        return None
    n_drivers = drivers.loc[drivers["outcome"] == outcome, "driver"].nunique()
    used = _outcome_rows(study, outcome)[0]
    r2_cv = ((study.drivers_metrics or {}).get("r2_cv") or {}).get(outcome)
    out_of_sample = say("explained.out_of_sample", r2_cv=pct(r2_cv)) if r2_cv is not None else ""
    return Finding(
        "explained",
        say(
            "explained",
            count=n_drivers,
            r2=pct(r2),
            outcome=named(study, outcome),
            out_of_sample=out_of_sample,
            n=f"{used or 0:,}",
        ),
        "sec-drivers-importance",
        (f"drivers.r2.{outcome}", f"drivers.r2_cv.{outcome}"),
        _model_evidence(study, outcome),
    )


def finding_weakest(study: Study) -> Finding | None:
    """The attribute customers rate lowest, with its interval."""
    priorities = study.result("drivers_priorities")
    if priorities is None or priorities["performance"].isna().all():
        return None
    ordered = priorities.sort_values(["performance", "driver"])
    low = ordered.iloc[0]
    borderline = ()
    if len(ordered) > 1 and low["performance_ci_high"] >= ordered.iloc[1]["performance_ci_low"]:
        other = named(study, ordered.iloc[1]["driver"], html=False)
        borderline = (say("weakest.overlap", other=other),)
    return Finding(
        "weakest",
        say(
            "weakest",
            driver=named(study, low["driver"]),
            score=f"{low['performance']:.0f}",
            low=f"{low['performance_ci_low']:.0f}",
            high=f"{low['performance_ci_high']:.0f}",
        ),
        "fig-ipa",
        ("drivers_priorities.performance",),
        Evidence(n=_answered(study, [low["driver"]]), borderline=borderline),
    )


def finding_fix_first(study: Study) -> Finding | None:
    priorities = study.result("drivers_priorities")
    if priorities is None:
        return None
    fix = priorities[priorities["quadrant"] == "fix first"].sort_values(
        "importance_share", ascending=False
    )
    cites = ("drivers.fix_first", "drivers_priorities.quadrant")
    outcome = study.focus_outcome
    if fix.empty:
        return Finding(
            "fix-first",
            say("fix_first.none"),
            "fig-ipa",
            cites,
            _model_evidence(study, outcome),
        )
    names = ", ".join(
        say(
            "fix_first.item",
            driver=named(study, row.driver),
            score=f"{row.performance:.0f}",
            share=pct(row.importance_share),
        )
        for row in fix.itertuples()
    )
    borderline = tuple(
        say("fix_first.edge", driver=named(study, row.driver, html=False))
        for row in fix.itertuples()
        if getattr(row, "borderline", False) is True
    )
    return Finding(
        "fix-first",
        say("fix_first", names=names),
        "fig-ipa",
        cites,
        _model_evidence(study, outcome, borderline=borderline),
    )


def finding_stated(study: Study) -> Finding | None:
    priorities = study.result("drivers_priorities")
    if priorities is None or "rank_gap" not in priorities or priorities["rank_gap"].isna().all():
        return None
    under = priorities.sort_values(["rank_gap", "driver"]).iloc[0]
    over = priorities.sort_values(["rank_gap", "driver"], ascending=[False, True]).iloc[0]
    if under["rank_gap"] >= 0:
        return None
    return Finding(
        "stated",
        say(
            "stated",
            under=named(study, under["driver"]),
            under_stated=ordinal(under["stated_rank"]),
            under_derived=strongest(under["derived_rank"]),
            over=named(study, over["driver"]),
            over_stated=ordinal(over["stated_rank"]),
            over_derived=ordinal(over["derived_rank"]),
        ),
        "fig-stated",
        ("drivers_priorities.rank_gap",),
        _model_evidence(study, study.focus_outcome, cautions=(say("stated.ranks"),)),
    )


def finding_emotion(study: Study) -> Finding | None:
    emotion = study.result("drivers_emotion")
    if emotion is None:
        return None
    curve = emotion[emotion["group"] == "all"]
    peak, end = curve[curve["peak"]], curve[curve["end"]]
    if peak.empty or end.empty:
        return None
    low = curve.loc[curve["mean"].idxmin()]
    peak, end = peak.iloc[0], end.iloc[0]
    return Finding(
        "emotion",
        say(
            "emotion",
            peak=esc(peak["touchpoint"]),
            peak_score=f"{peak['mean']:.0f}",
            low=esc(low["touchpoint"]),
            low_score=f"{low['mean']:.0f}",
            end=esc(end["touchpoint"]),
            end_score=f"{end['mean']:.0f}",
        ),
        "fig-emotion",
        ("drivers_emotion.mean",),
        Evidence(n=int(curve["n"].min()) if "n" in curve else None),
    )


def finding_touchpoints(study: Study) -> Finding | None:
    touchpoints = study.result("drivers_touchpoints")
    if touchpoints is None:
        return None
    off = touchpoints[touchpoints["zone"] != "branded"].sort_values("importance", ascending=False)
    if off.empty:
        return Finding(
            "touchpoints",
            say("touchpoints.all_branded", total=len(touchpoints)),
            "fig-cei-bei",
            ("drivers_touchpoints.zone",),
        )
    names = ", ".join(
        say(
            "touchpoints.item",
            touchpoint=esc(r.touchpoint),
            zone=esc(r.zone),
            cei=f"{r.cei:.0f}",
            bei=f"{r.bei:.0f}",
        )
        for r in off.itertuples()
    )
    return Finding(
        "touchpoints",
        say("touchpoints.short", count=len(off), total=len(touchpoints), names=names),
        "fig-cei-bei",
        ("drivers_touchpoints.zone",),
    )


def key_findings(
    study: Study, params: dict, inflation: pd.DataFrame | None, rules: EvidenceRules = DEFAULT_RULES
) -> list[Finding]:
    """Every finding the results support, in the order of the paper, each graded by its
    evidence. The summary states the first ``max_findings`` that are not withheld."""
    outcome = study.focus_outcome
    candidates = [
        finding_nps(study),
        finding_top_driver(study, outcome) if outcome else None,
        finding_fix_first(study),
        finding_strategic(study),
        finding_butterflies(study),
        finding_observed(study),
        finding_concentration(study),
        finding_inflation(study, inflation),
        finding_stated(study),
        finding_emotion(study),
        finding_top_complaint(study),
        finding_theme_impact(study),
        finding_emerging(study),
        finding_touchpoints(study),
        finding_channels(study),
        finding_explained(study, outcome),
        finding_weakest(study),
    ]
    graded = []
    for finding in candidates:
        if finding is not None:
            verdict, reasons = grade(finding.evidence, rules)
            graded.append(replace(finding, grade=verdict, reasons=reasons))
    return graded


def findings_record(findings: list[Finding]) -> dict:
    """``reports/metrics/findings.json``: every finding with its id, plain text, grade, reasons,
    the metric keys it cites and the anchor of its evidence."""
    return {
        "findings": [
            {
                "id": f.id,
                "text": strip_html(sentence_case(f.text))[0],
                "grade": f.grade,
                "reasons": list(f.reasons),
                "cites": list(f.cites),
                "anchor": f.anchor,
            }
            for f in findings
        ]
    }
