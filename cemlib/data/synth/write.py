"""The public entry point :func:`generate`: simulate the world, plant the defects, write the
tables and the truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from cemlib.data.schema import ARCHETYPES, TABLE_ORDER
from cemlib.data.schema import TABLES as SCHEMA_TABLES
from cemlib.data.synth.codebook import ITEM_IDS, write_codebook
from cemlib.data.synth.defects import (
    LOG_COLUMNS,
    Plan,
    as_text,
    design_notes,
    plant_customers,
    plant_feedback,
    plant_responses,
    plant_transactions,
)
from cemlib.data.synth.draws import observation_window
from cemlib.data.synth.planted import (
    ARCHETYPE_SHARES,
    DEFAULT_DEFECT_RATES,
    DURATION_MEDIAN,
    REVERSE_DRIVERS,
)
from cemlib.data.synth.survey import population_truth, simulate_responses
from cemlib.data.synth.verbatims import theme_truth, verbatim_summary, verbatim_truth
from cemlib.data.synth.world import simulate_customers, simulate_feedback, simulate_transactions

__all__ = [
    "CUSTOMER_COLUMNS",
    "FEEDBACK_COLUMNS",
    "RESPONSE_COLUMNS",
    "TRANSACTION_COLUMNS",
    "generate",
]

# Columns of each written table, in file order.
CUSTOMER_COLUMNS = [
    "customer_id",
    "first_seen",
    "region",
    "tier",
    "acquisition_channel",
    "cost_to_serve",
]
TRANSACTION_COLUMNS = [
    "transaction_id",
    "customer_id",
    "ts",
    "amount",
    "margin",
    "promo",
    "channel",
]
RESPONSE_COLUMNS = [
    "response_id",
    "customer_id",
    "survey",
    "wave",
    "channel",
    "touchpoint",
    "submitted_at",
    "duration_s",
    "language",
    "weight",
    *ITEM_IDS,
    "comment",
]
FEEDBACK_COLUMNS = [
    "feedback_id",
    "customer_id",
    "channel",
    "touchpoint",
    "created_at",
    "kind",
    "text",
    "rating",
    "rating_scale",
    "resolved_at",
]


def _resolve_rates(defect_rates: dict | None) -> dict:
    """Default rates updated with overrides given flat (``"responses.speeder"``) or nested."""
    rates = dict(DEFAULT_DEFECT_RATES)
    for key, value in (defect_rates or {}).items():
        items = (
            [(f"{key}.{k}", v) for k, v in value.items()]
            if isinstance(value, dict)
            else [(key, value)]
        )
        for name, rate in items:
            if name not in DEFAULT_DEFECT_RATES:
                raise ValueError(
                    f"unknown defect '{name}'; expected one of {sorted(DEFAULT_DEFECT_RATES)}"
                )
            if not 0 <= float(rate) < 0.5:
                raise ValueError(f"defect rate {name} = {rate} is outside [0, 0.5)")
            rates[name] = float(rate)
    return rates


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 (no BOM), comma-separated, header, no index, LF line ends."""
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _archetype_truth(cust: pd.DataFrame) -> pd.DataFrame:
    """Per-customer planted archetype and latent parameters (canonical ids)."""
    cols = [
        "customer_id",
        "archetype",
        "lambda_",
        "dropout_p",
        "spend_mu",
        "margin_rate",
        "promo_p",
        "value_latent",
        "loyalty_latent",
        "alive_at_end",
        "dropout_at",
        "n_transactions",
    ]
    return cust[cols].sort_values("customer_id").reset_index(drop=True)


def _counts(log: pd.DataFrame) -> dict:
    """Rows per table and defect, as plain ints in sorted order."""
    counts: dict = {}
    for (table, defect), n in log.groupby(["table", "defect"]).size().sort_index().items():
        counts.setdefault(table, {})[defect] = int(n)
    return counts


def _simulate_world(
    root: np.random.Generator,
    n_customers: int,
    start: str,
    end: str,
    response_rate: float,
    n_feedback: int,
) -> tuple:
    """Clean tables, each from its own random stream so one table's size leaves others alone."""
    streams = root.spawn(5)
    cust = simulate_customers(streams[0], n_customers, start, end)
    tx = simulate_transactions(streams[1], cust, start, end)
    resp = simulate_responses(streams[2], cust, start, end, response_rate)
    fb = simulate_feedback(streams[3], cust, start, end, n_feedback)
    return cust, tx, resp, fb, streams[4]


