"""The key findings of the executive summary, generated from the results and graded by their
evidence: one function per finding, each returning a :class:`Finding` (a sentence, the anchor of
its evidence, the metric keys it cites and the :class:`~cemlib.report.evidence.Evidence` it rests
on) or ``None`` when its evidence is missing — a finding is left out, never filled with a default.
:func:`key_findings` grades every finding (:func:`~cemlib.report.evidence.grade`); the summary
states the stated and caveated ones, Methods lists the withheld ones with their reasons, and
``findings.json`` records all of them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cemlib.cx import metrics
from cemlib.report.evidence import DEFAULT_RULES, Evidence, EvidenceRules, grade
from cemlib.report.html import esc
from cemlib.report.study import Study
from cemlib.report.wording import (
    code_words,
    concentration_word,
    named,
    ordinal,
    pct,
    sentence_case,
    strongest,
    value_word,
)
from cemlib.text import strip_html

__all__ = [
    "Finding",
    "key_findings",
    "findings_record",
    "complaint_reasons",
    "nps_spread",
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
    "finding_concentration",
    "finding_complaints",
]


@dataclass(frozen=True)
class Finding:
    """One key finding: a sentence (escaped HTML), the anchor of its evidence in the paper, the
    metric keys it cites (``file.key.key``), what it rests on, and — once graded — its grade
    and the reasons for it."""

    id: str
    text: str
    anchor: str
    cites: tuple[str, ...] = ()
    evidence: Evidence = Evidence()
    grade: str = "stated"
    reasons: tuple[str, ...] = ()


def finding_nps(study: Study) -> Finding | None:
    headline = (study.drivers_metrics or {}).get("nps")
    if not headline or headline.get("n", 0) == 0:
        return None
    effective = _effective_n(study)
    sizes = f"n = {headline['n']:,}"
    if effective is not None and round(effective) < headline["n"]:
        sizes += f", effective n {effective:,.0f} after weighting"
    return Finding(
        "nps",
        f"Net Promoter Score is <b>{headline['nps']:+.1f}</b> (95% interval "
        f"{headline['ci_low']:+.1f} to {headline['ci_high']:+.1f}; {sizes}): "
        f"{headline['promoters']:.0f}% promoters against {headline['detractors']:.0f}% detractors.",
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
    verdict = (
        "a real gap: their intervals do not overlap"
        if spread["separated"]
        else "within sampling noise: their intervals overlap"
    )
    return Finding(
        "channels",
        f"By channel, NPS runs from <b>{low['nps']:+.1f}</b> ({code_words(low['group'])}, n = "
        f"{int(low['n']):,}) to <b>{high['nps']:+.1f}</b> ({code_words(high['group'])}, n = "
        f"{int(high['n']):,}) — {verdict}.",
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
        f"A top-2-box headline would report <b>{satisfied['top2_box']:.0f}%</b> satisfied "
        f"({named(study, satisfied['item'])}), but only <b>{promoters['top_box']:.0f}%</b> are "
        f"promoters ({named(study, promoters['item'])}): the satisfaction rate flatters advocacy by "
        f"{gap:.0f} points.",
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


def finding_top_driver(study: Study, outcome: str) -> Finding | None:
    tops = ((study.drivers_metrics or {}).get("top_drivers") or {}).get(outcome)
    if not tops:
        return None
    first = tops[0]
    others = " and ".join(named(study, t["driver"]) for t in tops[1:])
    tail = f", ahead of {others}" if others else ""
    used, loss = _outcome_rows(study, outcome)
    borderline = ()
    if len(tops) > 1 and first["ci_low"] is not None and tops[1]["ci_high"] is not None:
        if first["ci_low"] <= tops[1]["ci_high"]:
            borderline = (
                f"its interval overlaps that of {named(study, tops[1]['driver'], html=False)}, "
                "so the order of the two is not certain",
            )
    return Finding(
        "top-driver",
        f"<b>{named(study, first['driver'])}</b> is the strongest driver of "
        f"{named(study, outcome)}: <b>{pct(first['share'])}</b> of the explained variance "
        f"(95% interval {pct(first['ci_low'])}–{pct(first['ci_high'])}; n = {used or 0:,}){tail}.",
        "fig-drivers",
        (f"drivers.top_drivers.{outcome}",),
        Evidence(n=used, listwise_loss=loss, borderline=borderline),
    )


def finding_explained(study: Study, outcome: str | None) -> Finding | None:
    """How much of the outcome the attributes explain together — the ceiling of any driver
    programme. The R² is in-sample, so it is an upper bound for new data."""
    r2 = ((study.drivers_metrics or {}).get("r2") or {}).get(outcome)
    drivers = study.result("drivers")
    if r2 is None or drivers is None or outcome is None:
        return None
    n_drivers = drivers.loc[drivers["outcome"] == outcome, "driver"].nunique()
    used, loss = _outcome_rows(study, outcome)
    return Finding(
        "explained",
        f"Together the {n_drivers} attributes account for <b>{pct(r2)}</b> of the variation in "
        f"{named(study, outcome)} in this sample (n = {used or 0:,}); the rest is noise and "
        "whatever the survey did not ask.",
        "sec-drivers-importance",
        (f"drivers.r2.{outcome}",),
        Evidence(
            n=used,
            listwise_loss=loss,
            cautions=(
                "R² measured on the data the model was fitted to overstates what new data would show",
            ),
        ),
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
        borderline = (
            f"its interval overlaps that of {named(study, ordered.iloc[1]['driver'], html=False)}",
        )
    return Finding(
        "weakest",
        f"The lowest-rated attribute is <b>{named(study, low['driver'])}</b> at "
        f"<b>{low['performance']:.0f}/100</b> (95% interval {low['performance_ci_low']:.0f}–"
        f"{low['performance_ci_high']:.0f}).",
        "fig-ipa",
        ("drivers_priorities.performance",),
        Evidence(borderline=borderline),
    )


def finding_fix_first(study: Study) -> Finding | None:
    priorities = study.result("drivers_priorities")
    if priorities is None:
        return None
    fix = priorities[priorities["quadrant"] == "fix first"].sort_values(
        "importance_share", ascending=False
    )
    cites = ("drivers.fix_first", "drivers_priorities.quadrant")
    if fix.empty:
        return Finding(
            "fix-first",
            "No attribute is both more important and worse performed than average: "
            "the priority is to keep up the strong ones.",
            "fig-ipa",
            cites,
        )
    names = ", ".join(
        f"<b>{named(study, row.driver)}</b> ({row.performance:.0f}/100, "
        f"{pct(row.importance_share)} of impact)"
        for row in fix.itertuples()
    )
    borderline = tuple(
        f"{named(study, row.driver, html=False)} sits on the edge of its quadrant (an interval "
        "crosses the average)"
        for row in fix.itertuples()
        if getattr(row, "borderline", False) is True
    )
    return Finding(
        "fix-first",
        f"Fix first — above-average impact, below-average performance: {names}.",
        "fig-ipa",
        cites,
        Evidence(borderline=borderline),
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
        f"Asking customers what matters misleads: they rank "
        f"<b>{named(study, under['driver'])}</b> {ordinal(under['stated_rank'])} but it is "
        f"the {strongest(under['derived_rank'])} driver, while "
        f"<b>{named(study, over['driver'])}</b>, ranked {ordinal(over['stated_rank'])} by "
        f"customers, is only the {ordinal(over['derived_rank'])} driver.",
        "fig-stated",
        ("drivers_priorities.rank_gap",),
        Evidence(cautions=("ranks ignore how close the importances are",)),
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
        f"The journey peaks at <b>{esc(peak['touchpoint'])}</b> ({peak['mean']:.0f}/100), dips "
        f"at <b>{esc(low['touchpoint'])}</b> ({low['mean']:.0f}) and ends at "
        f"<b>{esc(end['touchpoint'])}</b> ({end['mean']:.0f}): peak and end shape the memory.",
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
            f"All {len(touchpoints)} touchpoints sit in the branded zone of the CEI × BEI map.",
            "fig-cei-bei",
            ("drivers_touchpoints.zone",),
        )
    names = ", ".join(
        f"<b>{esc(r.touchpoint)}</b> ({esc(r.zone)}, CEI {r.cei:.0f}, BEI {r.bei:.0f})"
        for r in off.itertuples()
    )
    return Finding(
        "touchpoints",
        f"{len(off)} of {len(touchpoints)} touchpoints fall short of the branded zone: {names}.",
        "fig-cei-bei",
        ("drivers_touchpoints.zone",),
    )


def lifetime_failures(study: Study) -> tuple[str, ...]:
    """The lifetime models' failed diagnostics, from ``segments.json`` (``lifetime``): a model
    not fitted, or fitted to a degenerate extreme (a parameter at its bound)."""
    life = (study.segments_metrics or {}).get("lifetime") or {}
    failures = []
    for model, label in (
        ("bgnbd", "BG/NBD purchase model"),
        ("gamma_gamma", "Gamma-Gamma spend model"),
    ):
        state = life.get(model)
        if state is None:
            continue
        if not state.get("fitted", True):
            failures.append(f"the {label} could not be fitted")
        elif state.get("degenerate"):
            failures.append(
                f"the {label} ran to a degenerate extreme ({', '.join(state['degenerate'])}), "
                "so its projections should not be read"
            )
    return tuple(failures)


def _archetype_row(study: Study, archetype: str) -> dict | None:
    """The archetype's headline numbers from ``segments.json``, when it has any customers."""
    row = ((study.segments_metrics or {}).get("archetypes") or {}).get(archetype)
    return row if row and row.get("share_margin") is not None else None


