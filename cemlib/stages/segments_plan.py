"""What the segments stage can compute from the tables at hand, and the pieces of its report
that are not segmentation itself.

:func:`plan_stage` decides which analyses of the segments stage the data allow and records, for
each one that cannot run, what would enable it and why it was skipped (a
:class:`cemlib.stages.skips.StagePlan`; which input enables what is tabulated in
``docs/data-model.md``, "What a missing table skips"). :func:`empty_results` gives the stage's
result tables with their columns and no rows, written when there is nothing to segment;
:func:`holdout_or_reason` runs the BG/NBD calibration/holdout check (Fader, Hardie & Lee 2005,
Figure 4) or says why it could not; :func:`brand_behaviour` pools brand switching and
promotion-conditional switching (Gupta 1988) per archetype.

The segmentation itself is :mod:`cemlib.cx.segments`, which re-exports these names.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

Gupta, S. (1988). Impact of sales promotions on when, what, and how much to buy. *Journal of
Marketing Research* 25(4), 342–355.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cemlib.data import contracts
from cemlib.data.schema import ARCHETYPES
from cemlib.stages.skips import StagePlan
from cemlib.stats.lifetime import holdout_validation

__all__ = [
    "NEEDS_LINKED_SURVEY",
    "NEEDS_TRANSACTIONS",
    "brand_behaviour",
    "empty_results",
    "holdout_or_reason",
    "plan_stage",
]

NEEDS_TRANSACTIONS = "the transactions table (customer_id, ts, amount)"
NEEDS_LINKED_SURVEY = "survey responses with a customer_id that matches a customer"


def _linked_responses(tables: dict) -> pd.DataFrame:
    """Responses whose customer_id is a customer of the transactions or customers table."""
    responses = tables.get("responses")
    if responses is None or "customer_id" not in responses.columns:
        return pd.DataFrame()
    known = [
        tables[t]["customer_id"].dropna().astype("string")
        for t in ("transactions", "customers")
        if tables.get(t) is not None and "customer_id" in tables[t].columns
    ]
    if not known:
        return responses.iloc[0:0]
    ids = pd.concat(known).unique()
    return responses[responses["customer_id"].astype("string").isin(ids).fillna(False)]


def plan_stage(tables: dict, codebook=None, holdout_days: int = 182) -> StagePlan:
    """Decide which analyses of the segments stage the data allows, and say why not for the rest.

    Section-level analyses: ``value × loyalty archetypes`` (the map, what each archetype is
    worth and the treatments), ``value concentration``, ``CLV by archetype``, ``natural
    clusters``, ``lifetime-model holdout check``, ``brand switching``, ``attitude × behaviour
    grid``; parts of the archetype table: ``NPS per archetype`` and ``complaints per archetype``
    (a line of their own only when the archetypes run). Everything needs transactions; the
    survey-linked parts need responses carrying customer ids that match a customer; brand
    switching needs a ``brand`` column; the holdout check needs a history longer than its
    held-out period. (Whether the lifetime model then fits is known only after trying: the
    notebook adds that skip itself.)
    """
    # imported here: cemlib.cx.segments re-exports this module's names, so a module-level import
    # of it would be circular
    from cemlib.cx.segments.features import _survey_items

    plan = StagePlan()
    skips = plan.skips
    tx = tables.get("transactions")
    if tx is None or len(tx) == 0:
        reason = (
            "The input has no transactions table."
            if tx is None
            else "No transaction is left after cleaning (see the clean report's rejects)."
        )
        for analysis in (
            "value × loyalty archetypes",
            "value concentration",
            "CLV by archetype",
            "natural clusters",
            "lifetime-model holdout check",
        ):
            skips.add(analysis, NEEDS_TRANSACTIONS, reason)
        skips.add("brand switching", f"{NEEDS_TRANSACTIONS} with a brand column", reason)
        skips.add(
            "attitude × behaviour grid", f"{NEEDS_TRANSACTIONS} and {NEEDS_LINKED_SURVEY}", reason
        )
        plan.blocked |= {"NPS per archetype", "complaints per archetype"}
        return plan

    if "brand" not in tx.columns or tx["brand"].notna().sum() == 0:
        skips.add(
            "brand switching",
            "a brand column in transactions (a category panel with competitors' brands)",
            "The transactions record only purchases of this company, not the brand chosen.",
        )
    ts = pd.to_datetime(tx["ts"])
    span = (ts.max() - ts.min()).days if ts.notna().any() else 0
    if span <= holdout_days:
        skips.add(
            "lifetime-model holdout check",
            f"transactions spanning more than the held-out {holdout_days} days",
            f"The transactions span {span} day{'' if span == 1 else 's'}.",
        )
    linked = _linked_responses(tables)
    ltr, loyalty, _ = _survey_items(codebook, linked) if len(linked) else (None, [], {})
    has_nps = codebook is not None and any(
        i.role == "outcome" and i.metric == "nps" for i in codebook.items
    )
    if tables.get("responses") is None:
        why = "The input has no survey responses."
    elif "customer_id" not in tables["responses"].columns:
        why = "The responses carry no customer_id: the survey is anonymous."
    elif len(linked) == 0:
        why = "No response's customer_id matches a customer."
    else:
        why = None
    if why or ltr is None:
        skips.add(
            "NPS per archetype",
            f"{NEEDS_LINKED_SURVEY}, and a 0–10 likelihood-to-recommend item",
            why or ("The codebook has no NPS item." if not has_nps else "Nobody answered it."),
        )
    if why or (ltr is None and not loyalty):
        skips.add(
            "attitude × behaviour grid",
            f"{NEEDS_LINKED_SURVEY}, with an NPS or emotional-loyalty item",
            why or "The codebook has neither an NPS item nor loyalty items.",
        )
    feedback = tables.get("feedback")
    complaints = 0
    if feedback is not None and {"customer_id", "kind"} <= set(feedback.columns):
        complaints = int(
            ((feedback["kind"] == "complaint") & feedback["customer_id"].notna()).sum()
        )
    if complaints == 0:
        skips.add(
            "complaints per archetype",
            "a feedback table of complaints with a customer_id",
            "The input has no feedback table."
            if feedback is None
            else "No complaint carries a customer_id.",
        )
    return plan


def brand_behaviour(segments: pd.DataFrame) -> pd.DataFrame:
    """Brand switching and deal-proneness per archetype, pooled over the archetype's purchases.

    Per archetype: customers, ``switching_rate`` (switches / consecutive purchase pairs),
    ``promo_switching`` (switches onto a brand bought on promotion / switches — Gupta's (1988)
    promotion-conditional switching), ``promo_share`` (purchases on promotion / purchases) and
    the mean share of category requirements of the focal brand (``scr``). Pooled ratios weigh
    each purchase alike, so a household with two purchases cannot swing an archetype's rate.
    Empty (with these columns) without brand data.
    """
    columns = ["archetype", "customers", "switching_rate", "promo_switching", "promo_share", "scr"]
    if "n_switches" not in segments.columns:
        return pd.DataFrame(columns=columns)
    g = segments.groupby("archetype", observed=True, sort=False)
    table = pd.DataFrame(
        {
            "customers": g.size(),
            "switching_rate": g["n_switches"].sum() / g["n_pairs"].sum().replace(0, np.nan),
            "promo_switching": g["n_promo_switches"].sum()
            / g["n_switches"].sum().replace(0, np.nan),
            "promo_share": g["n_promo"].sum() / g["n_purchases"].sum().replace(0, np.nan),
            "scr": g["scr"].mean(),
        }
    )
    order = [a for a in ARCHETYPES if a in table.index]
    return table.reindex(order).rename_axis("archetype").reset_index()[columns]


def empty_results() -> dict[str, pd.DataFrame]:
    """The segments stage's result tables (``segments``, ``segments_profiles``,
    ``segments_holdout``) with their contract columns (:mod:`cemlib.data.contracts`) and no rows,
    written when there is nothing to segment."""
    return {name: contracts.empty(name) for name in contracts.stage_outputs("segments")}


def holdout_or_reason(
    transactions: pd.DataFrame, holdout_days: int = 182, time_unit_days: float = 7.0
) -> tuple[pd.DataFrame | None, str | None]:
    """The BG/NBD holdout table (:func:`cemlib.stats.lifetime.holdout_validation`), or why the model
    could not be fitted on the calibration period (then ``None``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            _, table = holdout_validation(
                transactions, holdout_days=holdout_days, time_unit_days=time_unit_days
            )
    except ValueError as err:
        return None, f"The BG/NBD could not be fitted on the calibration period ({err})."
    return table, None
