"""Customers, their transactions and their unsolicited feedback.

Purchases follow a buy-till-you-die process in the style of the BG/NBD model of Fader, Hardie &
Lee (2005): each customer has a purchase rate ``lambda_ ~ Gamma`` and a dropout probability
``dropout_p ~ logit-normal``; after the first purchase on ``first_seen``, purchases arrive as a
Poisson process and the customer becomes inactive after each purchase with probability
``dropout_p``. Spend per purchase is lognormal, the margin rate differs by archetype and is lower
on promotions. Feedback (complaints, compliments, suggestions, reviews, call notes, social posts)
comes from customers or anonymous people, with a planted reason (kept only in the truth), a
touchpoint and a text drawn from the reason's phrase bank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from cemlib.data.schema import ARCHETYPES, FEEDBACK_KINDS
from cemlib.data.synth.draws import (
    beta_mean,
    choice_rows,
    iso_datetimes,
    observation_window,
    pick_str,
)
from cemlib.data.synth.phrases import KIND_FRAME
from cemlib.data.synth.planted import (
    ACQ_CHANNELS,
    ACQ_LATE_DECAY,
    ACQ_P,
    ARCHETYPE_SHARES,
    CHINESE_SHARE,
    COMPLAINT_P,
    COMPLAINT_REASONS,
    COST_MEDIAN,
    DROPOUT_MEDIAN,
    DROPOUT_SD_LOGIT,
    KIND_CHANNELS,
    KIND_P,
    LAMBDA_MEAN,
    LAMBDA_SHAPE,
    LOYALTY_MEAN,
    MARGIN_RATE,
    MARGIN_SD,
    PRAISE_P,
    PRAISE_REASONS,
    PRE_WINDOW,
    PRICE_BOOST,
    PROMO_CONC,
    PROMO_DISCOUNT,
    PROMO_MARGIN_CUT,
    PROMO_MEAN,
    REASON_TP,
    REGION_P,
    REGIONS,
    RETURN_P,
    REVIEW_P,
    REVIEW_PRAISE_P,
    SPEND_MEDIAN,
    SPEND_SD_CUSTOMER,
    SPEND_SD_TX,
    TX_CHANNEL_P,
    TX_CHANNELS,
)
from cemlib.data.synth.verbatims import in_script, script_names, sentence, text_flags

__all__ = ["simulate_customers", "simulate_feedback", "simulate_transactions"]

# ----------------------------------------------------------------------------------------------
# Customers and transactions
# ----------------------------------------------------------------------------------------------


def simulate_customers(rng: np.random.Generator, n: int, start: str, end: str) -> pd.DataFrame:
    """Customers with their archetype and latent buying parameters, sorted by acquisition.

    A share by archetype (``PRE_WINDOW``) were acquired in the three years before ``start``;
    the rest over the window, uniformly or (``ACQ_LATE_DECAY`` > 1) more often early. Canonical
    ids ``C000001``... follow acquisition order.
    """
    first, span = observation_window(start, end)
    arch = rng.choice(len(ARCHETYPES), n, p=ARCHETYPE_SHARES)
    pre = rng.random(n) < PRE_WINDOW[arch]
    in_window = np.floor(span * rng.beta(1.0, ACQ_LATE_DECAY[arch])).astype(np.int64)
    offset = np.where(pre, -rng.integers(1, 3 * 365 + 1, n), np.minimum(in_window, span - 1))
    lam = rng.gamma(LAMBDA_SHAPE[arch], LAMBDA_MEAN[arch] / LAMBDA_SHAPE[arch])
    spend_mu = np.log(SPEND_MEDIAN[arch]) + SPEND_SD_CUSTOMER * rng.standard_normal(n)
    margin_rate = np.clip(MARGIN_RATE[arch] + MARGIN_SD * rng.standard_normal(n), 0.05, 0.6)
    promo_p = beta_mean(rng, PROMO_MEAN[arch], PROMO_CONC)
    value = np.log(
        lam
        * np.exp(spend_mu + SPEND_SD_TX**2 / 2)
        * (margin_rate - PROMO_MARGIN_CUT * promo_p).clip(0.01)
    )
    cust = pd.DataFrame(
        {
            "archetype_code": arch,
            "offset": offset,
            "lambda_": lam,
            "dropout_p": special.expit(
                special.logit(DROPOUT_MEDIAN[arch])
                + DROPOUT_SD_LOGIT[arch] * rng.standard_normal(n)
            ),
            "spend_mu": spend_mu,
            "margin_rate": margin_rate,
            "promo_p": promo_p,
            "value_latent": value,
            "loyalty_latent": LOYALTY_MEAN[arch] + 0.8 * rng.standard_normal(n),
            "region": np.asarray(REGIONS)[rng.choice(len(REGIONS), n, p=REGION_P)],
            "acq": choice_rows(rng, ACQ_P[arch]),
            "cost_to_serve": np.round(COST_MEDIAN[arch] * np.exp(0.5 * rng.standard_normal(n)), 2),
            "tie": rng.random(n),
        }
    )
    score = (value - value.mean()) / value.std() + 0.9 * rng.standard_normal(n)
    q = np.argsort(np.argsort(score)) / n
    cust["tier"] = np.where(q >= 0.8, "gold", np.where(q >= 0.45, "silver", "bronze"))
    cust = cust.sort_values(["offset", "tie"], kind="stable").reset_index(drop=True)
    cust["customer_id"] = [f"C{i:06d}" for i in range(1, n + 1)]
    cust["first_seen"] = (first + cust["offset"].to_numpy()).astype(str)
    cust["archetype"] = np.asarray(ARCHETYPES)[cust["archetype_code"].to_numpy()]
    cust["acquisition_channel"] = np.asarray(ACQ_CHANNELS)[cust["acq"].to_numpy()]
    return cust.drop(columns=["tie"])


def _purchase_times(rng: np.random.Generator, cust: pd.DataFrame, span: int) -> tuple:
    """BG/NBD-style purchase times in days since ``start`` (all purchases, also before start).

    Returns (owner row per purchase, purchase index within customer, time in days, and per
    customer the time of the last purchase and whether the customer dropped out in the window).
    """
    t0 = cust["offset"].to_numpy().astype(float)
    rate = cust["lambda_"].to_numpy() / 365.25
    expected = rate * (span - t0)
    cap = np.ceil(expected + 6 * np.sqrt(expected) + 10).astype(np.int64)
    k = np.minimum(rng.geometric(cust["dropout_p"].to_numpy()), cap)
    owner = np.repeat(np.arange(len(cust)), k)
    starts = np.cumsum(k) - k
    gaps = rng.exponential(1.0, k.sum()) / rate[owner]
    gaps[starts] = 0.0
    cum = np.cumsum(gaps)
    t = t0[owner] + cum - np.repeat(cum[starts], k)
    index = np.arange(k.sum()) - np.repeat(starts, k)
    t_last = t[starts + k - 1]
    dropped = (k < cap) & (t_last < span)
    return owner, index, t, t_last, dropped


def simulate_transactions(
    rng: np.random.Generator, cust: pd.DataFrame, start: str, end: str
) -> pd.DataFrame:
    """Purchases and returns inside the window, sorted by time; adds truth columns to ``cust``."""
    first, span = observation_window(start, end)
    owner, index, t, t_last, dropped = _purchase_times(rng, cust, span)
    cust["alive_at_end"] = ~dropped
    cust["dropout_at"] = np.where(
        dropped, (first + np.floor(t_last).astype(np.int64)).astype(str), ""
    )
    seen = (t >= 0) & (t < span)
    owner, index, day = owner[seen], index[seen], np.floor(t[seen]).astype(np.int64)
    m = len(owner)
    arch = cust["archetype_code"].to_numpy()[owner]
    promo = rng.random(m) < cust["promo_p"].to_numpy()[owner]
    amount = np.exp(cust["spend_mu"].to_numpy()[owner] + SPEND_SD_TX * rng.standard_normal(m))
    amount *= np.where(promo, PROMO_DISCOUNT, 1.0)
    rate = (
        cust["margin_rate"].to_numpy()[owner]
        - PROMO_MARGIN_CUT * promo
        + 0.03 * rng.standard_normal(m)
    )
    sign = np.where((index > 0) & (rng.random(m) < RETURN_P[arch]), -1.0, 1.0)
    amount = np.round(sign * amount, 2)
    seconds = day * 86400 + rng.integers(8 * 3600, 22 * 3600, m)
    tx = pd.DataFrame(
        {
            "customer_id": cust["customer_id"].to_numpy()[owner],
            "ts": (np.datetime64(first, "s") + seconds).astype("datetime64[us]"),
            "amount": amount,
            "margin": np.round(amount * rate, 2),
            "promo": promo,
            "channel": np.asarray(TX_CHANNELS)[
                choice_rows(rng, TX_CHANNEL_P[cust["acq"].to_numpy()[owner]])
            ],
        }
    )
    tx = tx.sort_values(["ts", "customer_id"], kind="stable").reset_index(drop=True)
    tx.insert(0, "transaction_id", [f"T{i:08d}" for i in range(1, m + 1)])
    cust["n_transactions"] = np.bincount(owner, minlength=len(cust))
    return tx


# ----------------------------------------------------------------------------------------------
# Unsolicited feedback
# ----------------------------------------------------------------------------------------------


def _complaint_reasons(rng: np.random.Generator, arch: np.ndarray) -> np.ndarray:
    """A complaint reason per row; butterflies and strangers complain more about price."""
    probs = np.tile(COMPLAINT_P, (len(arch), 1))
    probs[:, COMPLAINT_REASONS.index("price_too_high")] *= PRICE_BOOST[arch]
    return np.asarray(COMPLAINT_REASONS)[choice_rows(rng, probs)]


def _praise_reasons(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """A praise reason (staff, product, delivery, digital) per row with probabilities ``p``."""
    return np.asarray(PRAISE_REASONS)[choice_rows(rng, np.tile(p, (n, 1)))]


def _feedback_reasons(rng: np.random.Generator, kind: np.ndarray, arch: np.ndarray) -> tuple:
    """Reason code and (for reviews) 1-5 rating of each feedback item."""
    n = len(kind)
    complaint = _complaint_reasons(rng, arch)
    praise = _praise_reasons(rng, PRAISE_P, n)
    rating = choice_rows(rng, REVIEW_P[arch]) + 1
    by_rating = np.where(
        rating >= 4,
        _praise_reasons(rng, REVIEW_PRAISE_P, n),
        np.where(rating == 3, "suggestion_feature", complaint),
    )
    reason = np.select(
        [
            np.isin(kind, ["complaint", "call_note"]),
            kind == "compliment",
            kind == "suggestion",
            kind == "review",
        ],
        [complaint, praise, "suggestion_feature", by_rating],
        np.where(rng.random(n) < 0.6, complaint, praise),
    )
    return reason, np.where(kind == "review", rating, 0)


def _feedback_text(
    rng: np.random.Generator, kind: str, reason: str, zh: bool, mixed: bool, traditional: bool
) -> str:
    """Feedback text in Chinese or English for a kind and reason (Simplified or Traditional)."""
    lang = 1 if zh else 0
    text = pick_str(rng, KIND_FRAME[kind][lang]) + sentence(rng, reason, zh, mixed)
    return in_script(text + ("。" if zh else "."), traditional)


def simulate_feedback(
    rng: np.random.Generator, cust: pd.DataFrame, start: str, end: str, n: int
) -> pd.DataFrame:
    """Complaints, compliments, suggestions, reviews, call notes and social posts, by time.

    The planted reason is not a column of the written table: hidden columns keep it
    (``_themes``) with the text's language, script and code-mixing, for the truth.
    """
    first, span = observation_window(start, end)
    seconds = (rng.random(n) * span * 86400).astype(np.int64)
    eligible = np.searchsorted(cust["offset"].to_numpy(), seconds // 86400, side="right")
    linked = (rng.random(n) < 0.7) & (eligible > 0)
    row = np.where(linked, (rng.random(n) * eligible).astype(np.int64), 0)
    arch = np.where(
        linked,
        cust["archetype_code"].to_numpy()[row],
        rng.choice(len(ARCHETYPES), n, p=ARCHETYPE_SHARES),
    )
    kind = np.asarray(FEEDBACK_KINDS)[rng.choice(len(FEEDBACK_KINDS), n, p=KIND_P)]
    reason, rating = _feedback_reasons(rng, kind, arch)
    touchpoint = np.array([REASON_TP[r] for r in reason])
    web = rng.random(n)
    touchpoint[(reason == "suggestion_feature") & (web < 0.4)] = "website"
    touchpoint[(reason == "praise_digital") & (web < 0.5)] = "website"
    channel = np.array(
        [
            KIND_CHANNELS[k][0][
                int(
                    np.searchsorted(
                        np.cumsum(KIND_CHANNELS[k][1]), u * sum(KIND_CHANNELS[k][1]), side="right"
                    )
                )
            ]
            for k, u in zip(kind, rng.random(n), strict=True)
        ]
    )
    zh = rng.random(n) < CHINESE_SHARE
    mixed, traditional = text_flags(rng, zh)
    text = [
        _feedback_text(rng, *args)
        for args in zip(kind, reason, zh, mixed, traditional, strict=True)
    ]
    p_resolved = np.select([kind == "complaint", kind == "call_note"], [0.85, 0.5], 0.0)
    resolve_s = seconds + np.round(np.exp(np.log(36 * 3600) + rng.standard_normal(n)))
    resolved = (rng.random(n) < p_resolved) & (resolve_s < span * 86400)
    df = pd.DataFrame(
        {
            "customer_id": np.where(linked, cust["customer_id"].to_numpy()[row], ""),
            "channel": channel,
            "touchpoint": touchpoint,
            "created_at": iso_datetimes(seconds, first),
            "kind": kind,
            "text": text,
            "rating": np.where(rating > 0, rating.astype(str), ""),
            "rating_scale": np.where(rating > 0, "1-5", ""),
            "resolved_at": np.where(resolved, iso_datetimes(resolve_s.astype(np.int64), first), ""),
            "_language": np.where(zh, "zh", "en"),
            "_themes": reason,
            "_script": script_names(zh, traditional),
            "_mixed": mixed,
            "_seconds": seconds,
            "_archetype": np.asarray(ARCHETYPES)[arch],
        }
    )
    df = df.sort_values(["_seconds", "customer_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "feedback_id", [f"F{i:06d}" for i in range(1, n + 1)])
    return df