# What each archetype finding says before its ending ({value}: what the value axis measures).
ARCHETYPE_SENTENCES = {
    "strategic": "<b>{customers}</b> of customers are strategic (valuable and staying; n = {n:,}); "
    "they bring <b>{value_share}</b> of {value}",
    "butterfly": "Butterflies — valuable but transient — are <b>{customers}</b> of customers "
    "(n = {n:,}) and {value_share} of {value} to date",
}


def _archetype_finding(
    study: Study, archetype: str, row: dict, ending: str, anchor: str
) -> Finding:
    """A finding about one archetype: its sentence (:data:`ARCHETYPE_SENTENCES`) and ``ending``.
    It rests on the labels: provisional ones (thin histories) and a failed lifetime model (the
    loyalty axis uses its projections) weaken it."""
    text = (
        ARCHETYPE_SENTENCES[archetype].format(
            customers=pct(row["share_customers"]),
            n=row["n"],
            value_share=pct(row["share_margin"]),
            value=_value_word(study),
        )
        + ending
    )
    segments = study.segments_metrics or {}
    cautions = (
        ("the lifetime model failed its checks, so loyalty rests on observed behaviour only",)
        if lifetime_failures(study)
        else ()
    )
    evidence = Evidence(
        n=row["n"], thin_share=segments.get("thin_history_share"), cautions=cautions
    )
    return Finding(archetype, text, anchor, (f"segments.archetypes.{archetype}",), evidence)


