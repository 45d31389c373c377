"""The latent survey model and the survey responses it produces, with the population truth.

The 12 driver items share a common factor (real multicollinearity) plus touchpoint and
item-specific parts, and are cut into 1-5 answers with fixed thresholds. Outcomes (``ltr`` 0-10,
``osat`` 1-5, ``ces`` 1-7) are linear in the latent drivers with planted weights plus an
archetype shift and noise, cut at thresholds that give each outcome its target answer
distribution. Stated importance, brand fit and emotional loyalty have their own latent parts.
The same model, run once on a large clean population (:func:`population_truth`), gives the
driver truth a key-driver analysis should recover: the exact LMG share of R² of each driver
(Lindeman, Merenda & Gold, 1980; computed by :func:`cemlib.stats.lmg.lmg_shares`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from cemlib.cleaning import longest_run
from cemlib.cx.promoters import DETRACTOR_MAX, PROMOTER_MIN
from cemlib.data.schema import ARCHETYPES, RESPONSE_CHANNELS
from cemlib.data.synth.codebook import ITEM_IDS
from cemlib.data.synth.draws import (
    choice_rows,
    half_year_wave,
    iso_datetimes,
    observation_window,
    pick_str,
)
from cemlib.data.synth.phrases import CLOSERS, OPENERS
from cemlib.data.synth.planted import (
    ARCHETYPE_SHARES,
    ATTENTION_EXPECT,
    BRAND_MU,
    CHINESE_SHARE,
    CUTS_5,
    DRIVER_COMPLAINT,
    DRIVER_MU,
    DRIVER_TP,
    DRIVERS,
    DURATION_MEDIAN,
    DURATION_SIGMA,
    FACTOR_SHIFT,
    LOAD_COMMON,
    LOAD_SPECIFIC,
    LOAD_TP,
    LOYALTY_ITEM_MU,
    LOYALTY_MEAN,
    OUTCOME_NOISE,
    OUTCOME_P,
    OUTCOME_SCALE,
    OUTCOME_SHIFT,
    OUTCOMES,
    POPULATION_DRAWS,
    RESP_CHANNEL_P,
    RESPONSE_PROPENSITY,
    REVERSE_DRIVERS,
    STATED_MU,
    SURVEYS,
    TOUCHPOINT_PRAISE,
    TOUCHPOINTS,
    WEIGHTS,
)
from cemlib.data.synth.verbatims import in_script, script_names, sentence, text_flags
from cemlib.stats.lmg import lmg_shares

__all__ = ["population_truth", "simulate_responses"]

# ----------------------------------------------------------------------------------------------
# Latent survey model (shared by the sample and the population truth)
# ----------------------------------------------------------------------------------------------


def _respondent_mix() -> np.ndarray:
    """Archetype shares among survey respondents (strategic customers answer more often)."""
    w = ARCHETYPE_SHARES * RESPONSE_PROPENSITY
    return w / w.sum()


def _cut(latent: np.ndarray, cuts: np.ndarray, low: int = 1) -> np.ndarray:
    """Discretise latent values into ordered categories ``low, low + 1, ...`` at ``cuts``."""
    return low + np.searchsorted(cuts, latent, side="left").astype(np.int64)


def _latent_drivers(rng: np.random.Generator, arch: np.ndarray) -> np.ndarray:
    """Latent canonical driver values: common factor + touchpoint factor + specific part + mean."""
    n = len(arch)
    common = rng.standard_normal(n) + FACTOR_SHIFT[arch]
    tp = rng.standard_normal((n, len(TOUCHPOINTS)))[:, DRIVER_TP]
    specific = rng.standard_normal((n, len(DRIVERS)))
    return LOAD_COMMON * common[:, None] + LOAD_TP * tp + LOAD_SPECIFIC * specific + DRIVER_MU


def _outcome_moments(outcome: str) -> tuple[float, float]:
    """Exact mean and standard deviation of an outcome's latent value among respondents."""
    w = np.asarray(WEIGHTS[outcome])
    tp_sums = np.bincount(DRIVER_TP, weights=w)
    within = (
        (LOAD_COMMON * w.sum()) ** 2
        + LOAD_TP**2 * np.sum(tp_sums**2)
        + LOAD_SPECIFIC**2 * np.sum(w**2)
        + OUTCOME_NOISE[outcome] ** 2
    )
    cond_mean = LOAD_COMMON * w.sum() * FACTOR_SHIFT + OUTCOME_SHIFT[outcome]
    mix = _respondent_mix()
    mean = float(mix @ cond_mean)
    return mean, float(np.sqrt(within + mix @ (cond_mean - mean) ** 2))


