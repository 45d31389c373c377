"""Tracking the headline KPIs over time: a series per KPI, the last period's tiles, control limits.

Periods (:func:`period_labels`) are waves, ordered by their median answer date as in
:func:`~cemlib.cx.scorecards.period_changes`, or calendar months, quarters or halves. Each KPI is
estimated per period (:func:`kpi_series`) with the estimates of :mod:`cemlib.cx.metrics` (same
weights, same intervals: Rocks 2016 for NPS, Wilson for shares, t for means) and kept with its
effective n and per-respondent SD, the sufficient statistics of everything after. The tiles
(:func:`kpi_tiles`) test the last period against the one before — NPS by the trinomial z of
:func:`~cemlib.cx.metrics.nps_difference`, proportions by the pooled (score) z (Agresti 2013;
Newcombe 1998 on the Wald's failings), CES by Welch's (1947) t — and adjust the tiles together
by Holm (1979), so a dashboard where nothing changed shows any arrow in at most ``alpha`` of the
periods. :func:`control_limits` adds Shewhart limits and the Western Electric run rule
(Montgomery 2019) to the whole series.

Direction (:data:`HIGHER_IS_BETTER`): up is good for NPS, CSAT and CES, down for complaints. For
CES this rests on the clean stage: the item asks "How easy was it ...?" (7 = easiest) and
:func:`cemlib.cleaning.harmonise_items` recodes reverse-worded items (``reverse: true``) and
surveys that asked it the other way round (``surveys: {legacy_2024: {reverse: [ces]}}``) as
(min + max) − x, so on clean responses a higher CES is less effort (as
:func:`~cemlib.cx.metrics.ces` says). The ``reverse`` flag left in the clean codebook describes the
wording; applying it again would flip the arrow. Where a high CES means *more* effort (raw data
of the original "how much effort" wording), pass ``higher_is_better={"ces": False}``.

References
----------
Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed. Wiley.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal
of Statistics* 6(2), 65–70.
Montgomery, D. C. (2019). *Introduction to Statistical Quality Control*, 8th ed. Wiley (ch. 5 run
rules, ch. 6 x̄ and s charts with variable n, ch. 7 the p-chart).
Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions.
*Statistics in Medicine* 17, 873–890.
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician*
70(4), 365–372.
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. *Biometrika* 34, 28–35.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from cemlib.cx.metrics import box_shares, is_rating_scale, kish_n, nps_summary, weighted_mean_ci
from cemlib.cx.scorecards import holm
from cemlib.stages.recovery import wilson_interval

if TYPE_CHECKING:
    from cemlib.data.schema import Codebook, Item

__all__ = ["HIGHER_IS_BETTER", "KIND", "KPIS", "PERIODS", "change_test", "control_limits",
           "kpi_series", "kpi_tiles", "period_labels", "tiles_from_series"]  # fmt: skip

PERIODS = ("wave", "month", "quarter", "half")
KPIS = ("nps", "csat_top2", "ces", "complaint_rate")
HIGHER_IS_BETTER = {"nps": True, "csat_top2": True, "ces": True, "complaint_rate": False}
KIND = {"nps": "nps", "csat_top2": "proportion", "ces": "mean", "complaint_rate": "proportion"}
_PER_YEAR = {"month": 12, "quarter": 4, "half": 2}
_Stats = Mapping[str, Any] | pd.Series | pd.DataFrame  # value, sd, n_effective
_COLUMNS = ["kpi", "period", "n", "value", "ci_low", "ci_high", "tested", "n_effective", "sd"]
_TILE_COLUMNS = ["kpi", "period", "value", "ci_low", "ci_high", "n", "previous_period",
                 "previous_value", "change", "p_value", "tested"]  # fmt: skip


def _calendar(dates: pd.Series, period: str) -> pd.Series:
    """Calendar period numbers (year × periods per year + period in the year; NaN without a date)."""
    dates = pd.to_datetime(dates, errors="coerce")
    per_year = _PER_YEAR[period]
    return dates.dt.year * per_year + (dates.dt.month - 1) // (12 // per_year)


def _label(number: float, period: str) -> str:
    year, k = divmod(int(number), _PER_YEAR[period])
    return f"{year}-{k + 1:02d}" if period == "month" else f"{year}{period[0].upper()}{k + 1}"


def _calendar_labels(numbers: pd.Series, period: str) -> pd.Series:
    return numbers.map({i: _label(i, period) for i in numbers.dropna().unique()})


def period_labels(
    frame: pd.DataFrame,
    period: str = "wave",
    date_column: str = "submitted_at",
    wave_column: str = "wave",
) -> pd.Series:
    """The period of every row: an ordered categorical named ``period`` on ``frame``'s index
    (missing where the wave or date is), its categories in time order.

    ``period="wave"`` reads ``wave_column`` and orders the waves by the median of their dates
    when ``date_column`` exists (ties and undated waves by label), else by label. ``month``
    ("2025-03"), ``quarter`` ("2025Q1") and ``half`` ("2025H1") come from ``date_column``, with
    every period from the first to the last as a category. The rule is kept in ``.attrs``, so
    :func:`kpi_series` maps feedback and transactions by the same rule.

    Examples
    --------
    >>> frame = pd.DataFrame({"wave": ["spring", "autumn", "spring"],
    ...                       "submitted_at": pd.to_datetime(["2025-03-02", "2024-10-01",
    ...                                                       "2025-05-20"])})
    >>> list(period_labels(frame).cat.categories)
    ['autumn', 'spring']
    >>> period_labels(frame, "quarter").tolist()
    ['2025Q1', '2024Q4', '2025Q2']
    """
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    column = wave_column if period == "wave" else date_column
    if column not in frame:
        raise ValueError(f"no column {column!r} to make {period} periods from")
    if period == "wave":
        values = frame[wave_column].astype("string")
        order = pd.DataFrame({"label": values.dropna().unique()})
        if date_column in frame:
            median = pd.to_datetime(frame[date_column], errors="coerce").groupby(values).median()
            order = order.assign(when=order["label"].map(median))
        order = order.sort_values([c for c in ("when", "label") if c in order], kind="stable")
        categories = [str(c) for c in order["label"]]
    else:
        numbers = _calendar(frame[column], period)
        known = numbers.dropna()
        span = range(int(known.min()), int(known.max()) + 1) if len(known) else range(0)
        categories, values = [_label(i, period) for i in span], _calendar_labels(numbers, period)
    categorical = pd.Categorical(values, categories=categories, ordered=True)
    labels = pd.Series(categorical, index=frame.index, name="period")
    labels.attrs["period"] = period
    return labels


def _resolve_periods(
    responses: pd.DataFrame, periods: str | pd.Series, date_column: str, wave_column: str
) -> tuple[pd.Series, str | None]:
    """The responses' periods (ordered categorical) and the calendar rule, if there is one."""
    if isinstance(periods, str):
        rule = periods if periods in _PER_YEAR else None
        return period_labels(responses, periods, date_column, wave_column), rule
    if not periods.index.equals(responses.index):
        raise ValueError("periods must be indexed like the responses")
    rule = periods.attrs.get("period")
    if not (isinstance(periods.dtype, pd.CategoricalDtype) and periods.cat.ordered):
        values = periods.astype("string")
        order = sorted(values.dropna().unique())
        periods = pd.Series(pd.Categorical(values, order, ordered=True), index=periods.index)
    return periods.rename("period"), rule if rule in _PER_YEAR else None


