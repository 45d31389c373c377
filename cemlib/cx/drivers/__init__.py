"""Key-driver analysis: which attributes move an outcome, and by how much.

Every linear importance measure here is a function of the correlation matrix of the drivers and
the outcome alone, so the cost does not grow with the number of responses (the matrix is a
sufficient statistic that any engine can aggregate), and the bootstrap works on a
``(B, q, q)`` stack of resampled matrices in one batched pass. Matrices are ordered *drivers
first, outcome last*: with ``q = p + 1``,

.. math:: C = \\begin{pmatrix} R_{xx} & r_{xy} \\\\ r_{xy}^\\top & 1 \\end{pmatrix}.

Methods (the ``method`` column of ``drivers.parquet``, whose columns
:func:`relative_importance` explains):

``correlation``
    :math:`r_j`, the zero-order correlation of driver *j* with the outcome.
``beta``
    Standardised regression coefficients :math:`\\beta = R_{xx}^{+} r_{xy}` (pseudo-inverse, so
    perfectly collinear drivers share their coefficient), with the variance inflation factor
    :math:`\\mathrm{VIF}_j = (R_{xx}^{-1})_{jj}`.
``pratt``
    Pratt's product measure :math:`\\beta_j r_j`; sums to :math:`R^2`.
``relative_weight``
    Johnson's (2000) relative weights :math:`\\varepsilon_j = \\sum_k \\Lambda_{jk}^2
    \\beta^{*2}_k`; sums to :math:`R^2`.
``shapley``
    The exact LMG / Shapley decomposition of :math:`R^2` (engine: :mod:`cemlib.stats.lmg`).
``relative_weight_logistic``
    Relative weights for a binary outcome (promoter vs not) after Tonidandel & LeBreton (2010).

Degenerate input never gives NaN: a constant driver gets importance 0, perfectly collinear
drivers share their importance, too few rows or an outcome without variance give zeros — each
with a warning (also returned as text) and a ``note`` on the rows concerned.

Where things are
----------------
The matrix kernels are statistics and live in :mod:`cemlib.stats`: :mod:`~cemlib.stats.weights`
(weighted correlation, Kish's n), :mod:`~cemlib.stats.bootstrap`, :mod:`~cemlib.stats.pairwise`
(pairwise-complete matrices and their repair), :mod:`~cemlib.stats.importance` (the measures
above), :mod:`~cemlib.stats.lmg` and :mod:`~cemlib.stats.logistic`. This sub-package reads data
frames: :mod:`.inputs` (argument checks and row preparation; the survey-weight rule itself is
:func:`cemlib.data.schema.survey_weight_column`), :mod:`.frames` (the output
tables), :mod:`.analysis` (one outcome), :mod:`.logistic` (a binary outcome) and
:mod:`.codebook` (every outcome of a codebook, stated against derived importance). The stage's
plan lives in :mod:`cemlib.stages.drivers_plan`.

References
----------
The methods' sources are listed once, in :mod:`cemlib.stats.importance` (correlation, beta,
Pratt, Johnson's relative weights, LMG) and :mod:`cemlib.stats.logistic` (Tonidandel &
LeBreton 2010).
"""

from __future__ import annotations

from cemlib.cx.drivers.analysis import analyse_drivers, dominance_pairs, relative_importance
from cemlib.cx.drivers.codebook import key_drivers, stated_vs_derived
from cemlib.cx.drivers.frames import (
    DECOMPOSING_METHODS,
    LOGISTIC_METHOD,
    METHODS,
    PAIR_COLUMNS,
    TABLE_COLUMNS,
    DriverAnalysis,
    DriverWarning,
)
from cemlib.cx.drivers.logistic import logistic_relative_weight
from cemlib.data.schema import survey_weight_column
from cemlib.stages.drivers_plan import (
    NEEDS_RESPONSES,
    DriversPlan,
    empty_results,
    plan_stage,
    skip_without_explanation,
)
from cemlib.stats.importance import (
    beta,
    correlation,
    pratt,
    r_squared,
    relative_weight,
    shapley,
    vif,
)
from cemlib.stats.pairwise import pairwise_correlation, repair_correlation

__all__ = [
    "DECOMPOSING_METHODS",
    "DriverAnalysis",
    "DriverWarning",
    "DriversPlan",
    "LOGISTIC_METHOD",
    "METHODS",
    "NEEDS_RESPONSES",
    "PAIR_COLUMNS",
    "TABLE_COLUMNS",
    "analyse_drivers",
    "beta",
    "correlation",
    "dominance_pairs",
    "empty_results",
    "key_drivers",
    "logistic_relative_weight",
    "pairwise_correlation",
    "plan_stage",
    "skip_without_explanation",
    "pratt",
    "r_squared",
    "relative_importance",
    "relative_weight",
    "repair_correlation",
    "shapley",
    "stated_vs_derived",
    "survey_weight_column",
    "vif",
]