def _spoil_world(
    rng: np.random.Generator, cust, tx, resp, fb, rates: dict, start: str, end: str
) -> tuple:
    """Plant every defect; returns the four written tables, the defect log and the decoy log."""
    span = observation_window(start, end)[1]
    streams = rng.spawn(4)
    plans = {
        "customers": Plan(
            streams[0],
            "customers",
            as_text(
                cust[CUSTOMER_COLUMNS].assign(
                    cost_to_serve=cust["cost_to_serve"].map("{:.2f}".format)
                ),
                CUSTOMER_COLUMNS,
            ),
            rates,
            start,
        ),
        "transactions": Plan(streams[1], "transactions", tx, rates, start),
        "responses": Plan(streams[2], "responses", as_text(resp, RESPONSE_COLUMNS), rates, start),
        "feedback": Plan(streams[3], "feedback", fb, rates, start),
    }
    plant_customers(plans["customers"], span)
    plant_transactions(plans["transactions"], len(cust), span)
    plant_responses(plans["responses"])
    plant_feedback(plans["feedback"])
    ids = {name: SCHEMA_TABLES[name].id_column for name in TABLE_ORDER}
    tables, logs, decoys = {}, [], []
    for name, plan in plans.items():
        final, log, decoy = plan.assemble(ids[name])
        if name == "responses":
            log = design_notes(final, log)
        tables[name] = final
        logs.append(log)
        decoys.append(decoy)
    log = (
        pd.concat(logs, ignore_index=True)
        .sort_values(["table", "source_row", "defect", "column"], kind="stable")
        .reset_index(drop=True)
    )
    decoy = (
        pd.concat(decoys, ignore_index=True)
        .sort_values(["table", "source_row"], kind="stable")
        .reset_index(drop=True)
    )
    return tables, log, decoy


def _write_tables(out: Path, tables: dict) -> None:
    """The four data tables and the codebook, in their written formats."""
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(tables["customers"][CUSTOMER_COLUMNS], out / "customers.csv")
    tables["transactions"][TRANSACTION_COLUMNS].to_parquet(
        out / "transactions.parquet", index=False
    )
    _write_csv(tables["responses"][RESPONSE_COLUMNS], out / "responses.csv")
    _write_csv(tables["feedback"][FEEDBACK_COLUMNS], out / "feedback.csv")
    write_codebook(out / "codebook.yaml")


