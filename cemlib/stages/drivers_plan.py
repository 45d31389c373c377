"""The drivers stage's plan: which of its analyses the tables at hand allow, why not for the
rest, and its result tables with their columns and no rows.

The stage (``notebooks/02_key_drivers.ipynb``) asks :func:`plan_stage` first, runs each analysis
only where :meth:`DriversPlan.runs` says so and shows the skip line elsewhere, and starts from
:func:`empty_results` so every declared output exists. What each missing table or item skips is
listed in ``docs/data-model.md`` ("What a missing table skips").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cemlib.cx.metrics import RATING_POINTS_MAX, is_rating_scale
from cemlib.data import contracts
from cemlib.data.schema import Codebook
from cemlib.stages.skips import Skips, StagePlan

__all__ = [
    "IMPORTANCE_ANALYSES",
    "skip_without_explanation",
    "NEEDS_RESPONSES",
    "DriversPlan",
    "empty_results",
    "plan_stage",
]

NEEDS_RESPONSES = "the responses table with an outcome and at least two drivers"


@dataclass
class DriversPlan(StagePlan):
    """What the drivers stage can compute from the tables at hand (:func:`plan_stage`).

    Besides the :class:`~cemlib.stages.skips.StagePlan` fields (``skips``, ``blocked``,
    ``notes``): ``responses`` and ``codebook`` as read, ``focus_outcome`` the outcome the maps
    are built for (the parameter when it is an outcome of the codebook, else the first outcome),
    ``nps_item`` the 0–10 likelihood-to-recommend item and ``emotion_by_analysis`` the name of
    the emotion curve by group (``"emotion curve by <emotion_by>"``). Construct it with keywords.
    """

    responses: pd.DataFrame = field(default_factory=pd.DataFrame)
    codebook: Codebook | None = None
    focus_outcome: str | None = None
    nps_item: str | None = None
    emotion_by_analysis: str | None = None  # "emotion curve by <emotion_by>"


def _scales_text(items) -> str:
    return ", ".join(f"{i.id} {i.scale[0]:g}–{i.scale[1]:g}" for i in items[:3]) + (
        ", …" if len(items) > 3 else ""
    )


def _usable_rows(responses: pd.DataFrame, outcome: str, drivers: list[str], missing: str) -> int:
    """Rows a key-driver regression can use: complete cases (listwise), else rows answering the
    outcome (pairwise)."""
    columns = [outcome, *drivers] if missing == "listwise" else [outcome]
    return int(responses[columns].apply(pd.to_numeric, errors="coerce").notna().all(axis=1).sum())


def _largest_group(responses: pd.DataFrame, column: str) -> int:
    if column not in responses.columns or responses[column].notna().sum() == 0:
        return 0
    return int(responses[column].value_counts().max())


def _asked(codebook: Codebook, role: str, responses: pd.DataFrame, belongs) -> list:
    """Items of ``role`` that ``belongs`` to the analysis and that the survey asked."""
    return [i for i in codebook.by_role(role) if belongs(i) and i.id in responses.columns]


def plan_stage(
    tables: dict,
    codebook: Codebook | None,
    focus_outcome: str = "ltr",
    missing: str = "listwise",
    emotion_by: str | None = "channel",
    min_group_n: int = 30,
) -> DriversPlan:
    """Decide which analyses of the drivers stage the data allows, and say why not for the rest.

    Section-level analyses (each with its own report line when skipped): ``NPS``, ``experience
    scores``, ``advocacy against satisfaction``, ``key drivers``, ``importance–performance``,
    ``stated against derived importance``, ``Kano penalty–reward``, ``CEI × BEI map``,
    ``emotion curve``. Sub-analyses, with a line only when their section runs: ``NPS by
    channel`` and ``emotion curve by <emotion_by>``.

    Box shares, NPS and Kano dummies need answers on a rating scale (at most
    :data:`RATING_POINTS_MAX` points): on a 0–100 percentage the top "box" is the single value
    100. A regression needs at least as many usable rows as drivers + 2.
    """
    skips = Skips()
    responses = tables.get("responses")
    plan = DriversPlan(
        responses=responses if responses is not None else pd.DataFrame(),
        codebook=codebook,
        skips=skips,
    )
    by_label = f"emotion curve by {emotion_by}" if emotion_by else None
    plan.emotion_by_analysis = by_label
    if responses is None or codebook is None or len(responses) == 0:
        reason = (
            "The input has no responses table."
            if responses is None or codebook is None
            else "No survey response is left after cleaning (see the clean report's rejects)."
        )
        for analysis, needs in (
            ("NPS", "a 0–10 likelihood-to-recommend item (role: outcome, metric: nps)"),
            ("experience scores", "an outcome item answered in the responses"),
            ("advocacy against satisfaction", "an outcome item on a rating scale"),
            ("key drivers", NEEDS_RESPONSES),
            ("importance–performance", f"key drivers ({NEEDS_RESPONSES})"),
            ("stated against derived importance", "stated-importance items and key drivers"),
            ("Kano penalty–reward", "an outcome and drivers on rating scales"),
            ("CEI × BEI map", "driver and brand items with a touchpoint, and key drivers"),
            ("emotion curve", "driver items with a journey stage"),
        ):
            skips.add(analysis, needs, reason)
        plan.blocked |= {"NPS by channel", by_label}
        return plan

    outcomes = codebook.by_role("outcome")
    drivers = [i for i in codebook.by_role("driver") if i.id in responses.columns]
    driver_ids = [d.id for d in drivers]
    outcome_ids = [o.id for o in outcomes]
    if focus_outcome in outcome_ids:
        plan.focus_outcome = focus_outcome
    elif outcome_ids:
        plan.focus_outcome = outcome_ids[0]
        plan.notes.append(
            f"the focus outcome '{focus_outcome}' is not an outcome of this codebook; the maps "
            f"and quadrants are built for '{plan.focus_outcome}'"
        )
    nps_items = [o for o in outcomes if o.metric == "nps" and tuple(o.scale) == (0.0, 10.0)]
    nps_items.sort(key=lambda o: o.id != plan.focus_outcome)
    plan.nps_item = nps_items[0].id if nps_items else None

    if plan.nps_item is None:
        skips.add(
            "NPS",
            "a 0–10 likelihood-to-recommend item (role: outcome, metric: nps)",
            "No outcome of the codebook is a 0–10 likelihood to recommend.",
        )
        plan.blocked.add("NPS by channel")
    elif _largest_group(responses, "channel") < min_group_n:
        skips.add(
            "NPS by channel",
            f"a channel column with at least {min_group_n} responses in a channel",
            "The responses carry no channel."
            if "channel" not in responses.columns
            else f"No channel has {min_group_n} responses.",
        )
    if not outcomes:
        skips.add(
            "experience scores",
            "an outcome item (role: outcome) in the codebook",
            "The codebook names no outcome.",
        )
    rated = [o for o in outcomes if is_rating_scale(o)]
    if not rated:
        skips.add(
            "advocacy against satisfaction",
            f"an outcome on a rating scale of at most {RATING_POINTS_MAX} points",
            "Top-box shares mean nothing on the outcome's scale"
            + (f" ({_scales_text(outcomes)})." if outcomes else "; there is no outcome."),
        )

    usable = (
        _usable_rows(responses, plan.focus_outcome, driver_ids, missing)
        if plan.focus_outcome and driver_ids
        else 0
    )
    if not outcomes or len(drivers) < 2:
        skips.add(
            "key drivers",
            NEEDS_RESPONSES,
            f"The codebook names {len(outcomes)} outcome(s) and {len(drivers)} driver(s).",
        )
    elif usable < len(drivers) + 2:
        skips.add(
            "key drivers",
            f"at least {len(drivers) + 2} responses answering the outcome"
            + (" and every driver" if missing == "listwise" else ""),
            f"Only {usable} responses do ({missing} deletion).",
        )
    if not skips.runs("key drivers"):
        reason = "Key drivers were skipped, so there is no derived importance."
        skips.add("importance–performance", f"key drivers ({NEEDS_RESPONSES})", reason)
        skips.add(
            "stated against derived importance", "stated-importance items and key drivers", reason
        )
        skips.add(
            "CEI × BEI map", "driver and brand items with a touchpoint, and key drivers", reason
        )
    stated = _asked(codebook, "stated_importance", responses, lambda i: i.of in driver_ids)
    if not stated:
        skips.add(
            "stated against derived importance",
            "stated-importance items (role: stated_importance, of: a driver)",
            "The survey did not ask how important each driver is.",
        )
    coarse = [i for i in drivers if not is_rating_scale(i)]
    focus = codebook.item(plan.focus_outcome) if plan.focus_outcome else None
    if focus is None or len(drivers) < 1:
        skips.add("Kano penalty–reward", "an outcome and drivers", "The codebook lacks them.")
    elif coarse or not is_rating_scale(focus):
        skips.add(
            "Kano penalty–reward",
            f"an outcome and drivers on rating scales of at most {RATING_POINTS_MAX} points",
            "Bottom and top answers are not categories on " + _scales_text(coarse or [focus]) + ".",
        )
    elif usable < 2 * len(drivers) + 2:
        skips.add(
            "Kano penalty–reward",
            f"at least {2 * len(drivers) + 2} complete responses (two dummies per driver)",
            f"Only {usable} responses answer the outcome and every driver.",
        )
    touchpoints = {d.touchpoint for d in drivers if d.touchpoint}
    brands = _asked(codebook, "brand", responses, lambda i: i.touchpoint in touchpoints)
    if not brands:
        skips.add(
            "CEI × BEI map",
            "driver and brand items (role: brand) sharing a touchpoint",
            "The codebook has no touchpoints."
            if not touchpoints
            else "No brand item is asked at a driver's touchpoint.",
        )
    if not any(d.stage is not None for d in drivers):
        skips.add(
            "emotion curve",
            "driver items with a journey stage (stage: in the codebook)",
            "No driver is placed on the customer journey.",
        )
        plan.blocked.add(by_label)
    elif len(responses) < min_group_n:
        skips.add(
            "emotion curve",
            f"at least {min_group_n} responses (drivers.min_group_n)",
            f"The survey has {len(responses)} responses.",
        )
        plan.blocked.add(by_label)
    elif by_label and _largest_group(responses, emotion_by) < min_group_n:
        skips.add(
            by_label,
            f"a {emotion_by} column with at least {min_group_n} responses in a group",
            f"The responses carry no {emotion_by}."
            if emotion_by not in responses.columns
            else f"No {emotion_by} has {min_group_n} responses.",
        )
    return plan


# The analyses that read the key-driver importances (a model that explains nothing leaves
# them without content: every importance 0, every driver in one spot of the map)
IMPORTANCE_ANALYSES = (
    "importance–performance",
    "stated against derived importance",
    "Kano penalty–reward",
    "CEI × BEI map",
)


def skip_without_explanation(plan: DriversPlan, table: pd.DataFrame, outcome: str) -> None:
    """After the key drivers ran: when they explain none of the focus outcome (R² = 0: the
    answers do not vary, or not together), the analyses built on the importances are skipped
    with that reason rather than drawn as verdicts on nothing."""
    rows = table[table["outcome"] == outcome] if len(table) else table
    if len(rows) == 0 or float(rows["r2"].max()) > 1e-9:
        return
    reason = f"The drivers explain none of {outcome} (R² = 0): the answers do not vary enough."
    for analysis in IMPORTANCE_ANALYSES:
        if plan.runs(analysis):
            plan.skips.add(analysis, "drivers that explain some of the outcome", reason)


def empty_results() -> dict[str, pd.DataFrame]:
    """Every result table of the drivers stage with its contract columns and no rows (for a
    skipped analysis: the declared output exists and reads as "nothing computed")."""
    return {name: contracts.empty(name) for name in contracts.stage_outputs("drivers")}
