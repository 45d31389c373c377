"""Planting defects on the clean synthetic tables, and the log of what was planted where.

A :class:`Plan` spoils one table: it reserves still-clean rows for each defect (so row-level
defects land on distinct rows), adds extra rows (copies, orphans, test accounts) and logs every
defect with the 1-based data-record number it ends up at in the written file. The defects are
the ones the clean stage must catch or repair: duplicates, speeders, straight-liners, failed
attention checks, test records, out-of-range answers, full-width characters, malformed customer
ids, personal data and HTML in free text, empty texts and orphan transactions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cemlib.data.synth.codebook import ITEM_IDS, ITEM_SCALE
from cemlib.data.synth.draws import half_year_wave, iso_datetimes, pick_str
from cemlib.data.synth.pii import make_decoy, with_html, with_pii
from cemlib.data.synth.planted import (
    ATTENTION_EXPECT,
    DECOY_RATE,
    DRIVERS,
    DURATION_MEDIAN,
    DURATION_SIGMA,
    MIN_DEFECTS,
    REGIONS,
)

__all__ = [
    "LOG_COLUMNS",
    "Plan",
    "as_text",
    "design_notes",
    "plant_customers",
    "plant_feedback",
    "plant_responses",
    "plant_transactions",
]

# Columns of truth/defects.parquet and truth/decoys.parquet, one row per planted item.
LOG_COLUMNS = ["table", "source_row", "record_id", "defect", "column", "detail"]


class Plan:
    """One table being spoiled: which rows are still clean, the extra rows, the defect log.

    Base rows keep their position as sort key; extra rows (copies, orphans, test accounts) get
    fractional keys, so the written order is known only at :meth:`assemble`, which turns every
    logged row into its 1-based data-record number.
    """

    def __init__(
        self, rng: np.random.Generator, table: str, df: pd.DataFrame, rates: dict, start: str
    ):
        self.rng, self.table, self.rates, self.start = rng, table, rates, start
        self.df = df.reset_index(drop=True).copy()
        self.n = len(self.df)
        self.used = np.zeros(self.n, dtype=bool)
        self.log: list[dict] = []
        self.decoys: list[dict] = []
        self.extra: list[pd.DataFrame] = []
        self.extra_keys: list[float] = []

    def count(self, defect: str) -> int:
        """How many rows get ``defect``: rate x clean rows, at least a few when the rate is > 0."""
        rate = float(self.rates.get(f"{self.table}.{defect}", 0.0))
        return 0 if rate <= 0 else max(MIN_DEFECTS, int(round(rate * self.n)))

    def take(self, k: int, mask: np.ndarray | None = None, what: str = "") -> np.ndarray:
        """Reserve ``k`` still-clean rows (optionally only where ``mask``), sorted."""
        free = ~self.used if mask is None else ~self.used & mask
        pool = np.flatnonzero(free)
        if len(pool) < k:
            raise ValueError(
                f"{self.table}: only {len(pool)} clean rows left to plant {k} "
                f"'{what}' defects; generate a larger world or lower the rate"
            )
        pick = np.sort(self.rng.choice(pool, k, replace=False)) if k else pool[:0]
        self.used[pick] = True
        return pick

    def note(
        self, row: int, defect: str, column: str = "", detail: str = "", ref: int | None = None
    ) -> None:
        """Log a defect on internal row ``row``; ``ref`` = internal row it copies."""
        self.log.append(
            {"_row": int(row), "defect": defect, "column": column, "detail": detail, "_ref": ref}
        )

    def add_row(self, values: pd.DataFrame, key: float) -> int:
        """Append one extra row at sort key ``key``; returns its internal row number."""
        self.extra.append(values)
        self.extra_keys.append(key)
        return self.n + len(self.extra) - 1

    def copy_later(self, row: int, defect: str = "duplicate_exact") -> int:
        """A verbatim copy of base row ``row`` placed somewhere after it."""
        key = float(self.rng.integers(row, self.n)) + 0.5
        new = self.add_row(self.df.iloc[[row]], key)
        self.note(new, defect, ref=row)
        return new

    def assemble(self, id_col: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Final table in written order, its defect log and its decoy log."""
        full = pd.concat([self.df, *self.extra], ignore_index=True) if self.extra else self.df
        keys = np.concatenate([np.arange(self.n, dtype=float), np.asarray(self.extra_keys)])
        order = np.argsort(keys, kind="stable")
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(1, len(order) + 1)
        final = full.iloc[order].reset_index(drop=True)
        ids = full[id_col].astype(str).to_numpy()
        return final, self._frame(self.log, position, ids), self._frame(self.decoys, position, ids)

    def _frame(self, records: list[dict], position: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
        """Log records with source_row and record_id resolved."""
        rows = []
        for rec in records:
            detail = rec["detail"]
            if rec.get("_ref") is not None:
                ref = rec["_ref"]
                what = "copy" if rec["defect"] == "duplicate_exact" else "near copy"
                detail = f"{what} of record {position[ref]} ({ids[ref]})" + detail
            rows.append(
                {
                    "table": self.table,
                    "source_row": int(position[rec["_row"]]),
                    "record_id": ids[rec["_row"]],
                    "defect": rec["defect"],
                    "column": rec["column"],
                    "detail": detail,
                }
            )
        return pd.DataFrame(rows, columns=LOG_COLUMNS)


def _full_width(value: str) -> str:
    """ASCII letters, digits and punctuation turned into their full-width forms (U+FF01-FF5E)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def _id_variant(rng: np.random.Generator, cid: str) -> str:
    """A malformed spelling of a canonical customer id: lower case, padded and/or hyphenated."""
    forms = (
        cid.lower(),
        f" {cid}",
        f"{cid} ",
        f"  {cid.lower()} ",
        f"{cid[0]}-{cid[1:]}",
        f"{cid[0].lower()}-{cid[1:]}",
        f" {cid[0]}-{cid[1:]}",
    )
    return pick_str(rng, forms)


def _spoil_text(plan: Plan, col: str, zh: np.ndarray) -> None:
    """Personal data and HTML in free text, one kind per row, plus unlogged decoys."""
    rng, df = plan.rng, plan.df
    for defect in ("pii_email", "pii_phone", "pii_id_card", "pii_bank_card", "html"):
        for i in plan.take(plan.count(defect), what=defect):
            text = df.at[i, col]
            if defect == "html":
                new, planted = with_html(rng, text, bool(zh[i]))
            else:
                new, planted = with_pii(rng, defect, text, bool(zh[i]))
            df.at[i, col] = new
            plan.note(i, defect, col, planted)
    k = int(round(DECOY_RATE * plan.n))
    for i in plan.take(min(k, int((~plan.used).sum()) // 3), what="decoy"):
        decoy = make_decoy(rng, bool(zh[i]), plan.start)
        text = df.at[i, col]
        sentence = decoy + "。" if zh[i] else decoy[0].upper() + decoy[1:] + "."
        df.at[i, col] = (text + sentence) if zh[i] else f"{text} {sentence}".strip()
        plan.decoys.append({"_row": int(i), "defect": "decoy", "column": col, "detail": decoy})


def plant_customers(plan: Plan, span: int) -> None:
    """Test accounts (extra rows), malformed ids and exact duplicates in the customer table."""
    rng, df = plan.rng, plan.df
    first = np.datetime64(plan.start, "D")
    for i in range(plan.count("test_record")):
        day = first + int(rng.integers(0, span))
        row = pd.DataFrame(
            {
                "customer_id": [f"TEST-{i + 1:04d}"],
                "first_seen": [str(day)],
                "region": [pick_str(rng, REGIONS)],
                "tier": ["internal"],
                "acquisition_channel": ["store"],
                "cost_to_serve": ["0.00"],
            }
        )
        new = plan.add_row(row, float(rng.integers(0, plan.n + 1)) - 0.5)
        plan.note(new, "test_record", "customer_id", "internal test account, tier 'internal'")
    for i in plan.take(plan.count("customer_id_format"), what="customer_id_format"):
        cid = df.at[i, "customer_id"]
        df.at[i, "customer_id"] = bad = _id_variant(rng, cid)
        plan.note(i, "customer_id_format", "customer_id", f"{cid} written as '{bad}'")
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(i)


def plant_transactions(plan: Plan, n_customers: int, span: int) -> None:
    """Orphan transactions (unknown customer) and exact duplicates."""
    rng, df = plan.rng, plan.df
    first = np.datetime64(plan.start, "s")
    ts = df["ts"].to_numpy()
    for i in range(plan.count("orphan")):
        row = df.iloc[[int(rng.integers(plan.n))]].copy()
        # an id above every real customer's (the bound scales so a million customers still fit)
        upper = max(1_000_000, 2 * n_customers + 1_000)
        cid = f"C{int(rng.integers(n_customers + 1, upper)):06d}"
        when = (first + int(rng.integers(0, span * 86400))).astype("datetime64[us]")
        row["transaction_id"], row["customer_id"], row["ts"] = f"T{plan.n + i + 1:08d}", cid, when
        key = float(np.searchsorted(ts, np.datetime64(when), side="right")) - 0.25
        plan.note(
            plan.add_row(row, key), "orphan", "customer_id", f"customer {cid} is not in customers"
        )
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(i)


def _raw_scale(item: str, survey: str) -> tuple[int, int]:
    """Scale an item was asked on in a survey (kiosk osat ran on 1-10)."""
    return (1, 10) if (item == "osat" and survey == "kiosk_pulse") else ITEM_SCALE[item]


def _spoil_rows(plan: Plan) -> None:
    """Row-level response defects: speeders, straight-liners, failed checks, test records."""
    rng, df = plan.rng, plan.df
    for i in plan.take(plan.count("speeder"), what="speeder"):
        median = DURATION_MEDIAN[df.at[i, "survey"]]
        d = int(rng.integers(15, min(81, int(median / 3.3))))
        df.at[i, "duration_s"] = str(d)
        plan.note(i, "speeder", "duration_s", f"{d} s, survey median about {median:.0f} s")
    for i in plan.take(plan.count("straight_liner"), what="straight_liner"):
        v = str(int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.1, 0.3, 0.35, 0.2])))
        for d in DRIVERS:
            df.at[i, d] = v
        plan.note(i, "straight_liner", "", f"all 12 raw driver answers = {v}")
    for i in plan.take(plan.count("attention_check"), what="attention_check"):
        v = str(int(rng.choice([1, 2, 3, 5], p=[0.2, 0.25, 0.3, 0.25])))
        df.at[i, "attn_1"] = v
        plan.note(i, "attention_check", "attn_1", f"answered {v}, expected {ATTENTION_EXPECT}")
    for n, i in enumerate(plan.take(plan.count("test_record"), what="test_record")):
        if n % 2 == 0:
            df.at[i, "customer_id"] = cid = pick_str(rng, ("TEST", "QA")) + f"-{n + 1:04d}"
            plan.note(i, "test_record", "customer_id", cid)
        else:
            df.at[i, "comment"] = word = "测试" if df.at[i, "language"] == "zh" else "test"
            plan.note(i, "test_record", "comment", word)


def _spoil_cells(plan: Plan) -> None:
    """Cell-level response defects: malformed ids, full-width characters, out-of-range values."""
    rng, df = plan.rng, plan.df
    linked = df["customer_id"].str.match(r"^C\d{6}$").to_numpy()
    answerable = [c for c in ITEM_IDS if c != "attn_1"]
    for i in plan.take(plan.count("customer_id_format"), linked, "customer_id_format"):
        cid = df.at[i, "customer_id"]
        df.at[i, "customer_id"] = bad = _id_variant(rng, cid)
        plan.note(i, "customer_id_format", "customer_id", f"{cid} written as '{bad}'")
    for i in plan.take(plan.count("full_width"), what="full_width"):
        u = rng.random()
        col = (
            "customer_id"
            if u < 0.35 and linked[i]
            else "duration_s"
            if u < 0.55
            else pick_str(rng, answerable)
        )
        old = df.at[i, col]
        df.at[i, col] = new = _full_width(old)
        plan.note(i, "full_width", col, f"'{old}' written as '{new}'")
    for i in plan.take(plan.count("out_of_range"), what="out_of_range"):
        col = pick_str(rng, answerable)
        lo, hi = _raw_scale(col, df.at[i, "survey"])
        v = int(rng.choice([lo - 1, hi + 1, hi + 2, 99]))
        df.at[i, col] = str(v)
        plan.note(i, "out_of_range", col, f"{v} outside [{lo}, {hi}]")


def _spoil_duplicates(plan: Plan) -> None:
    """Near duplicates (same customer and answers, minutes later) and exact copies."""
    rng, df = plan.rng, plan.df
    first = np.datetime64(plan.start, "D")
    seconds = df["_seconds"].to_numpy()
    later = half_year_wave(iso_datetimes(seconds + 1800, first)) == df["wave"].to_numpy()
    linked = df["customer_id"].str.match(r"^C\d{6}$").to_numpy()
    for n, i in enumerate(
        plan.take(plan.count("duplicate_near"), linked & later, "duplicate_near")
    ):
        row = df.iloc[[i]].copy()
        delta = int(rng.integers(60, 1801))
        median = DURATION_MEDIAN[df.at[i, "survey"]]
        old = int(df.at[i, "duration_s"])
        dur = old
        while dur == old:
            dur = int(round(median * np.exp(DURATION_SIGMA * rng.standard_normal())))
        row["response_id"] = f"R{plan.n + n + 1:07d}"
        row["submitted_at"] = iso_datetimes(np.array([seconds[i] + delta]), first)[0]
        row["duration_s"], row["_seconds"] = str(dur), seconds[i] + delta
        key = float(np.searchsorted(seconds, seconds[i] + delta, side="right")) - 0.25
        new = plan.add_row(row, key)
        plan.note(
            new, "duplicate_near", "", f", {delta // 60} min {delta % 60} s later", ref=int(i)
        )
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(int(i))


def as_text(df: pd.DataFrame, columns) -> pd.DataFrame:
    """Columns turned into their written text form (CSV cells are text)."""
    out = df.copy()
    for c in columns:
        out[c] = out[c].astype(str)
    return out


def plant_responses(plan: Plan) -> None:
    """All response defects, in an order that keeps row-level defects on distinct rows."""
    _spoil_rows(plan)
    _spoil_cells(plan)
    zh = (plan.df["language"] == "zh").to_numpy()
    _spoil_text(plan, "comment", zh)
    _spoil_duplicates(plan)


def design_notes(final: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Per-row notes of survey design the clean stage harmonises (not defects)."""
    rows = []
    for pos, (rid, survey) in enumerate(
        zip(final["response_id"], final["survey"], strict=True), start=1
    ):
        if survey == "kiosk_pulse":
            rows.append(
                (
                    "responses",
                    pos,
                    rid,
                    "scale_mapped",
                    "osat",
                    "osat asked on 1-10 (kiosk_pulse); map to 1-5",
                )
            )
        elif survey == "legacy_2024":
            rows.append(
                (
                    "responses",
                    pos,
                    rid,
                    "reverse_scale",
                    "ces",
                    "ces asked reversed, 1 = easiest (legacy_2024); recode 8 - x",
                )
            )
    notes = pd.DataFrame(rows, columns=log.columns)
    return pd.concat([log, notes], ignore_index=True) if len(log) else notes


def plant_feedback(plan: Plan) -> None:
    """Empty texts, full-width ids, personal data, HTML and exact duplicates in feedback."""
    rng, df = plan.rng, plan.df
    for i in plan.take(plan.count("empty_text"), what="empty_text"):
        df.at[i, "text"] = blank = pick_str(rng, ("", " ", "   ", "\t"))
        plan.note(i, "empty_text", "text", "empty" if not blank else "whitespace only")
    linked = (df["customer_id"] != "").to_numpy()
    for i in plan.take(plan.count("full_width"), linked, "full_width"):
        old = df.at[i, "customer_id"]
        df.at[i, "customer_id"] = new = _full_width(old)
        plan.note(i, "full_width", "customer_id", f"'{old}' written as '{new}'")
    _spoil_text(plan, "text", (df["_language"] == "zh").to_numpy())
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(int(i))
