"""Time the segments stage at scale: 1,000,000 customers and ~10,000,000 transactions.

    .venv/bin/python bench/segments.py                  # 1M customers (generation is cached)
    .venv/bin/python bench/segments.py --customers 100000

The world comes from the synthetic generator (``cemlib.data.synth``) and is cleaned by the clean
stage once; both are cached under ``build/bench_segments/`` and not timed. Timed: what the
``segments`` stage computes — features, lifetime models, archetypes, clusters, profiles
(``segment_customers``) and the BG/NBD holdout check. Prints wall time per step and the
process's peak resident memory. Target (issue 4): under 3 minutes and under 8 GiB on 2 cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
import warnings
from pathlib import Path

from cemlib.cleaning import clean_folder, write_outputs
from cemlib.config import PROJ_ROOT
from cemlib.cx.segments import segment_customers
from cemlib.data.io import read_clean, read_folder
from cemlib.data.synth import generate
from cemlib.stats.lifetime import holdout_validation


def peak_gib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def build_world(n_customers: int, seed: int, base: Path) -> None:
    """Generate the world and clean it (run in a child process: see :func:`prepare`)."""
    generate(base / "raw", n_customers=n_customers, seed=seed)
    result = clean_folder(read_folder(base / "raw"))
    write_outputs(result, base / "clean", base / "quality.json")


def prepare(n_customers: int, seed: int) -> Path:
    """Generate and clean the world once (cached); later runs reuse it.

    The preparation runs in a child process so that its memory (generating a million customers
    needs more than the stage itself) does not count in the peak reported for the stage.
    """
    base = PROJ_ROOT / "build" / "bench_segments" / f"n{n_customers}_s{seed}"
    clean_dir = base / "clean"
    if not (clean_dir / "transactions.parquet").exists():
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=build_world, args=(n_customers, seed, base)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"preparing the world failed (exit code {child.exitcode})")
        print(f"prepared world in {time.perf_counter() - started:.0f} s (not timed)")
    return clean_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    clean_dir = prepare(args.customers, args.seed)
    tables, codebook = read_clean(clean_dir)
    print(
        f"customers {len(tables.get('customers', [])):,}, transactions "
        f"{len(tables['transactions']):,}, responses {len(tables.get('responses', [])):,}"
    )
    warnings.simplefilter("ignore")
    steps = {}
    started = time.perf_counter()
    segments, _profiles, info = segment_customers(tables, codebook, {"random_state": args.seed})
    steps["segment_customers"] = time.perf_counter() - started
    started = time.perf_counter()
    holdout_validation(tables["transactions"])
    steps["holdout_validation"] = time.perf_counter() - started
    total = sum(steps.values())
    for name, seconds in steps.items():
        print(f"{name:<22} {seconds:8.1f} s")
    print(f"{'whole stage':<22} {total:8.1f} s   peak memory {peak_gib():.2f} GiB")
    print(
        f"archetypes: {segments['archetype'].value_counts().to_dict()}; clusters {info['clusters']['k']}"
    )
    ok = total < 180 and peak_gib() < 8
    print(f"target (< 180 s, < 8 GiB): {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
