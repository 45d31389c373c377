"""The X-VOC data model: the tables, their columns and types, and the codebook.

One source of truth for what an input folder may hold (see ``docs/data-model.md``, which a
test keeps in step with this module). Every table is optional, but a folder needs at least one,
and ``responses`` need their ``codebook.yaml``; each table unlocks more analysis (a stage skips
what a missing table would have enabled and says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cemlib.errors import XVOCError

__all__ = [
    "ARCHETYPES",
    "FEEDBACK_KINDS",
    "METRICS",
    "RESPONSE_CHANNELS",
    "ROLES",
    "TABLE_ORDER",
    "TABLES",
    "Codebook",
    "Column",
    "data_model_markdown",
    "Item",
    "parse_codebook",
    "survey_weight_column",
    "SurveyRule",
    "Table",
]

RESPONSE_CHANNELS = ("web", "phone", "sms", "email", "kiosk", "face_to_face", "app", "other")
FEEDBACK_KINDS = ("complaint", "compliment", "suggestion", "review", "call_note", "social")
ROLES = ("outcome", "driver", "stated_importance", "brand", "loyalty", "attention_check", "profile")
METRICS = ("nps", "csat", "ces")
# Customer archetypes of the segments contract (cemlib.data.contracts), in the order reports show them.
ARCHETYPES = ("strategic", "butterfly", "barnacle", "stranger")


@dataclass(frozen=True)
class Column:
    """One column of a table: its kind, whether the column must exist and whether values may be empty."""

    name: str
    kind: str  # id | str | int | float | date | datetime | bool
    required: bool = False
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    id_column: str
    columns: tuple[Column, ...]
    required: bool = False
    description: str = ""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(name, kind, required=False, nullable=True, description=""):
    return Column(name, kind, required, nullable, description)


TABLES: dict[str, Table] = {
    "customers": Table(
        "customers",
        "customer_id",
        (
            _c("customer_id", "id", True, False, "unique customer key"),
            _c("first_seen", "date", True, False, "date of acquisition"),
            _c("region", "str"),
            _c("tier", "str", description="loyalty tier; 'internal' marks staff/test accounts"),
            _c("acquisition_channel", "str"),
            _c(
                "cost_to_serve",
                "float",
                description="yearly cost to serve, same currency as amounts",
            ),
        ),
        description="one row per customer",
    ),
    "transactions": Table(
        "transactions",
        "transaction_id",
        (
            _c("transaction_id", "id", True, False, "unique transaction key"),
            _c("customer_id", "id", True, False, "who bought"),
            _c("ts", "datetime", True, False, "when"),
            _c("amount", "float", True, False, "revenue; negative = return"),
            _c("margin", "float", description="gross profit of the transaction"),
            _c("promo", "bool", description="bought on discount, coupon or loyalty-card reward"),
            _c("brand", "str", description="brand bought (category panels with competitors)"),
            _c("channel", "str"),
        ),
        description="one row per purchase or return",
    ),
    "responses": Table(
        "responses",
        "response_id",
        (
            _c("response_id", "id", True, False, "unique response key"),
            _c("customer_id", "id", description="empty for anonymous responses"),
            _c("survey", "str"),
            _c("wave", "str"),
            _c("channel", "str", description="one of " + ", ".join(RESPONSE_CHANNELS)),
            _c("touchpoint", "str"),
            _c("submitted_at", "datetime"),
            _c("started_at", "datetime", description="used for duration when duration_s is absent"),
            _c("duration_s", "float", description="seconds taken to answer"),
            _c("language", "str"),
            _c("weight", "float", description="survey weight (> 0), used by every estimate"),
            _c("comment", "str", description="free text"),
        ),
        description="solicited feedback: one row per survey response, one column per codebook "
        "item (needs codebook.yaml)",
    ),
    "feedback": Table(
        "feedback",
        "feedback_id",
        (
            _c("feedback_id", "id", True, False, "unique feedback key"),
            _c("customer_id", "id"),
            _c("channel", "str"),
            _c("touchpoint", "str"),
            _c(
                "created_at",
                "datetime",
                description="when it was written; without dates (a column absent or empty) "
                "the analyses by period are skipped",
            ),
            _c("kind", "str", True, False, "one of " + ", ".join(FEEDBACK_KINDS)),
            _c("text", "str", True, True, "free text"),
            _c("rating", "float"),
            _c("rating_scale", "str", description="scale of the rating, e.g. '1-5'"),
            _c("reason", "str"),
            _c("resolved_at", "datetime"),
        ),
        description="unsolicited feedback: complaints, compliments, reviews, call notes",
    ),
}

TABLE_ORDER = ("customers", "transactions", "responses", "feedback")


# --------------------------------------------------------------------------- codebook


@dataclass(frozen=True)
class Item:
    """One survey item of the codebook."""

    id: str
    role: str
    scale: tuple[float, float]
    text: dict = field(default_factory=dict)
    metric: str | None = None
    touchpoint: str | None = None
    stage: int | None = None
    reverse: bool = False
    of: str | None = None
    expect: float | None = None
    owner: str | None = None
    action: str | None = None
    short: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """English wording when given, else the Chinese, else the id."""
        return self.text.get("en") or self.text.get("zh") or self.id

    @property
    def short_label(self) -> str | None:
        """The codebook's short name for running text and charts (``label:``), English first."""
        return self.short.get("en") or self.short.get("zh") or None