def _outcome_cuts(outcome: str) -> np.ndarray:
    """Thresholds on the latent outcome giving the target answer distribution."""
    mean, sd = _outcome_moments(outcome)
    return mean + sd * special.ndtri(np.cumsum(OUTCOME_P[outcome])[:-1])


def _latent_outcomes(rng: np.random.Generator, z: np.ndarray, arch: np.ndarray) -> dict:
    """Latent value of each outcome: planted weights on the drivers + archetype shift + noise."""
    centred = z - DRIVER_MU
    return {
        o: centred @ np.asarray(WEIGHTS[o])
        + OUTCOME_SHIFT[o][arch]
        + OUTCOME_NOISE[o] * rng.standard_normal(len(arch))
        for o in OUTCOMES
    }


def _outcome_answers(latent: dict) -> dict:
    """Canonical answers of each outcome (ltr 0-10, osat 1-5, ces 1-7, higher = better)."""
    return {o: _cut(latent[o], _outcome_cuts(o), OUTCOME_SCALE[o][0]) for o in OUTCOMES}


def _osat_on_ten(latent_osat: np.ndarray) -> np.ndarray:
    """Kiosk version of osat on 1-10: each 1-5 category split in two (2k - 1 or 2k)."""
    cuts = _outcome_cuts("osat")
    sd = _outcome_moments("osat")[1]
    inner = np.concatenate(
        [[cuts[0] - 0.5 * sd], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + 0.5 * sd]]
    )
    return _cut(latent_osat, np.sort(np.concatenate([cuts, inner])))


def _stated_importance(rng: np.random.Generator, n: int) -> np.ndarray:
    """Stated importance answers (1-5): item means + a person's general 'all important' tendency."""
    general = rng.standard_normal(n)[:, None]
    latent = STATED_MU + 0.5 * general + 0.85 * rng.standard_normal((n, len(DRIVERS)))
    return _cut(latent, CUTS_5)


def _brand_answers(rng, z: np.ndarray, loyalty: np.ndarray) -> np.ndarray:
    """Brand fit per touchpoint (1-5) from touchpoint brand fit, experience and brand affinity."""
    n = len(loyalty)
    centred = z - DRIVER_MU
    tp_mean = np.stack([centred[:, DRIVER_TP == t].mean(axis=1) for t in range(6)], axis=1)
    affinity = 0.6 * loyalty + 0.8 * rng.standard_normal(n)
    latent = BRAND_MU + 0.45 * tp_mean + 0.4 * affinity[:, None] + 0.7 * rng.standard_normal((n, 6))
    return _cut(latent, CUTS_5)


def _loyalty_answers(rng, loyalty: np.ndarray, ltr_latent: np.ndarray) -> np.ndarray:
    """Emotional-loyalty items (standard, premium, improve) on 1-5."""
    mean, sd = _outcome_moments("ltr")
    advocacy = (ltr_latent - mean) / sd
    latent = (
        LOYALTY_ITEM_MU
        + 0.6 * loyalty[:, None]
        + 0.3 * advocacy[:, None]
        + 0.6 * rng.standard_normal((len(loyalty), 3))
    )
    return _cut(latent, CUTS_5)


def _raw_drivers(canonical: np.ndarray) -> np.ndarray:
    """Driver answers as asked: reverse-worded items run opposite (6 - x)."""
    raw = canonical.copy()
    for d in REVERSE_DRIVERS:
        j = DRIVERS.index(d)
        raw[:, j] = 6 - raw[:, j]
    return raw


