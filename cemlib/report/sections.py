"""The body of the paper, in reading order: the title page, the executive summary, how customers
feel, what drives advocacy, who matters, what customers say, and the methods. Each section returns
HTML with empty number slots and references (filled by
:func:`cemlib.report.numbering.number_document`), or a skip line where the data cannot support it."""

from __future__ import annotations

import pandas as pd

from cemlib.data.schema import ARCHETYPES
from cemlib.report import plots
from cemlib.report.evidence import EvidenceRules, caveat_sentence
from cemlib.report.findings import (
    Finding,
    lifetime_failures,
    model_caveat,
    model_rows,
    observed_table,
)
from cemlib.report.html import (
    bullet_list,
    esc,
    figure,
    figure_subsection,
    heading,
    para,
    ref,
    section,
    skip_note,
    table,
)
from cemlib.report.numbering import TOC_SLOT
from cemlib.report.study import Study, data_period, sample_sizes
from cemlib.report.wording import code_words, named, pct, sentence_case, short_name, value_word

__all__ = [
    "title_page",
    "executive_summary",
    "feel_section",
    "drivers_section",
    "archetype_table",
    "who_section",
]


def title_page(study: Study, params: dict) -> str:
    period = data_period(study)
    provenance = study.provenance
    sizes = sample_sizes(study)
    size_items = "".join(
        f"<li>{esc(r['table'])}: {int(r['rows kept']):,} rows kept of {int(r['rows in']):,}</li>"
        for _, r in sizes.iterrows()
    )
    data_line = (
        f"Data from {period['start']} to {period['end']} · data as of {period['end']}"
        + (" (nominal dates: the data carry none)" if study.provenance.get("nominal_dates") else "")
        if period["end"]
        else "The data carries no dates"
    )
    return (
        '<header class="wp-title-page">'
        '<p class="wp-kicker">Customer-experience whitepaper</p>'
        f"<h1>{esc(params['study_title'])}</h1>"
        f'<p class="wp-org">{esc(params["organisation"])}</p>'
        f'<p class="wp-source">Source: {esc(provenance.get("title") or provenance["source"])}'
        "</p>"
        f'<p class="wp-period">{esc(data_line)}</p>'
        f'<ul class="wp-sizes">{size_items}</ul>'
        "</header>"
        f"{TOC_SLOT}"
    )


def executive_summary(
    study: Study, findings: list[Finding], max_findings: int, has_actions: bool
) -> str:
    """The findings that are not withheld, at most ``max_findings``, each linked to its evidence;
    a caveated one is followed by its caveat sentence."""
    shown = [f for f in findings if f.grade != "withheld"][:max_findings]
    if not shown:
        return section(
            "summary",
            "Executive summary",
            skip_note("executive summary", "the results of at least one analysis stage"),
        )
    items = []
    for f in shown:
        caveat = (
            f' <span class="wp-caveat">{esc(caveat_sentence(f.reasons))}</span>'
            if f.grade == "caveated"
            else ""
        )
        items.append(
            f'{sentence_case(f.text)} <span class="wp-evidence">({ref(f.anchor)})</span>{caveat}'
        )
    period = data_period(study)
    source = esc(study.provenance.get("title") or study.provenance["source"])
    span = f" ({period['start']} to {period['end']})" if period["end"] else ""
    if period["end"] and study.provenance.get("nominal_dates"):
        span = (
            f" (nominal dates {period['start']} to {period['end']}: the data carry no calendar "
            "dates, only the order of events is real)"
        )
    n_caveated = sum(f.grade == "caveated" for f in shown)
    withheld = sum(f.grade == "withheld" for f in findings)
    intro = f"The {len(shown)} key findings from {source}{span}, each linked to its evidence"
    intro += f"; {n_caveated} carry a caveat" if n_caveated else ""
    intro += (
        f"; {withheld} more were withheld for want of evidence ({ref('sec-methods')})"
        if withheld
        else ""
    )
    intro += f". What to do about them is in {ref('sec-act')}." if has_actions else "."
    return section("summary", "Executive summary", para(intro) + bullet_list(items, ordered=True))


