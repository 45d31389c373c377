"""The verbatims stage from clean tables to its outputs: code, score and analyse every text.

:func:`code_verbatims` gives each verbatim its themes — by the codeframe where a rule matches,
by discovery (:func:`cemlib.text.discover.discover_themes`) for the texts the codeframe misses or
for all texts when the codeframe is switched off — and its sentiment. :func:`analyse` adds the
analyses of :mod:`cemlib.cx.verbatims` and writes down what it skipped and why. Every input text
is in the output: the uncodable ones (empty, emoji only, matched by nothing) as ``unclassified``
with ``theme_source`` ``none``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cemlib.cx.verbatims import (
    collect_verbatims,
    complaint_themes,
    emerging_themes,
    leaving_pareto,
    nps_impact,
    period_labels,
    sentiment_against_ratings,
    theme_breakdown,
)
from cemlib.data.schema import Codebook, survey_weight_column
from cemlib.stages.skips import Skips
from cemlib.text.codeframe import UNCLASSIFIED, Codeframe, code_themes, load_codeframe
from cemlib.text.discover import discover_themes, theme_terms
from cemlib.text.language import detect_language
from cemlib.text.pii import redact_pii
from cemlib.text.tokens import content_words

__all__ = [
    "THEME_COLUMNS",
    "VERBATIMS_COLUMNS",
    "VerbatimResults",
    "analyse",
    "code_verbatims",
    "codeframe_for",
    "nps_item",
    "sentiment_model_for",
    "write_outputs",
]

#: ``data/results/verbatims.parquet`` (the contract columns first).
VERBATIMS_COLUMNS = [
    "source_table", "source_id", "customer_id", "created_at", "channel", "touchpoint",
    "language", "theme", "themes", "theme_source", "sentiment", "sentiment_label", "text",
    "kind", "matched", "similarity",
]  # fmt: skip
#: ``data/results/themes.parquet`` (the contract columns first).
THEME_COLUMNS = [
    "theme", "label_en", "label_zh", "top_terms_en", "top_terms_zh", "n", "share",
    "sentiment_mean", "nps_mentioners", "nps_others", "nps_impact", "impact_ci_low",
    "impact_ci_high", "share_change", "change_p", "change_q", "n_mentioners", "source",
    "owner", "polarity", "touchpoint",
]  # fmt: skip
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")  # what redaction leaves ([PHONE]) is not a word of theirs
NEEDS_TEXT = "a feedback table with text or survey responses with a comment"


def sentiment_model_for(models_dir: str | Path):  # type: ignore[no-untyped-def]
    """The pipeline's trained model (``models_dir/sentiment.npz``, written by the
    ``sentiment_model`` stage), or — in a notebook run outside ``dvc repro`` — the cached one."""
    from cemlib.text.sentiment import (
        cached_sentiment_model,
        default_model_path,
        load_sentiment_model,
    )

    staged = Path(models_dir) / "sentiment.npz"
    return (
        load_sentiment_model(staged)
        if staged.exists()
        else cached_sentiment_model(default_model_path())
    )


def codeframe_for(input_folder: str | Path | None, use_codeframe: bool) -> Codeframe | None:
    """The codeframe of a run: ``codeframe.yaml`` beside the codebook in the input folder if
    there is one, else the bundled one; ``None`` when switched off."""
    if not use_codeframe:
        return None
    own = Path(input_folder) / "codeframe.yaml" if input_folder else None
    return load_codeframe(own if own is not None and own.is_file() else None)


def code_verbatims(
    verbatims: pd.DataFrame,
    codeframe: Codeframe | None,
    sentiment_model: object | None,
    discovery: dict,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Redact, detect the language, theme and score each verbatim.

    ``discovery``: ``method`` (embedding | nmf), ``k`` (None = by stability), ``min_texts``
    (fewest uncoded texts worth clustering), ``seed``, ``domain_words`` (words the Chinese
    segmenter keeps whole, beside :data:`cemlib.text.tokens.DOMAIN_WORDS`). Returns the verbatims with
    :data:`VERBATIMS_COLUMNS` and the themes found (``theme``, ``label_en``, ``label_zh``,
    ``top_terms_en``, ``top_terms_zh``, ``source``, ``owner``, ``polarity``).
    """
    out = verbatims.copy()
    out["text"] = [redact_pii(str(t))[0] for t in out["text"].fillna("")]
    analysed = [_PLACEHOLDER.sub(" ", t) for t in out["text"]]
    # verbatims repeat ("Good", a template): language, words and rules run once per distinct text
    distinct, inverse = np.unique(np.array(analysed, dtype=object), return_inverse=True)
    distinct_list = [str(t) for t in distinct]
    out["language"] = np.array([detect_language(t) for t in distinct_list], dtype=object)[inverse]
    domain = tuple(discovery.get("domain_words") or ())
    distinct_words = [content_words(t, domain) for t in distinct_list]
    words = [distinct_words[i] for i in inverse]
    has_words = np.array([bool(w) for w in words])
    themes: list[list[str]] = [[] for _ in analysed]
    sources = np.array(["none"] * len(out), dtype=object)
    out["matched"] = ""
    out["similarity"] = np.nan
    found = []
    if codeframe is not None and len(out):
        coded = code_themes(distinct_list, codeframe)
        themes = [list(coded["themes"].iat[i]) for i in inverse]
        out["matched"] = coded["matched"].to_numpy()[inverse]
        sources[[bool(t) for t in themes]] = "codeframe"
        labels = codeframe.labels().assign(source="codeframe")
        found.append(labels[labels["theme"].isin({t for ts in themes for t in ts})])
    scores = _sentiment(distinct_list, sentiment_model)
    sentiment = scores["sentiment"].to_numpy()[inverse]
    uncoded = np.flatnonzero(has_words & np.array([not t for t in themes]))
    if len(uncoded) >= discovery.get("min_texts", 30):
        per_text, discovered = discover_themes(
            [analysed[i] for i in uncoded],
            k=discovery.get("k"),
            method=discovery.get("method", "embedding"),
            sentiment=sentiment[uncoded] if sentiment_model is not None else None,
            seed=int(discovery.get("seed", 0)),
            domain_words=domain,
        )
        for row, theme, similarity in zip(
            uncoded, per_text["theme"], per_text["similarity"], strict=True
        ):
            if theme is not None:
                themes[row] = [theme]
                sources[row] = "discovered"
                out.iloc[row, out.columns.get_loc("similarity")] = similarity
        found.append(discovered.assign(source="discovered", owner="", polarity="", touchpoint="")
                     .drop(columns=["n"]))  # fmt: skip
        out.attrs["k_stability"] = discovered.attrs.get("k_stability", pd.DataFrame())
    out["themes"] = themes
    out["theme"] = [t[0] if t else UNCLASSIFIED for t in themes]
    out["theme_source"] = sources
    out["sentiment"] = sentiment
    out["sentiment_label"] = scores["sentiment_label"].to_numpy()[inverse]
    table = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["theme"])
    table = _with_terms(table, out, words)
    return out[VERBATIMS_COLUMNS], table


