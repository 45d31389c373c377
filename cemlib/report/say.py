"""What customers say, for readers: the tables, quotes and sentences of the verbatims stage's
report and of the whitepaper's "What customers say" section.

Every customer text shown here was redacted of personal data by the stage and is HTML-escaped
here, then quoted in the language the customer wrote (``lang`` attribute, so browsers pick the
font and voice); no machine translation is attempted.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from cemlib.cx.verbatims import representative_verbatims
from cemlib.text.normalise import html_escape

__all__ = [
    "coverage_line",
    "esc_text",
    "emerging_table",
    "quote",
    "quotes_html",
    "say_section",
    "sentiment_quality",
    "theme_labels",
    "theme_table",
]

_SOURCE_WORDS = {"codeframe": "codeframe", "discovered": "discovered"}


def theme_labels(themes: pd.DataFrame, language: str = "en") -> dict[str, str]:
    """Display label of each theme in the reader's language (the other language, then the id,
    when a label is missing); ``unclassified`` included."""
    first, second = ("label_zh", "label_en") if language == "zh" else ("label_en", "label_zh")
    out = {"unclassified": "未归类" if language == "zh" else "Unclassified"}
    for row in themes.itertuples():
        label = getattr(row, first) or getattr(row, second) or row.theme
        out[row.theme] = str(label)
    return out


def coverage_line(results, codeframe) -> str:  # type: ignore[no-untyped-def]
    """One sentence: how many texts, in which languages, coded how."""
    v = results.verbatims
    if v.empty:
        return "No customer wrote any text in this data."
    by_language = v["language"].value_counts()
    names = {"zh": "Chinese", "en": "English", "und": "no identifiable language"}
    languages = ", ".join(f"{n:,} {names.get(k, k)}" for k, n in by_language.items())
    sources = v["theme_source"].value_counts()
    discovered = int((results.themes["source"] == "discovered").sum()) if len(results.themes) else 0
    frame = "switched off" if codeframe is None else f"from {codeframe.source}"
    return (
        f"{len(v):,} texts ({languages}): {int(sources.get('codeframe', 0)):,} coded by the "
        f"codeframe ({frame}), {int(sources.get('discovered', 0)):,} by {discovered} discovered "
        f"themes, {int(sources.get('none', 0)):,} unclassified (no words, or nothing fits)."
    )


def _signed(value: float, digits: int = 0) -> str:
    return "—" if pd.isna(value) else f"{value:+.{digits}f}".replace("-", "−")


def theme_table(themes: pd.DataFrame, language: str = "en", top: int | None = None) -> pd.DataFrame:
    """The themes as a reader's table: label, how found, owner, texts, share, sentiment, NPS
    impact with its 95% interval, change of share since the previous period."""
    labels = theme_labels(themes, language)
    rows = themes if top is None else themes.head(top)
    table = pd.DataFrame(
        {
            "theme": [labels[t] for t in rows["theme"]],
            "found by": rows["source"].map(_SOURCE_WORDS).fillna(""),
            "owner": rows["owner"].fillna(""),
            "texts": rows["n"].astype(int),
            "share": [f"{s:.1%}" for s in rows["share"]],
            "sentiment": [_signed(s, 2) for s in rows["sentiment_mean"]],
            "NPS impact [95% CI]": [
                "—" if pd.isna(i) else f"{_signed(i)} [{_signed(lo)}, {_signed(hi)}]"
                for i, lo, hi in zip(
                    rows["nps_impact"], rows["impact_ci_low"], rows["impact_ci_high"], strict=True
                )
            ],
            "change (pts)": [_signed(100 * c, 1) for c in rows["share_change"]],
        }
    ).reset_index(drop=True)
    # a column no theme can fill (no survey, no dates) is left out, not shown as dashes
    empty = {"NPS impact [95% CI]": "nps_impact", "change (pts)": "share_change"}
    return table.drop(columns=[c for c, source in empty.items() if rows[source].isna().all()])


def emerging_table(emerging: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Emerging themes as a reader's table, the significant ones first."""
    return pd.DataFrame(
        {
            "theme": emerging["theme"].map(labels).fillna(emerging["theme"]),
            f"share {emerging['previous_period'].iloc[0]}" if len(emerging) else "previous": [
                f"{s:.1%}" for s in emerging["share_previous"]
            ],
            f"share {emerging['last_period'].iloc[0]}" if len(emerging) else "last": [
                f"{s:.1%}" for s in emerging["share_last"]
            ],
            "change (pts)": [f"{100 * c:+.1f}" for c in emerging["share_change"]],
            "p": [f"{p:.3f}" for p in emerging["change_p"]],
            "q (BH)": [f"{q:.3f}" for q in emerging["change_q"]],
        }
    )


