"""The verbatims stage recovers what the synthetic generator planted, on seeds never used for
tuning (the codeframe's keywords were tuned on seeds 1–3 only).

Per seed: the world is generated and cleaned as the pipeline does, then coded twice — with the
bundled codeframe, and by discovery alone (codeframe off) — and checked against the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cemlib.cleaning.folder import clean_folder
from cemlib.data.io import read_folder
from cemlib.data.synth import generate
from cemlib.stages import verbatims_plan
from cemlib.stages.recovery import verbatim_recovery
from cemlib.text.codeframe import load_codeframe

# the five worlds are built once, on one worker
pytestmark = pytest.mark.xdist_group("verbatims-recovery")

SEEDS = (100, 101, 102, 103, 104)
PARAMS = {
    "period": "quarter",
    "min_period_n": 30,
    "p_alive_below": 0.5,
    "discovery": {"method": "embedding", "k": None, "min_texts": 30, "seed": 0},
}


@pytest.fixture(scope="module")
def recovered(sentiment_model, tmp_path_factory):
    """Recovery figures per seed, with the codeframe and by discovery alone."""
    out = {}
    for seed in SEEDS:
        folder = tmp_path_factory.mktemp(f"world{seed}")
        generate(folder, n_customers=1000, seed=seed)
        result = clean_folder(read_folder(folder))
        with_frame = verbatims_plan.analyse(
            result.tables, result.codebook, None, load_codeframe(), sentiment_model, PARAMS
        )
        alone = verbatims_plan.analyse(
            result.tables, result.codebook, None, None, sentiment_model, PARAMS
        )
        out[seed] = {
            "codeframe": verbatim_recovery(
                with_frame.verbatims, with_frame.themes, folder / "truth"
            ),
            "discovery": verbatim_recovery(alone.verbatims, alone.themes, folder / "truth"),
        }
    return out


def test_codeframe_coding_reaches_macro_f1_09_on_every_held_out_seed(recovered):
    scores = {seed: r["codeframe"]["macro_f1"] for seed, r in recovered.items()}
    print("\nmacro-F1 with the codeframe:", scores)
    assert min(scores.values()) >= 0.9


def test_discovery_alone_finds_structure_and_pairs_the_languages(recovered):
    """A guard at today's level, not the goal: discovery alone reaches an adjusted Rand index of
    0.15–0.6 against the 13 planted reasons (mean about 0.27; the target of 0.7 is not met — the
    sentence encoder places paraphrases of one reason about as close as texts on the same topic
    with the opposite tone), and pairs about three in four Chinese and English texts on the
    same reason. A broken clustering (ARI near 0, languages apart) fails here. The level moves
    with the machine that trained the sentiment model (a coordinate of the clustering): one
    fresh machine gave 0.10–0.21, mean 0.16, on the same code."""
    ari = np.array([r["discovery"]["primary_ari"] for r in recovered.values()])
    lingual = np.array([r["discovery"]["cross_lingual"] for r in recovered.values()])
    print(f"\ndiscovery ARI {ari.round(3)} mean {ari.mean():.3f} ± {ari.std(ddof=1):.3f}; "
          f"cross-lingual {lingual.round(3)}")  # fmt: skip
    assert ari.mean() >= 0.12 and ari.min() >= 0.05
    assert lingual.mean() >= 0.65


def test_every_planted_nps_effect_is_recovered_with_its_sign_inside_its_interval(recovered):
    rows = pd.DataFrame(
        [
            {"seed": seed, **e}
            for seed, r in recovered.items()
            for e in r["codeframe"]["nps_effects"]
        ]
    )
    print("\n", rows.groupby("theme")[["planted", "estimate", "covered"]].mean().round(2))
    assert rows["found"].all()
    assert rows["right_sign"].all()
    # 95% intervals: across 5 seeds × 12 themes a few misses are chance, not bias
    assert rows["covered"].mean() >= 0.9


def test_sentiment_agrees_with_the_planted_tone(recovered):
    signs = [r["codeframe"]["sentiment_sign"] for r in recovered.values()]
    print("\nsentiment sign agreement:", signs)
    assert min(signs) >= 0.8
