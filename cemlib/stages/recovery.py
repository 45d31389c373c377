"""How well the methods recover what the synthetic generator planted (absent on real data).

One home for every check against the truth kept in ``data/raw/truth/``:
:func:`defect_recovery` (the clean stage's rules against the planted defects),
:func:`driver_recovery` (estimated against planted shares of R²), :func:`archetype_recovery`
(assigned against planted archetypes: adjusted Rand index, Hubert & Arabie 1985, recall and
precision per archetype) and :func:`observed_outcomes` (the archetypes against what happened to
the customers afterwards, where a real data set holds such an outcome, e.g. telco's churn flag).
Without the truth a function needs, its result is empty.

References
----------
Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2, 193–218.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association* 22, 209–212.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cemlib.cleaning.rules import REJECT_RULES
from cemlib.data.schema import ARCHETYPES

if TYPE_CHECKING:
    from cemlib.cleaning.folder import CleanResult

__all__ = [
    "DEFECT_FLAG",
    "OBSERVED_DIR",
    "archetype_recovery",
    "cross_lingual_agreement",
    "defect_recovery",
    "driver_recovery",
    "observed_outcomes",
    "verbatim_recovery",
    "wilson_interval",
]

OBSERVED_DIR = "observed"  # truth/observed/NAME.parquet: customer_id and boolean outcomes

# planted defect code -> column of the flags frame that should catch it
DEFECT_FLAG = {
    **{rule: rule for rule in REJECT_RULES},
    "full_width": "fix_full_width",
    "customer_id_format": "fix_customer_id_format",
    "html": "fix_html",
    "pii_email": "fix_pii_email",
    "pii_phone": "fix_pii_phone",
    "pii_id_card": "fix_pii_id_card",
    "pii_bank_card": "fix_pii_bank_card",
}
DEFECT_FLAG["out_of_range"] = "fix_out_of_range"


def driver_recovery(
    drivers_table: pd.DataFrame, truth_dir: Path | str, outcome: str, method: str = "shapley"
) -> pd.DataFrame:
    """Estimated shares of R² beside the population shares the generator planted.

    Empty when the data carries no planted truth. The Spearman rank correlation and whether
    the top three agree are in the frame's ``attrs``.
    """
    path = Path(truth_dir) / "drivers.parquet"
    columns = [
        "driver",
        "estimated_share",
        "ci_low",
        "ci_high",
        "population_share",
        "estimated_rank",
        "population_rank",
    ]
    if not path.exists():
        return pd.DataFrame(columns=columns)
    truth = pd.read_parquet(path)
    truth = truth[truth["outcome"] == outcome]
    estimate = drivers_table[
        (drivers_table["outcome"] == outcome) & (drivers_table["method"] == method)
    ].copy()
    r2 = estimate["r2"].replace(0, float("nan"))
    estimate["ci_low"] = estimate["ci_low"] / r2
    estimate["ci_high"] = estimate["ci_high"] / r2
    table = estimate.rename(columns={"share": "estimated_share", "rank": "estimated_rank"}).merge(
        truth[["driver", "population_share", "population_rank"]], on="driver"
    )[columns]
    table = table.sort_values("population_rank", ignore_index=True)
    from scipy import stats  # here, not at the top: the clean stage imports this module too

    rho = stats.spearmanr(table["estimated_share"], table["population_share"]).statistic
    top = set(table.nsmallest(3, "estimated_rank")["driver"])
    table.attrs = {
        "spearman": float(rho),
        "top3_match": top == set(table.nsmallest(3, "population_rank")["driver"]),
    }
    return table


def defect_recovery(result: CleanResult, truth_dir) -> pd.DataFrame:
    """Precision and recall of each rule against the defects the synthetic generator planted.

    A row counts as caught when the rule flags it (whether or not an earlier rule already
    rejected it), so each reject rule is scored on its own. Repairs (``fix_*`` marks) are
    scored on the rows that were kept, since a repair on a rejected row changes nothing.
    Empty when there is no planted truth.
    """
    columns = ["table", "defect", "planted", "flagged", "caught", "precision", "recall"]
    path = Path(truth_dir) / "defects.parquet"
    if not path.exists():
        return pd.DataFrame(columns=columns)
    planted = pd.read_parquet(path)
    rows = []
    for (table, defect), group in planted.groupby(["table", "defect"], sort=True):
        flag_column = DEFECT_FLAG.get(defect)
        flags = result.flags.get(table)
        if flag_column is None or flags is None or flag_column not in flags:
            continue
        flagged_rows = set(flags.loc[flags[flag_column].astype(bool), "source_row"])
        planted_rows = set(group["source_row"])
        if flag_column.startswith("fix_"):
            kept = set(flags.loc[~flags[list(REJECT_RULES)].any(axis=1), "source_row"])
            flagged_rows, planted_rows = flagged_rows & kept, planted_rows & kept
        caught = len(flagged_rows & planted_rows)
        rows.append(
            {
                "table": table,
                "defect": defect,
                "planted": len(planted_rows),
                "flagged": len(flagged_rows),
                "caught": caught,
                "precision": caught / len(flagged_rows) if flagged_rows else float("nan"),
                "recall": caught / len(planted_rows) if planted_rows else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _recovery_metrics(truth: pd.Series, found: pd.Series) -> dict:
    from sklearn.metrics import adjusted_rand_score  # only the segments stage needs it

    recall = {}
    precision = {}
    for a in ARCHETYPES:
        t, f = truth == a, found == a
        recall[a] = float((t & f).sum() / t.sum()) if t.any() else float("nan")
        precision[a] = float((t & f).sum() / f.sum()) if f.any() else float("nan")
    return {
        "n": int(len(truth)),
        "ari": float(adjusted_rand_score(truth, found)) if len(truth) else float("nan"),
        "accuracy": float((truth == found).mean()) if len(truth) else float("nan"),
        "recall": recall,
        "precision": precision,
    }


def archetype_recovery(segments: pd.DataFrame, truth_dir) -> tuple[pd.DataFrame, dict]:
    """How well the archetypes recover those the synthetic world planted.

    Parameters
    ----------
    segments : DataFrame
        The segments frame (``customer_id``, ``archetype``, ``thin_history``).
    truth_dir : path
        Folder holding ``archetypes.parquet`` (``truth/`` of a synthetic world).

    Returns
    -------
    confusion : DataFrame
        Planted archetype (rows) × assigned archetype (columns), counts; empty without truth.
    metrics : dict
        ``ari`` (adjusted Rand index, Hubert & Arabie 1985), ``accuracy``, ``recall`` and
        ``precision`` per archetype and ``n`` over all matched customers; the same under
        ``established`` for customers without ``thin_history``, with ``coverage`` (their share);
        empty without truth.

    Notes
    -----
    The synthetic world plants archetypes as latent classes that are well apart in their buying
    parameters (a classifier given every customer's true parameters reaches an ARI near 1), but a
    two-year window shows many customers only once or twice and a relationship's length only once
    it has ended, so recovery from the data stays well below 1 (on the default world about 0.63,
    see ``tests/test_segments.py``).
    """
    path = Path(truth_dir) / "archetypes.parquet"
    if not path.exists():
        return pd.DataFrame(), {}
    truth = pd.read_parquet(path, columns=["customer_id", "archetype"])
    truth["customer_id"] = truth["customer_id"].astype("string")
    seg = segments[["customer_id", "archetype", "thin_history"]].copy()
    seg["customer_id"] = seg["customer_id"].astype("string")
    both = seg.merge(truth, on="customer_id", suffixes=("", "_true"))
    t = both["archetype_true"].astype("string")
    f = both["archetype"].astype("string")
    confusion = pd.crosstab(
        pd.Categorical(t, categories=ARCHETYPES),
        pd.Categorical(f, categories=ARCHETYPES),
        rownames=["planted"],
        colnames=["assigned"],
        dropna=False,
    )
    metrics = _recovery_metrics(t, f)
    est = ~both["thin_history"].to_numpy(dtype=bool)
    metrics["established"] = _recovery_metrics(t[est], f[est])
    metrics["established"]["coverage"] = float(est.mean()) if len(est) else float("nan")
    metrics["n_truth"] = int(len(truth))
    return confusion, metrics


def wilson_interval(successes, n, level: float = 0.95) -> tuple:
    """Wilson's (1927) score interval for a proportion; better than the normal approximation
    when the rate is near 0 or 1 or n is small. Works on scalars and arrays.

    >>> [float(round(x, 4)) for x in wilson_interval(3, 10)]
    [0.1078, 0.6032]
    """
    from scipy import stats  # here, not at the top: the clean stage imports this module too

    successes, n = np.asarray(successes, dtype="float64"), np.asarray(n, dtype="float64")
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def observed_outcomes(segments: pd.DataFrame, truth_dir) -> pd.DataFrame:
    """Each archetype against an outcome observed after the fact: the predictions checked
    against what happened.

    A real data set may hold an outcome the pipeline never reads (telco's churn flag), kept in
    ``truth/observed/NAME.parquet`` with ``customer_id`` and one or more boolean columns. Returns
    one row per outcome × archetype: ``customers``, ``observed`` (how many had the outcome),
    ``rate`` and its 95% Wilson interval (``ci_low``, ``ci_high``), and ``overall_rate`` over all
    matched customers; empty when nothing is observed.
    """
    columns = ["outcome", "archetype", "customers", "observed", "rate", "ci_low", "ci_high"]
    folder = Path(truth_dir) / OBSERVED_DIR
    frames = []
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        held = pd.read_parquet(path)
        held["customer_id"] = held["customer_id"].astype("string")
        seg = segments[["customer_id", "archetype"]].astype({"customer_id": "string"})
        both = seg.merge(held, on="customer_id", validate="one_to_one")
        for outcome in [c for c in held.columns if pd.api.types.is_bool_dtype(held[c])]:
            table = both.groupby("archetype", observed=True)[outcome].agg(["size", "sum"])
            table = table.reindex([a for a in ARCHETYPES if a in table.index])
            low, high = wilson_interval(table["sum"], table["size"])
            frames.append(
                pd.DataFrame(
                    {
                        "outcome": outcome,
                        "archetype": table.index.astype(str),
                        "customers": table["size"].astype("int64").to_numpy(),
                        "observed": table["sum"].astype("int64").to_numpy(),
                        "rate": (table["sum"] / table["size"]).to_numpy(),
                        "ci_low": low,
                        "ci_high": high,
                        "overall_rate": float(both[outcome].mean()),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=[*columns, "overall_rate"])
    return pd.concat(frames, ignore_index=True)


def _multilabel_f1(planted: pd.Series, found: pd.Series, themes: list[str]) -> dict[str, float]:
    """F1 of each planted theme, a text counting as one yes/no decision per theme."""
    scores = {}
    for theme in themes:
        truth = np.array([theme in t for t in planted])
        guess = np.array([theme in t for t in found])
        tp = int((truth & guess).sum())
        precision = tp / guess.sum() if guess.sum() else 0.0
        recall = tp / truth.sum() if truth.sum() else 0.0
        scores[theme] = 2 * precision * recall / (precision + recall) if tp else 0.0
    return scores


def cross_lingual_agreement(planted: pd.Series, found: pd.Series, language: pd.Series) -> float:
    """Share of texts that sit in the theme where the other language's texts on the same planted
    reason mostly sit (the modal theme of the other language), over Chinese and English texts.

    1.0 means a Chinese and an English complaint about the same thing always land together."""
    agree = total = 0
    frame = pd.DataFrame({"planted": planted, "found": found, "language": language})
    for _, group in frame[frame["language"].isin(["zh", "en"])].groupby("planted"):
        for lang, other in (("zh", "en"), ("en", "zh")):
            mine, theirs = group[group["language"] == lang], group[group["language"] == other]
            if mine.empty or theirs.empty:
                continue
            modal = theirs["found"].value_counts().sort_index().idxmax()
            agree += int((mine["found"] == modal).sum())
            total += len(mine)
    return agree / total if total else float("nan")


def verbatim_recovery(verbatims: pd.DataFrame, themes: pd.DataFrame, truth_dir) -> dict:
    """Coded themes, sentiment and NPS impact against what the generator planted.

    ``primary_ari``: adjusted Rand index of the primary theme against the planted reason on texts
    with one planted reason; ``macro_f1``: mean over planted reasons of the F1 of carrying it
    (texts may carry several); ``cross_lingual``: :func:`cross_lingual_agreement`;
    ``sentiment_sign``: share of planted complaints and praise whose sentiment has the planted
    sign; ``nps_effects``: per planted theme the planted NPS effect, the estimate, its interval
    and whether the interval covers the planted value with the right sign. Empty without truth.
    """
    from sklearn.metrics import adjusted_rand_score

    folder = Path(truth_dir)
    if not (folder / "verbatims.parquet").exists() or verbatims.empty:
        return {}
    truth = pd.read_parquet(folder / "verbatims.parquet")
    planted_themes = pd.read_parquet(folder / "themes.parquet")
    keys = ["source_table", "source_id"]
    both = verbatims.merge(truth[[*keys, "theme", "themes", "polarity"]], on=keys, how="inner",
                           suffixes=("", "_planted"))  # fmt: skip
    if both.empty:
        return {}
    single = both[[len(t) == 1 for t in both["themes_planted"]]]
    f1 = _multilabel_f1(both["themes_planted"], both["themes"], list(planted_themes["theme"]))
    polar = both[(both["polarity"] != 0) & both["sentiment"].notna()]
    effects = []
    found = themes.set_index("theme") if not themes.empty else pd.DataFrame()
    for row in planted_themes.dropna(subset=["nps_effect"]).itertuples():
        if row.theme not in found.index or pd.isna(found.at[row.theme, "nps_impact"]):
            effects.append({"theme": row.theme, "planted": float(row.nps_effect), "found": False})
            continue
        low, high = found.at[row.theme, "impact_ci_low"], found.at[row.theme, "impact_ci_high"]
        estimate = float(found.at[row.theme, "nps_impact"])
        effects.append(
            {
                "theme": row.theme,
                "planted": round(float(row.nps_effect), 2),
                "estimate": round(estimate, 2),
                "ci_low": round(float(low), 2),
                "ci_high": round(float(high), 2),
                "covered": bool(low <= row.nps_effect <= high),
                "right_sign": bool(np.sign(estimate) == np.sign(row.nps_effect)),
                "found": True,
            }
        )
    return {
        "n_matched": int(len(both)),
        "primary_ari": round(
            float(adjusted_rand_score(single["theme_planted"], single["theme"])), 4
        ),
        "macro_f1": round(float(np.mean(list(f1.values()))), 4),
        "f1": {k: round(v, 4) for k, v in f1.items()},
        "cross_lingual": round(
            cross_lingual_agreement(single["theme_planted"], single["theme"], single["language"]), 4
        ),  # fmt: skip
        "sentiment_sign": round(float(np.mean(np.sign(polar["sentiment"]) == polar["polarity"])), 4)
        if len(polar)
        else None,
        "nps_effects": effects,
    }