def nps_table(nps: pd.DataFrame) -> pd.DataFrame:
    """NPS per group as a table: the answers behind it and Kish's effective n (what the
    interval rests on once the survey weights are applied), waves in time order with the change
    from the previous one and its Holm-corrected p-value."""
    rows = nps[nps["by"] != "all"]
    shown = pd.DataFrame(
        {
            "by": rows["by"].to_numpy(),
            "group": [code_words(g) for g in rows["group"]],
            "answers": rows["n"].astype("int64").to_numpy(),
        }
    )
    if "n_effective" in rows:
        shown["effective n"] = rows["n_effective"].round().astype("Int64").to_numpy()
    shown["NPS"] = rows["nps"].to_numpy()
    shown["95% interval"] = [
        f"{lo:+.1f} to {hi:+.1f}" for lo, hi in zip(rows["ci_low"], rows["ci_high"], strict=True)
    ]
    if "change" in rows and rows["change"].notna().any():
        shown["change from previous wave"] = rows["change"].to_numpy()
        shown["p (Holm)"] = rows["change_p"].to_numpy()
    return shown


def feel_section(study: Study, params: dict, inflation: pd.DataFrame | None) -> str:
    nps = study.result("drivers_nps")
    if nps is None:
        return section(
            "feel",
            "How customers feel",
            skip_note("NPS and the emotion curve", "the responses table with an NPS item"),
        )
    parts = []
    overall = nps[nps["by"] == "all"].iloc[0]
    parts.append(heading("feel-nps", "Net Promoter Score by channel and wave", 3))
    groupings = [by for by in ("channel", "wave") if len(nps[nps["by"] == by])]
    where = " and ".join(ref(f"fig-nps-{by}") for by in groupings)
    verb = "shows" if len(groupings) == 1 else "show"
    parts.append(
        para(
            f"Overall NPS is {overall['nps']:+.1f} with a 95% adjusted-Wald interval of "
            f"{overall['ci_low']:+.1f} to {overall['ci_high']:+.1f} (n = {int(overall['n']):,})."
            + (
                f" {where} {verb} it by {' and by '.join(groupings)}; groups smaller than the "
                "minimum size are left out."
                if groupings
                else ""
            )
        )
    )
    captions = {
        "channel": "NPS by channel, with 95% adjusted-Wald intervals.",
        "wave": "NPS by survey wave in time order, with 95% adjusted-Wald intervals; ▲/▼ marks "
        "a change from the previous wave significant at 5% after Holm's correction.",
    }
    for by in ("channel", "wave"):
        groups = nps[nps["by"] == by]
        if len(groups):
            fig = plots.nps_chart(groups, "group", f"NPS by {by}", in_time_order=by == "wave")
            parts.append(figure(fig, f"nps-{by}", captions[by]))
        else:
            parts.append(skip_note(f"NPS by {by}", f"a '{by}' column in the responses"))
    if groupings:
        parts.append(
            table(
                nps_table(nps),
                "nps",
                "NPS by group: answers, Kish's effective n "
                "after weighting, the estimate and its 95% interval.",
            )
        )
    parts.append(heading("feel-inflation", "Advocacy against satisfaction rates", 3))
    if inflation is not None and not inflation.empty:
        shown = inflation[["item", "scale", "top_box", "top2_box", "top3_box"]].rename(
            columns={
                "top_box": "promoters / top box %",
                "top2_box": "top-2 box %",
                "top3_box": "top-3 box %",
            }
        )
        parts.append(
            para(
                "Headline satisfaction rates count the top two or three boxes; advocacy counts "
                f"only promoters. {ref('tab-inflation')} sets them side by side."
            )
        )
        parts.append(table(shown, "inflation", "Advocacy beside top-box satisfaction rates."))
    else:
        parts.append(skip_note("satisfaction inflation", "outcome items in the codebook"))
    parts.append(heading("feel-emotion", "The emotion curve", 3))
    emotion = study.result("drivers_emotion")
    if emotion is not None:
        curve = emotion[emotion["group"] == "all"]
        parts.append(
            para(
                "Mean experience at each journey stage (0–100). By the peak-end rule "
                "(Kahneman et al. 1993) the most intense moment (★) and the last (■) shape "
                f"what customers remember ({ref('fig-emotion')})."
            )
        )
        parts.append(
            figure(
                plots.emotion_curve_chart(curve),
                "emotion",
                "Emotion curve across the journey with 95% intervals; ★ peak, ■ end.",
            )
        )
    else:
        parts.append(skip_note("emotion curve", "driver items with a touchpoint and a stage"))
    return section("feel", "How customers feel", "".join(parts))