def _write_truth(
    out: Path,
    cust: pd.DataFrame,
    drivers: pd.DataFrame,
    log: pd.DataFrame,
    decoys: pd.DataFrame,
    texts: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Planted archetypes, driver truth, the defect and decoy logs, and the planted themes of
    the free text (``texts``: per-text and per-theme truth) under ``truth/``."""
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    _archetype_truth(cust).to_parquet(folder / "archetypes.parquet", index=False)
    drivers.to_parquet(folder / "drivers.parquet", index=False)
    log[LOG_COLUMNS].to_parquet(folder / "defects.parquet", index=False)
    decoys[LOG_COLUMNS].to_parquet(folder / "decoys.parquet", index=False)
    verbatims, themes = texts
    verbatims.to_parquet(folder / "verbatims.parquet", index=False)
    themes.to_parquet(folder / "themes.parquet", index=False)


def generate(
    out_dir: Path | str,
    n_customers: int = 20000,
    seed: int = 0,
    start: str = "2024-01-01",
    end: str = "2025-12-31",
    response_rate: float = 0.45,
    n_feedback: int | None = None,
    defect_rates: dict | None = None,
) -> dict:
    """Write a seeded synthetic X-VOC world and the truth it planted.

    Parameters
    ----------
    out_dir : path
        Folder to write into (created if needed): ``customers.csv``, ``transactions.parquet``,
        ``responses.csv``, ``feedback.csv``, ``codebook.yaml`` and ``truth/`` with
        ``archetypes.parquet``, ``drivers.parquet``, ``defects.parquet``, ``decoys.parquet``,
        ``verbatims.parquet``, ``themes.parquet``, ``truth.json``.
    n_customers : int
        Customers in the CRM (about 10 transactions and 0.5 survey responses each).
    seed : int
        Seed of ``numpy.random.default_rng``; the same arguments give byte-identical files.
    start, end : str
        First and last day (inclusive, ``YYYY-MM-DD``) of the observation window.
    response_rate : float
        Linked survey responses per customer; anonymous responses add about 10 % on top.
    n_feedback : int, optional
        Unsolicited feedback items; default ``max(60, 0.16 * n_customers)``.
    defect_rates : dict, optional
        Overrides of :data:`DEFAULT_DEFECT_RATES`, flat (``{"responses.speeder": 0.05}``) or
        nested (``{"responses": {"speeder": 0.05}}``); 0 disables a defect.

    Returns
    -------
    dict
        ``rows`` written per table, ``clean_rows`` per table before defects, ``defects``
        (per table, rows per planted defect or design note) and ``out_dir``.

    Notes
    -----
    The free text plants themes (:data:`~cemlib.data.synth.planted.REASONS`, one taxonomy for
    feedback and survey comments, each with a polarity: -1 complaint, +1 praise, 0 suggestion).
    The written tables do not say which: ``feedback.csv`` has no ``reason`` column. The truth
    keeps it, computed on the clean tables before any defect is planted:

    * ``truth/verbatims.parquet`` -- one row per generated text (every feedback text, every
      non-empty survey comment): ``source_table`` ('feedback' | 'responses'), ``source_id``
      (the ``feedback_id`` / ``response_id`` as written), ``language`` ('zh' | 'en'),
      ``script`` ('simplified' | 'traditional' | 'latin'), ``theme`` (primary planted reason),
      ``themes`` (list of planted reasons, primary first: a passive's "good, but bad" comment
      carries the complaint then the praise), ``polarity`` (of the primary: -1, 0, +1),
      ``mixed`` (bool: drawn from the code-mixed phrasings, English words in a Chinese text or
      Chinese words in an English one) and ``text`` (the text as generated; defects -- personal
      data, HTML, decoys, emptied texts, test markers -- may change it in the written table).
      Sorted by ``source_table``, ``source_id``.
    * ``truth/themes.parquet`` -- one row per reason, in taxonomy order: ``theme``,
      ``label_en``, ``label_zh``, ``polarity``, ``n`` (texts carrying it, any position),
      ``n_comments`` (respondents whose comment carries it), ``nps_mentioners``,
      ``nps_others`` and ``nps_effect`` = NPS (% 9-10 minus % 0-6 on ``ltr``, unweighted) of
      those respondents minus the NPS of every other respondent (commenting or not);
      ``nps_mentioners`` and ``nps_effect`` are NaN for a theme no comment carries.
    * ``truth.json`` ``verbatims``: ``n_texts``, ``by_language`` (texts per language),
      ``traditional_share`` (of the Chinese texts) and ``mixed_share`` (of all texts).
    """
    out = Path(out_dir)
    if n_customers < 200:
        raise ValueError(
            f"n_customers must be at least 200 to plant every defect, got {n_customers}"
        )
    if not 0 < response_rate <= 1:
        raise ValueError(f"response_rate must be in (0, 1], got {response_rate}")
    rates = _resolve_rates(defect_rates)
    n_fb = max(60, int(round(0.16 * n_customers))) if n_feedback is None else int(n_feedback)
    cust, tx, resp, fb, rest = _simulate_world(
        np.random.default_rng(seed), n_customers, start, end, response_rate, n_fb
    )
    spoil_rng, truth_rng = rest.spawn(2)
    verbatims = verbatim_truth(resp, fb)
    themes = theme_truth(resp, verbatims)
    tables, log, decoys = _spoil_world(spoil_rng, cust, tx, resp, fb, rates, start, end)
    drivers, population = population_truth(truth_rng)
    _write_tables(out, tables)
    _write_truth(out, cust, drivers, log, decoys, (verbatims, themes))
    summary = {
        "out_dir": str(out),
        "rows": {name: len(tables[name]) for name in TABLE_ORDER},
        "clean_rows": dict(zip(TABLE_ORDER, (len(cust), len(tx), len(resp), len(fb)), strict=True)),
        "defects": _counts(log),
    }
    truth = {
        "generator": "cemlib.data.synth.generate",
        "seed": seed,
        "arguments": {
            "n_customers": n_customers,
            "start": start,
            "end": end,
            "response_rate": response_rate,
            "n_feedback": n_fb,
        },
        "rows": summary["rows"],
        "clean_rows": summary["clean_rows"],
        "defect_rates": rates,
        "defect_counts": summary["defects"],
        "decoys": int(len(decoys)),
        "archetype_shares_planned": dict(zip(ARCHETYPES, ARCHETYPE_SHARES.tolist(), strict=True)),
        "archetype_shares": {a: float(np.mean(cust["archetype"] == a)) for a in ARCHETYPES},
        "reverse_items": list(REVERSE_DRIVERS),
        "survey_duration_median_s": DURATION_MEDIAN,
        "population": population,
        "verbatims": verbatim_summary(verbatims),
    }
    with open(out / "truth" / "truth.json", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(truth, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
    return summary
