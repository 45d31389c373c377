"""The key findings of the executive summary, generated from the results: one function per
finding, each returning a :class:`Finding` (a sentence with the anchor of its evidence) or ``None``
when its evidence is missing — a finding is left out, never filled with a default."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cemlib.cx import metrics
from cemlib.report.html import esc
from cemlib.report.study import Study
from cemlib.report.wording import ordinal, pct, short_name, strongest

__all__ = [
    "Finding",
    "key_findings",
    "complaint_reasons",
    "nps_spread",
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
    """One key finding: a sentence (escaped HTML) with its number and the anchor of its evidence."""

    key: str
    sentence: str
    evidence: str


def finding_nps(study: Study) -> Finding | None:
    headline = (study.drivers_metrics or {}).get("nps")
    if not headline or headline.get("n", 0) == 0:
        return None
    return Finding(
        "nps",
        f"Net Promoter Score is <b>{headline['nps']:+.1f}</b> (95% interval "
        f"{headline['ci_low']:+.1f} to {headline['ci_high']:+.1f}; {headline['n']:,} answers): "
        f"{headline['promoters']:.0f}% promoters against {headline['detractors']:.0f}% detractors.",
        "sec-feel-nps",
    )


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
        f"By channel, NPS runs from <b>{low['nps']:+.1f}</b> ({esc(low['group'])}) to "
        f"<b>{high['nps']:+.1f}</b> ({esc(high['group'])}) — {verdict}.",
        "fig-nps-channel",
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
        f"({esc(satisfied['item'])}), but only <b>{promoters['top_box']:.0f}%</b> are promoters "
        f"({esc(promoters['item'])}): the satisfaction rate flatters advocacy by "
        f"{gap:.0f} points.",
        "tab-inflation",
    )


def finding_top_driver(study: Study, outcome: str) -> Finding | None:
    tops = ((study.drivers_metrics or {}).get("top_drivers") or {}).get(outcome)
    if not tops:
        return None
    first = tops[0]
    others = " and ".join(esc(short_name(study, t["driver"])) for t in tops[1:])
    tail = f", ahead of {others}" if others else ""
    return Finding(
        "top-driver",
        f"<b>{esc(short_name(study, first['driver']))}</b> moves {esc(short_name(study, outcome))} most: "
        f"<b>{pct(first['share'])}</b> of the explained variance "
        f"(95% interval {pct(first['ci_low'])}–{pct(first['ci_high'])}){tail}.",
        "fig-drivers",
    )


def finding_explained(study: Study, outcome: str | None) -> Finding | None:
    """How much of the outcome the attributes explain together — the ceiling of any driver
    programme."""
    r2 = ((study.drivers_metrics or {}).get("r2") or {}).get(outcome)
    drivers = study.result("drivers")
    if r2 is None or drivers is None:
        return None
    n_drivers = drivers.loc[drivers["outcome"] == outcome, "driver"].nunique()
    return Finding(
        "explained",
        f"Together the {n_drivers} attributes explain <b>{pct(r2)}</b> of the variation in "
        f"{esc(short_name(study, outcome))}; the remaining {pct(1 - r2)} lies outside what the "
        "survey asked.",
        "sec-drivers-importance",
    )


def finding_weakest(study: Study) -> Finding | None:
    """The attribute customers rate lowest, with its interval."""
    priorities = study.result("drivers_priorities")
    if priorities is None or priorities["performance"].isna().all():
        return None
    low = priorities.sort_values(["performance", "driver"]).iloc[0]
    return Finding(
        "weakest",
        f"The lowest-rated attribute is <b>{esc(short_name(study, low['driver']))}</b> at "
        f"<b>{low['performance']:.0f}/100</b> (95% interval {low['performance_ci_low']:.0f}–"
        f"{low['performance_ci_high']:.0f}).",
        "fig-ipa",
    )


def finding_fix_first(study: Study) -> Finding | None:
    priorities = study.result("drivers_priorities")
    if priorities is None:
        return None
    fix = priorities[priorities["quadrant"] == "fix first"].sort_values(
        "importance_share", ascending=False
    )
    if fix.empty:
        return Finding(
            "fix-first",
            "No attribute is both more important and worse performed than average: "
            "the priority is to keep up the strong ones.",
            "fig-ipa",
        )
    names = ", ".join(
        f"<b>{esc(short_name(study, row.driver))}</b> ({row.performance:.0f}/100, "
        f"{pct(row.importance_share)} of impact)"
        for row in fix.itertuples()
    )
    return Finding(
        "fix-first",
        f"Fix first — above-average impact, below-average performance: {names}.",
        "fig-ipa",
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
        f"<b>{esc(short_name(study, under['driver']))}</b> {ordinal(under['stated_rank'])} but it is "
        f"the {strongest(under['derived_rank'])} driver, while "
        f"<b>{esc(short_name(study, over['driver']))}</b>, ranked {ordinal(over['stated_rank'])} by "
        f"customers, is only the {ordinal(over['derived_rank'])} driver.",
        "fig-stated",
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
        )
    names = ", ".join(
        f"<b>{esc(r.touchpoint)}</b> ({esc(r.zone)}, CEI {r.cei:.0f}, BEI {r.bei:.0f})"
        for r in off.itertuples()
    )
    return Finding(
        "touchpoints",
        f"{len(off)} of {len(touchpoints)} touchpoints fall short of the branded zone: {names}.",
        "fig-cei-bei",
    )


def finding_strategic(study: Study) -> Finding | None:
    archetypes = (study.segments_metrics or {}).get("archetypes") or {}
    strategic = archetypes.get("strategic")
    if not strategic:
        return None
    return Finding(
        "strategic",
        f"<b>{pct(strategic['share_customers'])}</b> of customers are strategic (valuable and "
        f"staying); they bring <b>{pct(strategic['share_margin'])}</b> of net margin and "
        f"{pct(strategic['share_clv'])} of projected lifetime value.",
        "fig-value-loyalty",
    )


def finding_butterflies(study: Study) -> Finding | None:
    archetypes = (study.segments_metrics or {}).get("archetypes") or {}
    butterfly = archetypes.get("butterfly")
    if not butterfly:
        return None
    future = butterfly["share_clv"]
    tail = (
        f"but only <b>{pct(future)}</b> of projected future value: harvest, do not buy loyalty."
        if future < butterfly["share_margin"]
        else f"and the lifetime model still credits them with <b>{pct(future)}</b> of future "
        "value — check how many have already left before investing in them."
    )
    return Finding(
        "butterflies",
        f"Butterflies — valuable but transient — are <b>{pct(butterfly['share_customers'])}</b> "
        f"of customers and {pct(butterfly['share_margin'])} of margin to date, {tail}",
        "tab-archetypes",
    )


def finding_concentration(study: Study) -> Finding | None:
    """The Pareto reading of customer value: what the top fifth of customers bring."""
    customers = study.result("segments")
    if customers is None or "margin_net" not in customers:
        return None
    share = metrics.top_share(customers["margin_net"], 0.2)
    if np.isnan(share):
        return None
    return Finding(
        "concentration",
        f"Value is concentrated: the top 20% of customers bring <b>{pct(share)}</b> of the "
        "positive net margin.",
        "fig-concentration",
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
    return counts.reset_index(drop=True)[columns]


def finding_complaints(study: Study, top: int) -> Finding | None:
    reasons = complaint_reasons(study.table("feedback"), top)
    if reasons.empty:
        return None
    first = reasons.iloc[0]
    return Finding(
        "complaints",
        f"The most common complaint is <b>{esc(first['reason'])}</b>: "
        f"{int(first['complaints']):,} complaints, <b>{first['share']:.0f}%</b> of all.",
        "tab-reasons",
    )


def key_findings(study: Study, params: dict, inflation: pd.DataFrame | None) -> list[Finding]:
    """The 5–10 findings of the executive summary, in the order of the paper, generated from the
    results (a finding whose evidence is missing is left out, never filled with a default)."""
    outcome = study.focus_outcome
    candidates = [
        finding_nps(study),
        finding_top_driver(study, outcome),
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
    return [f for f in candidates if f is not None][: params["max_findings"]]
