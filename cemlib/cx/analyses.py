"""The stages' survey analyses on any DataFrame, named by its columns.

The drivers stage reads its items from a ``codebook.yaml``; a researcher in a notebook holds a
DataFrame and knows which columns are the outcome, the drivers and the journey. Each function
here builds the codebook those columns describe and calls the very analysis the stage runs
(:mod:`cemlib.cx.priorities`, :mod:`cemlib.cx.drivers`), so a result computed here equals the
stage's to the last digit.

``journey`` describes touchpoints in a tidy table, one row per item: ``item``, ``touchpoint``,
``stage`` (its place in the journey, 1 = first) and optionally ``role`` (``driver``, the
default, or ``brand`` for "the experience felt true to the brand" items of the CEI × BEI map).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import pandas as pd

from cemlib.cx import priorities
from cemlib.cx.drivers import relative_importance
from cemlib.cx.drivers.frames import METHOD_ALIASES
from cemlib.cx.scorecards import touchpoint_indices
from cemlib.data.schema import Codebook, Item

__all__ = ["cei_bei_map", "emotion_curve", "importance_performance", "kano"]

Scale = tuple[float, float]


def _codebook(
    outcome: str | None,
    drivers: Sequence[str],
    scale: Scale,
    outcome_scale: Scale | None = None,
    journey: pd.DataFrame | None = None,
) -> Codebook:
    """The codebook that column names describe (items in the order given)."""
    places: dict[str, tuple[str | None, int | None, str]] = {}
    if journey is not None:
        missing = {"item", "touchpoint", "stage"} - set(journey.columns)
        if missing:
            raise ValueError(
                f"journey needs the columns item, touchpoint, stage; {missing} missing"
            )
        row: Any  # a row of the journey table; pandas-stubs type each field as any scalar
        for row in journey.itertuples(index=False):
            role = getattr(row, "role", "driver") or "driver"
            places[row.item] = (row.touchpoint, int(row.stage), role)
    items = []
    if outcome is not None:
        items.append(Item(outcome, "outcome", cast(Scale, tuple(outcome_scale or scale))))
    listed = list(dict.fromkeys([*drivers, *places]))
    for column in listed:
        touchpoint, stage, role = places.get(column, (None, None, "driver"))
        items.append(
            Item(column, role, cast(Scale, tuple(scale)), touchpoint=touchpoint, stage=stage)
        )
    return Codebook(tuple(items))


def _check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"column {missing[0]!r} is not in the data (columns: {list(data.columns)})")


def importance_performance(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    scale: Scale,
    method: str = "lmg",
    weights: str | None = None,
) -> pd.DataFrame:
    """Importance–performance analysis with derived importance: where to act first.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    outcome : str
        The outcome column (likelihood to recommend, overall satisfaction…).
    drivers : list of str
        The attribute ratings.
    scale : (float, float)
        The drivers' answer scale, e.g. ``(1, 5)``; performance is the mean on 0–100.
    method : str
        Importance method of :func:`cemlib.relative_importance` (``lmg`` by default).
    weights : str, optional
        Survey-weight column.

    Returns
    -------
    DataFrame
        One row per driver, most important first: ``driver``, ``performance`` with its CI,
        ``importance`` (raw), ``importance_share`` (share of R² for decomposing methods) and
        ``quadrant``: "fix first" (important, under-performing), "keep up", "low priority",
        "possible overkill" (performing beyond its importance), split at the means of both axes.

    References
    ----------
    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing* 41(1), 77–79.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> survey = pd.DataFrame(rng.integers(1, 6, size=(400, 3)), columns=["staff", "price", "app"])
    >>> survey["ltr"] = (survey["staff"] * 1.5 + survey["price"] + rng.normal(0, 1, 400)).clip(0, 10)
    >>> ipa = importance_performance(survey, "ltr", ["staff", "price", "app"], scale=(1, 5))
    >>> ipa[["driver", "quadrant"]]
      driver           quadrant
    0  staff          fix first
    1  price  possible overkill
    2    app  possible overkill
    """
    _check_columns(data, [outcome, *drivers, *([weights] if weights else [])])
    codebook = _codebook(outcome, drivers, scale)
    canonical = METHOD_ALIASES.get(method, method)
    table = relative_importance(data, outcome, list(drivers), weights=weights, n_boot=0)
    performance = priorities.item_performance(data, codebook, weights=weights)
    return priorities.importance_performance(table, performance, outcome, canonical)


def kano(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    scale: Scale,
    outcome_scale: Scale,
    weights: str | None = None,
    ratio: float = 2.0,
    min_effect: float = 0.02,
) -> pd.DataFrame:
    """Kano-style penalty–reward analysis: which attributes are must-be, which delight.

    Each driver is coded as a low-performance dummy (bottom two answers) and a high-performance
    dummy (top answer), and the outcome on 0–1 is regressed on all dummies together.

    Parameters
    ----------
    data : DataFrame
    outcome : str
    drivers : list of str
    scale : (float, float)
        The drivers' answer scale.
    outcome_scale : (float, float)
        The outcome's scale, e.g. ``(0, 10)``.
    weights : str, optional
    ratio : float
        How much larger the penalty (reward) must be than the reward (penalty) for *must-be*
        (*attractive*).
    min_effect : float
        Below this penalty and reward (on the 0–1 outcome) an attribute is *indifferent*.

    Returns
    -------
    DataFrame
        One row per driver: ``penalty``, ``reward``, ``kano`` (``must-be``, ``attractive``,
        ``performance``, ``indifferent``).

    References
    ----------
    Brandt, D. R. (1987). A procedure for identifying value-enhancing service components using
    customer satisfaction survey data. In *Add Value to Your Service*, AMA.
    Mittal, V., Ross, W. T. & Baldasare, P. M. (1998). The asymmetric impact of negative and
    positive attribute-level performance. *Journal of Marketing* 62(1), 33–47.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> survey = pd.DataFrame(rng.integers(1, 6, size=(600, 2)), columns=["clean", "gift"])
    >>> survey["osat"] = 7 - 3 * (survey["clean"] <= 2) + 2 * (survey["gift"] == 5)
    >>> kano(survey, "osat", ["clean", "gift"], scale=(1, 5), outcome_scale=(0, 10))[["driver", "kano"]]
      driver        kano
    0  clean     must-be
    1   gift  attractive
    """
    _check_columns(data, [outcome, *drivers, *([weights] if weights else [])])
    codebook = _codebook(outcome, drivers, scale, outcome_scale)
    return priorities.penalty_reward(
        data, codebook, outcome, weights=weights, ratio=ratio, min_effect=min_effect
    )


def emotion_curve(
    data: pd.DataFrame,
    journey: pd.DataFrame,
    scale: Scale,
    by: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """Mean experience (0–100) per journey stage with its CI, peak and end marked.

    Parameters
    ----------
    data : DataFrame
    journey : DataFrame
        One row per item: ``item``, ``touchpoint``, ``stage``.
    scale : (float, float)
        The items' answer scale.
    by : str, optional
        Also one curve per value of this column (groups under ``min_n`` left out).
    weights : str, optional
    ci : float
    min_n : int

    Returns
    -------
    DataFrame
        ``group`` (``all`` first), ``stage``, ``touchpoint``, ``mean``, ``ci_low``, ``ci_high``,
        ``n``, ``peak`` (the stage furthest from the curve's mean), ``end`` (the last stage).

    References
    ----------
    Kahneman, D., Fredrickson, B. L., Schreiber, C. A. & Redelmeier, D. A. (1993). When more
    pain is preferred to less: adding a better end. *Psychological Science* 4(6), 401–405.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"find": [4, 5, 4, 3], "pay": [2, 3, 2, 2], "deliver": [5, 4, 5, 5]})
    >>> journey = pd.DataFrame({"item": ["find", "pay", "deliver"],
    ...                         "touchpoint": ["web", "checkout", "courier"], "stage": [1, 2, 3]})
    >>> emotion_curve(survey, journey, scale=(1, 5), min_n=1)[["touchpoint", "mean", "peak", "end"]]
      touchpoint   mean   peak    end
    0        web  75.00  False  False
    1   checkout  31.25   True  False
    2    courier  93.75  False   True
    """
    codebook = _codebook(None, [], scale, journey=journey)
    _check_columns(data, [i.id for i in codebook.items])
    return priorities.emotion_curve(data, codebook, by=by, weights=weights, ci=ci, min_n=min_n)


def cei_bei_map(
    data: pd.DataFrame,
    outcome: str,
    journey: pd.DataFrame,
    scale: Scale,
    method: str = "lmg",
    weights: str | None = None,
    threshold: float = 60.0,
    off_diagonal: float = 10.0,
) -> pd.DataFrame:
    """Each touchpoint on the customer-experience (CEI) × brand-experience (BEI) map.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        The outcome whose drivers weigh the touchpoints.
    journey : DataFrame
        One row per item: ``item``, ``touchpoint``, ``stage``, ``role`` (``driver`` items make
        the CEI, ``brand`` items the BEI).
    scale : (float, float)
        The items' answer scale.
    method : str
        Importance method (:func:`cemlib.relative_importance`).
    weights : str, optional
    threshold : float
        Both indices at or above it: *branded*; both below: *un-branded*; else *non-branded*
        (a convention of this project).
    off_diagonal : float
        BEI − CEI beyond ± this: *too brand-centric* / *too customer-centric*.

    Returns
    -------
    DataFrame
        One row per touchpoint: ``cei``, ``bei`` with CIs, ``alpha`` (Cronbach's of its driver
        items), ``importance`` (sum of its drivers' shares of R²), ``zone``, ``balance``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> survey = pd.DataFrame(rng.integers(2, 6, size=(300, 4)),
    ...                       columns=["store_staff", "store_brand", "app_speed", "app_brand"])
    >>> survey["ltr"] = (survey["store_staff"] + survey["app_speed"]).clip(0, 10)
    >>> journey = pd.DataFrame({
    ...     "item": ["store_staff", "store_brand", "app_speed", "app_brand"],
    ...     "touchpoint": ["store", "store", "app", "app"], "stage": [1, 1, 2, 2],
    ...     "role": ["driver", "brand", "driver", "brand"]})
    >>> cei_bei_map(survey, "ltr", journey, scale=(1, 5))[["touchpoint", "zone"]]
      touchpoint         zone
    0      store      branded
    1        app  non-branded
    """
    codebook = _codebook(outcome, [], scale, journey=journey)
    _check_columns(data, codebook.ids)
    drivers = [i.id for i in codebook.by_role("driver")]
    table = relative_importance(data, outcome, drivers, weights=weights, n_boot=0)
    indices = touchpoint_indices(data, codebook, weights=weights)
    canonical = METHOD_ALIASES.get(method, method)
    return priorities.cei_bei_map(
        indices, table, codebook, outcome, canonical, threshold, off_diagonal
    )
