"""The n-gram features of the sentiment model: units of a text (words or characters), their
n-grams, sparse count matrices over a fixed vocabulary, and TF-IDF or binary weighting.

Written out rather than taken from scikit-learn's vectorisers so that a saved model is plain
vocabulary and coefficient arrays (no pickle) and scoring gives the same floats as training:
sublinear TF (1 + log tf) × idf with rows of unit length, or binary presence for the NB-SVM
features (Wang & Manning 2012).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from cemlib.text.tokens import analysis_text, tokenize

__all__ = ["MAX_SCORE_CHARS", "count_matrix", "ngrams", "text_units", "weigh"]

#: Characters of a text that are scored (a 1 MB paste is judged by its beginning).
MAX_SCORE_CHARS = 5000
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")


def text_units(text: str, unit: str) -> list[str]:
    """The units n-grams are made of, after NFKC: the words of
    :func:`~cemlib.text.tokens.tokenize` (``'word'``) or the characters of the analysed text,
    runs of space as one (``'char'``)."""
    text = unicodedata.normalize("NFKC", text[:MAX_SCORE_CHARS])  # full-width to ASCII
    if unit == "word":
        return tokenize(text)
    return list(_SPACE.sub(" ", analysis_text(text)).strip())


def ngrams(units: Sequence[str], unit: str, n_min: int, n_max: int) -> list[str]:
    """The n-grams of a unit sequence for n_min <= n <= n_max (words joined by a space)."""
    glue = " " if unit == "word" else ""
    return [
        glue.join(units[i : i + n])
        for n in range(n_min, n_max + 1)
        for i in range(len(units) - n + 1)
    ]


def count_matrix(term_lists: Iterable[list[str]], index: dict[str, int], n: int) -> sp.csr_matrix:
    """Term counts, one row per text, columns of ``index`` (sorted within each row)."""
    indptr, indices, data = [0], [], []  # type: list[int], list[int], list[int]
    for terms in term_lists:
        counts = Counter(col for col in map(index.get, terms) if col is not None)
        columns = sorted(counts)
        indices.extend(columns)
        data.extend(counts[c] for c in columns)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.asarray(data, np.float64), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
        shape=(n, len(index)),
    )


def weigh(counts: sp.csr_matrix, idf: np.ndarray, binary: bool) -> sp.csr_matrix:
    """Binary presence, or sublinear TF (1 + log tf) x idf with rows of unit length."""
    x = counts.astype(np.float64, copy=True)
    if binary:
        x.data[:] = 1.0
        return x
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))  # each row summed in its order
    norms = np.sqrt(np.bincount(rows, weights=x.data**2, minlength=x.shape[0]))
    x.data /= np.where(norms > 0, norms, 1.0)[rows]
    return x
