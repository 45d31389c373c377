"""Themes nobody coded for: clusters of verbatims that say the same thing, in either language.

Each distinct text, its frame ("Customer called:") set aside, is placed in the multilingual
sentence space (:mod:`cemlib.text.embed`), each language's mean removed and the leading principal
components kept, with its sentiment score as one more coordinate when given. Texts are grouped by
**consensus clustering** (Monti, Tamayo, Mesirov & Golub 2003): for each candidate k, k-means
(weighted by how often a text occurs) on random 80% resamples gives each pair of texts the share
of resamples in which they fell together; the partition of k is the average-linkage tree of
1 − consensus, and k is the number whose partition is best separated on that distance (mean
silhouette, Rousseeuw 1987) — themes that reproduce under resampling (:func:`choose_k`).

Each theme is labelled by its top terms in each language, ranked by class-based TF-IDF
(Grootendorst 2022, BERTopic: a term's frequency in the theme times the log of how rare it is
across themes), so an English and a Chinese reader both see what it is about.

Without the sentence encoder (``method="nmf"``) the same selection runs on non-negative matrix
factorisation of the TF-IDF matrix of content words (Lee & Seung 1999), each text taking its
heaviest component — a fallback that needs no model but cannot match across languages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from cemlib.text.embed import embed
from cemlib.text.language import detect_language
from cemlib.text.tokens import analysis_text, content_words, is_han

__all__ = [
    "K_RANGE",
    "choose_k",
    "discover_themes",
    "theme_terms",
]

#: Candidate numbers of themes.
K_RANGE = (4, 16)
_RESAMPLES = 6
_SELECTION_TEXTS = 1500  # distinct texts on which k is chosen (the final fit uses all)
_DIMENSIONS = 64  # principal components clustered (k-means cost grows with dimensions)


_CLAUSE = re.compile(r"[^.!?;:。！？；：\n]+[.!?;:。！？；：\n]*")
#: A clause written word for word by at least this share of the texts may be a frame.
BOILERPLATE_SHARE = 0.01
#: ... if it wraps at least this many different clauses.
MIN_FRAME_PARTNERS = 5


def boilerplate_clauses(texts: Sequence[str], min_count: int = 5) -> set[str]:
    """Frames that many texts wrap around what they say — "Customer called:", "我要投诉",
    "Overall very happy." — which say how a text was framed, not what it is about, and would
    pull texts together by their frame (all call notes in one theme). A frame is a clause
    written word for word by at least :data:`BOILERPLATE_SHARE` of the texts, nearly always
    (90%) beside other clauses, and beside at least :data:`MIN_FRAME_PARTNERS` different ones.
    A sentence that often stands alone ("Too expensive."), or always comes with the same
    companion, is content."""
    seen: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    partners: dict[str, set[str]] = {}
    for text in texts:
        clauses = {k for k in (_clause_key(c) for c in _CLAUSE.findall(text)) if k}
        seen.update(clauses)
        if len(clauses) == 1:
            alone.update(clauses)
        for clause in clauses:
            partners.setdefault(clause, set()).update(clauses - {clause})
    floor = max(min_count, BOILERPLATE_SHARE * len(texts))
    return {
        c
        for c, n in seen.items()
        if n >= floor and alone[c] <= 0.1 * n and len(partners[c]) >= MIN_FRAME_PARTNERS
    }


def _clause_key(clause: str) -> str:
    return analysis_text(clause).strip(" .!?;:,，。！？；：、")


def without_boilerplate(text: str, boilerplate: set[str]) -> str:
    """``text`` without its boilerplate clauses; the whole text if nothing else is left."""
    kept = [c for c in _CLAUSE.findall(text) if _clause_key(c) not in boilerplate]
    rest = "".join(kept).strip()
    return rest if content_words(rest) else text


def centre_by_language(
    vectors: np.ndarray, languages: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Embeddings with each language's mean removed, back on the unit sphere.

    Multilingual encoders keep a language-specific offset; removing the per-language mean makes
    the space more language-neutral (Libovický, Rosa & Fraser 2020), so texts group by what
    they say rather than by the language they say it in.
    """
    out = vectors.astype(np.float64, copy=True)
    for language in np.unique(languages):
        rows = languages == language
        out[rows] -= np.average(out[rows], axis=0, weights=weights[rows])
    return np.asarray(out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12))


