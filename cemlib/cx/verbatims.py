"""What customers write, measured: theme volume, sentiment, effect on NPS, what is emerging.

The analyses CX text-analytics tools report, computed with their uncertainty:

* :func:`collect_verbatims` -- one row per text from the feedback table and the survey comments.
* :func:`theme_mentions` -- one row per verbatim × theme it carries (a text can carry several).
* :func:`theme_breakdown` -- volume, share of verbatims and mean sentiment per theme and group
  (channel, touchpoint, archetype, period).
* :func:`nps_impact` -- NPS of respondents whose comment carries a theme minus the NPS of all
  other respondents, with the interval from the trinomial variance of each group's NPS
  (Rocks 2016, via :func:`cemlib.cx.metrics.nps_difference`). A key-driver reading of words:
  which themes go with detractors, which with promoters — an association, not a cause.
* :func:`emerging_themes` -- change of each theme's share of verbatims between the last period
  and the one before, by the two-proportion z-test (Agresti 2013, §3.1.3), with the
  Benjamini–Hochberg (1995) false-discovery-rate control across themes.
* :func:`leaving_pareto` -- what customers the lifetime model judges lost wrote about, as a
  Pareto of themes (Juran's vital few).
* :func:`representative_verbatims` -- the texts closest to each theme's centre.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cemlib.cx.metrics import nps_difference, nps_summary

__all__ = [
    "VERBATIM_COLUMNS",
    "collect_verbatims",
    "complaint_themes",
    "sentiment_against_ratings",
    "emerging_themes",
    "leaving_pareto",
    "nps_impact",
    "period_labels",
    "representative_verbatims",
    "theme_breakdown",
    "theme_mentions",
]

#: The columns of :func:`collect_verbatims` (the identity of a verbatim in every output).
VERBATIM_COLUMNS = [
    "source_table",
    "source_id",
    "customer_id",
    "created_at",
    "channel",
    "touchpoint",
    "kind",
    "text",
]


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series(pd.NA, index=df.index, dtype="object")


def collect_verbatims(
    feedback: pd.DataFrame | None, responses: pd.DataFrame | None
) -> pd.DataFrame:
    """Every text customers wrote, one row each: feedback ``text`` (``source_table``
    'feedback', ``kind`` from the table) and survey ``comment`` (``source_table`` 'responses',
    ``kind`` 'survey_comment'). Texts that are missing are not verbatims; texts that are empty or
    hold no words are kept (they are coded ``unclassified``), so every text is accounted for.
    Sorted by source table and id, so the order never depends on the input files'."""
    parts = []
    if feedback is not None and "text" in feedback and "feedback_id" in feedback:
        rows = feedback[feedback["text"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "source_table": "feedback",
                    "source_id": rows["feedback_id"].astype("string"),
                    "customer_id": _column(rows, "customer_id"),
                    "created_at": _column(rows, "created_at"),
                    "channel": _column(rows, "channel"),
                    "touchpoint": _column(rows, "touchpoint"),
                    "kind": _column(rows, "kind"),
                    "text": rows["text"].astype("string"),
                }
            )
        )
    if responses is not None and "comment" in responses and "response_id" in responses:
        rows = responses[responses["comment"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "source_table": "responses",
                    "source_id": rows["response_id"].astype("string"),
                    "customer_id": _column(rows, "customer_id"),
                    "created_at": _column(rows, "submitted_at"),
                    "channel": _column(rows, "channel"),
                    "touchpoint": _column(rows, "touchpoint"),
                    "kind": "survey_comment",
                    "text": rows["comment"].astype("string"),
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in VERBATIM_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    for name in ("customer_id", "channel", "touchpoint", "kind"):
        out[name] = out[name].astype("string")
    out["created_at"] = pd.to_datetime(out["created_at"], errors="coerce")
    out = out.sort_values(["source_table", "source_id"], kind="stable")
    return out.reset_index(drop=True)[VERBATIM_COLUMNS]


def theme_mentions(verbatims: pd.DataFrame) -> pd.DataFrame:
    """One row per verbatim × theme it carries (``themes`` lists), with the verbatim's columns.
    A text with no theme appears once with theme ``unclassified``."""
    rows = verbatims.assign(
        theme=[list(t) if len(t) else ["unclassified"] for t in verbatims["themes"]]
    )
    return rows.explode("theme").reset_index(drop=True)


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """Calendar period of each date: ``month`` → 2025-03, ``quarter`` → 2025Q1, ``half`` →
    2025H1. Missing dates stay missing."""
    dates = pd.to_datetime(dates, errors="coerce")
    if period == "month":
        return dates.dt.strftime("%Y-%m").astype("string")
    if period == "quarter":
        return (
            dates.dt.year.astype("Int64").astype("string")
            + "Q"
            + dates.dt.quarter.astype("Int64").astype("string")
        )
    if period == "half":
        half = (1 + (dates.dt.month > 6).astype("Int64")).astype("string")
        return dates.dt.year.astype("Int64").astype("string") + "H" + half
    raise ValueError(f"period must be month, quarter or half, not {period!r}")


def theme_breakdown(verbatims: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Volume, share and mean sentiment of each theme, overall or per value of ``by``.

    ``n`` counts verbatims carrying the theme; ``share`` divides by all verbatims of the group
    (shares add to more than 1 where texts carry several themes); ``sentiment_mean`` averages
    the scores of the texts that have one.
    """
    mentions = theme_mentions(verbatims)
    keys = [by] if by else []
    totals = verbatims.groupby(keys, observed=True).size() if by else pd.Series([len(verbatims)])
    grouped = mentions.groupby(keys + ["theme"], observed=True, dropna=True)
    table = grouped.agg(n=("source_id", "size"), sentiment_mean=("sentiment", "mean")).reset_index()
    table["n"] = table["n"].astype("int64")
    if by:
        table["share"] = (table["n"] / table[by].map(totals)).astype("float64")
    else:
        table["share"] = (table["n"] / max(len(verbatims), 1)).astype("float64")
    table = table.sort_values(keys + ["n", "theme"], ascending=[True] * len(keys) + [False, True])
    return table.reset_index(drop=True)[keys + ["theme", "n", "share", "sentiment_mean"]]


def nps_impact(
    verbatims: pd.DataFrame,
    responses: pd.DataFrame,
    ltr: str = "ltr",
    weights: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Each theme's association with NPS: NPS of the respondents whose survey comment carries
    it, minus the NPS of every other respondent who answered ``ltr``.

    Returns ``theme``, ``n_mentioners``, ``nps_mentioners``, ``nps_others``, ``nps_impact``,
    ``impact_ci_low``, ``impact_ci_high``, ``impact_p``. The interval is Δ ± z·SE with each
    group's NPS variance the trinomial p + d − (p − d)² over its (Kish-effective) n (Rocks
    2016). Themes only seen in unsolicited feedback have no respondents and are left out.
    """
    columns = ["theme", "n_mentioners", "nps_mentioners", "nps_others", "nps_impact",
               "impact_ci_low", "impact_ci_high", "impact_p"]  # fmt: skip
    if responses is None or ltr not in responses or "response_id" not in responses:
        return pd.DataFrame(columns=columns)
    answered = responses[responses[ltr].notna()]
    ids = answered["response_id"].astype("string")
    comments = verbatims[verbatims["source_table"] == "responses"]
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    for theme, group in theme_mentions(comments).groupby("theme", sort=True):
        if theme == "unclassified":
            continue
        mentioned = ids.isin(set(group["source_id"].astype("string"))).to_numpy()
        if mentioned.sum() == 0 or (~mentioned).sum() == 0:
            continue
        w = answered[weights] if weights and weights in answered else None
        w_in, w_out = (w[mentioned], w[~mentioned]) if w is not None else (None, None)
        test = nps_difference(answered[ltr][mentioned], answered[ltr][~mentioned], w_in, w_out)
        inside = nps_summary(answered[ltr][mentioned], w_in)
        outside = nps_summary(answered[ltr][~mentioned], w_out)
        rows.append(
            (
                theme,
                int(mentioned.sum()),
                inside["nps"],
                outside["nps"],
                test["difference"],
                test["difference"] - z * test["se"],
                test["difference"] + z * test["se"],
                test["p_value"],
            )  # fmt: skip
        )
    return pd.DataFrame(rows, columns=columns)


def emerging_themes(verbatims: pd.DataFrame, period: str = "quarter") -> pd.DataFrame:
    """Change of each theme's share of verbatims from the previous period to the last.

    Returns ``theme``, ``last_period``, ``previous_period``, ``n_last`` and ``n_previous``
    (texts in each period), ``share_last``,
    ``share_previous``, ``share_change`` (percentage points as a proportion), ``change_p``
    (two-sided two-proportion z-test with the pooled variance) and ``change_q``
    (Benjamini–Hochberg adjusted over the themes tested). Empty with fewer than two periods.
    """
    columns = ["theme", "last_period", "previous_period", "n_last", "n_previous", "share_last",
               "share_previous", "share_change", "change_p", "change_q"]  # fmt: skip
    labels = period_labels(verbatims["created_at"], period)
    present = sorted(labels.dropna().unique())
    if len(present) < 2:
        return pd.DataFrame(columns=columns)
    last, previous = present[-1], present[-2]
    in_last, in_prev = (labels == last).fillna(False), (labels == previous).fillna(False)
    n1, n0 = int(in_last.sum()), int(in_prev.sum())
    carried = [set(t) for t in verbatims["themes"]]
    themes = sorted(set().union(*carried) - {"unclassified"}) if carried else []
    rows = []
    for theme in themes:
        has = np.array([theme in c for c in carried])
        x1, x0 = int(has[in_last.to_numpy()].sum()), int(has[in_prev.to_numpy()].sum())
        p1, p0 = x1 / n1, x0 / n0
        pooled = (x1 + x0) / (n1 + n0)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        p_value = float(2 * stats.norm.sf(abs(p1 - p0) / se)) if se > 0 else 1.0
        rows.append((theme, last, previous, n1, n0, p1, p0, p1 - p0, p_value))
    table = pd.DataFrame(rows, columns=columns[:-1])
    table["change_q"] = stats.false_discovery_control(table["change_p"]) if len(table) else []
    return table.sort_values(["change_p", "theme"]).reset_index(drop=True)


def sentiment_against_ratings(verbatims: pd.DataFrame, feedback: pd.DataFrame | None) -> dict:
    """How the sentiment scores agree with the ratings customers gave beside their texts:
    Spearman's rank correlation over the feedback that has both, and — for a two-valued rating
    — the ROC AUC of the score for the higher value (the chance that a text rated high outscores
    one rated low). A check of the model on the data at hand; empty without ratings."""
    if feedback is None or "rating" not in feedback or "feedback_id" not in feedback:
        return {}
    rated = feedback[["feedback_id", "rating"]].dropna().astype({"feedback_id": "string"})
    scored = verbatims[(verbatims["source_table"] == "feedback") & verbatims["sentiment"].notna()]
    both = scored.merge(rated, left_on="source_id", right_on="feedback_id")
    if len(both) < 10 or both["rating"].nunique() < 2:
        return {}
    out = {
        "n": int(len(both)),
        "spearman": float(stats.spearmanr(both["sentiment"], both["rating"]).statistic),
    }
    if both["rating"].nunique() == 2:
        high = both["rating"] == both["rating"].max()
        ranks = stats.rankdata(both["sentiment"])
        n_high, n_low = int(high.sum()), int((~high).sum())
        out["roc_auc"] = float((ranks[high].sum() - n_high * (n_high + 1) / 2) / (n_high * n_low))
    return out


def complaint_themes(themes: pd.DataFrame, negative: float = -0.2) -> pd.DataFrame:
    """The themes that are complaints: the codeframe says so (``polarity``), or — discovered —
    their texts average a sentiment below ``negative``."""
    if themes is None or themes.empty:
        return pd.DataFrame(columns=["theme"])
    by_frame = themes["polarity"].fillna("") == "complaint"
    discovered = (themes["source"] == "discovered") & (
        themes["sentiment_mean"].fillna(0) < negative
    )
    return themes[by_frame | discovered]


def leaving_pareto(
    verbatims: pd.DataFrame,
    segments: pd.DataFrame,
    p_alive_below: float = 0.5,
    themes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """What customers the lifetime model judges lost (P(alive) below ``p_alive_below``)
    complained about: ``theme`` (of ``themes``, e.g. the complaint themes; all when ``None``),
    ``customers`` (distinct lost customers mentioning it), ``share`` of the lost customers who
    wrote anything, ``cumulative`` share of mentions — a Pareto chart's data, largest first.
    Empty without linked verbatims or a ``p_alive`` column."""
    columns = ["theme", "customers", "share", "cumulative"]
    if segments is None or "p_alive" not in segments or verbatims["customer_id"].isna().all():
        return pd.DataFrame(columns=columns)
    lost = set(segments.loc[segments["p_alive"] < p_alive_below, "customer_id"].astype("string"))
    written = verbatims[verbatims["customer_id"].isin(lost)]
    if written.empty:
        return pd.DataFrame(columns=columns)
    mentions = theme_mentions(written)
    mentions = mentions[mentions["theme"] != "unclassified"]
    if themes is not None:
        mentions = mentions[mentions["theme"].isin(set(themes))]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    counts = mentions.groupby("theme")["customer_id"].nunique().rename("customers").reset_index()
    counts = counts.sort_values(["customers", "theme"], ascending=[False, True])
    counts["share"] = counts["customers"] / written["customer_id"].nunique()
    counts["cumulative"] = counts["customers"].cumsum() / counts["customers"].sum()
    counts.attrs["writers"] = int(written["customer_id"].nunique())
    return counts.reset_index(drop=True)[columns]


def representative_verbatims(
    verbatims: pd.DataFrame, themes: Sequence[str], per_theme: int = 2
) -> dict[str, list[int]]:
    """Row positions of the most representative distinct texts of each theme, per language so
    both are heard: texts about this theme alone first, then the most central (highest
    ``similarity`` to a discovered theme's centre), then the most recent."""
    out: dict[str, list[int]] = {}
    for theme in themes:
        rows = verbatims[verbatims["theme"] == theme]
        rows = rows[rows["text"].fillna("").str.strip() != ""]
        rows = rows.assign(
            _alone=[len(t) <= 1 for t in rows["themes"]], _key=rows["similarity"].fillna(-1.0)
        ).sort_values(
            ["_alone", "_key", "created_at", "source_id"], ascending=[False, False, False, True]
        )
        rows = rows.drop_duplicates("text")
        picked: list[int] = []
        for _, group in rows.groupby("language", sort=True):
            picked.extend(group.index[: max(1, per_theme // 2)].tolist())
        out[theme] = sorted(picked, key=lambda i: list(rows.index).index(i))[:per_theme]
    return out