def _customer_periods(
    events: pd.DataFrame, time: str, labels: pd.Series, rule: str | None, dates: pd.Series
) -> pd.DataFrame:
    """Distinct (period, customer_id) of events: by the calendar ``rule``, else (waves) each
    period's span of answer dates [first, last] (an event may fall in two overlapping waves)."""
    events = events.dropna(subset=["customer_id"])
    when = pd.to_datetime(events[time], errors="coerce")
    categories = labels.cat.categories
    if rule is not None:
        period = _calendar_labels(_calendar(when, rule), rule)
        pairs = pd.DataFrame({"period": period, "customer_id": events["customer_id"]})
    else:
        when_answered = pd.to_datetime(dates, errors="coerce")
        spans = when_answered.groupby(labels, observed=True).agg(["min", "max"]).dropna()
        parts = [
            pd.DataFrame(
                {"period": label, "customer_id": events.loc[when.between(lo, hi)].customer_id}
            )
            for label, (lo, hi) in spans.iterrows()
        ]
        pairs = pd.concat(parts) if parts else pd.DataFrame(columns=["period", "customer_id"])
    pairs = pairs[pairs["period"].isin(categories)].astype({"customer_id": "string"})
    return pairs.drop_duplicates(ignore_index=True)


def _proportion(successes: float, n: float, answers: int, ci: float) -> dict[str, float]:
    """A share (%) with Wilson's interval; ``n`` may be Kish's effective n."""
    p = successes / n
    low, high = wilson_interval(successes, n, ci)
    cols = {"value": p, "ci_low": float(low), "ci_high": float(high), "sd": np.sqrt(p * (1 - p))}
    return {"n": answers, "n_effective": float(n)} | {k: 100 * float(v) for k, v in cols.items()}