def _sentiment(texts: list[str], model: object | None) -> pd.DataFrame:
    if model is None:
        return pd.DataFrame({"sentiment": np.full(len(texts), np.nan),
                             "sentiment_label": ["none"] * len(texts)})  # fmt: skip
    from cemlib.text.sentiment import score_sentiment

    return score_sentiment(texts, model)


def _with_terms(
    table: pd.DataFrame, verbatims: pd.DataFrame, words: list[list[str]]
) -> pd.DataFrame:
    """Top terms of every theme (codeframe ones too) from the texts whose primary it is."""
    if table.empty:
        return table.assign(top_terms_en=[], top_terms_zh=[])
    codes = {t: i for i, t in enumerate(table["theme"])}
    rows = [i for i, t in enumerate(verbatims["theme"]) if t in codes]
    terms = theme_terms(
        [words[i] for i in rows], np.array([codes[verbatims["theme"].iat[i]] for i in rows])
    )
    by_code = terms.set_index("label")
    table = table.drop(columns=[c for c in ("top_terms_en", "top_terms_zh") if c in table])
    for column in ("top_terms_en", "top_terms_zh"):
        table[column] = [list(by_code[column].get(i, [])) if i in by_code.index else []
                         for i in range(len(table))]  # fmt: skip
    return table


@dataclass
class VerbatimResults:
    """Everything the verbatims stage computes."""

    verbatims: pd.DataFrame
    themes: pd.DataFrame
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    impact: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging: pd.DataFrame = field(default_factory=pd.DataFrame)
    pareto: pd.DataFrame = field(default_factory=pd.DataFrame)
    skips: Skips = field(default_factory=Skips)
    ratings: dict = field(default_factory=dict)  # sentiment against the ratings given