def _value_word(study: Study) -> str:
    return value_word((study.segments_metrics or {}).get("margin_basis"))


def finding_strategic(study: Study) -> Finding | None:
    strategic = _archetype_row(study, "strategic")
    if strategic is None:
        return None
    clv = (
        f" and {pct(strategic['share_clv'])} of projected lifetime value"
        if strategic.get("share_clv") is not None and not lifetime_failures(study)
        else ""
    )
    return _archetype_finding(study, "strategic", strategic, clv + ".", "fig-value-loyalty")


def finding_butterflies(study: Study) -> Finding | None:
    butterfly = _archetype_row(study, "butterfly")
    if butterfly is None:
        return None
    future = butterfly.get("share_clv")
    if future is None or lifetime_failures(study):
        tail = "; whether they stay cannot be projected from this data."
    elif future < butterfly["share_margin"]:
        tail = f", but only <b>{pct(future)}</b> of projected future value: harvest, do not buy loyalty."
    else:
        tail = (
            f", and the lifetime model still credits them with <b>{pct(future)}</b> of future "
            "value — check how many have already left before investing in them."
        )
    return _archetype_finding(study, "butterfly", butterfly, tail, "tab-archetypes")


def finding_concentration(study: Study) -> Finding | None:
    """The Pareto reading of customer value: what the top fifth of customers bring, with the
    adjective the number earns (:func:`~cemlib.report.wording.concentration_word`)."""
    customers = study.result("segments")
    if customers is None or "margin_net" not in customers:
        return None
    share = metrics.top_share(customers["margin_net"], 0.2)
    if np.isnan(share):
        return None
    return Finding(
        "concentration",
        f"{concentration_word(share)}: the top 20% of customers bring <b>{pct(share)}</b> of the "
        f"positive {_value_word(study)} (n = {len(customers):,} customers).",
        "fig-concentration",
        ("segments.margin_net",),
        Evidence(n=len(customers)),
    )


def complaint_reasons(feedback: pd.DataFrame | None, top: int) -> pd.DataFrame:
    """The most frequent complaint reasons with their count and share of complaints."""
    columns = ["reason", "complaints", "share"]
    if feedback is None or "reason" not in feedback or "kind" not in feedback:
        return pd.DataFrame(columns=columns)
    complaints = feedback[(feedback["kind"] == "complaint") & feedback["reason"].notna()]
    if complaints.empty:
        return pd.DataFrame(columns=columns)
    counts = complaints["reason"].value_counts()
    counts = counts.rename_axis("reason").reset_index(name="complaints")
    counts = counts.sort_values(["complaints", "reason"], ascending=[False, True]).head(top)
    counts["share"] = 100 * counts["complaints"] / len(complaints)
    counts.attrs["total"] = len(complaints)  # every coded complaint, not only the top reasons
    return counts.reset_index(drop=True)[columns]


def finding_complaints(study: Study, top: int) -> Finding | None:
    reasons = complaint_reasons(study.table("feedback"), top)
    if reasons.empty:
        return None
    first = reasons.iloc[0]
    total = reasons.attrs["total"]
    return Finding(
        "complaints",
        f"The most common complaint is <b>{code_words(first['reason'])}</b>: "
        f"{int(first['complaints']):,} of {total:,} coded complaints "
        f"(<b>{first['share']:.0f}%</b>).",
        "tab-reasons",
        ("feedback.reason",),
        Evidence(n=total),
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
        finding_concentration(study),
        finding_inflation(study, inflation),
        finding_stated(study),
        finding_emotion(study),
        finding_complaints(study, params["top_reasons"]),
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
