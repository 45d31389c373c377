"""A codeframe: the taxonomy of themes a CX team keeps, and deterministic coding by its rules.

Coding verbatims against an agreed codeframe is how survey research has always read open answers
(Krippendorff 2018, *Content Analysis*, ch. 7; the "codeframe" of market research practice): each
theme has labels, an owner, and rules that say when a text belongs to it, so every assignment can
be explained ("matched the keyword 闪退"). The rules here are keywords and regular expressions in
English and Chinese over the analysed copy of the text (:func:`cemlib.text.tokens.analysis_text`:
Simplified characters, lower-case letters). English keywords match whole words; Chinese keywords
match anywhere (Chinese has no spaces between words). A keyword right after a negation does not
count. A text carries every theme with a match; its primary theme is the first of them in the
codeframe's order (complaints are listed before praise, so "good products, but the delivery was
late" is filed under the delivery problem — the part someone must act on).

The bundled frame (``codeframe_default.yaml``, retail and service CX) is used unless the input
folder holds a ``codeframe.yaml`` beside the codebook; :func:`load_codeframe` refuses a file that
is not YAML, lacks a field, repeats an id or holds a pattern that does not compile — with one line
naming the file, the theme and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from cemlib.errors import XVOCError
from cemlib.text.tokens import analysis_text

__all__ = [
    "POLARITIES",
    "Codeframe",
    "Theme",
    "UNCLASSIFIED",
    "bundled_codeframe_path",
    "code_themes",
    "codeframe_from_dict",
    "load_codeframe",
]

#: The theme of a verbatim nothing could code (empty, emoji only, or matched by no theme).
UNCLASSIFIED = "unclassified"
POLARITIES = ("complaint", "praise", "neutral")
_LANGUAGES = ("en", "zh")
_NEGATION_EN = re.compile(r"(?:\b(?:not|never|no|hardly|without)|n't)\s+(?:\w+\s+)?$")
# a negation, then at most a softener: 不太方便, 不是很热情, 没那么好 (特别 is "especially", not 别)
_NEGATION_ZH = re.compile(r"(?:不|没有|没|未|(?<!特)别|无)(?:太|是很|是|很|怎么|那么|够|算)?$")


@dataclass(frozen=True)
class Theme:
    """One theme of a codeframe with its compiled rules."""

    id: str
    label_en: str
    label_zh: str
    owner: str
    polarity: str
    keywords: dict[str, tuple[str, ...]]
    touchpoint: str = ""
    patterns: tuple[re.Pattern[str], ...] = ()
    _keyword_res: tuple[tuple[str, re.Pattern[str]], ...] = field(default=(), repr=False)
    _any_keyword: re.Pattern[str] | None = field(default=None, repr=False)

    def matches(self, text: str) -> list[str]:
        """The rules of this theme that match the analysed ``text`` (keywords as written,
        patterns as ``/regex/``), in the order they first occur."""
        hits: list[tuple[int, str]] = []
        keywords = self._keyword_res
        if self._any_keyword is not None and not self._any_keyword.search(text):
            keywords = ()  # one pass over the text rules out every keyword at once
        for word, rule in keywords:
            for m in rule.finditer(text):
                if not _negated(text, m.start(), word):
                    hits.append((m.start(), word))
                    break
        for pattern in self.patterns:
            found = pattern.search(text)
            if found:
                hits.append((found.start(), f"/{pattern.pattern}/"))
        return [rule for _, rule in sorted(hits)]


def _negated(text: str, start: int, word: str) -> bool:
    """True when the keyword at ``start`` follows a negation ("not helpful", 不好用) — unless
    the keyword itself is negative ("not working", 没到)."""
    if word.startswith(("not ", "no ", "never ", "不", "没", "未", "无")):
        return False
    if word.isascii():
        return bool(_NEGATION_EN.search(text[max(0, start - 24) : start].replace("’", "'")))
    return bool(_NEGATION_ZH.search(text[max(0, start - 4) : start]))


@dataclass(frozen=True)
class Codeframe:
    """An ordered list of themes (the order picks a text's primary theme) and its source."""

    themes: tuple[Theme, ...]
    source: str

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def labels(self) -> pd.DataFrame:
        """``theme``, ``label_en``, ``label_zh``, ``owner``, ``polarity``, ``touchpoint``."""
        return pd.DataFrame(
            [
                (t.id, t.label_en, t.label_zh, t.owner, t.polarity, t.touchpoint)
                for t in self.themes
            ],
            columns=["theme", "label_en", "label_zh", "owner", "polarity", "touchpoint"],
        )


def bundled_codeframe_path() -> Path:
    """The bundled retail/service codeframe (a copy to start your own from)."""
    return Path(str(resources.files("cemlib.text").joinpath("codeframe_default.yaml")))


def _fail(source: str, where: str, problem: str) -> XVOCError:
    return XVOCError(f"{where} {problem}", file=source, rule="codeframe")


def _keyword_rule(word: str) -> re.Pattern[str]:
    escaped = re.escape(word)
    if word.isascii():  # whole words: "late" must not match "chocolate"
        return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")
    return re.compile(escaped)


def _theme(entry: object, index: int, source: str) -> Theme:
    where = f"theme {index + 1}"
    if not isinstance(entry, dict):
        raise _fail(source, where, "must be a mapping with id, label and keywords")
    theme_id = str(entry.get("id") or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]*", theme_id):
        raise _fail(source, where, f"id {theme_id!r} must be lower-case letters, digits and _")
    where = f"theme '{theme_id}'"
    label = entry.get("label") or {}
    if not isinstance(label, dict) or not label.get("en"):
        raise _fail(source, where, "needs label: {en: ..., zh: ...}")
    if set(label) - set(_LANGUAGES):
        raise _fail(source, where, "label may hold only en and zh (quote a label with a comma)")
    polarity = str(entry.get("polarity", "neutral"))
    if polarity not in POLARITIES:
        raise _fail(source, where, f"polarity {polarity!r} is not one of {', '.join(POLARITIES)}")
    keywords: dict[str, tuple[str, ...]] = {}
    for key in ("keywords", "patterns"):
        value = entry.get(key) or {}
        if not isinstance(value, dict) or set(value) - set(_LANGUAGES):
            raise _fail(source, where, f"{key} must be a mapping with en and/or zh lists")
    raw_keywords = entry.get("keywords") or {}
    for lang in _LANGUAGES:
        words = raw_keywords.get(lang) or []
        if not isinstance(words, list):
            raise _fail(source, f"{where}, keywords.{lang}", "must be a list")
        keywords[lang] = tuple(analysis_text(str(w)).strip() for w in words if str(w).strip())
    patterns = []
    for lang in _LANGUAGES:
        for text in (entry.get("patterns") or {}).get(lang) or []:
            try:
                patterns.append(re.compile(str(text)))
            except re.error as error:
                raise _fail(
                    source, f"{where}, patterns.{lang} {text!r}", f"does not compile ({error})"
                ) from None
    words = tuple(dict.fromkeys(keywords["en"] + keywords["zh"]))
    if not words and not patterns:
        raise _fail(source, where, "has no keywords and no patterns, so it can never match")
    return Theme(
        id=theme_id,
        label_en=str(label["en"]),
        label_zh=str(label.get("zh") or label["en"]),
        owner=str(entry.get("owner") or ""),
        polarity=polarity,
        touchpoint=str(entry.get("touchpoint") or ""),
        keywords=keywords,
        patterns=tuple(patterns),
        _keyword_res=tuple((w, _keyword_rule(w)) for w in words),
        _any_keyword=re.compile("|".join(_keyword_rule(w).pattern for w in words))
        if words
        else None,
    )


def codeframe_from_dict(data: object, source: str = "codeframe") -> Codeframe:
    """A :class:`Codeframe` from parsed YAML; :class:`~cemlib.errors.XVOCError` naming ``source`` if invalid."""
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise _fail(source, "the file", "must be a mapping with a 'themes' list")
    themes = tuple(_theme(entry, i, source) for i, entry in enumerate(data["themes"]))
    seen: set[str] = set()
    for theme in themes:
        if theme.id in seen or theme.id == UNCLASSIFIED:
            raise _fail(source, f"theme '{theme.id}'", "id is repeated or reserved")
        seen.add(theme.id)
    return Codeframe(themes, source)


def load_codeframe(path: str | Path | None = None) -> Codeframe:
    """The codeframe in ``path`` (YAML), or the bundled one for ``None``."""
    path = Path(path) if path else bundled_codeframe_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise XVOCError("file not found", file=str(path), rule="codeframe") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise XVOCError(
            f"is not readable YAML ({first})", file=str(path), rule="codeframe"
        ) from None
    return codeframe_from_dict(data, str(path.name if path.parent.name else path))


def code_themes(
    texts: Sequence[str], codeframe: Codeframe | str | Path | None = None
) -> pd.DataFrame:
    """Code each text against a codeframe: one row per text, in order.

    Parameters
    ----------
    texts : sequence of str
        Verbatims in Chinese, English or both (Traditional characters are read as Simplified).
    codeframe : Codeframe, path or None
        A loaded :class:`Codeframe`, the path of a ``codeframe.yaml``, or ``None`` for the
        bundled retail and service codeframe (:func:`bundled_codeframe_path`).

    Returns
    -------
    DataFrame
        ``theme`` (primary: the first matching theme in the codeframe's order, or
        ``unclassified``), ``themes`` (every matching theme, in that order) and ``matched``
        (the rules that fired, ``theme: rule; …`` — the explanation of the coding).

    Examples
    --------
    >>> code_themes(["App老是閃退", "The courier was late, and staff were rude."])[["theme", "themes"]]
               theme                       themes
    0      app_crash                  [app_crash]
    1  delivery_late  [delivery_late, rude_staff]
    """
    frame = codeframe if isinstance(codeframe, Codeframe) else load_codeframe(codeframe)
    rows = []
    for text in texts:
        analysed = analysis_text(str(text or ""))
        hits = [(t, t.matches(analysed)) for t in frame.themes] if analysed.strip() else []
        hits = [(t, rules) for t, rules in hits if rules]
        themes = [t.id for t, _ in hits]
        matched = "; ".join(f"{t.id}: {', '.join(rules)}" for t, rules in hits)
        rows.append((themes[0] if themes else UNCLASSIFIED, themes, matched))
    return pd.DataFrame(rows, columns=["theme", "themes", "matched"])