def reduce_dimensions(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """The leading principal components of unit vectors, back on the unit sphere (float64).

    Sentence embeddings concentrate their variance in few directions; clustering on 64
    components keeps the themes apart and makes k-means many times cheaper."""
    from sklearn.decomposition import PCA

    dims = min(_DIMENSIONS, vectors.shape[0] - 1, vectors.shape[1])
    if dims < 2:
        return vectors.astype(np.float64)
    reduced = PCA(n_components=dims, random_state=seed).fit_transform(vectors.astype(np.float64))
    return np.asarray(reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12))


def _kmeans(x: np.ndarray, w: np.ndarray, k: int, seed: int) -> np.ndarray:
    model = KMeans(n_clusters=k, n_init=1, random_state=seed, max_iter=300)
    return np.asarray(model.fit_predict(x, sample_weight=w))


def _nmf(x: np.ndarray, w: np.ndarray, k: int, seed: int) -> np.ndarray:
    model = NMF(n_components=k, init="random", random_state=seed, max_iter=300)
    return np.asarray(model.fit_transform(x * np.sqrt(w)[:, None]).argmax(axis=1))


def consensus_matrix(
    x: np.ndarray,
    weights: np.ndarray,
    k: int,
    cluster: Callable[[np.ndarray, np.ndarray, int, int], np.ndarray] = _kmeans,
    resamples: int = _RESAMPLES,
    seed: int = 0,
) -> np.ndarray:
    """Share of the resamples (80% of the rows, each clustered from a new start) in which two rows
    fall in the same cluster, among those that drew both (Monti et al. 2003)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    drawn = np.zeros((n, n))
    together = np.zeros((n, n))
    for b in range(resamples):
        sub = np.sort(rng.choice(n, max(k + 1, int(0.8 * n)), replace=False))
        labels = cluster(x[sub], weights[sub], k, seed + b)
        member = np.zeros((len(sub), k))
        member[np.arange(len(sub)), labels] = 1.0
        drawn[np.ix_(sub, sub)] += 1.0
        together[np.ix_(sub, sub)] += member @ member.T
    return np.divide(together, drawn, out=np.zeros_like(together), where=drawn > 0)


def choose_k(
    x: np.ndarray,
    weights: np.ndarray,
    cluster: Callable[[np.ndarray, np.ndarray, int, int], np.ndarray] = _kmeans,
    k_range: tuple[int, int] = K_RANGE,
    seed: int = 0,
) -> tuple[int, np.ndarray, pd.DataFrame]:
    """Consensus clustering (Monti et al. 2003) for each k of ``k_range``, and the k whose
    consensus partition is best separated.

    For each k, rows are clustered on many 80% resamples; the consensus of two rows is how often
    they fell together. The partition of k is the average-linkage tree of 1 − consensus cut at
    k groups, and its quality the mean silhouette (Rousseeuw 1987) on that same distance: high
    when rows that always go together are apart from rows they never join — a partition that
    reproduces under resampling. Returns k, the partition of ``x`` at k, and the table (``k``,
    ``stability`` = mean silhouette of the consensus partition, ``ambiguous`` = share of row
    pairs whose consensus lies strictly between 0.1 and 0.9, the PAC of Șenbabaoğlu et al.
    2014).
    """
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    n = len(x)
    low, high = max(2, k_range[0]), min(k_range[1], n - 1)
    rows, partitions = [], {}
    pairs = np.triu_indices(n, 1)
    for k in range(low, high + 1):
        consensus = consensus_matrix(x, weights, k, cluster, seed=seed)
        distance = 1.0 - consensus
        labels = AgglomerativeClustering(
            n_clusters=k, metric="precomputed", linkage="average"
        ).fit_predict(distance)
        quality = (
            silhouette_score(distance, labels, metric="precomputed")
            if len(set(labels)) > 1
            else -1.0
        )
        ambiguous = float(np.mean((consensus[pairs] > 0.1) & (consensus[pairs] < 0.9)))
        rows.append((k, round(float(quality), 4), round(ambiguous, 4)))
        partitions[k] = labels
    table = pd.DataFrame(rows, columns=["k", "stability", "ambiguous"])
    if table.empty:
        return 1, np.zeros(n, dtype=int), table
    chosen = int(table["k"].to_numpy()[int(np.argmax(table["stability"].to_numpy()))])
    return chosen, partitions[chosen], table


def _nearest(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (cosine) of each row."""
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return np.asarray((unit @ centres.T).argmax(axis=1))