@dataclass(frozen=True)
class SurveyRule:
    """How one survey deviates from the codebook: items asked on another scale or reversed."""

    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    reverse: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    items: tuple[Item, ...]
    surveys: dict[str, SurveyRule] = field(default_factory=dict)
    study: dict = field(default_factory=dict)

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def by_role(self, role: str) -> list[Item]:
        """Items of one role, in journey order (stage) then codebook order."""
        items = [i for i in self.items if i.role == role]
        return sorted(items, key=lambda i: i.stage if i.stage is not None else 10**6)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.items]

    def missing_owner_or_action(self) -> list[str]:
        """Items nobody is accountable for: every question should have an owner and an action."""
        return [i.id for i in self.items if not i.owner or not i.action]

    def to_dict(self) -> dict:
        """Plain data for writing the cleaned codebook back to YAML."""
        items = []
        for i in self.items:
            entry = {"id": i.id, "role": i.role, "scale": list(i.scale)}
            for key in ("text", "metric", "touchpoint", "stage", "of", "expect", "owner", "action"):
                value = getattr(i, key)
                if value not in (None, {}):
                    entry[key] = value
            if i.short:
                entry["label"] = dict(i.short)
            if i.reverse:
                entry["reverse"] = True
            items.append(entry)
        surveys = {
            name: {
                "scales": {k: list(v) for k, v in rule.scales.items()},
                "reverse": list(rule.reverse),
            }
            for name, rule in self.surveys.items()
        }
        return {"study": dict(self.study), "items": items, "surveys": surveys}


def _language_map(entry: dict, key: str, file: str, index: int, item_id: str | None) -> dict:
    """An item's ``text`` or ``label``: a plain string (English) or ``{en: ..., zh: ...}``."""
    value = entry.get(key) or {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        raise _item_error(
            file, index, item_id, f"{key} must be {{en: ..., zh: ...}}", "codebook_format"
        )
    return {str(k): str(v) for k, v in value.items()}


def _item_error(file: str, index: int, item_id: str | None, message: str, rule: str) -> XVOCError:
    label = f"item {index + 1}" + (f" ('{item_id}')" if item_id else "")
    return XVOCError(f"{label}: {message}", file=file, column=item_id, rule=rule)


def _parse_scale(raw, file: str, index: int, item_id: str) -> tuple[float, float]:
    if (
        not isinstance(raw, (list, tuple))
        or len(raw) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw)
    ):
        raise _item_error(
            file,
            index,
            item_id,
            f"scale must be [min, max] numbers, found {raw!r}",
            "unknown_scale",
        )
    low, high = float(raw[0]), float(raw[1])
    if low >= high:
        raise _item_error(
            file,
            index,
            item_id,
            f"scale min {raw[0]} must be below max {raw[1]}",
            "scale_min_not_below_max",
        )
    return low, high


def _parse_item(entry, file: str, index: int) -> Item:
    if not isinstance(entry, dict):
        raise _item_error(
            file, index, None, f"expected a mapping, found {entry!r}", "codebook_format"
        )
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not item_id.strip():
        raise _item_error(file, index, None, "has no 'id'", "codebook_missing_id")
    item_id = item_id.strip().lower()
    role = entry.get("role")
    if role not in ROLES:
        raise _item_error(
            file, index, item_id, f"role {role!r} is not one of {', '.join(ROLES)}", "unknown_role"
        )
    scale = _parse_scale(entry.get("scale"), file, index, item_id)
    metric = entry.get("metric")
    if metric is not None and metric not in METRICS:
        raise _item_error(
            file,
            index,
            item_id,
            f"metric {metric!r} is not one of {', '.join(METRICS)}",
            "unknown_metric",
        )
    reverse = entry.get("reverse", False)
    if not isinstance(reverse, bool):
        raise _item_error(
            file,
            index,
            item_id,
            f"reverse must be true or false, found {reverse!r}",
            "codebook_format",
        )
    stage = entry.get("stage")
    if stage is not None and (not isinstance(stage, int) or isinstance(stage, bool)):
        raise _item_error(
            file, index, item_id, f"stage must be an integer, found {stage!r}", "codebook_format"
        )
    expect = entry.get("expect")
    if role == "attention_check":
        if not isinstance(expect, (int, float)) or isinstance(expect, bool):
            raise _item_error(
                file,
                index,
                item_id,
                "attention check needs 'expect: <answer>'",
                "attention_check_without_expect",
            )
        if not scale[0] <= expect <= scale[1]:
            raise _item_error(
                file,
                index,
                item_id,
                f"expect {expect} lies outside scale {list(scale)}",
                "attention_check_without_expect",
            )
    text, short = (_language_map(entry, key, file, index, item_id) for key in ("text", "label"))
    return Item(
        id=item_id,
        role=role,
        scale=scale,
        text=text,
        short=short,
        metric=metric,
        touchpoint=entry.get("touchpoint"),
        stage=stage,
        reverse=reverse,
        of=(entry.get("of") or None) and str(entry["of"]).strip().lower(),
        expect=None if expect is None else float(expect),
        owner=entry.get("owner") or None,
        action=entry.get("action") or None,
    )


