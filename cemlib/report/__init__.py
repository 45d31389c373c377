"""The whitepaper (DESIGN §7): one self-contained HTML paper built from the results of every stage.

The paper argues from evidence in the order a CX director reads: key findings first, then how
customers feel, what drives advocacy, who matters, what customers say and what to do, then the
methods, the data-quality appendix and provenance. The structure follows the practitioners'
whitepaper; each recommendation is a finding card in the *observe → probe → reflect → act*
sequence used in customer-insight work (what happened, why, what it means, what to do and who
owns it).

Everything here is a function of the results on disk, so changing the data changes the words. A
section returns HTML with placeholders for its numbers; :func:`number_document` numbers sections,
figures and tables over the whole paper at the end and resolves cross-references, so the
executive summary can point forward to evidence. Every string that came from data — verbatims,
labels, category names, ids — passes :func:`cemlib.text.html_escape` (verbatims after
:func:`cemlib.text.redact_pii`) on its way into markup.
"""

from __future__ import annotations

import base64
import io as bytes_io
import json
import platform
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml

from cemlib.config import PROJ_ROOT
from cemlib.cx import metrics
from cemlib.data.io import file_manifest, read_clean
from cemlib.data.schema import ARCHETYPES, Codebook
from cemlib.report import plots
from cemlib.stages.recovery import driver_recovery
from cemlib.text import html_escape, redact_pii

RESULT_FILES = (
    "drivers",
    "drivers_nps",
    "drivers_priorities",
    "drivers_touchpoints",
    "drivers_emotion",
    "segments",
    "segments_profiles",
)
REPORTED_PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "statsmodels",
    "pingouin",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "dvc",
)
SHORT_LABEL = 40  # codebook wordings up to this length read well inside a sentence
# The notebook's parameters, all of them wording or presentation: changing one reruns only the
# whitepaper stage (the drivers stage's importance method and map thresholds are read, not
# recomputed; its focus outcome comes from drivers.json).
WHITEPAPER_PARAMETERS = (
    "study_title",
    "organisation",
    "max_findings",
    "verbatims_per_reason",
    "top_reasons",
    "importance_method",
    "map_threshold",
    "map_off_diagonal",
)


# --------------------------------------------------------------------------- loading


@dataclass
class Study:
    """What the earlier stages left on disk; ``None`` or an empty frame where a stage skipped."""

    provenance: dict
    planted: bool
    truth_dir: Path
    quality: dict | None
    drivers_metrics: dict | None
    segments_metrics: dict | None
    results: dict[str, pd.DataFrame]
    tables: dict[str, pd.DataFrame]
    codebook: Codebook | None

    def result(self, name: str) -> pd.DataFrame | None:
        """A result table, or ``None`` when it is missing or has no rows."""
        frame = self.results.get(name)
        return frame if frame is not None and len(frame) else None

    @property
    def skipped(self) -> list[dict]:
        """Every analysis an earlier stage skipped, from the ``skipped`` lists of its metrics."""
        stages = (self.quality, self.drivers_metrics, self.segments_metrics)
        return [entry for metrics in stages for entry in (metrics or {}).get("skipped", [])]

    @property
    def focus_outcome(self) -> str | None:
        """The outcome the drivers stage built its maps for (it falls back to the codebook's
        first outcome when the configured one is absent, and records its choice)."""
        return (self.drivers_metrics or {}).get("focus_outcome")

    def table(self, name: str) -> pd.DataFrame | None:
        frame = self.tables.get(name)
        return frame if frame is not None and len(frame) else None


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def load_study(data_dir: Path | str, metrics_dir: Path | str) -> Study:
    """Read the clean tables, the results, the metrics JSON and the provenance of one run."""
    data_dir, metrics_dir = Path(data_dir), Path(metrics_dir)
    raw, clean, results_dir = data_dir / "raw", data_dir / "clean", data_dir / "results"
    truth_dir = raw / "truth"
    truth = _read_json(truth_dir / "truth.json")
    # The generator's truth.json describes what it planted; real data writes {"planted": false}.
    planted = truth is not None and truth.get("planted", True) is not False
    provenance = _read_json(raw / "provenance.json") or {
        "source": "synthetic" if planted else (truth or {}).get("source", "unknown"),
    }
    tables, codebook = read_clean(clean) if clean.is_dir() else ({}, None)
    results = {
        name: pd.read_parquet(results_dir / f"{name}.parquet")
        for name in RESULT_FILES
        if (results_dir / f"{name}.parquet").exists()
    }
    return Study(
        provenance=provenance,
        planted=planted,
        truth_dir=truth_dir,
        quality=_read_json(metrics_dir / "quality.json"),
        drivers_metrics=_read_json(metrics_dir / "drivers.json"),
        segments_metrics=_read_json(metrics_dir / "segments.json"),
        results=results,
        tables=tables,
        codebook=codebook,
    )


# --------------------------------------------------------------------------- HTML pieces


def esc(value) -> str:
    """Any value as escaped HTML text (numbers are formatted by the caller)."""
    return html_escape("" if value is None else str(value))


def heading(key: str, title: str, level: int = 2, appendix: bool = False) -> str:
    """A numbered heading; ``key`` becomes the anchor ``sec-KEY``."""
    kind = "wp-h wp-appendix" if appendix else "wp-h"
    return (
        f'<h{level} id="sec-{key}" class="{kind}"><span class="wp-num" data-for="sec-{key}">'
        f"</span> {esc(title)}</h{level}>"
    )


def section(key: str, title: str, body: str, appendix: bool = False) -> str:
    return (
        f'<section class="wp-section" aria-labelledby="sec-{key}">'
        f"{heading(key, title, 2, appendix)}{body}</section>"
    )


def ref(anchor: str) -> str:
    """A cross-reference to ``fig-…``, ``tab-…`` or ``sec-…``; the number is filled in later."""
    return f'<a class="wp-ref" href="#{anchor}"></a>'


def para(html: str) -> str:
    return f"<p>{html}</p>"


def skip_note(analysis: str, needs: str, reason: str = "") -> str:
    """The one line shown in place of an analysis the data cannot support."""
    tail = f" {esc(reason)}" if reason else ""
    return f'<p class="wp-skip">Skipped: {esc(analysis)} — needs {esc(needs)}.{tail}</p>'