def _centres(x: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    centres = np.vstack(
        [
            np.average(x[labels == c], axis=0, weights=weights[labels == c])
            if np.any(labels == c)
            else np.zeros(x.shape[1])
            for c in range(k)
        ]
    )
    return np.asarray(centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12))


def theme_terms(words: Sequence[list[str]], labels: np.ndarray, top: int = 5) -> pd.DataFrame:
    """Top terms per theme in English and in Chinese by class-based TF-IDF (Grootendorst 2022).

    Returns one row per label: ``label``, ``top_terms_en``, ``top_terms_zh`` (lists).
    """
    per_class: dict[int, Counter[str]] = {}
    for tokens, label in zip(words, labels, strict=True):
        per_class.setdefault(int(label), Counter()).update(tokens)
    total: Counter[str] = Counter()
    for counts in per_class.values():
        total.update(counts)
    mean_words = np.mean([sum(c.values()) for c in per_class.values()]) if per_class else 0.0
    rows = []
    for label in sorted(per_class):
        counts = per_class[label]
        size = max(sum(counts.values()), 1)
        score = {w: (c / size) * np.log1p(mean_words / total[w]) for w, c in counts.items()}
        ranked = sorted(score, key=lambda w: (-score[w], w))
        en = [w for w in ranked if not is_han(w)][:top]
        zh = [w for w in ranked if is_han(w)][:top]
        rows.append((label, en, zh))
    return pd.DataFrame(rows, columns=["label", "top_terms_en", "top_terms_zh"])


def _label(terms: list[str], fallback: str) -> str:
    return " · ".join(terms[:3]) if terms else fallback