# The drivers section's figure sub-sections: title, text and caption. In the text, {figure} is
# the cross-reference to the figure; the other fields are the drivers parameters of the paper.
DRIVER_VIEWS = {
    "ipa": (
        "Importance against performance",
        "Where impact is above average and performance below it, improvement pays most "
        "(“fix first”, {figure}).",
        "Importance–performance map, split at the means.",
    ),
    "stated": (
        "Stated against derived importance",
        "What customers say matters, set against what moves their advocacy ({figure}).",
        "Stated importance against derived importance, each as % of its total.",
    ),
    "cei-bei": (
        "Touchpoints and the brand",
        "Each touchpoint's customer-experience index (CEI) against its brand-experience index "
        "(BEI), sized by importance ({figure}). Important touchpoints belong in the branded zone "
        "(both indices at or above {map_threshold:g}); more than {map_off_diagonal:g} points off "
        "the diagonal a touchpoint is too brand-centric or too customer-centric.",
        "CEI × BEI map of the touchpoints.",
    ),
}


def _driver_view(key: str, fig, params: dict) -> list[str]:
    """One of :data:`DRIVER_VIEWS` as a numbered sub-section with its figure."""
    title, text, caption = DRIVER_VIEWS[key]
    values = {"figure": ref(f"fig-{key}"), **params}
    return figure_subsection(f"drivers-{key}", title, text.format(**values), fig, key, caption)


def drivers_section(study: Study, params: dict) -> str:
    drivers = study.result("drivers")
    outcome = study.focus_outcome
    if drivers is None or outcome not in set(drivers["outcome"]):
        return section(
            "drivers",
            "What drives advocacy",
            skip_note("key drivers", "the responses table with an outcome and two or more drivers"),
        )
    labels = {d: short_name(study, d) for d in drivers["driver"].unique()}
    rows = drivers[drivers["outcome"] == outcome]
    r2, used = rows["r2"].iloc[0], model_rows(study)
    r2_cv = rows["r2_cv"].iloc[0] if "r2_cv" in rows else float("nan")
    out_of_sample = (
        f" ({pct(r2_cv)} in responses left out of the fit, by 10-fold cross-validation)"
        if pd.notna(r2_cv)
        else ""
    )
    caveat = model_caveat(study, EvidenceRules.from_params(params.get("evidence")))
    parts = [
        heading("drivers-importance", "Derived importance", 3),
        para(
            f"The attributes together explain {pct(r2)} of the variation in "
            f"{named(study, outcome)} in the {used:,} responses the model was fitted to"
            f"{out_of_sample}. {ref('fig-drivers')} shares that out among the correlated "
            "drivers by Shapley/LMG with 95% bootstrap intervals; "
            f"{ref('tab-driver-methods')} sets it beside relative weights, Pratt's measure, "
            "the standardised beta and the correlation (beta is unstable under collinearity)."
        ),
        caveat,
        figure(
            plots.driver_importance(drivers, outcome, labels),
            "drivers",
            f"What drives {named(study, outcome, html=False)}: each driver's Shapley share of "
            "the explained variance with its 95% bootstrap interval.",
        ),
        table(
            plots.driver_method_table(drivers, outcome, labels),
            "driver-methods",
            "Importance of each driver by five methods, with its rank by each.",
        ),
    ]
    priorities = study.result("drivers_priorities")
    if priorities is not None:
        priorities = priorities.assign(driver=[labels.get(d, d) for d in priorities["driver"]])
        parts += _driver_view("ipa", plots.importance_performance_map(priorities, outcome), params)
        if "stated_mean" in priorities and priorities["stated_mean"].notna().any():
            stated = priorities.rename(columns={"importance_share": "derived_share"})
            chart = plots.stated_vs_derived_chart(stated.dropna(subset=["stated_mean"]), outcome)
            parts += _driver_view("stated", chart, params)
        else:
            parts.append(skip_note("stated vs derived importance", "stated-importance items"))
    touchpoints = study.result("drivers_touchpoints")
    if touchpoints is not None:
        chart = plots.cei_bei_chart(
            touchpoints, params["map_threshold"], params["map_off_diagonal"]
        )
        parts += _driver_view("cei-bei", chart, params)
    else:
        parts.append(skip_note("CEI × BEI map", "brand items per touchpoint in the codebook"))
    return section("drivers", "What drives advocacy", "".join(parts))


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame and frame[column].notna().any()