def figure_png(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes with no timestamp or software stamp (same data, same bytes)."""
    buffer = bytes_io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def figure(fig: plt.Figure, key: str, caption: str, alt: str | None = None) -> str:
    """A numbered figure with the image embedded as a data URI (no file, no network)."""
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return (
        f'<figure id="fig-{key}" class="wp-figure">'
        f'<img src="data:image/png;base64,{data}" alt="{esc(alt or caption)}">'
        f'<figcaption><span class="wp-num" data-for="fig-{key}"></span> {esc(caption)}'
        "</figcaption></figure>"
    )


def _cell(value, digits: int) -> tuple[str, str]:
    """(text, sort key) of one table cell; missing values show as a dash, never 'nan'."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "—", ""
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), str(int(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}", str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):,.{digits}f}", repr(float(value))
    return esc(value), esc(value)


def table(frame: pd.DataFrame, key: str, caption: str, digits: int = 1) -> str:
    """A numbered, sortable table; every cell escaped, numbers right-aligned."""
    numeric = {
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    right = ' class="num"'
    head = "".join(
        f'<th scope="col"{right if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns
    )
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            text, sort_key = _cell(value, digits)
            numeric = isinstance(value, int | float | np.integer | np.floating)
            kind = ' class="num"' if numeric and not isinstance(value, bool | np.bool_) else ""
            cells.append(f'<td{kind} data-sort="{sort_key}">{text}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<figure id="tab-{key}" class="wp-table"><figcaption>'
        f'<span class="wp-num" data-for="tab-{key}"></span> {esc(caption)}</figcaption>'
        f'<table class="wp-sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></figure>"
    )


def bullet_list(items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


# --------------------------------------------------------------------------- numbering


_NUMBERED = re.compile(
    r'<(?P<tag>h2|h3|figure) id="(?P<id>(?:sec|fig|tab)-[a-z0-9_-]+)"(?: class="(?P<cls>[^"]*)")?'
)
_NUM_SLOT = re.compile(r'<span class="wp-num" data-for="(?P<id>[a-z0-9_-]+)"></span>')
_REF_SLOT = re.compile(r'<a class="wp-ref" href="#(?P<id>[a-z0-9_-]+)"></a>')
TOC_SLOT = '<nav class="wp-toc" aria-label="Contents"></nav>'


def number_document(parts: list[str]) -> list[str]:
    """Number sections (1, 1.1; appendices A, B), figures and tables across ``parts`` in order,
    fill every number slot and cross-reference, and write the table of contents.

    A reference to an anchor that does not exist raises ``ValueError``: a broken link in a paper
    is a bug, not something to ship.
    """
    labels: dict[str, str] = {}
    numbers: dict[str, str] = {}
    toc: list[tuple[int, str, str]] = []
    main = sub = appendix = figures = tables = 0
    for match in _NUMBERED.finditer("".join(parts)):
        tag, anchor, cls = match["tag"], match["id"], match["cls"] or ""
        if tag == "h2":
            sub = 0
            if "wp-appendix" in cls:
                appendix += 1
                number = chr(ord("A") + appendix - 1)
                labels[anchor], numbers[anchor] = f"Appendix {number}", f"Appendix {number}."
            else:
                main += 1
                number = str(main)
                labels[anchor], numbers[anchor] = f"Section {number}", f"{number}."
        elif tag == "h3":
            sub += 1
            parent = chr(ord("A") + appendix - 1) if appendix else str(main)
            number = f"{parent}.{sub}"
            labels[anchor], numbers[anchor] = f"Section {number}", number
        elif anchor.startswith("fig-"):
            figures += 1
            labels[anchor] = numbers[anchor] = f"Figure {figures}"
        else:
            tables += 1
            labels[anchor] = numbers[anchor] = f"Table {tables}"
        if tag in ("h2", "h3"):
            toc.append((2 if tag == "h2" else 3, anchor, numbers[anchor]))

    def fill_number(match: re.Match) -> str:
        anchor = match["id"]
        if anchor not in numbers:
            raise ValueError(f"number slot for unknown anchor '{anchor}'")
        return f'<span class="wp-num">{numbers[anchor]}</span>'

    def fill_ref(match: re.Match) -> str:
        anchor = match["id"]
        if anchor not in labels:
            raise ValueError(f"cross-reference to unknown anchor '{anchor}'")
        return f'<a class="wp-ref" href="#{anchor}">{labels[anchor]}</a>'

    titles = _heading_titles("".join(parts))
    toc_html = TOC_SLOT.replace(
        "></nav>",
        '><h2 class="wp-toc-title">Contents</h2><ol>'
        + "".join(
            f'<li class="wp-toc-{level}"><a href="#{anchor}">{number} {titles[anchor]}</a></li>'
            for level, anchor, number in toc
        )
        + "</ol></nav>",
    )
    out = []
    for part in parts:
        part = _REF_SLOT.sub(fill_ref, _NUM_SLOT.sub(fill_number, part))
        out.append(part.replace(TOC_SLOT, toc_html))
    return out


def _heading_titles(html: str) -> dict[str, str]:
    """The (already escaped) text of every numbered heading, by anchor."""
    pattern = re.compile(
        r'<h[23] id="(?P<id>sec-[a-z0-9_-]+)"[^>]*><span class="wp-num"[^>]*></span> (?P<t>.*?)</h[23]>'
    )
    return {m["id"]: m["t"] for m in pattern.finditer(html)}


# --------------------------------------------------------------------------- facts


def data_period(study: Study) -> dict:
    """First and last day observed in the survey and the transactions (the date of the data)."""
    dates = []
    for name, column in (("responses", "submitted_at"), ("transactions", "ts")):
        frame = study.table(name)
        if frame is not None and column in frame:
            values = pd.to_datetime(frame[column]).dropna()
            if len(values):
                dates += [values.min(), values.max()]
    if not dates:
        return {"start": None, "end": None}
    return {"start": min(dates).date().isoformat(), "end": max(dates).date().isoformat()}


def sample_sizes(study: Study) -> pd.DataFrame:
    """Rows read and rows kept per table (from ``quality.json``)."""
    rows = [
        {"table": name, "rows in": t["rows_in"], "rows kept": t["rows_out"]}
        for name, t in ((study.quality or {}).get("tables") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["table", "rows in", "rows kept"])


@dataclass(frozen=True)
class Finding:
    """One key finding: a sentence (escaped HTML) with its number and the anchor of its evidence."""

    key: str
    sentence: str
    evidence: str


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _label(study: Study, item_id: str) -> str:
    """The codebook's wording of an item (the question as asked), else its id."""
    if study.codebook is not None and item_id in study.codebook.ids:
        return study.codebook.item(item_id).label
    return item_id


def short_name(study: Study, item_id: str) -> str:
    """An item for running text: its codebook wording when that is a short name rather than a
    question or statement (a measure such as "How well providers communicate"), else its id as
    words (``service_resolution`` → "service resolution"): full questions read badly inside a
    sentence."""
    label = _label(study, item_id)
    is_name = (
        len(label) <= SHORT_LABEL and len(label.split()) <= 5 and not label.endswith(("?", "？"))
    )
    if label != item_id and is_name:
        return label
    return str(item_id).replace("_", " ")


def strongest(rank: int) -> str:
    """``1`` → "strongest", ``3`` → "3rd strongest"."""
    return "strongest" if int(rank) == 1 else f"{ordinal(rank)} strongest"


def sentence_case(html: str) -> str:
    """Upper-case the first letter of the visible text (findings may open with an item id)."""
    return re.sub(r"^((?:<[^>]+>)*)(\w)", lambda m: m[1] + m[2].upper(), html, count=1)


def ordinal(n: int) -> str:
    n = int(n)
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def finding_nps(study: Study) -> Finding | None:
    headline = (study.drivers_metrics or {}).get("nps")
    if not headline or headline.get("n", 0) == 0:
        return None
    return Finding(
        "nps",
        f"Net Promoter Score is <b>{headline['nps']:+.1f}</b> (95% interval "
        f"{headline['ci_low']:+.1f} to {headline['ci_high']:+.1f}; {headline['n']:,} answers): "
        f"{headline['promoters']:.0f}% promoters against {headline['detractors']:.0f}% detractors.",
        "sec-feel-nps",
    )


def nps_spread(nps: pd.DataFrame, by: str) -> dict | None:
    """Highest and lowest group on ``by`` and whether their intervals are apart."""
    groups = nps[nps["by"] == by]
    if len(groups) < 2:
        return None
    high, low = groups.loc[groups["nps"].idxmax()], groups.loc[groups["nps"].idxmin()]
    return {
        "high": high,
        "low": low,
        "separated": bool(low["ci_high"] < high["ci_low"]),
    }


def finding_channels(study: Study) -> Finding | None:
    nps = study.result("drivers_nps")
    spread = nps_spread(nps, "channel") if nps is not None else None
    if spread is None:
        return None
    high, low = spread["high"], spread["low"]
    verdict = (
        "a real gap: their intervals do not overlap"
        if spread["separated"]
        else "within sampling noise: their intervals overlap"
    )
    return Finding(
        "channels",
        f"By channel, NPS runs from <b>{low['nps']:+.1f}</b> ({esc(low['group'])}) to "
        f"<b>{high['nps']:+.1f}</b> ({esc(high['group'])}) — {verdict}.",
        "fig-nps-channel",
    )


def finding_inflation(study: Study, inflation: pd.DataFrame | None) -> Finding | None:
    """Top-2-box satisfaction (the usual headline) against the share of promoters."""
    if inflation is None or inflation.empty:
        return None
    advocacy = inflation[inflation["metric"] == "nps"]
    satisfaction = inflation[inflation["metric"] == "csat"]
    if advocacy.empty or satisfaction.empty:
        return None
    promoters, satisfied = advocacy.iloc[0], satisfaction.iloc[0]
    gap = satisfied["top2_box"] - promoters["top_box"]
    return Finding(
        "inflation",
        f"A top-2-box headline would report <b>{satisfied['top2_box']:.0f}%</b> satisfied "
        f"({esc(satisfied['item'])}), but only <b>{promoters['top_box']:.0f}%</b> are promoters "
        f"({esc(promoters['item'])}): the satisfaction rate flatters advocacy by "
        f"{gap:.0f} points.",
        "tab-inflation",
    )


def finding_top_driver(study: Study, outcome: str) -> Finding | None:
    tops = ((study.drivers_metrics or {}).get("top_drivers") or {}).get(outcome)
    if not tops:
        return None
    first = tops[0]
    others = " and ".join(esc(short_name(study, t["driver"])) for t in tops[1:])
    tail = f", ahead of {others}" if others else ""
    return Finding(
        "top-driver",
        f"<b>{esc(short_name(study, first['driver']))}</b> moves {esc(short_name(study, outcome))} most: "
        f"<b>{_pct(first['share'])}</b> of the explained variance "
        f"(95% interval {_pct(first['ci_low'])}–{_pct(first['ci_high'])}){tail}.",
        "fig-drivers",
    )


def finding_explained(study: Study, outcome: str | None) -> Finding | None:
    """How much of the outcome the attributes explain together — the ceiling of any driver
    programme."""
    r2 = ((study.drivers_metrics or {}).get("r2") or {}).get(outcome)
    drivers = study.result("drivers")
    if r2 is None or drivers is None:
        return None
    n_drivers = drivers.loc[drivers["outcome"] == outcome, "driver"].nunique()
    return Finding(
        "explained",
        f"Together the {n_drivers} attributes explain <b>{_pct(r2)}</b> of the variation in "
        f"{esc(short_name(study, outcome))}; the remaining {_pct(1 - r2)} lies outside what the "
        "survey asked.",
        "sec-drivers-importance",
    )


def finding_weakest(study: Study) -> Finding | None:
    """The attribute customers rate lowest, with its interval."""
    priorities = study.result("drivers_priorities")
    if priorities is None or priorities["performance"].isna().all():
        return None
    low = priorities.sort_values(["performance", "driver"]).iloc[0]
    return Finding(
        "weakest",
        f"The lowest-rated attribute is <b>{esc(short_name(study, low['driver']))}</b> at "
        f"<b>{low['performance']:.0f}/100</b> (95% interval {low['performance_ci_low']:.0f}–"
        f"{low['performance_ci_high']:.0f}).",
        "fig-ipa",
    )


def finding_fix_first(study: Study) -> Finding | None:
    priorities = study.result("drivers_priorities")
    if priorities is None:
        return None
    fix = priorities[priorities["quadrant"] == "fix first"].sort_values(
        "importance_share", ascending=False
    )
    if fix.empty:
        return Finding(
            "fix-first",
            "No attribute is both more important and worse performed than average: "
            "the priority is to keep up the strong ones.",
            "fig-ipa",
        )
    names = ", ".join(
        f"<b>{esc(short_name(study, row.driver))}</b> ({row.performance:.0f}/100, "
        f"{_pct(row.importance_share)} of impact)"
        for row in fix.itertuples()
    )
    return Finding(
        "fix-first",
        f"Fix first — above-average impact, below-average performance: {names}.",
        "fig-ipa",
    )


def finding_stated(study: Study) -> Finding | None:
    priorities = study.result("drivers_priorities")
    if priorities is None or "rank_gap" not in priorities or priorities["rank_gap"].isna().all():
        return None
    under = priorities.sort_values(["rank_gap", "driver"]).iloc[0]
    over = priorities.sort_values(["rank_gap", "driver"], ascending=[False, True]).iloc[0]
    if under["rank_gap"] >= 0:
        return None
    return Finding(
        "stated",
        f"Asking customers what matters misleads: they rank "
        f"<b>{esc(short_name(study, under['driver']))}</b> {ordinal(under['stated_rank'])} but it is "
        f"the {strongest(under['derived_rank'])} driver, while "
        f"<b>{esc(short_name(study, over['driver']))}</b>, ranked {ordinal(over['stated_rank'])} by "
        f"customers, is only the {ordinal(over['derived_rank'])} driver.",
        "fig-stated",
    )


def finding_emotion(study: Study) -> Finding | None:
    emotion = study.result("drivers_emotion")
    if emotion is None:
        return None
    curve = emotion[emotion["group"] == "all"]
    peak, end = curve[curve["peak"]], curve[curve["end"]]
    if peak.empty or end.empty:
        return None
    low = curve.loc[curve["mean"].idxmin()]
    peak, end = peak.iloc[0], end.iloc[0]
    return Finding(
        "emotion",
        f"The journey peaks at <b>{esc(peak['touchpoint'])}</b> ({peak['mean']:.0f}/100), dips "
        f"at <b>{esc(low['touchpoint'])}</b> ({low['mean']:.0f}) and ends at "
        f"<b>{esc(end['touchpoint'])}</b> ({end['mean']:.0f}): peak and end shape the memory.",
        "fig-emotion",
    )


def finding_touchpoints(study: Study) -> Finding | None:
    touchpoints = study.result("drivers_touchpoints")
    if touchpoints is None:
        return None
    off = touchpoints[touchpoints["zone"] != "branded"].sort_values("importance", ascending=False)
    if off.empty:
        return Finding(
            "touchpoints",
            f"All {len(touchpoints)} touchpoints sit in the branded zone of the CEI × BEI map.",
            "fig-cei-bei",
        )
    names = ", ".join(
        f"<b>{esc(r.touchpoint)}</b> ({esc(r.zone)}, CEI {r.cei:.0f}, BEI {r.bei:.0f})"
        for r in off.itertuples()
    )
    return Finding(
        "touchpoints",
        f"{len(off)} of {len(touchpoints)} touchpoints fall short of the branded zone: {names}.",
        "fig-cei-bei",
    )


def finding_strategic(study: Study) -> Finding | None:
    archetypes = (study.segments_metrics or {}).get("archetypes") or {}
    strategic = archetypes.get("strategic")
    if not strategic:
        return None
    return Finding(
        "strategic",
        f"<b>{_pct(strategic['share_customers'])}</b> of customers are strategic (valuable and "
        f"staying); they bring <b>{_pct(strategic['share_margin'])}</b> of net margin and "
        f"{_pct(strategic['share_clv'])} of projected lifetime value.",
        "fig-value-loyalty",
    )


def finding_butterflies(study: Study) -> Finding | None:
    archetypes = (study.segments_metrics or {}).get("archetypes") or {}
    butterfly = archetypes.get("butterfly")
    if not butterfly:
        return None
    future = butterfly["share_clv"]
    tail = (
        f"but only <b>{_pct(future)}</b> of projected future value: harvest, do not buy loyalty."
        if future < butterfly["share_margin"]
        else f"and the lifetime model still credits them with <b>{_pct(future)}</b> of future "
        "value — check how many have already left before investing in them."
    )
    return Finding(
        "butterflies",
        f"Butterflies — valuable but transient — are <b>{_pct(butterfly['share_customers'])}</b> "
        f"of customers and {_pct(butterfly['share_margin'])} of margin to date, {tail}",
        "tab-archetypes",
    )


def finding_concentration(study: Study) -> Finding | None:
    """The Pareto reading of customer value: what the top fifth of customers bring."""
    customers = study.result("segments")
    if customers is None or "margin_net" not in customers:
        return None
    share = metrics.top_share(customers["margin_net"], 0.2)
    if np.isnan(share):
        return None
    return Finding(
        "concentration",
        f"Value is concentrated: the top 20% of customers bring <b>{_pct(share)}</b> of the "
        "positive net margin.",
        "fig-concentration",
    )


def complaint_reasons(feedback: pd.DataFrame | None, top: int) -> pd.DataFrame:
    """The most frequent complaint reasons with their count and share of complaints."""
    columns = ["reason", "complaints", "share"]
    if feedback is None or "reason" not in feedback or "kind" not in feedback:
        return pd.DataFrame(columns=columns)
    complaints = feedback[(feedback["kind"] == "complaint") & feedback["reason"].notna()]
    if complaints.empty:
        return pd.DataFrame(columns=columns)
    counts = complaints["reason"].value_counts()
    counts = counts.rename_axis("reason").reset_index(name="complaints")
    counts = counts.sort_values(["complaints", "reason"], ascending=[False, True]).head(top)
    counts["share"] = 100 * counts["complaints"] / len(complaints)
    return counts.reset_index(drop=True)[columns]


def finding_complaints(study: Study, top: int) -> Finding | None:
    reasons = complaint_reasons(study.table("feedback"), top)
    if reasons.empty:
        return None
    first = reasons.iloc[0]
    return Finding(
        "complaints",
        f"The most common complaint is <b>{esc(first['reason'])}</b>: "
        f"{int(first['complaints']):,} complaints, <b>{first['share']:.0f}%</b> of all.",
        "tab-reasons",
    )


def key_findings(study: Study, params: dict, inflation: pd.DataFrame | None) -> list[Finding]:
    """The 5–10 findings of the executive summary, in the order of the paper, generated from the
    results (a finding whose evidence is missing is left out, never filled with a default)."""
    outcome = study.focus_outcome
    candidates = [
        finding_nps(study),
        finding_top_driver(study, outcome),
        finding_fix_first(study),
        finding_strategic(study),
        finding_butterflies(study),
        finding_concentration(study),
        finding_inflation(study, inflation),
        finding_stated(study),
        finding_emotion(study),
        finding_complaints(study, params["top_reasons"]),
        finding_touchpoints(study),
        finding_channels(study),
        finding_explained(study, outcome),
        finding_weakest(study),
    ]
    return [f for f in candidates if f is not None][: params["max_findings"]]


# --------------------------------------------------------------------------- sections


def title_page(study: Study, params: dict) -> str:
    period = data_period(study)
    provenance = study.provenance
    sizes = sample_sizes(study)
    size_items = "".join(
        f"<li>{esc(r['table'])}: {int(r['rows kept']):,} rows kept of {int(r['rows in']):,}</li>"
        for _, r in sizes.iterrows()
    )
    data_line = (
        f"Data from {period['start']} to {period['end']} · data as of {period['end']}"
        if period["end"]
        else "The data carries no dates"
    )
    return (
        '<header class="wp-title-page">'
        '<p class="wp-kicker">Customer-experience whitepaper</p>'
        f"<h1>{esc(params['study_title'])}</h1>"
        f'<p class="wp-org">{esc(params["organisation"])}</p>'
        f'<p class="wp-source">Source: {esc(provenance.get("title") or provenance["source"])}'
        "</p>"
        f'<p class="wp-period">{esc(data_line)}</p>'
        f'<ul class="wp-sizes">{size_items}</ul>'
        "</header>"
        f"{TOC_SLOT}"
    )


def executive_summary(study: Study, findings: list[Finding]) -> str:
    if not findings:
        body = skip_note("executive summary", "the results of at least one analysis stage")
    else:
        items = [
            f'{sentence_case(f.sentence)} <span class="wp-evidence">({ref(f.evidence)})</span>'
            for f in findings
        ]
        period = data_period(study)
        source = esc(study.provenance.get("title") or study.provenance["source"])
        span = f" ({period['start']} to {period['end']})" if period["end"] else ""
        intro = (
            f"The {len(findings)} key findings from {source}{span}, each linked to its "
            f"evidence; what to do about them is in {ref('sec-act')}."
        )
        body = para(intro) + bullet_list(items, ordered=True)
    return section("summary", "Executive summary", body)


def feel_section(study: Study, params: dict, inflation: pd.DataFrame | None) -> str:
    nps = study.result("drivers_nps")
    if nps is None:
        return section(
            "feel",
            "How customers feel",
            skip_note("NPS and the emotion curve", "the responses table with an NPS item"),
        )
    parts = []
    overall = nps[nps["by"] == "all"].iloc[0]
    parts.append(heading("feel-nps", "Net Promoter Score by channel and wave", 3))
    parts.append(
        para(
            f"Overall NPS is {overall['nps']:+.1f} with a 95% adjusted-Wald interval of "
            f"{overall['ci_low']:+.1f} to {overall['ci_high']:+.1f} (n = {int(overall['n']):,}). "
            f"{ref('fig-nps-channel')} and {ref('fig-nps-wave')} show it by channel and by "
            "survey wave; groups smaller than the minimum size are left out."
        )
    )
    for by, title in (("channel", "channel"), ("wave", "wave")):
        groups = nps[nps["by"] == by]
        if len(groups):
            fig = plots.nps_chart(groups, "group", f"NPS by {title}")
            parts.append(
                figure(fig, f"nps-{by}", f"NPS by {title}, with 95% adjusted-Wald intervals.")
            )
        else:
            parts.append(skip_note(f"NPS by {title}", f"a '{by}' column in the responses"))
    parts.append(heading("feel-inflation", "Advocacy against satisfaction rates", 3))
    if inflation is not None and not inflation.empty:
        shown = inflation[["item", "scale", "top_box", "top2_box", "top3_box"]].rename(
            columns={
                "top_box": "promoters / top box %",
                "top2_box": "top-2 box %",
                "top3_box": "top-3 box %",
            }
        )
        parts.append(
            para(
                "Headline satisfaction rates count the top two or three boxes; advocacy counts "
                f"only promoters. {ref('tab-inflation')} sets them side by side."
            )
        )
        parts.append(table(shown, "inflation", "Advocacy beside top-box satisfaction rates."))
    else:
        parts.append(skip_note("satisfaction inflation", "outcome items in the codebook"))
    parts.append(heading("feel-emotion", "The emotion curve", 3))
    emotion = study.result("drivers_emotion")
    if emotion is not None:
        curve = emotion[emotion["group"] == "all"]
        parts.append(
            para(
                "Mean experience at each journey stage (0–100). By the peak-end rule "
                "(Kahneman et al. 1993) the most intense moment (★) and the last (■) shape "
                f"what customers remember ({ref('fig-emotion')})."
            )
        )
        parts.append(
            figure(
                plots.emotion_curve_chart(curve),
                "emotion",
                "Emotion curve across the journey with 95% intervals; ★ peak, ■ end.",
            )
        )
    else:
        parts.append(skip_note("emotion curve", "driver items with a touchpoint and a stage"))
    return section("feel", "How customers feel", "".join(parts))


def drivers_section(study: Study, params: dict) -> str:
    drivers = study.result("drivers")
    outcome = study.focus_outcome
    if drivers is None or outcome not in set(drivers["outcome"]):
        return section(
            "drivers",
            "What drives advocacy",
            skip_note("key drivers", "the responses table with an outcome and two or more drivers"),
        )
    labels = {item.id: item.label for item in study.codebook.items} if study.codebook else None
    r2 = drivers.loc[drivers["outcome"] == outcome, "r2"].iloc[0]
    parts = [
        heading("drivers-importance", "Derived importance", 3),
        para(
            f"The attributes together explain R² = {r2:.2f} of {esc(outcome)}. "
            f"{ref('fig-drivers')} splits it five ways with 95% bootstrap intervals: "
            "Shapley/LMG, relative weights and Pratt share out R² among correlated drivers; "
            "correlation and beta show the raw associations (beta is unstable under collinearity)."
        ),
        figure(
            plots.driver_importance(drivers, outcome, labels),
            "drivers",
            f"Importance of each driver of {outcome} by five methods, 95% bootstrap intervals.",
        ),
    ]
    priorities = study.result("drivers_priorities")
    if priorities is not None:
        parts += [
            heading("drivers-ipa", "Importance against performance", 3),
            para(
                "Where impact is above average and performance below it, improvement pays most "
                f"(“fix first”, {ref('fig-ipa')})."
            ),
            figure(
                plots.importance_performance_map(priorities, outcome),
                "ipa",
                "Importance–performance map, split at the means.",
            ),
        ]
        if "stated_mean" in priorities and priorities["stated_mean"].notna().any():
            stated = priorities.rename(columns={"importance_share": "derived_share"})
            parts += [
                heading("drivers-stated", "Stated against derived importance", 3),
                para(
                    "What customers say matters, set against what moves their "
                    f"advocacy ({ref('fig-stated')})."
                ),
                figure(
                    plots.stated_vs_derived_chart(stated.dropna(subset=["stated_mean"]), outcome),
                    "stated",
                    "Stated importance against derived importance, each as % of its total.",
                ),
            ]
        else:
            parts.append(skip_note("stated vs derived importance", "stated-importance items"))
    touchpoints = study.result("drivers_touchpoints")
    if touchpoints is not None:
        parts += [
            heading("drivers-cei-bei", "Touchpoints and the brand", 3),
            para(
                "Each touchpoint's customer-experience index (CEI) against its brand-experience "
                f"index (BEI), sized by importance ({ref('fig-cei-bei')}). Important "
                "touchpoints belong in the branded zone (both indices at or above "
                f"{params['map_threshold']:g}); more than {params['map_off_diagonal']:g} points off "
                "the diagonal a touchpoint is too brand-centric or too customer-centric."
            ),
            figure(
                plots.cei_bei_chart(
                    touchpoints, params["map_threshold"], params["map_off_diagonal"]
                ),
                "cei-bei",
                "CEI × BEI map of the touchpoints.",
            ),
        ]
    else:
        parts.append(skip_note("CEI × BEI map", "brand items per touchpoint in the codebook"))
    return section("drivers", "What drives advocacy", "".join(parts))


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame and frame[column].notna().any()


def archetype_table(archetypes: pd.DataFrame, has_promo: bool = True) -> pd.DataFrame:
    """Size, value and deal-proneness of each archetype, and its NPS and complaints where the
    survey and feedback tables allow (no column of blanks when they are absent). ``has_promo``:
    whether the transactions record promotions at all (else every share would read 0)."""
    shown = pd.DataFrame(
        {
            "archetype": archetypes["segment"],
            "customers": archetypes["n"].astype("int64"),
            "% customers": 100 * archetypes["share_customers"],
            "% net margin": 100 * archetypes["share_margin"],
            "% projected CLV": 100 * archetypes["share_clv"],
        }
    )
    if has_promo and _has(archetypes, "promo_share"):
        shown["% bought on promotion"] = 100 * archetypes["promo_share"]
    if _has(archetypes, "nps"):
        shown["NPS"] = archetypes["nps"]
        shown["NPS 95% interval"] = [
            "—" if pd.isna(lo) else f"{lo:+.0f} to {hi:+.0f}"
            for lo, hi in zip(archetypes["nps_ci_low"], archetypes["nps_ci_high"], strict=True)
        ]
    if _has(archetypes, "top_complaints"):
        shown["top complaints"] = archetypes["top_complaints"].fillna("—")
    return shown


def who_section(study: Study, params: dict) -> str:
    customers, profiles = study.result("segments"), study.result("segments_profiles")
    if customers is None or profiles is None:
        return section(
            "who",
            "Who matters",
            skip_note("customer archetypes", "the transactions table with customer ids"),
        )
    archetypes = profiles[profiles["level"] == "archetype"].copy()
    archetypes["order"] = archetypes["segment"].map({a: i for i, a in enumerate(ARCHETYPES)})
    archetypes = archetypes.sort_values("order")
    transactions = study.table("transactions")
    has_promo = transactions is not None and "promo" in transactions
    shown = archetype_table(archetypes, has_promo)
    measured = ["size", "value"] + ["deal-proneness"] * ("% bought on promotion" in shown)
    measured += ["NPS"] * ("NPS" in shown) + ["complaints"] * ("top complaints" in shown)
    parts = [
        para(
            "Customers are placed by profitability and projected relationship duration "
            "(Reinartz & Kumar 2002): strategic customers are valuable and stay, butterflies are "
            "valuable but leave, barnacles stay but bring little, strangers neither "
            f"({ref('fig-value-loyalty')}, {ref('tab-archetypes')})."
        ),
        figure(
            plots.value_loyalty_map(customers, (study.segments_metrics or {}).get("thresholds")),
            "value-loyalty",
            "Customers on the value × loyalty map, coloured by archetype (a sample of at most "
            "6,000 points).",
        ),
        table(
            shown,
            "archetypes",
            f"The archetypes: {', '.join(measured[:-1])} and {measured[-1]}.",
        ),
        heading("who-concentration", "How concentrated value is", 3),
        figure(
            plots.value_concentration(customers["margin_net"], "net margin"),
            "concentration",
            "Share of positive net margin brought by the top x% of customers (customers who "
            "lose money count as zero).",
        ),
        heading("who-treatments", "How to treat each archetype", 3),
        bullet_list(
            [
                f"<b>{esc(row.segment)}</b> ({_pct(row.share_customers)} of customers): "
                f"{esc(row.treatment)}"
                for row in archetypes.itertuples()
            ]
        ),
    ]
    return section("who", "Who matters", "".join(parts))


def verbatims(feedback: pd.DataFrame, reason: str, count: int) -> list[str]:
    """Up to ``count`` recent, distinct complaint texts for ``reason``: personal data redacted
    (again — whatever the clean stage was told) and HTML-escaped."""
    rows = feedback[(feedback["kind"] == "complaint") & (feedback["reason"] == reason)]
    rows = rows[rows["text"].notna()]
    order = [c for c in ("created_at", "feedback_id") if c in rows]
    rows = rows.sort_values(order, ascending=False) if order else rows
    out: list[str] = []
    for text in rows["text"].drop_duplicates():
        safe = html_escape(redact_pii(str(text))[0])
        if safe.strip():
            out.append(safe)
        if len(out) == count:
            break
    return out


def say_section(study: Study, params: dict) -> str:
    feedback = study.table("feedback")
    reasons = complaint_reasons(feedback, params["top_reasons"])
    if reasons.empty:
        return section(
            "say",
            "What customers say",
            skip_note("complaint reasons and verbatims", "the feedback table with kind and reason"),
        )
    quotes = []
    for reason in reasons["reason"]:
        said = verbatims(feedback, reason, params["verbatims_per_reason"])
        if said:
            quotes.append(
                f'<p class="wp-reason"><b>{esc(reason)}</b></p>'
                + "".join(f"<blockquote>{q}</blockquote>" for q in said)
            )
    body = (
        para(
            f"{int(reasons['complaints'].sum()):,} of the complaints fall under the "
            f"{len(reasons)} most frequent reasons in {ref('tab-reasons')}. A few recent "
            "verbatims for each follow, with personal data replaced by placeholders."
        )
        + table(reasons, "reasons", "The most frequent complaint reasons.")
        + "".join(quotes)
    )
    return section("say", "What customers say", body)


QUADRANT_MEANING = {
    "fix first": "above-average impact with below-average performance: the best return on "
    "improvement",
    "keep up": "a strength that matters: protect it",
    "low priority": "neither important nor strong: do not over-invest",
    "possible overkill": "strong but with little impact: resources may be better used elsewhere",
}
KANO_MEANING = {
    "must-be": "failing it creates detractors faster than excelling creates promoters — a "
    "hygiene factor",
    "attractive": "excelling at it creates promoters, while falling short costs little — a "
    "delighter",
    "performance": "better or worse moves advocacy about equally — a straight performance lever",
    "indifferent": "it barely moves advocacy either way",
}


def action_cards(study: Study, max_cards: int = 4) -> list[str]:
    """Observe → probe → reflect → act for the drivers most worth acting on: every "fix first"
    attribute, then the most important remaining ones; the owner is the codebook's."""
    priorities = study.result("drivers_priorities")
    if priorities is None:
        return []
    fix = priorities[priorities["quadrant"] == "fix first"]
    rest = priorities[priorities["quadrant"] != "fix first"]
    chosen = pd.concat(
        [
            fix.sort_values("importance_share", ascending=False),
            rest.sort_values("importance_share", ascending=False),
        ]
    ).head(max_cards)
    cards = []
    for row in chosen.itertuples():
        label = esc(_label(study, row.driver))
        stated = (
            f" Customers {esc(row.verdict)} it (stated rank {int(row.stated_rank)}, "
            f"derived rank {int(row.derived_rank)})."
            if isinstance(row.verdict, str) and not pd.isna(row.stated_rank)
            else ""
        )
        quadrant_meaning = QUADRANT_MEANING.get(row.quadrant, esc(row.quadrant))
        owner = esc(row.owner) if isinstance(row.owner, str) and row.owner else "not set"
        action = (
            esc(row.action)
            if isinstance(row.action, str) and row.action
            else "no action in the codebook"
        )
        where = f"{esc(row.touchpoint)}: " if isinstance(row.touchpoint, str) else ""
        has_kano = isinstance(row.kano, str) and not pd.isna(row.penalty)
        asymmetry = (
            f"Penalty when it fails {100 * row.penalty:.1f} points, reward when it excels "
            f"{100 * row.reward:.1f} points (0–100 scale): {esc(row.kano)}."
            if has_kano
            else "No penalty–reward analysis for this attribute."
        )
        meaning = f"; {KANO_MEANING.get(row.kano, esc(row.kano))}" if has_kano else ""
        cards.append(
            f'<article class="wp-card" id="card-{esc(row.driver)}">'
            f'<h4>{label} <span class="wp-tag">{esc(row.quadrant)}</span></h4><dl>'
            f"<dt>Observe</dt><dd>{where}performance {row.performance:.0f}/100 "
            f"(95% interval {row.performance_ci_low:.0f}–{row.performance_ci_high:.0f}); "
            f"{_pct(row.importance_share)} of the explained variance.</dd>"
            f"<dt>Probe</dt><dd>{asymmetry}{stated}</dd>"
            f"<dt>Reflect</dt><dd>{quadrant_meaning[0].upper()}{quadrant_meaning[1:]}"
            f"{meaning}.</dd>"
            f"<dt>Act</dt><dd>{action}. <b>Owner:</b> {owner}.</dd></dl></article>"
        )
    return cards


def act_section(study: Study) -> str:
    cards = action_cards(study)
    if not cards:
        body = skip_note("recommendations", "key-driver results (responses with drivers)")
    else:
        body = para(
            "Each card follows one attribute from what the data shows (observe) through why "
            "(probe) and what it means (reflect) to what to do and who owns it (act); owners "
            f"and actions come from the codebook. The evidence is in {ref('sec-drivers')}."
        ) + "".join(cards)
    return section("act", "What to do", body)


def methods_section(study: Study, params: dict) -> str:
    items = [
        "<b>NPS</b>: promoters (9–10) minus detractors (0–6) with the adjusted-Wald interval "
        "(Rocks 2016); weighted by the survey weights where present, with Kish's effective n.",
        "<b>Key drivers</b>: exact Shapley/LMG decomposition of R² (Lindeman, Merenda & Gold "
        "1980; Grömping 2006), Johnson's relative weights (2000), Pratt's measure, standardised "
        "beta and correlation, each with percentile bootstrap intervals.",
        "<b>Importance–performance</b>: quadrants split at the means (Martilla & James 1977); "
        "penalty/reward asymmetry for Kano categories (Kano et al. 1984).",
        "<b>CEI × BEI</b>: touchpoint experience and brand indices on 0–100; the zone "
        f"thresholds ({params['map_threshold']:g} and ±{params['map_off_diagonal']:g} off the "
        "diagonal) are conventions of this project, set in params.yaml, not a published standard.",
        "<b>Emotion curve</b>: mean experience per journey stage, peak and end marked "
        "(the peak-end rule, Kahneman et al. 1993).",
        "<b>Archetypes</b>: value (BG/NBD and Gamma-Gamma CLV, Fader, Hardie & Lee 2005) × "
        "loyalty (projected relationship duration), split by a two-component mixture per axis "
        "(Reinartz & Kumar 2002); customers with one or two purchases are flagged thin history.",
        "<b>Assumptions</b>: drivers are treated as interval scales; importance is association, "
        "not proof of cause; the survey sample may not represent non-respondents.",
    ]
    body = bullet_list(items)
    if study.skipped:
        body += para("These analyses were skipped because the data lacks what they need:")
        body += bullet_list(
            [
                f"{esc(s.get('analysis'))} — needs {esc(s.get('needs'))}. {esc(s.get('reason', ''))}"
                for s in study.skipped
            ]
        )
    notes = study.provenance.get("notes") or []
    if notes:
        body += para("About this data set:") + bullet_list([esc(n) for n in notes])
    return section("methods", "Methods and assumptions", body)


def quality_appendix(study: Study) -> str:
    quality = study.quality
    if not quality or not quality.get("tables"):
        return section(
            "quality",
            "Data quality",
            skip_note("data-quality accounting", "the clean stage's quality.json"),
            appendix=True,
        )
    rows = []
    for name, t in quality["tables"].items():
        rules = {r: c for r, c in (t.get("rules") or {}).items() if c}
        rows.append(
            {
                "table": name,
                "rows in": int(t["rows_in"]),
                "rows kept": int(t["rows_out"]),
                "rows rejected": int(t["rows_rejected"]),
                "rejected by rule": ", ".join(f"{r} {c:,}" for r, c in sorted(rules.items()))
                or "none",
            }
        )
    body = (
        para(
            "Every input row is accounted for: kept, or rejected with the rule that removed "
            f"it ({ref('tab-quality')}, {ref('fig-waterfall')}). Personal data in free text was "
            "replaced by typed placeholders before any analysis."
        )
        + table(pd.DataFrame(rows), "quality", "Rows in, kept and rejected, per table and rule.")
        + figure(
            plots.cleaning_waterfall(quality),
            "waterfall",
            "Where the input rows went, per table.",
        )
    )
    return section("quality", "Data quality", body, appendix=True)


def recovery_appendix(study: Study, params: dict) -> str:
    """Estimates against the truth the synthetic generator planted; empty string on real data."""
    if not study.planted:
        return ""
    parts = [
        para(
            "This run used the synthetic world, whose generator recorded the truth it planted. "
            "The tables below show how close the methods come to it."
        )
    ]
    drivers = study.result("drivers")
    if drivers is not None:
        check = driver_recovery(
            drivers, study.truth_dir, study.focus_outcome, params["importance_method"]
        )
        if len(check):
            shown = check.assign(
                estimated=100 * check["estimated_share"],
                planted=100 * check["population_share"],
            ).rename(
                columns={"estimated_rank": "estimated rank", "population_rank": "planted rank"}
            )[["driver", "estimated", "planted", "estimated rank", "planted rank"]]
            parts.append(
                para(
                    f"Driver shares of R² (%): Spearman rank correlation "
                    f"{check.attrs['spearman']:.3f}; top three "
                    f"{'agree' if check.attrs['top3_match'] else 'differ'}."
                )
            )
            parts.append(
                table(shown, "recovery-drivers", "Estimated against planted driver shares.")
            )
    recovered = (study.segments_metrics or {}).get("recovery")
    if recovered:
        recall = pd.DataFrame(
            {"archetype": list(recovered["recall"]), "recall": list(recovered["recall"].values())}
        )
        parts.append(
            para(
                f"Archetypes: adjusted Rand index {recovered['ari']:.3f} against the planted labels."
            )
        )
        parts.append(table(recall, "recovery-archetypes", "Recall of each planted archetype.", 3))
    return section("recovery", "Recovery of the planted truth", "".join(parts), appendix=True)


# --------------------------------------------------------------------------- provenance


def stage_code(stage: str = "whitepaper", root: Path = PROJ_ROOT) -> list[str]:
    """The code a DVC stage depends on (its notebook, cemlib modules, glue and template): the
    ``deps`` of ``dvc.yaml`` that are not data or metrics."""
    deps = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"][stage]["deps"]
    return [d for d in deps if not d.startswith(("data/", "reports/metrics/"))]


def git_commit(paths: list[str], root: Path = PROJ_ROOT) -> str:
    """The last commit that changed ``paths`` (the code that ran), marked when they have
    uncommitted changes.

    Not ``HEAD``: the paper must come out byte-identical from a fresh clone at any later commit
    that leaves this code alone, because DVC reruns the stage only when its code changes.
    """
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *paths],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *paths],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git work tree)"
    if not commit:
        return "unknown (the code is not committed)"
    return f"{commit} (with uncommitted changes to this code)" if dirty else commit


def file_hashes(data_dir: Path | str, folders=("raw", "clean", "results")) -> pd.DataFrame:
    """MD5 of every data file the paper rests on — the hash DVC records for a file."""
    frames = [
        file_manifest(Path(data_dir) / folder, "md5", None).assign(
            file=lambda t, folder=folder: folder + "/" + t["file"]
        )
        for folder in folders
    ]
    return pd.concat(frames, ignore_index=True)


def package_versions(names=REPORTED_PACKAGES) -> pd.DataFrame:
    rows = [{"package": "python", "version": platform.python_version()}]
    for name in names:
        try:
            rows.append({"package": name, "version": metadata.version(name)})
        except metadata.PackageNotFoundError:
            continue
    return pd.DataFrame(rows)


def provenance_appendix(study: Study, data_dir: Path | str, all_params: dict) -> str:
    source = study.provenance
    body = para(
        f"Code: commit <code>{esc(git_commit(stage_code()))}</code> (the last change to the "
        "paper's code). Data source: "
        f"{esc(source.get('title') or source['source'])}"
        + (f" — {esc(source['citation'])}" if source.get("citation") else "")
        + (f" (licence: {esc(source['licence'])})" if source.get("licence") else "")
        + "."
    )
    body += table(file_hashes(data_dir), "hashes", "Data files and their MD5 hashes.")
    body += (
        '<details class="wp-details"><summary>Parameters (params.yaml)</summary>'
        f"<pre>{esc(yaml.safe_dump(all_params, sort_keys=False, allow_unicode=True))}</pre>"
        "</details>"
    )
    body += table(package_versions(), "packages", "Package versions.")
    return section("provenance", "Provenance", body, appendix=True)


# --------------------------------------------------------------------------- the paper


def build_whitepaper(
    study: Study, params: dict, data_dir: Path | str, all_params: dict
) -> dict[str, str]:
    """Every part of the paper, in reading order, numbered and cross-referenced.

    ``params``: the whitepaper parameters (study_title, organisation, max_findings,
    verbatims_per_reason, top_reasons) and the drivers parameters it presents
    (importance_method, map_threshold, map_off_diagonal).
    """
    inflation = None
    responses = study.table("responses")
    if responses is not None and study.codebook is not None and study.codebook.by_role("outcome"):
        weights = "weight" if "weight" in responses else None
        inflation = metrics.satisfaction_inflation(responses, study.codebook, weights=weights)
    findings = key_findings(study, params, inflation)
    parts = {
        "title": title_page(study, params),
        "summary": executive_summary(study, findings),
        "feel": feel_section(study, params, inflation),
        "drivers": drivers_section(study, params),
        "who": who_section(study, params),
        "say": say_section(study, params),
        "act": act_section(study),
        "methods": methods_section(study, params),
        "quality": quality_appendix(study),
        "recovery": recovery_appendix(study, params),
        "provenance": provenance_appendix(study, data_dir, all_params),
    }
    numbered = number_document(list(parts.values()))
    return dict(zip(parts, numbered, strict=True))
