"""Out-of-sample fit of the key-driver regression: how much of the outcome the drivers explain in
responses the model was not fitted to.

In-sample R² never falls when a driver is added, so it overstates how well the attributes
explain new customers, the more so the fewer responses per driver. K-fold cross-validation
(Stone 1974) fits the linear model on all folds but one and predicts the one left out; the
cross-validated R² is ``1 - Σ w (y - ŷ_out)² / Σ w (y - ȳ)²`` with ``ŷ_out`` the out-of-fold
predictions, the weights those of the survey. With ``folds = n`` it is the predicted R² of
Allen's (1974) PRESS statistic.

References
----------
Stone, M. (1974). Cross-validatory choice and assessment of statistical predictions. *Journal of
the Royal Statistical Society B* 36, 111–147.

Allen, D. M. (1974). The relationship between variable selection and data augmentation and a
method for prediction. *Technometrics* 16, 125–127.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["cross_validated_r2", "fold_labels"]


def fold_labels(n: int, folds: int, seed: int = 0) -> np.ndarray:
    """Row ``i``'s fold (0 … folds − 1): a seeded shuffle cut into near-equal parts.

    >>> np.bincount(fold_labels(23, 5)).tolist()
    [5, 5, 5, 4, 4]
    """
    order = np.random.default_rng(seed).permutation(n)
    labels = np.empty(n, dtype=np.int64)
    for fold, rows in enumerate(np.array_split(order, folds)):
        labels[rows] = fold
    return labels


def cross_validated_r2(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    folds: int = 10,
    seed: int = 0,
) -> float:
    """Cross-validated R² of the (weighted) least-squares regression of ``y`` on ``x`` with an
    intercept; NaN when a fold leaves too few rows to fit.

    Parameters
    ----------
    x : array (n, p)
        The drivers of complete rows.
    y : array (n,)
        The outcome.
    weights : array (n,), optional
        Survey weights (the fit is weighted least squares, the R² weighted too).
    folds : int
        Number of folds (at most n; ``n`` is leave-one-out).
    seed : int
        Seed of the assignment of rows to folds.

    Examples
    --------
    A perfect linear relation is predicted perfectly out of sample; noise is not:

    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=(200, 2))
    >>> float(round(cross_validated_r2(x, 1 + x @ [2.0, -1.0]), 6))
    1.0
    >>> cross_validated_r2(x, rng.normal(size=200)) < 0.02
    True
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    n = len(y)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype="float64")
    folds = min(int(folds), n)
    if folds < 2 or n - int(np.ceil(n / folds)) < x.shape[1] + 2:
        return float("nan")
    design = np.column_stack([np.ones(n), x])
    labels = fold_labels(n, folds, seed)
    predicted = np.empty(n)
    for fold in range(folds):
        out = labels == fold
        root = np.sqrt(w[~out])
        coef, *_ = np.linalg.lstsq(design[~out] * root[:, None], y[~out] * root, rcond=None)
        predicted[out] = design[out] @ coef
    mean = np.average(y, weights=w)
    total = float(np.sum(w * (y - mean) ** 2))
    if total == 0:
        return float("nan")
    return 1.0 - float(np.sum(w * (y - predicted) ** 2)) / total
