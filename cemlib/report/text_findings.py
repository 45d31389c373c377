"""The findings about what customers write (the verbatims stage): the most common complaint
theme, the theme that goes with the lowest NPS, and a theme whose share changed beyond chance.
Each returns a graded-to-be :class:`~cemlib.report.evidence.Finding` or ``None`` (see
:mod:`cemlib.report.findings`)."""

from __future__ import annotations

import pandas as pd

from cemlib.cx.verbatims import complaint_themes
from cemlib.report.evidence import Evidence, Finding
from cemlib.report.html import esc
from cemlib.report.messages import say
from cemlib.report.study import Study
from cemlib.stages.recovery import wilson_interval

__all__ = [
    "finding_emerging",
    "finding_theme_impact",
    "finding_top_complaint",
    "theme_label",
    "theme_probe",
]


def theme_label(themes: pd.DataFrame, theme: str, language: str = "en") -> str:
    """The escaped display label of one theme (its id when it has none)."""
    row = themes.loc[themes["theme"] == theme]
    if row.empty:
        return esc(theme)
    first, second = ("label_zh", "label_en") if language == "zh" else ("label_en", "label_zh")
    value = row.iloc[0][first] or row.iloc[0][second] or theme
    return esc(str(value))


def finding_top_complaint(study: Study) -> Finding | None:
    """The complaint theme most texts carry, with its share of all texts and a Wilson interval."""
    themes, verbatims = study.result("themes"), study.result("verbatims")
    if themes is None or verbatims is None:
        return None
    complaints = complaint_themes(themes).sort_values(["n", "theme"], ascending=[False, True])
    if complaints.empty:
        return None
    first = complaints.iloc[0]
    total = len(verbatims)
    low, high = wilson_interval(int(first["n"]), total)
    return Finding(
        "theme_top",
        say(
            "theme.top",
            label=theme_label(themes, first["theme"]),
            count=f"{int(first['n']):,}",
            total=f"{total:,}",
            share=f"{first['share']:.0%}",
            low=f"{low:.0%}",
            high=f"{high:.0%}",
        ),
        "tab-themes",
        ("verbatims.top_themes",),
        Evidence(n=total),
    )


def finding_theme_impact(study: Study) -> Finding | None:
    """The complaint theme whose mentioners' NPS falls furthest below everyone else's, where
    the interval of the difference excludes zero; ``None`` when no theme's does."""
    themes = study.result("themes")
    if themes is None or "nps_impact" not in themes:
        return None
    rows = complaint_themes(themes).dropna(subset=["nps_impact"])
    rows = rows[rows["impact_ci_high"] < 0].sort_values(["nps_impact", "theme"])
    if rows.empty:
        return None
    first = rows.iloc[0]
    return Finding(
        "theme_impact",
        say(
            "theme.impact",
            label=theme_label(themes, first["theme"]),
            inside=f"{first['nps_mentioners']:+.0f}".replace("-", "−"),
            outside=f"{first['nps_others']:+.0f}".replace("-", "−"),
            difference=f"{first['nps_impact']:.0f}".replace("-", "−"),
            low=f"{first['impact_ci_low']:.0f}".replace("-", "−"),
            high=f"{first['impact_ci_high']:.0f}".replace("-", "−"),
            n=f"{int(first['n_mentioners']):,}",
        ),
        "fig-impact",
        ("verbatims.top_themes",),
        Evidence(n=float(first["n_mentioners"])),
    )


def finding_emerging(study: Study, q_level: float = 0.05) -> Finding | None:
    """The theme whose share of texts changed most surely between the last two periods, where
    the change survives the false-discovery-rate control across themes."""
    emerging, themes = study.result("verbatims_emerging"), study.result("themes")
    if emerging is None or themes is None:
        return None
    rows = emerging[emerging["change_q"] < q_level].sort_values(["change_q", "theme"])
    if rows.empty:
        return None
    first = rows.iloc[0]
    return Finding(
        "theme_emerging",
        say(
            "theme.emerging",
            label=theme_label(themes, first["theme"]),
            direction="rose" if first["share_change"] > 0 else "fell",
            before=f"{first['share_previous']:.1%}",
            after=f"{first['share_last']:.1%}",
            previous=esc(first["previous_period"]),
            last=esc(first["last_period"]),
            n_previous=f"{int(first['n_previous']):,}",
            n_last=f"{int(first['n_last']):,}",
            q=f"{first['change_q']:.3f}",
        ),
        "fig-emerging",
        ("verbatims.emerging",),
        Evidence(n=float(min(first["n_last"], first["n_previous"]))),
    )


def theme_probe(study: Study, touchpoint: object) -> str:
    """What customers write about a touchpoint, for the *Probe* of a card: its largest complaint
    theme with its volume and NPS impact, and its most representative verbatim as written
    (escaped). Empty when no complaint theme belongs to the touchpoint."""
    from cemlib.cx.verbatims import representative_verbatims

    themes, verbatims = study.result("themes"), study.result("verbatims")
    if themes is None or verbatims is None or not isinstance(touchpoint, str):
        return ""
    rows = complaint_themes(themes)
    rows = rows[rows["touchpoint"].fillna("") == touchpoint].sort_values(
        ["n", "theme"], ascending=[False, True]
    )
    if rows.empty:
        return ""
    first = rows.iloc[0]
    impact = ""
    if pd.notna(first.get("nps_impact")):
        impact = say(
            "theme.probe_impact",
            impact=f"{first['nps_impact']:+.0f}".replace("-", "−"),
            low=f"{first['impact_ci_low']:.0f}".replace("-", "−"),
            high=f"{first['impact_ci_high']:.0f}".replace("-", "−"),
        )
    picked = representative_verbatims(verbatims, [first["theme"]], 1).get(first["theme"], [])
    quote = "."
    if picked:
        row = verbatims.loc[picked[0]]
        lang = f' lang="{row["language"]}"' if row["language"] in ("zh", "en") else ""
        quote = say("theme.probe_quote", quote=f"<q{lang}>{esc(str(row['text']))}</q>")
    return say(
        "theme.probe",
        label=theme_label(themes, first["theme"]),
        n=f"{int(first['n']):,}",
        impact=impact,
        quote=quote,
    )
