"""Benchmark: train the sentiment model; held-out figures beside the baselines; time; file size.

``python bench/sentiment.py`` trains :func:`cemlib.text.sentiment.train_sentiment_model` once,
saves it, and prints the held-out accuracy and ROC AUC of the model and of each baseline it
reports (VADER, snownlp's shipped model, TF-IDF + logistic, embedding + logistic), the training
time and the size of the file, and checks the targets (exit status 1 when one fails).

``--tune en`` / ``--tune zh`` re-runs the hyper-parameter search behind
:data:`~cemlib.text.sentiment.NGRAM_SPECS` and :data:`~cemlib.text.sentiment.EMBED_C`: 5-fold
cross-validation of the whole stack on the *training* part only (the test part is never read),
over a small grid of penalties. For Chinese the folds run over the embedded training subsample.
A few minutes per language.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, too

from cemlib.text import sentiment as S  # noqa: E402
from cemlib.text import sentiment_corpora as corpora  # noqa: E402
from cemlib.text.embed import embed  # noqa: E402

#: Penalties searched by --tune: per n-gram model of NGRAM_SPECS (in order), then the embedding.
GRIDS = {
    "en": [(1.0, 3.0, 10.0), (0.1, 0.3, 1.0), (0.3, 1.0, 3.0)],
    "zh": [(3.0, 10.0), (3.0, 10.0), (0.3, 1.0), (1.0, 3.0)],
}
TARGETS = {"en": {"accuracy": 0.82, "roc_auc": 0.89}, "zh": {"accuracy": 0.88}}


def machine() -> str:
    """Cores, Python and load: timings depend on anything else running."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, load {load:.2f}"


def report(seed: int, json_path: str | None) -> int:
    """Train, save, print the figures; 1 when a target is missed."""
    start = time.perf_counter()
    model = S.train_sentiment_model(seed=seed, progress=True)
    wall = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        size = path.stat().st_size
    metrics = model.metrics
    print(f"\nmachine: {machine()}")
    print(
        f"training: {metrics['train_seconds']:.1f} s (wall {wall:.1f} s), file {size / 1e6:.1f} MB"
    )
    print(f"{'set':4} {'model':28} {'accuracy':>9} {'ROC AUC':>8}")
    failed = 0
    for lang in ("en", "zh"):
        m = metrics[lang]
        print(f"{lang:4} {'stacked model':28} {m['accuracy']:9.4f} {m['roc_auc']:8.4f}")
        for name, b in m["baselines"].items():
            print(f"{lang:4} {name:28} {b['accuracy']:9.4f} {b['roc_auc']:8.4f}")
            if "model_on_same_texts" in b:
                o = b["model_on_same_texts"]
                label = f"  model, same {b['n_test']} texts"
                print(f"{lang:4} {label:28} {o['accuracy']:9.4f} {o['roc_auc']:8.4f}")
        und = metrics["und"][lang]
        print(
            f"{lang:4} {'multilingual (und route)':28} {und['accuracy']:9.4f} {und['roc_auc']:8.4f}"
        )
        for key, target in TARGETS[lang].items():
            ok = m[key] >= target
            failed += not ok
            print(f"     target {key} >= {target}: {'ok' if ok else 'MISSED'} ({m[key]:.4f})")
    if json_path:
        Path(json_path).write_text(json.dumps(metrics | {"file_bytes": size}, indent=1))
    return 1 if failed else 0


def tune(lang: str, seed: int) -> None:
    """Cross-validated accuracy/AUC of the stack on training data for a grid of penalties."""
    from sklearn.metrics import roc_auc_score

    train = corpora.english_corpus()[0] if lang == "en" else corpora.chinese_corpus(seed)[0]
    if lang == "zh":
        rows = corpora.stratified_subsample(train["label"], S.ZH_EMBED_TRAIN, seed)
        train = train.iloc[rows].reset_index(drop=True)
    texts, y = list(train["text"]), train["label"].to_numpy()
    vectors = embed([t[: S.MAX_SCORE_CHARS] for t in texts], progress=True)
    units = {u: [S.text_units(t, u) for t in texts] for u in ("word", "char")}
    vader = corpora.vader_compound(texts) if lang == "en" else None
    base_specs, base_c = S.NGRAM_SPECS[lang], S.EMBED_C[lang]
    grids = GRIDS[lang]  # one tuple of C per n-gram model, then the embedding model's
    results = []
    for combo in itertools.product(*grids):
        specs = tuple(s[:5] + (c,) for s, c in zip(base_specs, combo, strict=False))
        S.NGRAM_SPECS[lang], S.EMBED_C[lang] = specs, combo[-1]
        p = np.zeros(len(y))
        for fit_rows, held in S._folds(y, seed + 1):
            lm = S.fit_language(
                lang,
                {u: [units[u][i] for i in fit_rows] for u in units},
                y[fit_rows],
                np.arange(len(fit_rows)),
                vectors[fit_rows],
                None if vader is None else vader[fit_rows],
                seed,
            )
            p[held] = lm.probability([texts[i] for i in held], vectors[held])
        acc, auc = float(np.mean((p >= 0.5) == (y == 1))), float(roc_auc_score(y, p))
        results.append((auc, acc, combo))
        print(f"C {combo}: CV accuracy {acc:.4f}, ROC AUC {auc:.4f}", flush=True)
    S.NGRAM_SPECS[lang], S.EMBED_C[lang] = base_specs, base_c
    best = max(results)
    print(f"best by CV AUC: C {best[2]} (accuracy {best[1]:.4f}, AUC {best[0]:.4f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the metrics here")
    parser.add_argument("--tune", choices=("en", "zh"), help="CV grid on training data only")
    args = parser.parse_args()
    if args.tune:
        tune(args.tune, args.seed)
        return 0
    return report(args.seed, args.json)


if __name__ == "__main__":
    sys.exit(main())