def _rank_desc(values: np.ndarray) -> np.ndarray:
    """Ranks with 1 = largest (ties broken by position)."""
    order = np.argsort(-np.asarray(values), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def population_truth(rng: np.random.Generator, n: int = POPULATION_DRAWS) -> tuple:
    """Driver truth from a large clean simulation of the response model.

    Returns the ``truth/drivers`` frame (planted weight, exact LMG share of R² of the observed
    canonical answers, ranks, stated ranks) and a dict of population statistics (R² per outcome,
    natural straight-liner rate, NPS).
    """
    arch = rng.choice(len(ARCHETYPES), n, p=_respondent_mix())
    z = _latent_drivers(rng, arch)
    x = _cut(z, CUTS_5)
    answers = _outcome_answers(_latent_outcomes(rng, z, arch))
    stated_mean = _stated_importance(rng, n).mean(axis=0)
    stated_rank = _rank_desc(stated_mean)
    rows, stats = [], {"r2": {}}
    for o in OUTCOMES:
        corr = np.corrcoef(np.column_stack([x, answers[o]]), rowvar=False)
        lmg = lmg_shares(corr)
        share, rank = lmg / lmg.sum(), _rank_desc(lmg)
        stats["r2"][o] = float(lmg.sum())
        for j, d in enumerate(DRIVERS):
            rows.append(
                {
                    "outcome": o,
                    "driver": d,
                    "weight": float(WEIGHTS[o][j]),
                    "population_lmg": float(lmg[j]),
                    "population_share": float(share[j]),
                    "population_rank": int(rank[j]),
                    "stated_mean": float(stated_mean[j]),
                    "stated_rank": int(stated_rank[j]),
                }
            )
    ltr = answers["ltr"]
    stats["nps"] = float(100 * (np.mean(ltr >= PROMOTER_MIN) - np.mean(ltr <= DETRACTOR_MAX)))
    stats["straight_liner_rate"] = float(np.mean(longest_run(_raw_drivers(x)) >= 10))
    stats["mean_driver_corr"] = float(np.corrcoef(x, rowvar=False)[np.triu_indices(12, 1)].mean())
    stats["draws"] = n
    return pd.DataFrame(rows), stats


# ----------------------------------------------------------------------------------------------
# Survey responses
# ----------------------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    """English sentence continued after a comma: first letter lower-cased (but not "I")."""
    if text[:2] in ("I ", "I'"):
        return text
    return text[:1].lower() + text[1:]


def _comment(
    rng: np.random.Generator, zh: bool, ltr: int, canon: np.ndarray, mixed: bool
) -> tuple[str, tuple[str, ...]]:
    """A free-text comment whose tone follows the answers, and its planted reasons.

    Promoters praise the touchpoint they rated best, detractors complain about the driver they
    rated worst; passives say both ("pos, but neg"), the complaint being the primary reason.
    A code-mixed comment (``mixed``) takes its primary sentence from the code-mixed phrasings.
    """
    lang = 1 if zh else 0
    praise = TOUCHPOINT_PRAISE[
        TOUCHPOINTS[DRIVER_TP[int(np.argmax(canon + 0.01 * rng.random(12)))]]
    ]
    complaint = DRIVER_COMPLAINT[int(np.argmin(canon + 0.01 * rng.random(12)))]
    end = "。" if zh else "."
    if ltr >= PROMOTER_MIN:
        pos = sentence(rng, praise, zh, mixed)
        text = pick_str(rng, OPENERS["pos"][lang]) + pos + end + pick_str(rng, CLOSERS["pos"][lang])
        return text.strip(), (praise,)
    neg = sentence(rng, complaint, zh, mixed)
    if ltr <= DETRACTOR_MAX:
        text = pick_str(rng, OPENERS["neg"][lang]) + neg + end + pick_str(rng, CLOSERS["neg"][lang])
        return text.strip(), (complaint,)
    pos = sentence(rng, praise, zh)
    text = f"{pos}，但是{neg}。" if zh else f"{pos}, but {_lower_first(neg)}."
    return text, (complaint, praise)


def _respondents(
    rng: np.random.Generator, cust: pd.DataFrame, response_rate: float, span: int
) -> tuple:
    """Who answers when: linked responses (``response_rate`` x customers) plus ~10 % anonymous.

    Each linked response gets a time uniform over the window and a customer drawn among those
    already acquired then, with the archetype's response propensity (so a customer may answer
    in more than one wave). Returns the response time (seconds since start), the customer row
    (-1 = anonymous), the archetype code and the loyalty latent.
    """
    n_link = int(round(response_rate * len(cust)))
    n_anon = int(round(n_link / 9))
    seconds = (rng.random(n_link + n_anon) * span * 86400).astype(np.int64)
    eligible = np.searchsorted(cust["offset"].to_numpy(), seconds[:n_link] // 86400, side="right")
    accept = RESPONSE_PROPENSITY[cust["archetype_code"].to_numpy()] / RESPONSE_PROPENSITY.max()
    row = np.full(n_link, -1, dtype=np.int64)
    todo = np.flatnonzero(eligible > 0)
    while len(todo):
        cand = (rng.random(len(todo)) * eligible[todo]).astype(np.int64)
        ok = rng.random(len(todo)) < accept[cand]
        row[todo[ok]] = cand[ok]
        todo = todo[~ok]
    row = np.concatenate([row, np.full(n_anon, -1, dtype=np.int64)])
    anon = row < 0
    codes = np.where(
        anon,
        rng.choice(len(ARCHETYPES), len(row), p=_respondent_mix()),
        cust["archetype_code"].to_numpy()[np.maximum(row, 0)],
    )
    loyalty = np.where(
        anon,
        LOYALTY_MEAN[codes] + 0.8 * rng.standard_normal(len(row)),
        cust["loyalty_latent"].to_numpy()[np.maximum(row, 0)],
    )
    return seconds, row, codes, loyalty


def _response_frame(rng, cust, row, seconds, first) -> pd.DataFrame:
    """Metadata of each response: ids, survey, wave, channel, time, duration, language, weight."""
    n = len(row)
    iso = iso_datetimes(seconds, first)
    in_2024 = np.array([s.startswith("2024") for s in iso])
    survey_p = np.where(in_2024[:, None], [0.50, 0.15, 0.35], [0.82, 0.18, 0.0])
    survey = np.asarray(SURVEYS)[choice_rows(rng, survey_p)]
    kiosk = survey == "kiosk_pulse"
    channel = np.asarray(RESPONSE_CHANNELS)[rng.choice(8, n, p=RESP_CHANNEL_P)]
    touchpoint = np.asarray(TOUCHPOINTS)[rng.integers(0, 6, n)]
    median = np.array([DURATION_MEDIAN[s] for s in survey])
    weight = np.exp(0.35 * rng.standard_normal(n))
    ids = cust["customer_id"].to_numpy()
    return pd.DataFrame(
        {
            "customer_id": np.where(row >= 0, ids[np.maximum(row, 0)], ""),
            "survey": survey,
            "wave": half_year_wave(iso),
            "channel": np.where(kiosk, "kiosk", channel),
            "touchpoint": np.where(kiosk, "store", touchpoint),
            "submitted_at": iso,
            "duration_s": np.round(median * np.exp(DURATION_SIGMA * rng.standard_normal(n))).astype(
                np.int64
            ),
            "language": np.where(rng.random(n) < CHINESE_SHARE, "zh", "en"),
            "weight": np.round(weight / weight.mean(), 4),
            "_seconds": seconds,
        }
    )


def simulate_responses(
    rng: np.random.Generator, cust: pd.DataFrame, start: str, end: str, response_rate: float
) -> pd.DataFrame:
    """Clean survey responses in the raw form each survey asked them, sorted by time.

    Hidden columns (prefixed ``_``) keep the archetype, the time and the planted themes, script
    and code-mixing of the comment (:mod:`cemlib.data.synth.verbatims`).
    """
    first, span = observation_window(start, end)
    seconds, row, arch, loyalty = _respondents(rng, cust, response_rate, span)
    meta = _response_frame(rng, cust, row, seconds, first)
    z = _latent_drivers(rng, arch)
    canon = _cut(z, CUTS_5)
    latent = _latent_outcomes(rng, z, arch)
    out = _outcome_answers(latent)
    kiosk = meta["survey"].to_numpy() == "kiosk_pulse"
    legacy = meta["survey"].to_numpy() == "legacy_2024"
    items = {
        "ltr": out["ltr"],
        "osat": np.where(kiosk, _osat_on_ten(latent["osat"]), out["osat"]),
        "ces": np.where(legacy, 8 - out["ces"], out["ces"]),
    }
    items.update(zip(DRIVERS, _raw_drivers(canon).T, strict=True))
    items.update(
        zip([f"imp_{d}" for d in DRIVERS], _stated_importance(rng, len(row)).T, strict=True)
    )
    items.update(
        zip([f"brand_{t}" for t in TOUCHPOINTS], _brand_answers(rng, z, loyalty).T, strict=True)
    )
    items.update(
        zip(
            ("loy_standard", "loy_premium", "loy_improve"),
            _loyalty_answers(rng, loyalty, latent["ltr"]).T,
            strict=True,
        )
    )
    items["attn_1"] = np.full(len(row), ATTENTION_EXPECT)
    zh = meta["language"].to_numpy() == "zh"
    says = rng.random(len(row)) < np.where(
        (out["ltr"] >= PROMOTER_MIN) | (out["ltr"] <= DETRACTOR_MAX), 0.75, 0.55
    )
    mixed, traditional = text_flags(rng, zh)
    said = [
        _comment(rng, zh[i], out["ltr"][i], canon[i], mixed[i]) if says[i] else ("", ())
        for i in range(len(row))
    ]
    df = pd.concat([meta, pd.DataFrame(items)[list(ITEM_IDS)]], axis=1)
    df["comment"] = [in_script(text, t) for (text, _), t in zip(said, traditional, strict=True)]
    df["_themes"] = ["|".join(themes) for _, themes in said]
    df["_script"] = np.where(says, script_names(zh, traditional), "")
    df["_mixed"] = says & mixed
    df["_archetype"] = np.asarray(ARCHETYPES)[arch]
    df = df.sort_values(["_seconds", "customer_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"R{i:07d}" for i in range(1, len(df) + 1)])
    return df
