"""What to do: one finding card per driver worth acting on, in the *observe → probe → reflect →
act* sequence of customer-insight work (what happened, why, what it means, what to do and who owns
it), with owners and actions from the codebook."""

from __future__ import annotations

import pandas as pd

from cemlib.report.evidence import DEFAULT_RULES, EvidenceRules
from cemlib.report.findings import model_caveat, model_grade, model_rows
from cemlib.report.html import esc, para, ref, section, skip_note
from cemlib.report.study import Study
from cemlib.report.text_findings import theme_probe
from cemlib.report.wording import item_label, pct

__all__ = [
    "QUADRANT_MEANING",
    "KANO_MEANING",
    "HOLD_QUADRANTS",
    "act_line",
    "action_cards",
    "act_section",
]


QUADRANT_MEANING = {
    "fix first": "above-average impact with below-average performance: the best return on "
    "improvement",
    "keep up": "a strength that matters: protect it",
    "low priority": "below-average impact and below-average performance: do not over-invest",
    "possible overkill": "performing well with below-average impact: further investment may be "
    "better used elsewhere",
}
KANO_MEANING = {
    "must-be": "failing it creates detractors faster than excelling creates promoters — a "
    "hygiene factor",
    "attractive": "excelling at it creates promoters, while falling short costs little — a "
    "delighter",
    "performance": "better or worse moves advocacy about equally — a straight performance lever",
    "indifferent": "it barely moves advocacy either way",
}


def action_cards(
    study: Study, max_cards: int = 4, rules: EvidenceRules = DEFAULT_RULES
) -> list[str]:
    """Observe → probe → reflect → act for the drivers most worth acting on: every "fix first"
    attribute, then the most important remaining ones; the owner is the codebook's. None when
    the key-driver model they rest on is withheld (:func:`~cemlib.report.findings.model_grade`)."""
    priorities = study.result("drivers_priorities")
    if priorities is None or model_grade(study, rules)[0] == "withheld":
        return []
    n_model = model_rows(study)
    fix = priorities[priorities["quadrant"] == "fix first"]
    rest = priorities[priorities["quadrant"] != "fix first"]
    chosen = pd.concat(
        [
            fix.sort_values("importance_share", ascending=False),
            rest.sort_values("importance_share", ascending=False),
        ]
    ).head(max_cards)
    cards = []
    for row in chosen.itertuples():
        label = esc(item_label(study, row.driver))
        stated = (
            f" Customers {esc(row.verdict)} it (stated rank {int(row.stated_rank)}, "
            f"derived rank {int(row.derived_rank)})."
            if isinstance(row.verdict, str) and not pd.isna(row.stated_rank)
            else ""
        )
        quadrant_meaning = QUADRANT_MEANING.get(row.quadrant, esc(row.quadrant))
        borderline = getattr(row, "borderline", False) is True
        if borderline:
            quadrant_meaning += (
                " — but the intervals cross the average, so this placement could go either way"
            )
        owner = esc(row.owner) if isinstance(row.owner, str) and row.owner else "not set"
        action = act_line(row.quadrant, row.action if isinstance(row.action, str) else "", owner)
        tag = f"{row.quadrant} (borderline)" if borderline else row.quadrant
        where = f"{esc(row.touchpoint)}: " if isinstance(row.touchpoint, str) else ""
        has_kano = isinstance(row.kano, str) and not pd.isna(row.penalty)
        asymmetry = (
            kano_line(row._asdict())
            if has_kano
            else "No penalty–reward analysis for this attribute."
        )
        meaning = ""
        if has_kano:
            meaning = "; " + KANO_MEANING.get(row.kano, esc(row.kano))
            if getattr(row, "kano_borderline", False) is True:
                meaning = "; possibly so: " + KANO_MEANING.get(row.kano, esc(row.kano))
        cards.append(
            f'<article class="wp-card" id="card-{esc(row.driver)}">'
            f'<h4>{label} <span class="wp-tag">{esc(tag)}</span></h4><dl>'
            f"<dt>Observe</dt><dd>{where}performance {row.performance:.0f}/100 "
            f"(95% interval {row.performance_ci_low:.0f}–{row.performance_ci_high:.0f}); "
            f"{pct(row.importance_share)} of the explained variance (n = {n_model:,}).</dd>"
            f"<dt>Probe</dt><dd>{asymmetry}{stated}{theme_probe(study, row.touchpoint)}</dd>"
            f"<dt>Reflect</dt><dd>{quadrant_meaning[0].upper()}{quadrant_meaning[1:]}"
            f"{meaning}.</dd>"
            f"<dt>Act</dt><dd>{action}</dd></dl></article>"
        )
    return cards