def nps_item(codebook: Codebook | None) -> str | None:
    """The likelihood-to-recommend item (the first outcome item whose metric is NPS)."""
    if codebook is None:
        return None
    return next((i.id for i in codebook.by_role("outcome") if i.metric == "nps"), None)


def analyse(
    tables: dict[str, pd.DataFrame],
    codebook: Codebook | None,
    segments: pd.DataFrame | None,
    codeframe: Codeframe | None,
    sentiment_model: object | None,
    params: dict,
) -> VerbatimResults:
    """Every analysis of the stage that the tables allow; the rest recorded as skipped.

    ``params``: ``period`` (month | quarter | half), ``min_period_n`` (fewest verbatims in each of the two last periods to test emergence),
    ``p_alive_below`` and the ``discovery`` dict of :func:`code_verbatims`.
    """
    skips = Skips()
    feedback, responses = tables.get("feedback"), tables.get("responses")
    collected = collect_verbatims(feedback, responses)
    if collected.empty:
        reason = "The input holds no free text."
        for analysis in ("themes", "sentiment", "NPS impact of themes", "emerging themes",
                         "reasons for leaving"):  # fmt: skip
            skips.add(analysis, NEEDS_TEXT, reason)
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in VERBATIMS_COLUMNS})
        return VerbatimResults(empty, pd.DataFrame(columns=THEME_COLUMNS), skips=skips)
    discovery = {**params["discovery"], "domain_words": params.get("domain_words") or ()}
    verbatims, found = code_verbatims(collected, codeframe, sentiment_model, discovery)
    if sentiment_model is None:
        skips.add("sentiment", "the trained sentiment model", "No model was given to the stage.")
    verbatims["period"] = period_labels(verbatims["created_at"], params["period"])
    breakdowns = {"overall": theme_breakdown(verbatims)}
    for by in ("channel", "touchpoint", "kind", "period"):
        if verbatims[by].notna().any():
            breakdowns[by] = theme_breakdown(verbatims, by)
    if segments is not None and "archetype" in segments:
        archetype = segments.set_index(segments["customer_id"].astype("string"))["archetype"]
        verbatims["archetype"] = verbatims["customer_id"].map(archetype).astype("string")
        if verbatims["archetype"].notna().any():
            breakdowns["archetype"] = theme_breakdown(verbatims, "archetype")
    ltr = nps_item(codebook)
    impact = pd.DataFrame()
    if (
        responses is None
        or ltr not in responses
        or (verbatims["source_table"] != "responses").all()
    ):
        skips.add("NPS impact of themes", "survey comments beside a 0–10 recommend answer",
                  "No survey comment sits beside a likelihood-to-recommend answer.")  # fmt: skip
    else:
        impact = nps_impact(verbatims, responses, ltr, survey_weight_column(responses))
    emerging = _emerging(verbatims, params, skips)
    themes = _theme_table(found, verbatims, impact, emerging)
    complaints = complaint_themes(themes)["theme"]
    pareto = leaving_pareto(verbatims, segments, params["p_alive_below"], complaints)
    if pareto.empty:
        skips.add("reasons for leaving", "complaints linked to customers with a lifetime "
                  "model's P(alive)", "No complaint is tied to a customer the model judges "
                  "lost.")  # fmt: skip
    ratings = sentiment_against_ratings(verbatims, feedback)
    return VerbatimResults(verbatims, themes, breakdowns, impact, emerging, pareto, skips, ratings)


def _emerging(verbatims: pd.DataFrame, params: dict, skips: Skips) -> pd.DataFrame:
    periods = verbatims["period"].dropna().value_counts().sort_index()
    needs = f"dated verbatims in at least two {params['period']}s"
    if len(periods) < 2:
        skips.add("emerging themes", needs, "The verbatims span fewer than two periods.")
        return pd.DataFrame()
    if periods.iloc[-1] < params["min_period_n"] or periods.iloc[-2] < params["min_period_n"]:
        skips.add("emerging themes", needs + f" with {params['min_period_n']}+ verbatims each",
                  f"The last two periods hold {periods.iloc[-2]} and {periods.iloc[-1]}.")  # fmt: skip
        return pd.DataFrame()
    return emerging_themes(verbatims, params["period"])