def _require_item(items, item_id: str, what: str, file: str) -> None:
    """A survey rule may only name items of the codebook."""
    if item_id not in items:
        raise XVOCError(
            f"{what} unknown item '{item_id}'",
            file=file,
            column=item_id,
            rule="codebook_unknown_reference",
        )


def _parse_surveys(raw, file: str, items: dict[str, Item]) -> dict[str, SurveyRule]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise XVOCError(
            "'surveys' must map a survey name to its deviations", file=file, rule="codebook_format"
        )
    rules = {}
    for name, spec in raw.items():
        spec = spec or {}
        scales = {}
        for item_id, scale in (spec.get("scales") or {}).items():
            _require_item(items, item_id, f"survey '{name}' rescales", file)
            scales[item_id] = _parse_scale(scale, file, list(items).index(item_id), item_id)
        reverse = tuple(str(i) for i in (spec.get("reverse") or ()))
        for item_id in reverse:
            _require_item(items, item_id, f"survey '{name}' reverses", file)
        rules[str(name)] = SurveyRule(scales=scales, reverse=reverse)
    return rules


def parse_codebook(path: Path | str) -> Codebook:
    """Read and validate ``codebook.yaml`` (format in ``docs/data-model.md``).

    Raises :class:`XVOCError` naming the file, the item and the rule on any problem: not YAML,
    no ``items`` list, an item without id, duplicate ids, unknown role or metric, a scale that is
    not ``[min, max]`` with min < max, an attention check without ``expect``, a stated-importance
    item whose ``of`` names no driver.
    """
    path = Path(path)
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise XVOCError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=file, rule="wrong_encoding"
        ) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise XVOCError(
            f"not valid YAML{line}: {problem}", file=file, rule="codebook_not_yaml"
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list) or not raw["items"]:
        raise XVOCError(
            "expected a mapping with a non-empty 'items' list", file=file, rule="codebook_format"
        )
    items: dict[str, Item] = {}
    for index, entry in enumerate(raw["items"]):
        item = _parse_item(entry, file, index)
        if item.id in items:
            raise _item_error(
                file, index, item.id, "id appears twice in the codebook", "duplicate_codebook_id"
            )
        items[item.id] = item
    for index, item in enumerate(items.values()):
        if item.role == "stated_importance":
            target = items.get(item.of or "")
            if target is None or target.role != "driver":
                raise _item_error(
                    file,
                    index,
                    item.id,
                    f"'of: {item.of}' must name a driver item of the codebook",
                    "codebook_unknown_reference",
                )
    surveys = _parse_surveys(raw.get("surveys"), file, items)
    study = raw.get("study") or {}
    return Codebook(
        items=tuple(items.values()),
        surveys=surveys,
        study=study if isinstance(study, dict) else {"name": str(study)},
    )


def data_model_markdown() -> str:
    """The tables of ``docs/data-model.md``, generated from :data:`TABLES` (a test keeps them equal)."""
    lines = []
    for name in TABLE_ORDER:
        table = TABLES[name]
        need = "required" if table.required else "optional"
        lines += [
            f"### `{name}` ({need}) — {table.description}",
            "",
            "| column | type | column must exist | value may be empty | meaning |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in table.columns:
            lines.append(
                f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | "
                f"{'yes' if c.nullable else 'no'} | {c.description} |"
            )
        if name == "responses":
            lines.append(
                "| *one column per codebook item* | number | yes | yes | answers on the "
                "item's scale |"
            )
        lines.append("")
    return "\n".join(lines)


def survey_weight_column(
    responses, column: str | None = "weight", use_weights: bool = True
) -> str | None:
    """The survey weight column an estimate uses, or ``None`` for unweighted estimates.

    The one rule for every weighted estimate (NPS, drivers, stated importance, the whitepaper's
    tables): ``column`` is used when weights are
    on (``use_weights``, and ``column`` not ``None``) and ``responses`` has that column with at
    least one value. Rows whose weight is missing or negative are then left out of a weighted
    estimate; with ``None`` every row weighs 1.

    Parameters
    ----------
    responses : pandas.DataFrame
        The survey responses (any table with a weight column).
    column : str or None
        The survey weight column (``None``: weights off).
    use_weights : bool
        Whether to weight at all (the ``use_weights`` parameter of the drivers stage).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frame = pd.DataFrame({"ltr": [9, 7], "weight": [1.0, 2.0]})
    >>> survey_weight_column(frame), survey_weight_column(frame, use_weights=False)
    ('weight', None)
    >>> survey_weight_column(frame.assign(weight=np.nan)) is None
    True
    """
    if use_weights and column and column in responses.columns and responses[column].notna().any():
        return column
    return None
