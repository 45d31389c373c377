"""Normalising and de-marking free text: Unicode NFKC and whitespace, HTML removal, HTML escaping.

* :func:`normalise_text` -- Unicode NFKC (full-width digits and letters to ASCII), trimmed, one
  space between words.
* :func:`strip_html` -- tags, comments and ``<script>``/``<style>`` blocks removed, entities
  decoded, while a bare ``<`` meaning "less than" is kept.
* :func:`html_escape` -- the last step before any respondent string reaches a report.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["html_escape", "normalise_text", "strip_html"]

_WHITESPACE = re.compile(r"\s+")
# Invisible characters that NFKC keeps but that split words and numbers: zero-width space,
# word joiner, byte-order mark. (Zero-width joiners are kept: emoji sequences need them.)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


# Full-width punctuation of Chinese sentences that NFKC turns into ASCII. Free text keeps it as
# the customer wrote it; ids, codes and numbers do not. Full-width brackets are not kept: the
# phone patterns of cemlib.text.pii read "(" as well as "（" only in Chinese forms.
_CJK_PUNCTUATION = frozenset("，：；！？")
_CJK_SPLIT = re.compile("([，：；！？])")


def normalise_text(s: str, keep_cjk_punctuation: bool = False) -> str:
    """Normalise one text: NFKC, trimmed, runs of whitespace collapsed to one space.

    Parameters
    ----------
    s : str
        Raw text.
    keep_cjk_punctuation : bool
        Keep the full-width ``，：；！？`` of Chinese sentences (for free text shown to readers);
        digits and letters still become ASCII, so personal data is found as before.

    Returns
    -------
    str
        The text after Unicode NFKC (full-width digits and letters become ASCII, the ideographic
        space becomes a space, full-width ``，（）：`` become ASCII), with zero-width spaces and
        byte-order marks removed, leading and trailing whitespace stripped and every run of
        whitespace (including newlines) replaced by one space. Chinese punctuation that NFKC keeps
        (``。、“”《》``) is kept.

    Examples
    --------
    >>> normalise_text("  手机：１３８１２３４５６７８\u3000谢谢 ")
    '手机:13812345678 谢谢'
    >>> normalise_text("手机：１３８１２３４５６７８，谢谢！", keep_cjk_punctuation=True)
    '手机：13812345678，谢谢！'
    """
    if keep_cjk_punctuation:
        text = "".join(
            part if part in _CJK_PUNCTUATION else unicodedata.normalize("NFKC", part)
            for part in _CJK_SPLIT.split(s)
        )
    else:
        text = unicodedata.normalize("NFKC", s)
    text = text.translate(_INVISIBLE)
    return _WHITESPACE.sub(" ", text).strip()


# --------------------------------------------------------------------------- HTML

# Element names of HTML (living standard) plus common legacy ones. A "<" followed by anything
# else -- a space, a digit, an unknown word -- is text, so "price < 100" and "评分<3" survive.
_HTML_ELEMENTS = (
    "a abbr acronym address area article aside audio b base basefont bdi bdo big blink "
    "blockquote body br button canvas caption center cite code col colgroup data datalist dd "
    "del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd "
    "label legend li link main map mark marquee math menu meta meter nav nobr noframes noscript "
    "object ol optgroup option output p param picture pre progress q rp rt ruby s samp search "
    "section select slot small source span strike strong sub summary sup svg table tbody td "
    "template textarea tfoot th thead time title tr track tt u ul var video wbr"
).split()
# Elements that end a line or a block: replaced by a space so words either side stay apart.
_HTML_BREAKS = frozenset(
    "address article aside blockquote body br dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section table tbody td tfoot th thead "
    "title tr ul".split()
)
# Longest names first so "b" does not win over "br"; namespaced tags (o:p, v:shape) from Word.
_TAG_NAME = "|".join(sorted(_HTML_ELEMENTS, key=len, reverse=True)) + r"|[a-z]+:[a-z]+"
# An attribute list: quoted values may contain '>' and '<'.
_ATTRS = r"""(?:"[^"]*"|'[^']*'|[^'"<>])*"""
_HTML_RAW_BLOCK = re.compile(rf"<(script|style)\b{_ATTRS}>.*?(?:</\1\s*>|\Z)", re.I | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_DECLARATION = re.compile(r"<!\[CDATA\[.*?\]\]>|<![A-Za-z][^<>]*>|<\?[A-Za-z][^<>]*\?>", re.S)
_HTML_TAG = re.compile(rf"</?({_TAG_NAME})(?=[\s/>]){_ATTRS}>", re.I)
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"[ \t]{2,}")


def _tag_replacement(match: re.Match[str]) -> str:
    return " " if match.group(1).lower() in _HTML_BREAKS else ""


def strip_html(s: str) -> tuple[str, bool]:
    """Remove HTML markup from a text and decode its entities.

    Removed: ``<script>`` and ``<style>`` elements with their content (an unclosed one runs to
    the end of the text, as in a browser), comments, ``<!DOCTYPE>``/CDATA/processing
    instructions, and start and end tags of known HTML elements (``<img src=x onerror=...>``
    included). Block-level tags (``<p>``, ``<br>``, ``<li>``, ...) become a space. Character
    references ending in ``;`` (``&amp;``, ``&#39;``, ``&nbsp;``) are decoded.

    A ``<`` not followed by a known element name is text and kept, so ``"price < 100"``,
    ``"评分<3"`` and ``"<3"`` are unchanged. Escaped markup (``&lt;b&gt;``) decodes to visible
    text (``<b>``), which :func:`html_escape` makes harmless before it reaches a report. A
    comparison written without spaces around a known element name (``"a<b and c>d"``) is
    indistinguishable from a tag and is removed.

    Parameters
    ----------
    s : str
        Text that may contain HTML.

    Returns
    -------
    text : str
        The text without markup. When markup was removed, runs of spaces it left are collapsed and
        the ends stripped; otherwise the whitespace of ``s`` is untouched.
    changed : bool
        True when any markup was removed or any entity decoded.

    Examples
    --------
    >>> strip_html("<p>Great&amp;fast</p><script>alert(1)</script>")
    ('Great&fast', True)
    >>> strip_html("price < 100")
    ('price < 100', False)
    """
    if "<" not in s and "&" not in s:
        return s, False
    text = _HTML_RAW_BLOCK.sub(" ", s)
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_DECLARATION.sub("", text)
    text = _HTML_TAG.sub(_tag_replacement, text)
    removed = text != s
    if removed:
        text = _SPACES.sub(" ", text).strip()
    decoded = _HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return decoded, removed or decoded != text


def html_escape(s: str) -> str:
    """Escape a string for HTML (``&``, ``<``, ``>``, ``"`` and ``'``).

    Every respondent string -- comment, verbatim, category label, customer-supplied name -- goes
    through this function before it reaches a report, after :func:`redact_pii`, so nothing a
    customer typed can inject markup or script.

    Parameters
    ----------
    s : str
        Text to escape.

    Returns
    -------
    str
        ``html.escape(s, quote=True)``.
    """
    return html.escape(s, quote=True)
