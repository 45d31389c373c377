"""Statistical engines, independent of customer-experience vocabulary.

* :mod:`.weights` — survey weights, weighted correlation, Kish's effective n;
* :mod:`.importance` — relative-importance measures from a correlation matrix (correlation,
  beta, VIF, Pratt, Johnson's relative weights, Shapley/LMG);
* :mod:`.lmg` — the exact all-subsets LMG decomposition of R²;
* :mod:`.pairwise` — pairwise-deletion correlations and their repair;
* :mod:`.bootstrap` — resampling of rows and of correlation matrices;
* :mod:`.crossval` — the cross-validated R² of the key-driver regression;
* :mod:`.logistic` — relative weights for a binary outcome;
* :mod:`.mixture` — Gaussian mixtures: model selection and two-group splits;
* :mod:`.lifetime` — RFM summaries, BG/NBD, Gamma-Gamma and CLV.
"""

__all__ = [
    "bootstrap",
    "crossval",
    "importance",
    "lifetime",
    "lmg",
    "logistic",
    "mixture",
    "pairwise",
    "weights",
]