def _survey_row(
    kpi: str, item: Item, values: pd.Series, w: pd.Series | None, ci: float
) -> dict[str, Any]:
    """One period's estimate of a survey KPI (``values`` without missing answers)."""
    if len(values) == 0:
        return {"n": 0}
    n_eff = kish_n(w) if w is not None else float(len(values))
    if kpi == "csat_top2":
        share = box_shares(values, item.scale, w)["top2"] / 100
        return _proportion(share * n_eff, n_eff, len(values), ci)
    if kpi == "nps":
        s = nps_summary(values, w, ci)
        p, d = s["promoters"] / 100, s["detractors"] / 100
        s |= {"value": s["nps"], "sd": 100 * float(np.sqrt(max(p + d - (p - d) ** 2, 0.0)))}
    else:
        s = weighted_mean_ci(values, w, ci)
        var = np.average((values - s["mean"]) ** 2, weights=None if w is None else w.to_numpy())
        sd = float(np.sqrt(var * n_eff / (n_eff - 1))) if n_eff > 1 else np.nan
        s |= {"value": s["mean"], "sd": sd}
    return {k: s[k] for k in ("n", "value", "ci_low", "ci_high", "n_effective", "sd")}


def _complaint_rows(
    feedback: pd.DataFrame,
    transactions: pd.DataFrame,
    responses: pd.DataFrame,
    labels: pd.Series,
    rule: str | None,
    date_column: str,
    ci: float,
) -> list[dict[str, Any]]:
    """The complaint rate per period (none without feedback dates or, for waves, answer dates)."""
    if "created_at" not in feedback or not feedback["created_at"].notna().any():
        return []
    if rule is None and date_column not in responses:
        return []
    dates = responses.get(date_column, pd.Series(pd.NaT, index=responses.index))
    complaint = feedback["kind"].astype("string").str.lower() == "complaint"
    complained = _customer_periods(feedback[complaint], "created_at", labels, rule, dates)
    bought = _customer_periods(transactions, "ts", labels, rule, dates)
    n = pd.concat([complained, bought]).drop_duplicates().groupby("period").size()
    k = complained.groupby("period").size()
    rows = []
    for label in labels.cat.categories:
        n_label, k_label = int(n.get(label, 0)), int(k.get(label, 0))
        row = _proportion(k_label, n_label, n_label, ci) if n_label else {"n": 0}
        rows.append({"kpi": "complaint_rate", "period": label, **row})
    return rows