def quote(text: str, language: str | None = None) -> str:
    """One verbatim (already redacted) as an escaped block quote tagged with its language."""
    lang = f' lang="{language}"' if language in ("zh", "en") else ""
    return f"<blockquote{lang}>{html_escape(str(text))}</blockquote>"


def quotes_html(
    verbatims: pd.DataFrame,
    themes: pd.DataFrame,
    per_theme: int = 2,
    language: str = "en",
    top: int = 10,
) -> str:
    """Representative verbatims of the largest ``top`` themes, each under its label."""
    labels = theme_labels(themes, language)
    chosen = list(themes["theme"].head(top))
    picked = representative_verbatims(verbatims, chosen, per_theme)
    parts = []
    for theme in chosen:
        rows = verbatims.loc[picked.get(theme, [])]
        if rows.empty:
            continue
        parts.append(
            f'<p class="wp-reason"><b>{html.escape(labels[theme])}</b></p>'
            + "".join(quote(r.text, r.language) for r in rows.itertuples())
        )
    return "".join(parts)


def sentiment_quality(metrics: dict) -> pd.DataFrame:
    """The sentiment model's held-out accuracy and ROC AUC beside each baseline, per language."""
    rows = []
    names = {"en": "English", "zh": "Chinese"}
    for language in ("en", "zh"):
        held = metrics.get(language) or {}
        if not held:
            continue
        rows.append(
            (
                names[language],
                "this model",
                held.get("accuracy"),
                held.get("roc_auc"),
                held.get("n_test"),
            )
        )
        for name, base in sorted((held.get("baselines") or {}).items()):
            rows.append(
                (
                    names[language],
                    name,
                    base.get("accuracy"),
                    base.get("roc_auc"),
                    held.get("n_test"),
                )
            )
    table = pd.DataFrame(
        rows, columns=["language", "model", "accuracy", "ROC AUC", "held-out texts"]
    )
    for column in ("accuracy", "ROC AUC"):
        table[column] = [("—" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.3f}")
                         for v in table[column]]  # fmt: skip
    return table


def _method_line(study) -> str:  # type: ignore[no-untyped-def]
    """How texts were coded and scored, with the sentiment model's held-out accuracy."""
    metrics = study.sentiment_metrics or {}
    parts = []
    for language, name in (("en", "English"), ("zh", "Chinese")):
        held = metrics.get(language) or {}
        if held.get("accuracy") is not None:
            parts.append(f"{held['accuracy']:.0%} on {int(held.get('n_test') or 0):,} {name} "
                         "texts it never saw")  # fmt: skip
    accuracy = f" (held-out accuracy {', '.join(parts)})" if parts else ""
    rated = (study.verbatims_metrics or {}).get("sentiment_vs_ratings") or {}
    if rated.get("n"):
        auc = (
            f", ROC AUC {rated['roc_auc']:.2f} for the higher rating"
            if rated.get("roc_auc")
            else ""
        )
        accuracy += (
            f"; on the {int(rated['n']):,} texts here that carry a rating, the score's rank "
            f"correlation with it is {rated['spearman']:.2f}{auc}"
        )
    return (
        "Themes come from the codeframe's keyword and pattern rules in both languages and, for "
        "texts those miss, from clusters of texts with the same meaning in a multilingual "
        f"sentence space; sentiment from a classifier trained on packaged review corpora"
        f"{accuracy}. Quotes are shown in the language the customer wrote: nothing is machine "
        "translated."
    )


