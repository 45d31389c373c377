"""The findings about customers and their value (the segments stage): strategic customers and
butterflies with their share of value, how concentrated value is, and the archetypes checked
against an outcome observed after the fact. Each returns a graded-to-be
:class:`~cemlib.report.evidence.Finding` or ``None`` (see :mod:`cemlib.report.findings`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.cx import metrics
from cemlib.report.evidence import Evidence, Finding
from cemlib.report.messages import say
from cemlib.report.study import Study
from cemlib.report.wording import code_words, concentration_word, pct, value_word
from cemlib.stages.recovery import observed_outcomes

__all__ = [
    "lifetime_failures",
    "finding_strategic",
    "finding_butterflies",
    "finding_observed",
    "observed_table",
    "finding_concentration",
]


def lifetime_failures(study: Study) -> tuple[str, ...]:
    """The lifetime models' failed diagnostics, from ``segments.json`` (``lifetime``): a model
    not fitted, fitted to a degenerate extreme (a parameter at its bound), or resting on an
    assumption the data contradict (``failed_check``)."""
    life = (study.segments_metrics or {}).get("lifetime") or {}
    failures = []
    for model, label in (
        ("bgnbd", "BG/NBD purchase model"),
        ("gamma_gamma", "Gamma-Gamma spend model"),
        ("sbg", "sBG retention model"),
    ):
        state = life.get(model)
        if state is None:
            continue
        if not state.get("fitted", True):
            failures.append(say("lifetime.not_fitted", model=label))
        elif state.get("failed_check") == "steady acquisition":
            failures.append(say("lifetime.steady_acquisition", model=label))
        elif state.get("degenerate"):
            failures.append(
                say("lifetime.degenerate", model=label, parameters=", ".join(state["degenerate"]))
            )
    return tuple(failures)


def _archetype_row(study: Study, archetype: str) -> dict | None:
    """The archetype's headline numbers from ``segments.json``, when it has any customers."""
    row = ((study.segments_metrics or {}).get("archetypes") or {}).get(archetype)
    return row if row and row.get("share_margin") is not None else None


def _archetype_finding(study: Study, archetype: str, row: dict, tail: str, anchor: str) -> Finding:
    """A finding about one archetype: its sentence (messages ``strategic`` and ``butterfly``)
    ending in ``tail``. It rests on the labels: provisional ones (thin histories) and a failed
    lifetime model (the loyalty axis uses its projections) weaken it."""
    text = say(
        archetype,
        customers=pct(row["share_customers"]),
        n=f"{row['n']:,}",
        value_share=pct(row["share_margin"]),
        value=_value_word(study),
        tail=tail,
    )
    segments = study.segments_metrics or {}
    cautions = (say("archetypes.model_failed"),) if lifetime_failures(study) else ()
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
        say("strategic.clv", clv=pct(strategic["share_clv"]))
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
        tail = say("butterfly.unprojected")
    elif future < butterfly["share_margin"]:
        tail = say("butterfly.harvest", clv=pct(future))
    else:
        tail = say("butterfly.credited", clv=pct(future))
    return _archetype_finding(study, "butterfly", butterfly, tail, "tab-archetypes")


def observed_table(study: Study) -> pd.DataFrame:
    """The archetypes against an outcome observed after the fact, where the data hold one
    (:func:`cemlib.stages.recovery.observed_outcomes`); empty otherwise."""
    customers = study.result("segments")
    if customers is None:
        return pd.DataFrame()
    return observed_outcomes(customers, study.truth_dir)


def finding_observed(study: Study) -> Finding | None:
    """The prediction checked against what happened: the observed rate of the held outcome among
    butterflies against strategic customers (short against long relationships)."""
    table = observed_table(study)
    if table.empty:
        return None
    outcome = table["outcome"].iloc[0]
    rows = table[table["outcome"] == outcome].set_index("archetype")
    if not {"butterfly", "strategic"} <= set(rows.index):
        return None
    short, long = rows.loc["butterfly"], rows.loc["strategic"]
    apart = short["ci_low"] > long["ci_high"] or short["ci_high"] < long["ci_low"]
    return Finding(
        "observed",
        say(
            "observed",
            outcome=code_words(outcome),
            short=pct(short["rate"]),
            short_low=pct(short["ci_low"]),
            short_high=pct(short["ci_high"]),
            short_n=f"{int(short['customers']):,}",
            long=pct(long["rate"]),
            long_low=pct(long["ci_low"]),
            long_high=pct(long["ci_high"]),
            long_n=f"{int(long['customers']):,}",
            verdict=say("observed.apart" if apart else "observed.noise"),
        ),
        "tab-observed",
        (f"segments.observed.{outcome}",),
        Evidence(n=int(min(short["customers"], long["customers"]))),
    )


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
        say(
            "concentration",
            adjective=concentration_word(share),
            share=pct(share),
            value=_value_word(study),
            n=f"{len(customers):,}",
        ),
        "fig-concentration",
        ("segments.margin_net",),
        Evidence(n=len(customers)),
    )
