r"""Relative weights for a binary outcome (Tonidandel & LeBreton 2010): the weighted logistic fit
and the raw weights of one set of complete rows.

The standardised drivers :math:`X` are replaced by their closest orthonormal counterparts
:math:`Z = X R_{xx}^{-1/2}`, with :math:`\Lambda = R_{xx}^{1/2}` their correlations with
:math:`X`. A logistic regression of the outcome on :math:`Z` gives slopes :math:`b`, standardised
after Menard (2004) as :math:`\beta_k = b_k s_{Z_k} R_O / s_{\hat\eta}` (:math:`s_{\hat\eta}`: SD
of the fitted logits; :math:`R_O^2`: squared correlation of the outcome with the fitted
probabilities); the raw weights are :math:`\varepsilon_j = \sum_k \Lambda_{jk}^2 \beta_k^2`
and sum to :math:`R_O^2`. Separation (no maximum-likelihood estimate) is detected and the model
refitted with a ridge penalty :data:`SEPARATION_RIDGE` on the slopes. The data-frame front end,
with its bootstrap and warnings, is :func:`cemlib.cx.drivers.logistic_relative_weight`.

References
----------
Tonidandel, S. & LeBreton, J. M. (2010). Determining the relative importance of predictors in
logistic regression: an extension of relative weight analysis. *Organizational Research
Methods*, 13(4), 767-781.

Menard, S. (2004). Six approaches to calculating standardized logistic regression
coefficients. *The American Statistician*, 58(3), 218-223.

Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. *Multivariate Behavioral Research*, 35(1), 1-19.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from cemlib.stats.importance import CONSTANT_TOL, EIG_TOL, sign_of

__all__ = ["SEPARATION_RIDGE", "logistic_weights", "logit_fit"]

_SEPARATION_ETA = 30.0  # |logit| beyond this: fitted probability within 1e-13 of 0 or 1
SEPARATION_RIDGE = 1.0  # ridge penalty used when the logistic MLE does not exist


def logit_fit(
    design: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    ridge: float = 0.0,
    start: np.ndarray | None = None,
    singular: bool = False,
    max_iter: int = 60,
) -> tuple[np.ndarray, bool]:
    r"""Weighted logistic regression by damped Newton-Raphson; slopes optionally ridge-penalised.

    Maximises :math:`\sum_i w_i [y_i \eta_i - \log(1 + e^{\eta_i})] - \tfrac12 \lambda
    \lVert b \rVert^2` with :math:`\eta = A (c, b)`; ``design`` :math:`A` holds the intercept
    as column 0 (never penalised). A step that lowers the objective is halved. With
    ``singular=True`` (collinear or constant columns) the Newton systems are solved by least
    squares, giving minimum-norm updates. ``start`` warm-starts the iterations (the bootstrap
    starts from the full-sample estimate). Returns ``(coef, converged)``.
    """
    k = design.shape[1]
    pen = np.full(k, float(ridge))
    pen[0] = 0.0
    if start is None:
        ybar = np.clip(np.sum(w * y) / np.sum(w), 1e-6, 1 - 1e-6)
        coef = np.zeros(k)
        coef[0] = np.log(ybar / (1 - ybar))
    else:
        coef = np.array(start, dtype=float)

    def objective(eta: np.ndarray, c: np.ndarray) -> float:
        return float(w @ (y * eta - np.logaddexp(0.0, eta)) - 0.5 * (pen @ (c * c)))

    eta = design @ coef
    current = objective(eta, coef)
    for _ in range(max_iter):
        prob = expit(eta)
        grad = design.T @ (w * (y - prob)) - pen * coef
        hess = (design.T * (w * prob * (1 - prob))) @ design
        hess[np.diag_indices(k)] += pen
        step = None
        if not singular:
            try:
                step = np.linalg.solve(hess, grad)
            except np.linalg.LinAlgError:
                step = None
        if step is None or not np.all(np.isfinite(step)):
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        t = 1.0
        while True:
            candidate = coef + t * step
            eta_c = design @ candidate
            value = objective(eta_c, candidate)
            if value >= current - 1e-12 * abs(current) or t < 1e-10:
                break
            t /= 2
        previous = current
        coef, eta, current = candidate, eta_c, value
        if np.max(np.abs(t * step)) < 1e-9 * (1 + np.max(np.abs(coef))) or (
            abs(current - previous) < 1e-13 * (1 + abs(current)) and t < 1
        ):
            return coef, True
    return coef, False


def logistic_weights(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, start: np.ndarray | None = None
) -> dict[str, Any]:
    r"""Raw logistic relative weights of complete rows ``x`` (n, p), binary ``y``, weights ``w``.

    The model is fitted on the standardised drivers :math:`X_s` rather than on
    :math:`Z = X_s R^{-1/2}`: both span the same columns, so the fitted logits are identical and
    the slopes on :math:`Z` are :math:`b_Z = R^{1/2} b_{X_s}` (unique even when drivers are
    collinear); and :math:`\operatorname{var}(\hat\eta) = b_{X_s}^\top R\, b_{X_s} =
    \lVert b_Z \rVert^2`. Fitting on :math:`X_s` lets the bootstrap warm-start every resample.
    """
    n, p = x.shape
    sw = w.sum()
    mean = (w @ x) / sw
    centred = x - mean
    sd = np.sqrt((w @ (centred * centred)) / sw)
    scale = np.abs(x[w > 0]).max(axis=0)
    constant = ~(sd > CONSTANT_TOL * scale)
    xs = centred / np.where(constant, 1.0, sd)
    xs[:, constant] = 0.0
    rxx = (xs.T * w) @ xs / sw
    rxx[np.diag_indices(p)] = 1.0
    lam, vec = np.linalg.eigh(rxx)
    keep = lam > EIG_TOL * max(lam.max(), 1.0)
    lam = np.where(keep, lam, 0.0)
    lam_half = (vec * np.sqrt(lam)) @ vec.T  # R_xx^{1/2}: correlations of X with Z
    design = np.column_stack([np.ones(n), xs])
    singular = bool(constant.any() or not keep.all())
    coef, converged = logit_fit(design, y, w, start=start, singular=singular)
    eta = design @ coef
    separated = (not converged) or bool(np.max(np.abs(eta)) > _SEPARATION_ETA)
    if separated:
        coef, converged = logit_fit(design, y, w, ridge=SEPARATION_RIDGE, singular=singular)
        eta = design @ coef
    b_x = np.where(constant, 0.0, coef[1:])  # slopes of the standardised drivers
    b = lam_half @ b_x  # slopes of Z
    prob = expit(eta)
    ym, pm, em = (w @ y) / sw, (w @ prob) / sw, (w @ eta) / sw
    var_y = (w @ (y - ym) ** 2) / sw
    var_p = (w @ (prob - pm) ** 2) / sw
    var_eta = (w @ (eta - em) ** 2) / sw
    cov_yp = (w @ ((y - ym) * (prob - pm))) / sw
    r2 = cov_yp**2 / (var_y * var_p) if var_p > 1e-300 and var_y > 0 else 0.0
    std_b = b * np.sqrt(r2) / np.sqrt(var_eta) if var_eta > 1e-300 else np.zeros(p)
    raw = np.where(constant, 0.0, (lam_half**2) @ std_b**2)
    return {
        "raw": raw,
        "r2": float(raw.sum()),
        "r2_o": float(r2),
        "sign": sign_of(b_x),
        "coef": None if separated else coef,
        "separated": separated,
        "converged": converged,
        "constant": constant,
    }