def discover_themes(
    texts: Sequence[str],
    k: int | None = None,
    method: str = "embedding",
    sentiment: Sequence[float] | None = None,
    seed: int = 0,
    prefix: str = "d",
    domain_words: Sequence[str] = (),
    k_range: tuple[int, int] = K_RANGE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster texts into themes.

    Parameters
    ----------
    texts : sequence of str
        Verbatims (any mix of Chinese and English); empty ones get no theme.
    k : int, optional
        Number of themes; chosen by consensus stability (:func:`choose_k`) when omitted.
    method : ``"embedding"`` or ``"nmf"``
        Sentence-embedding clustering (default) or the TF-IDF + NMF fallback.
    sentiment : sequence of float, optional
        A sentiment score in [−1, 1] per text (:func:`cemlib.text.sentiment.score_sentiment`).
        Given, it joins the coordinates of each text with the weight of one embedding unit, so
        praise and complaint about the same thing form separate themes — the way CX codeframes
        keep "friendly staff" apart from "rude staff". Without it themes are topics only.
    domain_words : sequence of str
        Words the Chinese segmenter keeps whole (labels and the NMF fallback use words).
    k_range : (int, int)
        Smallest and largest number of themes tried.

    Returns
    -------
    (per_text, themes)
        ``per_text``: one row per text with ``theme`` (``d01``… by size, ``None`` for empty text)
        and ``similarity`` (cosine to the theme's centre; the most central texts are its
        representative verbatims). ``themes``: ``theme``, ``label_en``, ``label_zh``,
        ``top_terms_en``, ``top_terms_zh``, ``n``; ``themes.attrs["k_stability"]`` holds the
        table behind k.

    Examples
    --------
    >>> per_text, themes = discover_themes(
    ...     ["The app keeps crashing", "The app crashed again", "App闪退了", "应用又闪退",
    ...      "My refund is slow", "Still no refund", "退款太慢了", "钱还没退"], k=2)
    >>> per_text["theme"].tolist()
    ['d01', 'd01', 'd01', 'd01', 'd02', 'd02', 'd02', 'd02']
    >>> themes.loc[1, "top_terms_en"], "退款" in themes.loc[1, "top_terms_zh"]
    (['refund', 'slow'], True)
    """
    if method not in ("embedding", "nmf"):
        raise ValueError(f"method must be 'embedding' or 'nmf', not {method!r}")
    texts = [str(t or "") for t in texts]
    boilerplate = boilerplate_clauses(texts)
    texts = [without_boilerplate(t, boilerplate) if t.strip() else t for t in texts]
    words = [content_words(t, domain_words) for t in texts]
    usable = np.array([bool(t.strip()) and bool(w) for t, w in zip(texts, words, strict=True)])
    per_text = pd.DataFrame({"theme": pd.Series([None] * len(texts), dtype="object")})
    per_text["similarity"] = np.nan
    columns = ["theme", "label_en", "label_zh", "top_terms_en", "top_terms_zh", "n"]
    if usable.sum() < 3:
        return per_text, pd.DataFrame(columns=columns)
    index = np.flatnonzero(usable)
    distinct, first, inverse, counts = np.unique(
        np.array([texts[i] for i in index], dtype=object),
        return_index=True, return_inverse=True, return_counts=True,
    )  # fmt: skip
    weights = counts.astype(float)
    if method == "embedding":
        vectors = embed(list(distinct))
        languages = np.array([detect_language(t) for t in distinct])
        vectors = reduce_dimensions(centre_by_language(vectors, languages, weights), seed)
        cluster = _kmeans
    else:
        tfidf = TfidfVectorizer(
            analyzer=lambda t: content_words(t, domain_words), min_df=1, sublinear_tf=True
        )
        vectors = tfidf.fit_transform(list(distinct)).toarray()
        cluster = _nmf
    if sentiment is not None and method == "embedding":
        scores = np.nan_to_num(np.asarray(sentiment, dtype=float)[index][first], nan=0.0)
        vectors = np.hstack([vectors, scores[:, None]])
    labels, table = _partition(vectors, weights, cluster, k, k_range, seed)
    k = int(labels.max()) + 1
    # theme ids by size (largest first), so d01 is the biggest theme whatever the order found
    sizes = np.bincount(labels, weights=weights, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], c))
    rename = np.empty(k, dtype=int)
    rename[order] = np.arange(k)
    labels = rename[labels]
    names = [f"{prefix}{i + 1:02d}" for i in range(k)]
    centres = _centres(vectors, weights, labels, k)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    similarity = np.einsum("ij,ij->i", unit, centres[labels])
    per_text.loc[index, "theme"] = [names[c] for c in labels[inverse]]
    per_text.loc[index, "similarity"] = np.round(similarity[inverse], 4)
    terms = theme_terms([words[i] for i in index], labels[inverse])
    themes = pd.DataFrame({"theme": names, "n": np.bincount(labels[inverse], minlength=k)})
    terms["theme"] = [names[c] for c in terms["label"]]
    themes = themes.merge(terms.drop(columns="label"), on="theme", how="left")
    for column in ("top_terms_en", "top_terms_zh"):
        themes[column] = [t if isinstance(t, list) else [] for t in themes[column]]
    themes["label_en"] = [_label(t, n) for t, n in zip(themes["top_terms_en"], names, strict=True)]
    themes["label_zh"] = [_label(t, n) for t, n in zip(themes["top_terms_zh"], names, strict=True)]
    themes.attrs["k_stability"] = table
    return per_text, themes[columns]


def _partition(
    vectors: np.ndarray,
    weights: np.ndarray,
    cluster: Callable[[np.ndarray, np.ndarray, int, int], np.ndarray],
    k: int | None,
    k_range: tuple[int, int],
    seed: int,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Theme of every distinct text: the consensus partition of a weighted sample of at most
    :data:`_SELECTION_TEXTS` texts, then every text to the nearest theme centre."""
    n = len(vectors)
    rng = np.random.default_rng(seed)
    sample = np.arange(n)
    if n > _SELECTION_TEXTS:  # frequent texts are likelier drawn: they are what customers say
        sample = np.sort(rng.choice(n, _SELECTION_TEXTS, replace=False, p=weights / weights.sum()))
    x, w = vectors[sample], weights[sample]
    if k is None:
        k, labels, table = choose_k(x, w, cluster, k_range, seed)
    else:
        k = max(1, min(int(k), len(x) - 1))
        table = pd.DataFrame(columns=["k", "stability", "ambiguous"])
        labels = cluster(x, w, k, seed) if k > 1 else np.zeros(len(x), dtype=int)
    if k <= 1:
        return np.zeros(n, dtype=int), table
    found = np.unique(labels)  # a resample-free fit can leave a cluster empty: renumber
    labels = np.searchsorted(found, labels)
    centres = _centres(x, w, labels, len(found))
    return _nearest(vectors, centres), table