def kano_line(row: dict) -> str:
    """Penalty and reward with their intervals and how firmly the bootstrap holds the class.

    >>> kano_line({"penalty": 0.031, "reward": 0.004, "kano": "must-be", "penalty_ci_low": 0.02,
    ...            "penalty_ci_high": 0.042, "reward_ci_low": -0.003, "reward_ci_high": 0.012,
    ...            "kano_agreement": 0.64, "kano_borderline": True})
    'Penalty when it fails 3.1 points (95% interval 2.0 to 4.2), reward when it excels 0.4 (−0.3 to 1.2), on 0–100: must-be — borderline: only 64% of bootstrap resamples give this class.'
    """

    def interval(low, high) -> str:
        if pd.isna(low) or pd.isna(high):
            return ""
        return f" ({100 * low:.1f} to {100 * high:.1f})".replace("-", "−")

    agreement = row.get("kano_agreement")
    if agreement is None or pd.isna(agreement):
        firmness = ""
    elif row.get("kano_borderline"):
        firmness = f" — borderline: only {agreement:.0%} of bootstrap resamples give this class"
    else:
        firmness = f" ({agreement:.0%} of bootstrap resamples agree)"
    penalty_interval = interval(row.get("penalty_ci_low"), row.get("penalty_ci_high"))
    penalty_interval = penalty_interval.replace(" (", " (95% interval ", 1)
    return (
        f"Penalty when it fails {100 * row['penalty']:.1f} points{penalty_interval}, reward when "
        f"it excels {100 * row['reward']:.1f}"
        f"{interval(row.get('reward_ci_low'), row.get('reward_ci_high'))}, on 0–100: "
        f"{esc(row['kano'])}{firmness}."
    )


# Quadrants whose meaning is "do not invest more": their card must not then recommend investing.
HOLD_QUADRANTS = ("possible overkill", "low priority")


def act_line(quadrant: str, action: str, owner: str) -> str:
    """The card's *Act* line (escaped HTML; ``owner`` already escaped), in agreement with its
    verdict: where the quadrant says not to invest more, the codebook's action is named as not a
    priority now.

    >>> act_line("fix first", "coach empathy", "Service")
    'Coach empathy. <b>Owner:</b> Service.'
    >>> act_line("possible overkill", "Coach empathy", "Service")
    'Hold the current level; the codebook’s action, “Coach empathy”, is not a priority now. <b>Owner:</b> Service.'
    """
    if not action:
        return f"No action in the codebook. <b>Owner:</b> {owner}."
    if quadrant in HOLD_QUADRANTS:
        return (
            f"Hold the current level; the codebook’s action, “{esc(action)}”, is not a priority "
            f"now. <b>Owner:</b> {owner}."
        )
    return f"{esc(action[0].upper() + action[1:])}. <b>Owner:</b> {owner}."


def act_section(study: Study, rules: EvidenceRules = DEFAULT_RULES) -> str:
    cards = action_cards(study, rules=rules)
    verdict, reasons = model_grade(study, rules)
    if not cards and study.result("drivers_priorities") is not None and verdict == "withheld":
        body = skip_note(
            "recommendations",
            "a key-driver model the evidence carries",
            f"Withheld: {'; '.join(reasons)}.",
        )
    elif not cards:
        body = skip_note("recommendations", "key-driver results (responses with drivers)")
    else:
        body = (
            para(
                "Each card follows one attribute from what the data shows (observe) through why "
                "(probe) and what it means (reflect) to what to do and who owns it (act); owners "
                f"and actions come from the codebook. The evidence is in {ref('sec-drivers')}."
            )
            + model_caveat(study, rules)  # cards exist, so the model is not withheld
            + "".join(cards)
        )
    return section("act", "What to do", body)