def archetype_table(
    archetypes: pd.DataFrame,
    has_promo: bool = True,
    value: str = "net margin",
    projected: bool = True,
) -> pd.DataFrame:
    """Size, value and deal-proneness of each archetype, and its NPS and complaints where the
    survey and feedback tables allow (no column of blanks when they are absent). ``has_promo``:
    whether the transactions record promotions at all (else every share would read 0);
    ``value``: what the value axis measures (:func:`~cemlib.report.wording.value_word`);
    ``projected``: whether the lifetime model passed its checks (else no CLV column)."""
    shown = pd.DataFrame(
        {
            "archetype": archetypes["segment"],
            "customers": archetypes["n"].astype("int64"),
            "% customers": 100 * archetypes["share_customers"],
            f"% {value}": 100 * archetypes["share_margin"],
        }
    )
    if projected:
        shown["% projected CLV"] = 100 * archetypes["share_clv"]
    if has_promo and _has(archetypes, "promo_share"):
        shown["% bought on promotion"] = 100 * archetypes["promo_share"]
    if _has(archetypes, "nps"):
        shown["NPS"] = archetypes["nps"]
        shown["NPS 95% interval"] = [
            "—" if pd.isna(lo) else f"{lo:+.0f} to {hi:+.0f}"
            for lo, hi in zip(archetypes["nps_ci_low"], archetypes["nps_ci_high"], strict=True)
        ]
    if _has(archetypes, "complaints_per_100"):
        shown["complaints per 100 customers"] = archetypes["complaints_per_100"]
    if _has(archetypes, "top_complaints"):
        shown["top complaints"] = archetypes["top_complaints"].fillna("—")
    return shown


def observed_part(study: Study) -> list[str]:
    """The archetypes against an outcome observed after the fact (telco's churn flag): the
    predictions checked against what happened; nothing when the data hold no such outcome."""
    observed = observed_table(study)
    if observed.empty:
        return []
    shown = pd.DataFrame(
        {
            "outcome": [code_words(o) for o in observed["outcome"]],
            "archetype": observed["archetype"],
            "customers": observed["customers"],
            "observed": observed["observed"],
            "rate %": 100 * observed["rate"],
            "95% interval": [
                f"{100 * lo:.0f}–{100 * hi:.0f}%"
                for lo, hi in zip(observed["ci_low"], observed["ci_high"], strict=True)
            ],
        }
    )
    overall = observed.drop_duplicates("outcome")
    base = ", ".join(
        f"{code_words(r.outcome)} {pct(r.overall_rate)} overall" for r in overall.itertuples()
    )
    return [
        heading("who-observed", "Checked against what happened", 3),
        para(
            "The data hold an outcome observed after the fact that no model saw "
            f"({base}). If the archetypes are right, butterflies and strangers (short "
            "relationships) show it more often than strategic customers and barnacles "
            f"({ref('tab-observed')}; 95% Wilson intervals)."
        ),
        table(shown, "observed", "Observed outcome by archetype."),
    ]


def who_section(study: Study, params: dict) -> str:
    customers, profiles = study.result("segments"), study.result("segments_profiles")
    if customers is None or profiles is None:
        return section(
            "who",
            "Who matters",
            skip_note("customer archetypes", "the transactions table with customer ids"),
        )
    archetypes = profiles[profiles["level"] == "archetype"].copy()
    archetypes["order"] = archetypes["segment"].map({a: i for i, a in enumerate(ARCHETYPES)})
    archetypes = archetypes.sort_values("order")
    transactions = study.table("transactions")
    has_promo = transactions is not None and "promo" in transactions
    value = value_word((study.segments_metrics or {}).get("margin_basis"))
    shown = archetype_table(archetypes, has_promo, value, projected=not lifetime_failures(study))
    measured = ["size", "value"] + ["deal-proneness"] * ("% bought on promotion" in shown)
    measured += ["NPS"] * ("NPS" in shown) + ["complaints"] * ("top complaints" in shown)
    parts = [
        para(
            "Customers are placed by profitability and projected relationship duration "
            "(Reinartz & Kumar 2002): strategic customers are valuable and stay, butterflies are "
            "valuable but leave, barnacles stay but bring little, strangers neither "
            f"({ref('fig-value-loyalty')}, {ref('tab-archetypes')})."
        ),
        figure(
            plots.value_loyalty_map(customers, (study.segments_metrics or {}).get("thresholds")),
            "value-loyalty",
            "Customers on the value × loyalty map, coloured by archetype (a sample of at most "
            "6,000 points).",
        ),
        table(
            shown,
            "archetypes",
            f"The archetypes: {', '.join(measured[:-1])} and {measured[-1]}.",
        ),
        *observed_part(study),
        heading("who-concentration", "How concentrated value is", 3),
        figure(
            plots.value_concentration(customers["margin_net"], value),
            "concentration",
            f"Share of positive {value} brought by the top x% of customers (customers who "
            "lose money count as zero).",
        ),
        heading("who-treatments", "How to treat each archetype", 3),
        bullet_list(
            [
                f"<b>{esc(row.segment)}</b> ({pct(row.share_customers)} of customers): "
                f"{esc(row.treatment)}"
                for row in archetypes.itertuples()
            ]
        ),
    ]
    return section("who", "Who matters", "".join(parts))
