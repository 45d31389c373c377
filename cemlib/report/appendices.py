"""The data-quality appendix (every input row kept or rejected by a named rule) and, on synthetic
data only, the recovery appendix (estimates against the truth the generator planted)."""

from __future__ import annotations

import pandas as pd

from cemlib.report import plots
from cemlib.report.html import figure, para, ref, section, skip_note, table
from cemlib.report.study import Study
from cemlib.report.wording import short_name
from cemlib.stages.recovery import driver_recovery

__all__ = ["quality_appendix", "recovery_appendix"]


def quality_appendix(study: Study) -> str:
    quality = study.quality
    if not quality or not quality.get("tables"):
        return section(
            "quality",
            "Data quality",
            skip_note("data-quality accounting", "the clean stage's quality.json"),
            appendix=True,
        )
    rows = []
    for name, t in quality["tables"].items():
        rules = {r: c for r, c in (t.get("rules") or {}).items() if c}
        rows.append(
            {
                "table": name,
                "rows in": int(t["rows_in"]),
                "rows kept": int(t["rows_out"]),
                "rows rejected": int(t["rows_rejected"]),
                "rejected by rule": ", ".join(f"{r} {c:,}" for r, c in sorted(rules.items()))
                or "none",
            }
        )
    body = (
        para(
            "Every input row is accounted for: kept, or rejected with the rule that removed "
            f"it ({ref('tab-quality')}, {ref('fig-waterfall')}). Personal data in free text was "
            "replaced by typed placeholders before any analysis."
        )
        + table(pd.DataFrame(rows), "quality", "Rows in, kept and rejected, per table and rule.")
        + figure(
            plots.cleaning_waterfall(quality),
            "waterfall",
            "Where the input rows went, per table.",
        )
    )
    return section("quality", "Data quality", body, appendix=True)


def recovery_appendix(study: Study, params: dict) -> str:
    """Estimates against the truth the synthetic generator planted; empty string on real data."""
    if not study.planted:
        return ""
    parts = [
        para(
            "This run used the synthetic world, whose generator recorded the truth it planted. "
            "The tables below show how close the methods come to it."
        )
    ]
    drivers = study.result("drivers")
    if drivers is not None:
        check = driver_recovery(
            drivers, study.truth_dir, study.focus_outcome, params["importance_method"]
        )
        if len(check):
            shown = check.assign(
                driver=[short_name(study, d) for d in check["driver"]],
                estimated=100 * check["estimated_share"],
                planted=100 * check["population_share"],
            ).rename(
                columns={"estimated_rank": "estimated rank", "population_rank": "planted rank"}
            )[["driver", "estimated", "planted", "estimated rank", "planted rank"]]
            parts.append(
                para(
                    f"Driver shares of R² (%): Spearman rank correlation "
                    f"{check.attrs['spearman']:.3f}; top three "
                    f"{'agree' if check.attrs['top3_match'] else 'differ'}."
                )
            )
            parts.append(
                table(shown, "recovery-drivers", "Estimated against planted driver shares.")
            )
    recovered = (study.segments_metrics or {}).get("recovery")
    if recovered:
        recall = pd.DataFrame(
            {"archetype": list(recovered["recall"]), "recall": list(recovered["recall"].values())}
        )
        parts.append(
            para(
                f"Archetypes: adjusted Rand index {recovered['ari']:.3f} against the planted labels."
            )
        )
        parts.append(table(recall, "recovery-archetypes", "Recall of each planted archetype.", 3))
    text = (study.verbatims_metrics or {}).get("recovery")
    if text:
        sign = text.get("sentiment_sign")
        tone = f"{sign:.0%}" if sign is not None else "—"
        parts.append(
            para(
                f"Verbatims: macro-F1 {text['macro_f1']:.3f} of the coded themes against the "
                f"planted reasons (adjusted Rand index of the primary theme "
                f"{text['primary_ari']:.3f}); sentiment has the planted sign for "
                f"{tone} of complaints and praise; "
                f"{text['nps_effects_covered']} of {text['nps_effects']} planted NPS effects "
                "lie inside their 95% interval."
            )
        )
    return section("recovery", "Recovery of the planted truth", "".join(parts), appendix=True)