def _theme_table(found: pd.DataFrame, verbatims: pd.DataFrame, impact: pd.DataFrame,
                 emerging: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """One row per theme that any verbatim carries, with :data:`THEME_COLUMNS`."""
    overall = theme_breakdown(verbatims).set_index("theme")
    table = found.drop_duplicates("theme").set_index("theme")
    table = table.reindex([t for t in overall.index if t != UNCLASSIFIED])
    table["n"] = overall["n"].reindex(table.index).astype("int64")
    table["share"] = overall["share"].reindex(table.index)
    table["sentiment_mean"] = overall["sentiment_mean"].reindex(table.index)
    for column in ("nps_mentioners", "nps_others", "nps_impact", "impact_ci_low",
                   "impact_ci_high", "n_mentioners"):  # fmt: skip
        values = impact.set_index("theme")[column] if not impact.empty else pd.Series(dtype=float)
        table[column] = values.reindex(table.index).astype("float64")
    for column in ("share_change", "change_p", "change_q"):
        values = (
            emerging.set_index("theme")[column] if not emerging.empty else pd.Series(dtype=float)
        )
        table[column] = values.reindex(table.index).astype("float64")
    modal = _modal_touchpoints(verbatims)
    table["touchpoint"] = [t if t else modal.get(theme, "") for theme, t in
                           zip(table.index, table["touchpoint"].fillna(""), strict=True)]  # fmt: skip
    table = table.reset_index().sort_values(["n", "theme"], ascending=[False, True])
    return table.reset_index(drop=True)[THEME_COLUMNS]


def _modal_touchpoints(verbatims: pd.DataFrame, majority: float = 0.5) -> dict[str, str]:
    """The touchpoint most of a theme's feedback is filed under, where one holds a majority
    (what ties a discovered theme to the journey and to the drivers measured there)."""
    feedback = verbatims[
        (verbatims["source_table"] == "feedback") & verbatims["touchpoint"].notna()
    ]
    out = {}
    for theme, group in feedback.groupby("theme"):
        shares = group["touchpoint"].value_counts(normalize=True).sort_index()
        if len(shares) and shares.max() > majority:
            out[str(theme)] = str(shares.idxmax())
    return out


BREAKDOWN_COLUMNS = ["by", "group", "theme", "n", "share", "sentiment_mean"]
EMERGING_COLUMNS = ["theme", "last_period", "previous_period", "n_last", "n_previous",
                    "share_last", "share_previous", "share_change", "change_p", "change_q"]  # fmt: skip
PARETO_COLUMNS = ["theme", "customers", "share", "cumulative"]


def breakdown_table(breakdowns: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The per-group breakdowns in one long table: ``by`` (channel, touchpoint, kind, period,
    archetype), ``group``, ``theme``, ``n``, ``share``, ``sentiment_mean``."""
    parts = [
        frame.rename(columns={by: "group"}).assign(by=by)
        for by, frame in breakdowns.items()
        if by != "overall"
    ]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in BREAKDOWN_COLUMNS})
    table = pd.concat(parts, ignore_index=True)
    table["group"] = table["group"].astype("string")
    return table[BREAKDOWN_COLUMNS]


def write_outputs(results: VerbatimResults, results_dir: Path | str) -> list[Path]:
    """``verbatims.parquet``, ``themes.parquet`` (contract columns first) and the breakdown,
    emerging and leaving tables the paper draws (empty with their columns where skipped)."""
    from cemlib.data.io import write_parquet

    folder = Path(results_dir)
    verbatims = results.verbatims[VERBATIMS_COLUMNS].copy()
    verbatims.attrs = {}  # the stability table stays in the report, not in the data file
    verbatims["themes"] = [list(t) for t in verbatims["themes"]]
    themes = results.themes[THEME_COLUMNS].copy()
    themes.attrs = {}
    for column in ("top_terms_en", "top_terms_zh"):
        themes[column] = [list(t) for t in themes[column]]
    emerging = results.emerging if len(results.emerging) else pd.DataFrame(columns=EMERGING_COLUMNS)
    pareto = results.pareto if len(results.pareto) else pd.DataFrame(columns=PARETO_COLUMNS)
    return [
        write_parquet(verbatims, folder / "verbatims.parquet"),
        write_parquet(themes, folder / "themes.parquet"),
        write_parquet(breakdown_table(results.breakdowns), folder / "verbatims_breakdown.parquet"),
        write_parquet(emerging[EMERGING_COLUMNS], folder / "verbatims_emerging.parquet"),
        write_parquet(pareto[PARETO_COLUMNS], folder / "verbatims_pareto.parquet"),
    ]