def kpi_series(
    responses: pd.DataFrame,
    codebook: Codebook,
    periods: str | pd.Series,
    min_n: int = 100,
    feedback: pd.DataFrame | None = None,
    transactions: pd.DataFrame | None = None,
    *,
    weights: str | None = "weight",
    date_column: str = "submitted_at",
    wave_column: str = "wave",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Every headline KPI per period, with its confidence interval.

    Parameters
    ----------
    responses, codebook : DataFrame, Codebook
        Clean responses; the codebook's first outcome item of each ``metric`` (nps, csat, ces)
        that the responses hold is tracked, a missing one left out.
    periods : str or Series
        A rule of :func:`period_labels` or its result (other labels: events mapped like waves).
    min_n : int
        Answers (customers, for the complaint rate) a period needs to be ``tested``.
    feedback, transactions : DataFrame, optional
        Both given (feedback with ``created_at`` dates): the complaint rate too.
    weights, date_column, wave_column, ci
        Survey-weight column, used when present (rows without a weight left out); the
        responses' date and wave columns; the confidence level.

    Returns
    -------
    DataFrame
        One row per KPI and period (every category; an empty one has ``n`` 0): ``kpi``,
        ``period`` (ordered categorical), ``n``, ``value``, ``ci_low``, ``ci_high``, ``tested``
        (``n >= min_n``), ``n_effective`` (Kish) and ``sd`` (per respondent, KPI's scale).

    Notes
    -----
    ``nps`` on −100…100 (:func:`~cemlib.cx.metrics.nps_summary`); ``csat_top2`` the % in the top
    two boxes of a rating-scale item, Wilson interval on Kish's n; ``ces`` the mean, t interval
    (:func:`~cemlib.cx.metrics.weighted_mean_ci`); ``complaint_rate`` the % of customers in
    contact (a transaction or a complaint in the period) who complained, Wilson interval.
    Complaints without a customer id are left out; a complainant who bought nothing in the
    period counts in both numerator and denominator, so the rate stays a proportion. An event
    belongs to the calendar period of its date, or to each wave whose answer dates span it.

    Examples
    --------
    >>> from cemlib.data.schema import Codebook, Item
    >>> book = Codebook((Item("ltr", "outcome", (0, 10), metric="nps"),))
    >>> survey = pd.DataFrame({"wave": ["w1"] * 4 + ["w2"] * 4,
    ...                        "ltr": [10, 9, 6, 8, 10, 10, 9, 3]})
    >>> kpi_series(survey, book, "wave", min_n=4)[["kpi", "period", "n", "value", "tested"]]
       kpi period  n  value  tested
    0  nps     w1  4   25.0    True
    1  nps     w2  4   50.0    True
    """
    labels, rule = _resolve_periods(responses, periods, date_column, wave_column)
    weighted = weights is not None and weights in responses and responses[weights].notna().any()
    w_all = responses[weights].astype("float64") if weighted else None
    rows = []
    for kpi, metric in (("nps", "nps"), ("csat_top2", "csat"), ("ces", "ces")):
        item = next((i for i in codebook.by_role("outcome") if i.metric == metric), None)
        if item is None or item.id not in responses:
            continue
        if kpi == "csat_top2" and not is_rating_scale(item):
            continue  # a 0–100 item has no boxes
        keep = responses[item.id].notna()
        if w_all is not None:
            keep &= w_all.notna() & (w_all > 0)
        values = responses.loc[keep, item.id].astype("float64")
        for label, part in values.groupby(labels[keep], observed=False):
            w = w_all.loc[part.index] if w_all is not None else None
            rows.append({"kpi": kpi, "period": label, **_survey_row(kpi, item, part, w, ci)})
    if feedback is not None and transactions is not None:
        rows += _complaint_rows(feedback, transactions, responses, labels, rule, date_column, ci)
    table = pd.DataFrame(rows, columns=_COLUMNS).astype({c: "float64" for c in _COLUMNS[3:6]})
    table["period"] = pd.Categorical(table["period"], labels.cat.categories, ordered=True)
    table["n"] = table["n"].fillna(0).astype("int64")
    table["n_effective"] = table["n_effective"].astype("float64").fillna(0.0)
    table["sd"] = table["sd"].astype("float64")
    table["tested"] = table["n"] >= min_n
    return table


def change_test(kind: str, before: _Stats, after: _Stats) -> dict[str, np.ndarray]:
    """Two-sided test of the change from ``before`` to ``after``, vectorised over rows.

    ``before`` and ``after`` hold ``value``, ``sd`` and ``n_effective`` as :func:`kpi_series`
    gives them (a row, a frame or a dict of arrays); ``kind`` is ``"nps"``, ``"proportion"`` or
    ``"mean"`` (:data:`KIND`). Returns ``change`` (after − before), ``statistic`` (z or t) and
    ``p_value`` as arrays.

    ``nps``: z = Δ / √(V₁/n₁ + V₂/n₂) with the trinomial variance V = p + d − (p − d)² = sd²,
    the z of :func:`~cemlib.cx.metrics.nps_difference` (Rocks 2016). ``proportion``: the pooled
    (score) z, Δ / √(p̄(1 − p̄)(1/n₁ + 1/n₂)) (Agresti 2013). ``mean``: Welch's t with
    Welch–Satterthwaite degrees of freedom. A zero standard error gives a statistic of 0.

    >>> test = change_test("proportion", {"value": 40.0, "sd": 0, "n_effective": 200},
    ...                    {"value": 50.0, "sd": 0, "n_effective": 200})
    >>> f"z = {test['statistic'][0]:.3f}, p = {test['p_value'][0]:.4f}"
    'z = 2.010, p = 0.0444'
    """

    def arrays(side: _Stats) -> list[np.ndarray]:
        return [
            np.atleast_1d(np.asarray(side[k], dtype="float64"))
            for k in ("value", "sd", "n_effective")
        ]

    (v1, s1, n1), (v2, s2, n2) = arrays(before), arrays(after)
    change = v2 - v1
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "nps":
            se = np.sqrt(s1**2 / n1 + s2**2 / n2)
        elif kind == "proportion":
            pooled = (v1 * n1 + v2 * n2) / (100 * (n1 + n2))
            se = 100 * np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        elif kind == "mean":
            a, b = s1**2 / n1, s2**2 / n2
            se = np.sqrt(a + b)
            df = np.where(se > 0, (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1)), np.inf)
        else:
            raise ValueError(f"unknown kind {kind!r}; use nps, proportion or mean")
        statistic = np.where(se > 0, change / se, np.where(np.isnan(se), np.nan, 0.0))
    tail = stats.t.sf(np.abs(statistic), df) if kind == "mean" else stats.norm.sf(np.abs(statistic))
    return {"change": change, "statistic": statistic, "p_value": 2 * tail}


def tiles_from_series(
    series: pd.DataFrame,
    period: str | None = None,
    alpha: float = 0.05,
    higher_is_better: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """The tiles of ``period`` (default: the last) against the period before it, from a
    :func:`kpi_series` table (or any with its columns); columns as :func:`kpi_tiles`."""
    direction = {**HIGHER_IS_BETTER, **(higher_is_better or {})}
    categories = list(series["period"].cat.categories)
    if not categories:
        raise ValueError("the series has no periods")
    current = categories[-1] if period is None else period
    if current not in categories:
        raise ValueError(f"period {current!r} is not in the series")
    position = categories.index(current)
    previous = categories[position - 1] if position > 0 else None
    rows = []
    for kpi, part in series.groupby("kpi", sort=False):
        part = part.set_index("period")
        now = part.loc[current]
        row = {"kpi": kpi, "period": str(current), "value": now["value"], "ci_low": now["ci_low"],
               "ci_high": now["ci_high"], "n": now["n"], "previous_period": previous,
               "previous_value": np.nan, "change": np.nan, "p_value": np.nan, "tested": False}  # fmt: skip
        if previous is not None:
            before = part.loc[previous]
            test = change_test(KIND[str(kpi)], before, now)
            row.update(previous_value=before["value"], change=float(test["change"][0]))
            row["tested"] = bool(before["tested"] and now["tested"])
            row["p_value"] = float(test["p_value"][0]) if row["tested"] else np.nan
        rows.append(row)
    tiles = pd.DataFrame(rows, columns=_TILE_COLUMNS)
    tiles["p_adjusted"] = holm(tiles["p_value"].to_numpy())
    tiles["significant"] = tiles["tested"] & (tiles["p_adjusted"] < alpha)
    up = (tiles["change"] > 0).to_numpy()
    tiles["arrow"] = np.where(tiles["significant"], np.where(up, "▲", "▼"), "")
    tiles["better"] = [
        bool(u == direction[k]) if s else None
        for k, u, s in zip(tiles["kpi"], up, tiles["significant"], strict=True)
    ]
    return tiles


def kpi_tiles(
    responses: pd.DataFrame,
    codebook: Codebook,
    periods: str | pd.Series,
    min_n: int = 100,
    alpha: float = 0.05,
    feedback: pd.DataFrame | None = None,
    transactions: pd.DataFrame | None = None,
    *,
    higher_is_better: Mapping[str, bool] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Headline tiles: each KPI in the last period, its change from the period before, and
    whether that change is real.

    Parameters
    ----------
    responses, codebook, periods, min_n, feedback, transactions, **options
        As :func:`kpi_series`.
    alpha : float
        Family-wise error rate over the tiles (Holm's adjustment).
    higher_is_better : mapping, optional
        Overrides of :data:`HIGHER_IS_BETTER` (see the module's note on CES).

    Returns
    -------
    DataFrame
        One row per KPI: ``kpi``, ``period``, ``value``, ``ci_low``, ``ci_high``, ``n``,
        ``previous_period``, ``previous_value``, ``change``, ``p_value`` (:func:`change_test`,
        NaN unless both periods are tested), ``tested``, ``p_adjusted`` (Holm over the tested
        tiles), ``significant`` (tested and ``p_adjusted < alpha``), ``arrow`` ("▲"/"▼" if
        significant, else "") and ``better`` (whether a significant change is good, else None).

    Examples
    --------
    >>> from cemlib.data.schema import Codebook, Item
    >>> book = Codebook((Item("ltr", "outcome", (0, 10), metric="nps"),))
    >>> survey = pd.DataFrame({"wave": ["w1"] * 200 + ["w2"] * 200,
    ...                        "ltr": [10, 3] * 100 + [10, 10, 10, 3] * 50})
    >>> kpi_tiles(survey, book, "wave")[["kpi", "value", "change", "arrow", "better"]]
       kpi  value  change arrow  better
    0  nps   50.0    50.0     ▲    True
    """
    series = kpi_series(responses, codebook, periods, min_n, feedback, transactions, **options)
    return tiles_from_series(series, alpha=alpha, higher_is_better=higher_is_better)


def _runs(side: np.ndarray, length: int) -> np.ndarray:
    """Whether each point is in ``length`` or more consecutive points of one nonzero ``side``."""
    flags = np.zeros(len(side), dtype=bool)
    start = 0
    for end in range(1, len(side) + 1):
        if end == len(side) or side[end] != side[start]:
            flags[start:end] = side[start] != 0 and end - start >= length
            start = end
    return flags


def control_limits(series: pd.DataFrame, sigma: float = 3.0, run_length: int = 8) -> pd.DataFrame:
    """Shewhart control limits of every KPI's series, with the Western Electric run rule.

    Parameters
    ----------
    series : DataFrame
        As :func:`kpi_series` returns it (``kpi``, ``period``, ``value``, ``sd``, ``n_effective``).
    sigma, run_length : float, int
        Width of the limits in standard errors; points on one side that signal a shift.

    Returns
    -------
    DataFrame
        ``series`` in period order with ``centre``, ``lcl``, ``ucl``, ``outside`` (beyond a
        limit) and ``run`` (in a run of ``run_length`` or more points on one side of the
        centre; a point on the centre line or without data ends a run).

    Notes
    -----
    Periods count by their effective n. Proportions: the p-chart p̄ ± 3√(p̄(1 − p̄)/nᵢ). NPS:
    the pooled NPS ± 3√(V/nᵢ), V = p̄ + d̄ − (p̄ − d̄)² (p̄ + d̄ is the pooled mean of
    sdᵢ² + NPSᵢ² on −1…1). Means: the grand mean ± 3s/√nᵢ, s² = Σ(nᵢ − 1)sᵢ² / Σ(nᵢ − 1)
    (Montgomery 2019, chs. 6–7). Limits are clipped to the KPI's range.

    Examples
    --------
    >>> series = pd.DataFrame({"kpi": ["csat_top2"] * 3, "period": ["a", "b", "c"],
    ...                        "value": [50.0, 52.0, 70.0], "n_effective": [400.0] * 3,
    ...                        "sd": [50.0] * 3})
    >>> control_limits(series)[["value", "centre", "lcl", "outside"]].round(1)
       value  centre   lcl  outside
    0   50.0    57.3  49.9    False
    1   52.0    57.3  49.9    False
    2   70.0    57.3  49.9     True
    """
    parts = []
    for kpi, part in series.groupby("kpi", sort=False):
        part = part.sort_values("period", kind="stable")
        n, v, s = (part[c].to_numpy(dtype="float64") for c in ("n_effective", "value", "sd"))
        use = (n > 0) & np.isfinite(v)
        if not use.any():
            parts.append(
                part.assign(centre=np.nan, lcl=np.nan, ucl=np.nan, outside=False, run=False)
            )
            continue
        kind = KIND.get(str(kpi), "mean")
        centre = float(np.average(v[use], weights=n[use]))
        bounds = {"proportion": (0.0, 100.0), "nps": (-100.0, 100.0)}.get(kind, (-np.inf, np.inf))
        if kind == "proportion":
            spread = np.sqrt(centre * (100 - centre))
        elif kind == "nps":
            second = np.average((s[use] / 100) ** 2 + (v[use] / 100) ** 2, weights=n[use])
            spread = 100 * np.sqrt(max(second - (centre / 100) ** 2, 0.0))
        else:
            ok = use & np.isfinite(s) & (n > 1)
            pooled = np.sum((n[ok] - 1) * s[ok] ** 2) / np.sum(n[ok] - 1) if ok.any() else np.nan
            spread = np.sqrt(pooled)
        half = sigma * spread / np.sqrt(np.where(use, n, np.nan))
        part["centre"] = centre
        part["lcl"], part["ucl"] = np.clip(centre - half, *bounds), np.clip(centre + half, *bounds)
        part["outside"] = (v < part["lcl"].to_numpy()) | (v > part["ucl"].to_numpy())
        part["run"] = _runs(np.where(use, np.sign(v - centre), 0.0), run_length)
        parts.append(part)
    return (
        pd.concat(parts) if parts else series.assign(centre=[], lcl=[], ucl=[], outside=[], run=[])
    )
