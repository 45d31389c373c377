"""The sentences the paper generates, as templates in one place.

Every key finding, its caveat and the verdict words of the cards are written here once, with
named fields (``{nps}``, ``{n}``) that the code fills with numbers it has already formatted and
text it has already escaped. Nothing else in the findings builds a sentence, so a reader can
review all the paper's claims in one file, and a translation is a second table with the same
keys (the Chinese edition turns this table into message catalogs). :func:`say` fills one
template; a missing field is an error, never a blank.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "say"]

MESSAGES: dict[str, str] = {
    # --- how customers feel
    "nps": "Net Promoter Score is <b>{nps}</b> (95% interval {low} to {high}; {sizes}): "
    "{promoters} promoters against {detractors} detractors.",
    "nps.sizes": "n = {n}",
    "nps.sizes_weighted": "n = {n}, effective n {effective} after weighting",
    "channels": "By channel, NPS runs from <b>{low}</b> ({low_group}, n = {low_n}) to "
    "<b>{high}</b> ({high_group}, n = {high_n}) — {verdict}.",
    "channels.apart": "a real gap: their intervals do not overlap",
    "channels.noise": "within sampling noise: their intervals overlap",
    "inflation": "A top-2-box headline would report <b>{satisfied}</b> satisfied ({csat_item}), "
    "but only <b>{promoters}</b> are promoters ({nps_item}): the satisfaction rate flatters "
    "advocacy by {gap} points.",
    "emotion": "The journey peaks at <b>{peak}</b> ({peak_score}/100), dips at <b>{low}</b> "
    "({low_score}) and ends at <b>{end}</b> ({end_score}): peak and end shape the memory.",
    "touchpoints.all_branded": "All {total} touchpoints sit in the branded zone of the CEI × BEI "
    "map.",
    "touchpoints.short": "{count} of {total} touchpoints fall short of the branded zone: {names}.",
    "touchpoints.item": "<b>{touchpoint}</b> ({zone}, CEI {cei}, BEI {bei})",
    # --- what drives advocacy
    "top_driver": "<b>{driver}</b> is the strongest driver of {outcome}: <b>{share}</b> of the "
    "explained variance (95% interval {low}–{high}; n = {n}){tail}.",
    "top_driver.ahead": ", ahead of {others}",
    "top_driver.overlap": "its interval overlaps that of {other}, so the order of the two is "
    "not certain",
    "explained": "Together the {count} attributes account for <b>{r2}</b> of the variation in "
    "{outcome} in the {n} responses the model was fitted to{out_of_sample}; the rest is noise "
    "and whatever the survey did not ask.",
    "explained.out_of_sample": " and <b>{r2_cv}</b> in responses left out of the fit (10-fold "
    "cross-validation)",
    "weakest": "The lowest-rated attribute is <b>{driver}</b> at <b>{score}/100</b> (95% "
    "interval {low}–{high}).",
    "weakest.overlap": "its interval overlaps that of {other}",
    "fix_first.none": "No attribute is both more important and worse performed than average: the "
    "priority is to keep up the strong ones.",
    "fix_first": "Fix first — above-average impact, below-average performance: {names}.",
    "fix_first.item": "<b>{driver}</b> ({score}/100, {share} of impact)",
    "fix_first.edge": "{driver} sits on the edge of its quadrant (an interval crosses the average)",
    "stated": "Asking customers what matters misleads: they rank <b>{under}</b> {under_stated} "
    "but it is the {under_derived} driver, while <b>{over}</b>, ranked {over_stated} by "
    "customers, is only the {over_derived} driver.",
    "stated.ranks": "ranks ignore how close the importances are",
    # --- who matters
    "strategic": "<b>{customers}</b> of customers are strategic (valuable and staying; "
    "n = {n}); they bring <b>{value_share}</b> of {value}{tail}",
    "strategic.clv": " and {clv} of projected lifetime value",
    "butterfly": "Butterflies — valuable but transient — are <b>{customers}</b> of customers "
    "(n = {n}) and {value_share} of {value} to date{tail}",
    "butterfly.unprojected": "; whether they stay cannot be projected from this data.",
    "butterfly.harvest": ", but only <b>{clv}</b> of projected future value: harvest, do not "
    "buy loyalty.",
    "butterfly.credited": ", and the lifetime model still credits them with <b>{clv}</b> of "
    "future value — check how many have already left before investing in them.",
    "archetypes.model_failed": "the lifetime model failed its checks, so loyalty rests on "
    "observed behaviour only",
    "observed": "Checked against what happened ({outcome}, a flag no model saw): <b>{short}</b> "
    "of butterflies (95% interval {short_low}–{short_high}, n = {short_n}) against "
    "<b>{long}</b> of strategic customers ({long_low}–{long_high}, n = {long_n}) — {verdict}.",
    "observed.apart": "the archetypes tell the two groups apart",
    "observed.noise": "the difference is within sampling noise",
    "concentration": "{adjective}: the top 20% of customers bring <b>{share}</b> of the positive "
    "{value} (n = {n} customers).",
    "lifetime.not_fitted": "the {model} could not be fitted",
    "lifetime.degenerate": "the {model} ran to a degenerate extreme ({parameters}), so its "
    "projections should not be read",
    "lifetime.steady_acquisition": "the {model} was fitted on the tenures of today's customers, "
    "which assumes steady acquisition, and the tenures contradict it, so its retention and CLV "
    "should not be read",
    # --- what customers say
    "theme.top": "The most common complaint in what customers write is <b>{label}</b>: {count} "
    "of {total} texts (<b>{share}</b>, 95% interval {low} to {high}).",
    "theme.impact": "Respondents who mention <b>{label}</b> give an NPS of {inside}, against "
    "{outside} for everyone else: <b>{difference}</b> points (95% interval {low} to {high}; "
    "{n} respondents mention it) — an association, not a measured effect of fixing it.",
    "theme.probe": " Customers write about it as <b>{label}</b> ({n} texts{impact}){quote}",
    "theme.probe_impact": "; NPS impact {impact} points, 95% interval {low} to {high}",
    "theme.probe_quote": ", e.g. {quote}",
    "theme.emerging": "<b>{label}</b> {direction} from {before} of texts in {previous} "
    "(n = {n_previous}) to <b>{after}</b> in {last} (n = {n_last}), beyond chance after the "
    "false-discovery control across themes (q = {q}).",
    # --- grades: the reasons of a caveat or of a withheld finding, and the caveat sentence
    "grade.too_few": "only {n} observations (at least {min_n} are needed)",
    "grade.small_sample": "small sample (n = {n})",
    "grade.listwise_caveat": "it rests on the {kept} of rows that answered every item",
    "grade.listwise_withhold": "{share} of the rows were lost to listwise deletion",
    "grade.thin_caveat": "{share} of customers have a thin history (provisional labels)",
    "grade.thin_withhold": "{share} of customers have too short a history to be placed",
    "grade.no_variation": "the attributes explain none of the outcome (the answers do not vary "
    "enough to tell drivers apart)",
    "grade.no_prediction": "the model predicts responses left out of its fit no better than "
    "their mean (cross-validated R² {r2_cv})",
    "grade.shrinkage": "the model explains {r2} of the responses it was fitted to but {r2_cv} of "
    "responses left out (10-fold cross-validation)",
    "caveat": "Read with care: {reasons}.",
}


def say(key: str, **fields: object) -> str:
    """The sentence ``key`` with its fields filled (already formatted and escaped).

    >>> say("nps.sizes", n="1,200")
    'n = 1,200'
    >>> say("nps.sizes")
    Traceback (most recent call last):
    ...
    KeyError: "message 'nps.sizes' needs the field 'n'"
    """
    try:
        return MESSAGES[key].format(**fields)
    except KeyError as missing:
        raise KeyError(f"message {key!r} needs the field {missing.args[0]!r}") from None