def say_section(study, params: dict) -> str:  # type: ignore[no-untyped-def]
    """ "What customers say": themes with volume and sentiment, their NPS impact, what is
    emerging, what leavers wrote, and representative verbatims in their own language."""
    from cemlib.cx.verbatims import complaint_themes
    from cemlib.report import plots_verbatims
    from cemlib.report.html import figure, heading, para, ref, section, skip_note, table

    themes, verbatims = study.result("themes"), study.result("verbatims")
    if themes is None or verbatims is None:
        return section(
            "say",
            "What customers say",
            skip_note("themes and verbatims", "free text: feedback or survey comments"),
        )
    top = int(params.get("top_themes", 8))
    labels = theme_labels(themes, "en")
    sources = verbatims["theme_source"].value_counts()
    by_language = verbatims["language"].value_counts()
    parts = [
        para(
            f"Customers wrote <b>{len(verbatims):,}</b> texts ({by_language.get('zh', 0):,} in "
            f"Chinese, {by_language.get('en', 0):,} in English): "
            f"{sources.get('codeframe', 0):,} fall under the codeframe's themes, "
            f"{sources.get('discovered', 0):,} under themes discovered in what the codeframe "
            f"missed, and {sources.get('none', 0):,} could not be coded. {_method_line(study)} "
            f"{ref('tab-themes')} lists the largest themes."
        ),
        table(
            theme_table(themes, "en", top),
            "themes",
            f"The {min(top, len(themes))} largest themes: texts that mention each (a text may "
            "carry several), mean sentiment (−1 to +1), and the NPS of respondents who "
            "mention it minus everyone else's, with its 95% interval.",
        ),  # fmt: skip
    ]
    impact = themes.dropna(subset=["nps_impact"])
    if len(impact):
        n_resp = int(impact["n_mentioners"].max())
        parts += [
            heading("say-impact", "Which themes go with detractors", 3),
            figure(
                plots_verbatims.impact_bubbles(impact.assign(label_en=impact["theme"].map(labels))),
                "impact",
                "NPS impact of each theme against how often it is mentioned: respondents whose "
                "comment mentions the theme minus all others (95% interval from each group's "
                f"trinomial variance; the largest theme is mentioned by {n_resp:,} respondents). "
                "An association in one survey, not the effect of fixing the theme.",
            ),
        ]
    emerging = study.result("verbatims_emerging")
    if emerging is not None:
        significant = emerging[emerging["change_q"] < 0.05]
        first = emerging.iloc[0]
        sentence = (
            f"{len(significant)} of {len(emerging)} themes changed their share of texts beyond "
            f"chance between {esc_text(first['previous_period'])} (n = {int(first['n_previous']):,}) "
            f"and {esc_text(first['last_period'])} (n = {int(first['n_last']):,}), after the "
            "Benjamini–Hochberg control of false discoveries."
        )
        parts += [
            heading("say-emerging", "What is changing", 3),
            para(sentence),
            figure(
                plots_verbatims.emerging_chart(emerging, labels),
                "emerging",
                "Share of texts mentioning each theme in the last two periods; highlighted "
                "changes survive the false-discovery control (q < 0.05).",
            ),
        ]
    pareto = study.result("verbatims_pareto")
    if pareto is not None:
        parts += [
            heading("say-leaving", "What customers who left complained about", 3),
            figure(
                plots_verbatims.leaving_pareto_chart(pareto.head(12), labels),
                "leaving",
                "Complaint themes in the texts of customers the lifetime model judges more likely gone "
                "than active (P(alive) < 0.5), by distinct customers, with the cumulative share.",
            ),
        ]
    per_theme = int(params.get("verbatims_per_theme", 2))
    complaints = complaint_themes(themes)
    parts += [
        heading("say-words", "In their words", 3),
        para(
            "The most representative texts of the largest themes, complaints first, as written "
            "(personal data replaced by placeholders)."
        ),
        quotes_html(
            verbatims,
            pd.concat([complaints, themes]).drop_duplicates("theme"),
            per_theme,
            "en",
            top,
        ),  # fmt: skip
    ]
    return section("say", "What customers say", "".join(parts))


def esc_text(value: object) -> str:
    """A value from the data, escaped for HTML."""
    return html_escape(str(value))
