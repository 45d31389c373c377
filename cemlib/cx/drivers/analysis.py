"""Key-driver analysis of one outcome from a data frame: :func:`analyse_drivers` and its two
views, :func:`relative_importance` (the importance table) and :func:`dominance_pairs` (does
driver *i* outweigh driver *j*?).

The rows are read (:mod:`cemlib.cx.drivers.inputs`), the weighted correlation matrix is formed
once (listwise: :func:`cemlib.stats.weights.weighted_correlation`; pairwise:
:func:`cemlib.stats.pairwise.pairwise_correlation`, repaired when not positive semi-definite),
every measure comes from it (:mod:`cemlib.stats.importance`), and the bootstrap repeats that on a
``(B, q, q)`` stack of resampled matrices for percentile intervals.

References
----------
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. New York:
Chapman & Hall.

Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
*Journal of Statistical Software*, 17(1), 1-27.

Azen, R. & Budescu, D. V. (2003). The dominance analysis approach for comparing predictors
in multiple regression. *Psychological Methods*, 8(2), 129-148.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict, Unpack

import numpy as np
import pandas as pd

from cemlib.cx.drivers import frames
from cemlib.cx.drivers.frames import (
    DECOMPOSING_METHODS,
    METHOD_ALIASES,
    METHODS,
    PAIR_COLUMNS,
    TABLE_COLUMNS,
    DriverAnalysis,
)
from cemlib.cx.drivers.inputs import _check_inputs, _is_constant, _prepare_rows
from cemlib.cx.metrics import kish_n
from cemlib.stats.bootstrap import bootstrap_correlations
from cemlib.stats.crossval import cross_validated_r2
from cemlib.stats.importance import measures, sanitise, shapley, sign_of
from cemlib.stats.pairwise import pairwise_bootstrap, pairwise_correlation, repair_correlation
from cemlib.stats.weights import quietly, weighted_correlation

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["analyse_drivers", "dominance_pairs", "relative_importance"]

_HIGH_VIF = 10.0


class DriverOptions(TypedDict, total=False):
    """The options :func:`relative_importance` and :func:`dominance_pairs` pass on to
    :func:`analyse_drivers` (documented there and in :func:`relative_importance`)."""

    weights: str | npt.ArrayLike | None
    missing: str
    n_boot: int
    seed: int
    ci: float
    progress: bool


def analyse_drivers(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    weights: str | npt.ArrayLike | None = None,
    missing: str = "listwise",
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    progress: bool = False,
) -> DriverAnalysis:
    """Key-driver analysis of one outcome: the table, the dominance pairs and the warnings.

    :func:`relative_importance` and :func:`dominance_pairs` are views of this one computation,
    so the table's CIs and the pairs rest on the same bootstrap resamples.

    Parameters
    ----------
    df, outcome, drivers, weights, missing, n_boot, seed, ci, progress
        As in :func:`relative_importance`.

    Returns
    -------
    DriverAnalysis
        ``table`` (see :func:`relative_importance`), ``pairs`` (see :func:`dominance_pairs`)
        and ``warnings``, the degenerate-input messages (each also emitted as a
        :class:`DriverWarning`).

    Notes
    -----
    Steps: rows without the outcome (or with an invalid weight) are dropped; the weighted
    correlation matrix :math:`C` is formed (listwise:
    :func:`cemlib.stats.weights.weighted_correlation` of the complete cases; pairwise:
    :func:`cemlib.stats.pairwise.pairwise_correlation`, then
    :func:`cemlib.stats.pairwise.repair_correlation`); every measure is computed from :math:`C`
    with one eigendecomposition :math:`R_{xx} = V \\Lambda V^\\top`
    (:func:`cemlib.stats.importance.measures`) plus the exact LMG of
    :func:`cemlib.stats.lmg.lmg`; then the same on the ``(B, q, q)`` stack of
    :func:`cemlib.stats.bootstrap.bootstrap_correlations` (rows drawn with replacement, weights
    carried along), batched, for percentile intervals.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. New York:
    Chapman & Hall.

    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1-27.
    """
    drivers = _check_inputs(df, outcome, drivers, missing, ci, n_boot)
    notes = frames.Notes(outcome, drivers)
    x, y, w, weighted = _prepare_rows(df, outcome, drivers, weights, notes)
    p = len(drivers)

    answered = np.isfinite(x).any(axis=0)
    if not answered.all():
        empty = [d for d, a in zip(drivers, answered, strict=True) if not a]
        notes.warn(
            f"driver(s) {', '.join(empty)} have no answers among the rows with an outcome; "
            "left out of the model with importance 0",
            drivers=empty,
            note="no answers: left out of the model",
        )
    used = [d for d, a in zip(drivers, answered, strict=True) if a]
    xu = x[:, answered]

    if missing == "listwise":
        complete = np.isfinite(xu).all(axis=1)
        data = np.column_stack([xu[complete], y[complete]])
        wd = w[complete]
        n_rows = np.full(p, int(complete.sum()))
        n_eff = np.full(p, kish_n(wd) if weighted else float(complete.sum()))
        n_check = int(np.sum(wd > 0))
    else:
        data = np.column_stack([xu, y])
        wd = w
        n_rows = np.array([int(np.sum(np.isfinite(x[:, j]))) for j in range(p)])
        n_eff = np.array(
            [kish_n(w[np.isfinite(x[:, j])]) if weighted else float(n_rows[j]) for j in range(p)]
        )
        live = w > 0
        n_check = (
            min(int(np.sum(np.isfinite(x[:, j]) & live)) for j in np.flatnonzero(answered))
            if answered.any()
            else 0
        )

    if not used or n_check < len(used) + 2:
        notes.warn(
            f"only {n_check} usable rows for {len(used)} drivers (need at least drivers + 2); "
            "importance set to 0",
            note=f"too few rows ({n_check}) for {len(used)} drivers",
        )
        return frames.zero_result(outcome, drivers, n_rows, n_eff, notes, METHODS)
    if _is_constant(data[:, -1], wd):
        notes.warn(
            "the outcome has no variance; importance set to 0", note="outcome has no variance"
        )
        return frames.zero_result(outcome, drivers, n_rows, n_eff, notes, METHODS)

    constant = np.array([_is_constant(data[:, j], wd) for j in range(len(used))] + [False])
    if constant.any():
        names = [d for d, c in zip(used, constant[:-1], strict=False) if c]
        notes.warn(
            f"driver(s) {', '.join(names)} have no variance; importance set to 0",
            drivers=names,
            note="constant driver: importance 0",
        )

    repaired_boot = 0
    if missing == "listwise":
        corr: np.ndarray = np.asarray(
            quietly(weighted_correlation, data, wd if weighted else None),
            dtype=float,
        )
    else:
        corr, counts = pairwise_correlation(data, wd)
        few = np.argwhere(np.triu(counts < 3, 1))
        if len(few):
            names = [(used + [outcome])[k] for k in np.unique(few)]
            notes.warn(
                "some pairs are answered together by fewer than 3 rows; their correlation is "
                f"set to 0 ({', '.join(names)})",
                drivers=[n for n in names if n in drivers],
                note="pairwise correlation undefined (set to 0)",
            )
        corr, low = repair_correlation(sanitise(corr, constant)[0])
        if low < -1e-10:
            notes.warn(
                f"the pairwise-complete correlation matrix is not positive semi-definite "
                f"(smallest eigenvalue {float(low):.4g}); repaired by clipping negative "
                "eigenvalues and rescaling to unit diagonal",
                note="pairwise matrix repaired (not PSD)",
            )

    point = measures(corr, constant)
    point_shap = shapley(point.corr)
    if point.collinear.any():
        names = [d for d, c in zip(used, point.collinear, strict=True) if c]
        notes.warn(
            f"driver(s) {', '.join(names)} are perfectly collinear (one is an exact linear "
            "combination of the others): they share their importance and their VIF is infinite "
            "(reported as null)",
            drivers=names,
            note="perfectly collinear: importance split, VIF infinite",
        )
    if point.r2 <= 1e-12:
        notes.warn(
            "the drivers explain none of the outcome's variance (R² = 0); shares set to 0",
            note="R² = 0",
        )

    boot = None
    if n_boot > 0:
        if missing == "listwise":
            stack: np.ndarray = np.asarray(
                quietly(
                    bootstrap_correlations,
                    data,
                    n_boot,
                    seed,
                    weights=wd if weighted else None,
                    progress=progress,
                ),
                dtype=float,
            )
            stack, _ = sanitise(stack, np.broadcast_to(constant, stack.shape[:-1]))
        else:
            stack = pairwise_bootstrap(data, wd, n_boot, seed, progress)
            stack, _ = sanitise(stack, np.broadcast_to(constant, stack.shape[:-1]))
            stack, lows = repair_correlation(stack)
            repaired_boot = int(np.sum(lows < -1e-10))
            if repaired_boot:
                notes.warn(
                    f"{repaired_boot} of {n_boot} bootstrap matrices were not positive "
                    "semi-definite and were repaired",
                    drivers=[],
                )
        bc = measures(stack, np.broadcast_to(constant, stack.shape[:-1]))
        boot = {
            "correlation": bc.r,
            "beta": bc.beta,
            "pratt": bc.pratt,
            "relative_weight": bc.relative_weight,
            "shapley": shapley(bc.corr),
        }

    dead = constant[:-1]
    if boot is not None:
        boot = {m: np.where(dead, 0.0, v) for m, v in boot.items()}
    values = {
        "correlation": point.r,
        "beta": point.beta,
        "pratt": point.pratt,
        "relative_weight": point.relative_weight,
        "shapley": point_shap,
    }
    values = {m: np.where(dead, 0.0, v) for m, v in values.items()}
    r2 = float(point.r2)
    # out of sample on the complete rows (under pairwise deletion the model has no other rows)
    complete_rows = np.isfinite(data).all(axis=1)
    r2_cv = cross_validated_r2(
        data[complete_rows, :-1], data[complete_rows, -1], wd[complete_rows], seed=seed
    )
    sign = sign_of(point.beta)
    vifs = np.where(point.constant, np.nan, point.vif)
    for d, v in zip(used, vifs, strict=True):
        if np.isfinite(v) and v >= _HIGH_VIF:
            notes.add(d, f"VIF {v:.1f} (multicollinearity)")

    pos = {d: k for k, d in enumerate(used)}
    rows, pair_rows = [], []
    for method in METHODS:
        full = np.zeros(p)
        full[answered] = values[method]
        key = np.abs(full) if method in ("correlation", "beta") else full
        ranks = frames.rank(key)
        if boot is not None:
            low, high = frames.percentiles(boot[method], ci)
        for j, d in enumerate(drivers):
            k = pos.get(d)
            imp = 0.0 if k is None else float(values[method][k])
            s = 0 if k is None else int(sign[k])
            decomposes = method in DECOMPOSING_METHODS
            rows.append(
                {
                    "outcome": outcome,
                    "driver": d,
                    "method": method,
                    "importance": imp,
                    "share": (imp / r2 if r2 > 1e-12 else 0.0) if decomposes else np.nan,
                    "ci_low": np.nan if boot is None else (0.0 if k is None else float(low[k])),
                    "ci_high": np.nan if boot is None else (0.0 if k is None else float(high[k])),
                    "rank": int(ranks[j]),
                    "n": int(n_rows[j]),
                    "sign": s,
                    "signed_importance": s * imp
                    if method in ("relative_weight", "shapley")
                    else imp,
                    "vif": (
                        float(vifs[k])
                        if method == "beta" and k is not None and np.isfinite(vifs[k])
                        else np.nan
                    ),
                    "r2": r2,
                    "n_effective": float(n_eff[j]),
                    "note": notes.text(d),
                    "r2_cv": r2_cv,
                }
            )
        if method in DECOMPOSING_METHODS:
            bfull = None
            if boot is not None:
                bfull = np.zeros((n_boot, p))
                bfull[:, answered] = boot[method]
            pair_rows += frames.pairs(outcome, method, drivers, full, bfull, ci)
    return DriverAnalysis(
        frames.to_frame(rows, TABLE_COLUMNS),
        frames.to_frame(pair_rows, PAIR_COLUMNS),
        notes.messages,
    )


def relative_importance(
    df: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: str | list[str] | None = None,
    **options: Unpack[DriverOptions],
) -> pd.DataFrame:
    """Relative importance of each driver for one outcome, by five methods, with bootstrap CIs.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response.
    outcome : str
        Outcome column.
    drivers : list of str
        Driver columns (each appears in the result, whatever happens to it).
    method : str or list of str, optional
        The methods to return, named as the literature does: ``"lmg"`` (Lindeman, Merenda &
        Gold 1980; the same decomposition as ``"shapley"``), ``"relative_weight"`` (Johnson
        2000), ``"pratt"``, ``"beta"``, ``"correlation"``. Default: all five, under the names
        of ``drivers.parquet`` (``shapley`` for LMG). Rows carry the name asked for.
    weights : str or array_like, optional
        Survey weight column name or one weight per row; rows with a missing or negative weight
        are left out (with a warning). Estimates are weighted, and ``n_effective`` is Kish's
        :math:`(\\sum w)^2 / \\sum w^2`.
    missing : {"listwise", "pairwise"}
        ``listwise``: complete cases only. ``pairwise``: every correlation from the rows
        answering both variables; a matrix that is not positive semi-definite is repaired (see
        :func:`repair_correlation`) with a warning. Rows without the outcome are always dropped.
    n_boot : int
        Bootstrap resamples of the rows (0: no CIs, which are then null).
    seed : int
        Seed of the resampling: the same seed gives the same CIs.
    ci : float
        Confidence level of the percentile intervals.
    progress : bool
        Show a tqdm progress bar for the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per driver × method (``correlation``, ``beta``, ``pratt``, ``relative_weight``,
        ``shapley``) (the columns of ``drivers.parquet``):

        - ``importance``: :math:`r_j`, :math:`\\beta_j`, :math:`\\beta_j r_j`, raw relative
          weight, raw LMG contribution;
        - ``share``: importance / :math:`R^2` for pratt, relative_weight and shapley, else null;
        - ``ci_low``, ``ci_high``: bootstrap percentile interval of ``importance``;
        - ``rank``: 1 = most important within the method (by :math:`|r_j|` and
          :math:`|\\beta_j|` for correlation and beta; ties share a rank);
        - ``n``: rows used (listwise: complete cases; pairwise: rows answering the driver and
          the outcome);
        - ``sign``: sign of the driver's full-model :math:`\\beta_j` (-1, 0, 1);
        - ``signed_importance``: sign × importance for relative_weight and shapley (which are
          magnitudes), the importance itself for the others;
        - ``vif``: on beta rows, null when infinite (exact collinearity) or undefined (constant);
        - ``r2``: full-model :math:`R^2`; ``n_effective``: Kish's effective n (n unweighted);
        - ``note``: why a result needs care (constant, collinear, too few rows, high VIF...).

    Notes
    -----
    Everything is computed from the weighted correlation matrix (:mod:`cemlib.stats.weights`), once for the
    estimate and once per resample on a ``(B, q, q)`` stack, with batched eigendecompositions.
    Percentile CIs of :math:`R^2`-decomposing measures are biased upwards for drivers with
    little importance, so the estimate can fall just below ``ci_low`` for those (Grömping 2006).

    References
    ----------
    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1-27.

    Johnson, J. W. (2000). *Multivariate Behavioral Research*, 35(1), 1-19.

    Pratt, J. W. (1987). Dividing the indivisible. *Proc. Second Int. Tampere Conf. Statistics*.

    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Glenview, IL: Scott, Foresman.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> survey = pd.DataFrame(rng.normal(size=(500, 3)), columns=["staff", "price", "wait"])
    >>> survey["ltr"] = survey @ [0.6, 0.3, 0.1] + rng.normal(size=500)
    >>> lmg = relative_importance(survey, "ltr", ["staff", "price", "wait"], method="lmg",
    ...                           n_boot=200)
    >>> lmg[["driver", "method", "share", "rank"]].round(2)
      driver method  share  rank
    0  staff    lmg   0.77     1
    1  price    lmg   0.18     2
    2   wait    lmg   0.05     3
    """
    table = analyse_drivers(df, outcome, drivers, **options).table
    if method is None:
        return table
    asked = [method] if isinstance(method, str) else list(method)
    unknown = [m for m in asked if METHOD_ALIASES.get(m, m) not in METHODS]
    if unknown:
        known = ", ".join([*METHOD_ALIASES, *METHODS])
        raise ValueError(f"unknown importance method {unknown[0]!r}; choose from {known}")
    parts = [table[table["method"] == METHOD_ALIASES.get(m, m)].assign(method=m) for m in asked]
    return pd.concat(parts, ignore_index=True)


def dominance_pairs(
    df: pd.DataFrame, outcome: str, drivers: Sequence[str], **options: Unpack[DriverOptions]
) -> pd.DataFrame:
    """Does driver *i* outweigh driver *j*? Bootstrap comparison of every pair of drivers.

    For each :math:`R^2`-decomposing method (pratt, relative_weight, shapley) and each pair
    :math:`i < j` (in the order of ``drivers``):

    - ``p_i_greater``: share of resamples in which *i*'s importance exceeds *j*'s (ties count
      one half), :math:`\\hat P(\\phi_i^{*} > \\phi_j^{*})`;
    - ``diff``: :math:`\\phi_i - \\phi_j` on the full sample;
    - ``diff_ci_low``, ``diff_ci_high``: percentile interval of the resampled differences —
      an interval excluding 0 says one driver outweighs the other (relaimpo reports the same
      intervals of differences, Grömping 2006).

    Parameters are those of :func:`relative_importance`; the same ``seed`` gives the resamples
    behind that table's CIs.

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome, method, driver_i, driver_j, p_i_greater, diff, diff_ci_low,
        diff_ci_high`` (``p_i_greater`` and the interval are null when ``n_boot = 0``).

    References
    ----------
    Azen, R. & Budescu, D. V. (2003). The dominance analysis approach for comparing predictors
    in multiple regression. *Psychological Methods*, 8(2), 129-148.

    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1-27.
    """
    return analyse_drivers(df, outcome, drivers, **options).pairs
