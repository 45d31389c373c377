"""The planted free text: a sentence for a reason, its script and code-mixing, and the truth.

Every free text of the world -- a feedback item or a survey comment -- is written about planted
reasons (themes, :data:`~cemlib.data.synth.planted.REASONS`): its sentence comes from the
reason's phrase bank (:mod:`cemlib.data.synth.phrases_reasons`), about ``MIXED_SHARE`` of the
texts from its code-mixed phrasings, and about ``TRADITIONAL_SHARE`` of the Chinese texts are
turned into Traditional characters (OpenCC ``s2t``). The simulators keep, in hidden columns, the
planted themes (``_themes``, primary first, ``|``-joined), the script (``_script``) and the
code-mixing (``_mixed``) of each text; :func:`verbatim_truth` and :func:`theme_truth` turn them
into ``truth/verbatims.parquet`` and ``truth/themes.parquet``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from cemlib.cx.promoters import DETRACTOR_MAX, PROMOTER_MIN
from cemlib.data.synth.draws import pick_str
from cemlib.data.synth.phrases import MIXED_TEXT, REASON_TEXT
from cemlib.data.synth.planted import (
    MIXED_SHARE,
    REASON_LABELS,
    REASON_POLARITY,
    REASONS,
    TRADITIONAL_SHARE,
)

__all__ = [
    "THEME_COLUMNS",
    "VERBATIM_COLUMNS",
    "in_script",
    "script_names",
    "sentence",
    "text_flags",
    "theme_truth",
    "verbatim_summary",
    "verbatim_truth",
]

# Columns of truth/verbatims.parquet and truth/themes.parquet, in file order.
VERBATIM_COLUMNS = [
    "source_table",
    "source_id",
    "language",
    "script",
    "theme",
    "themes",
    "polarity",
    "mixed",
    "text",
]
THEME_COLUMNS = [
    "theme",
    "label_en",
    "label_zh",
    "polarity",
    "n",
    "n_comments",
    "nps_mentioners",
    "nps_others",
    "nps_effect",
]


def text_flags(rng: np.random.Generator, zh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per text: code-mixed (any language) and Traditional script (Chinese texts only)."""
    n = len(zh)
    mixed = rng.random(n) < MIXED_SHARE
    traditional = np.asarray(zh, dtype=bool) & (rng.random(n) < TRADITIONAL_SHARE)
    return mixed, traditional


def script_names(zh: np.ndarray, traditional: np.ndarray) -> np.ndarray:
    """'simplified', 'traditional' or 'latin' per text."""
    return np.where(zh, np.where(traditional, "traditional", "simplified"), "latin")


def sentence(rng: np.random.Generator, reason: str, zh: bool, mixed: bool = False) -> str:
    """One phrasing of ``reason`` in the text's language, code-mixed when ``mixed``."""
    bank = MIXED_TEXT if mixed else REASON_TEXT
    return pick_str(rng, bank[reason][1 if zh else 0])


@lru_cache(maxsize=1)
def _s2t():
    import opencc  # optional at import time: only generate() writes Traditional text

    return opencc.OpenCC("s2t")


def in_script(text: str, traditional: bool) -> str:
    """The text in Traditional characters when ``traditional``, unchanged otherwise."""
    return _s2t().convert(text) if traditional else text


def _nps(ltr: np.ndarray) -> float:
    """NPS (% promoters minus % detractors) of 0-10 answers; NaN when there are none."""
    if len(ltr) == 0:
        return float("nan")
    return float(100 * (np.mean(ltr >= PROMOTER_MIN) - np.mean(ltr <= DETRACTOR_MAX)))


def _rows(df: pd.DataFrame, table: str, id_col: str, text_col: str, lang: pd.Series) -> dict:
    """Truth columns of the texts of one clean table (rows that carry a theme)."""
    keep = (df["_themes"] != "").to_numpy()
    themes = [t.split("|") for t in df["_themes"].to_numpy()[keep]]
    return {
        "source_table": np.full(int(keep.sum()), table),
        "source_id": df[id_col].to_numpy()[keep].astype(str),
        "language": lang.to_numpy()[keep],
        "script": df["_script"].to_numpy()[keep],
        "theme": [t[0] for t in themes],
        "themes": themes,
        "polarity": np.array([REASON_POLARITY[t[0]] for t in themes], dtype=np.int64),
        "mixed": df["_mixed"].to_numpy()[keep].astype(bool),
        "text": df[text_col].to_numpy()[keep].astype(str),
    }


def verbatim_truth(resp: pd.DataFrame, fb: pd.DataFrame) -> pd.DataFrame:
    """One row per generated text (feedback and non-empty survey comments, before defects)."""
    parts = [
        pd.DataFrame(_rows(fb, "feedback", "feedback_id", "text", fb["_language"])),
        pd.DataFrame(_rows(resp, "responses", "response_id", "comment", resp["language"])),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["source_table", "source_id"], kind="stable").reset_index(drop=True)[
        VERBATIM_COLUMNS
    ]


def theme_truth(resp: pd.DataFrame, verbatims: pd.DataFrame) -> pd.DataFrame:
    """One row per reason: labels, polarity, texts carrying it and its planted NPS effect.

    ``nps_effect`` = NPS of the generated respondents whose comment carries the theme (in any
    position) minus the NPS of every other respondent with an ``ltr`` answer, commenting or
    not; unweighted, on the responses before defects. NaN when no comment carries the theme.
    """
    ltr = resp["ltr"].to_numpy()
    answered = ~pd.isna(ltr)
    ltr = np.where(answered, ltr, -1).astype(np.int64)
    carried = [set(t.split("|")) if t else set() for t in resp["_themes"].to_numpy()]
    counts = pd.Series([t for ts in verbatims["themes"] for t in ts]).value_counts()
    rows = []
    for theme in REASONS:
        says = np.array([theme in c for c in carried], dtype=bool)
        mention, other = says & answered, ~says & answered
        inside = _nps(ltr[mention])
        outside = _nps(ltr[other])
        rows.append(
            {
                "theme": theme,
                "label_en": REASON_LABELS[theme][0],
                "label_zh": REASON_LABELS[theme][1],
                "polarity": int(REASON_POLARITY[theme]),
                "n": int(counts.get(theme, 0)),
                "n_comments": int(mention.sum()),
                "nps_mentioners": inside,
                "nps_others": outside,
                "nps_effect": inside - outside,
            }
        )
    return pd.DataFrame(rows, columns=THEME_COLUMNS)


def verbatim_summary(verbatims: pd.DataFrame) -> dict:
    """The ``verbatims`` entry of truth.json: texts, by language, Traditional and mixed shares."""
    zh = verbatims["language"] == "zh"
    n_zh = int(zh.sum())
    return {
        "n_texts": int(len(verbatims)),
        "by_language": {
            k: int(v) for k, v in verbatims["language"].value_counts().sort_index().items()
        },
        "traditional_share": float((verbatims["script"][zh] == "traditional").mean())
        if n_zh
        else 0.0,
        "mixed_share": float(verbatims["mixed"].mean()) if len(verbatims) else 0.0,
    }
