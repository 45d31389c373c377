"""Free text from customers: normalisation, HTML, personal-data redaction, language.

Voice-of-the-customer text (survey comments, complaints, call notes) arrives in Chinese, English
and a mix of both, often pasted from web forms or e-mail. This module turns it into something
safe to analyse and publish (DESIGN.md §5):

* :func:`normalise_text` -- Unicode NFKC (full-width digits and letters to ASCII), trimmed, one
  space between words.
* :func:`strip_html` -- tags, comments and ``<script>``/``<style>`` blocks removed, entities
  decoded, while a bare ``<`` meaning "less than" is kept.
* :func:`redact_pii` / :func:`redact_series` -- e-mail addresses, phone numbers, Chinese ID-card
  numbers and bank-card numbers replaced by typed placeholders (``[EMAIL]``, ``[PHONE]``,
  ``[ID_CARD]``, ``[BANK_CARD]``), with counts per type for the data-quality appendix.
* :func:`detect_language` -- 'zh', 'en' or 'und' from the scripts of the letters.
* :func:`html_escape` -- the last step before any respondent string reaches a report.

The detectors are rules, not a model, so they run offline and are auditable; each accepts a
number only when its structure is checkable:

* Chinese resident ID numbers follow GB 11643-1999 (citizen identification number): a 6-digit
  administrative-division code (the first two digits name a province), an 8-digit birth date, a
  3-digit sequence and an ISO 7064 MOD 11-2 check character (0-9 or X), see
  :func:`cn_id_check_digit`. The 15-digit numbers issued before 1999 have a 6-digit birth date
  and no check character.
* Bank-card numbers (primary account numbers) follow ISO/IEC 7812-1: 13-19 digits, an issuer
  identification number whose first digit names the industry (2-6 and 9 for banking and finance;
  Mastercard's 2-series is 2221-2720) and a final Luhn check digit, see :func:`luhn_check_digit`.
* Phone numbers follow ITU-T E.164 (``+`` country code, at most 15 digits in all) and China's
  numbering plan (MIIT): mobiles are 11 digits starting 13-19, landlines are a trunk ``0``, a
  2-3 digit area code (10, 2x, or 3 digits) and a 7-8 digit local number.

Names and postal addresses are not detected: that needs a model, and DESIGN.md §5 asks to say
so in the data-quality appendix rather than pretend. Service numbers (95xxx, 400-xxx-xxxx) are
company numbers, not personal data, and are left alone.

Run :func:`normalise_text` before :func:`redact_pii`: the patterns look for ASCII digits, so
full-width digits (``１３８…``) are only found once NFKC has mapped them.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "PII_TYPES",
    "cn_id_check_digit",
    "detect_language",
    "html_escape",
    "luhn_check_digit",
    "normalise_text",
    "redact_pii",
    "redact_series",
    "strip_html",
]

# Weights and check characters of the Chinese resident ID number (GB 11643-1999, ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def cn_id_check_digit(first17: str) -> str:
    """Check character (0-9 or X) of an 18-character Chinese ID number from its first 17 digits.

    GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits with weights 2^(18-i) mod 11.
    """
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def luhn_check_digit(partial: str) -> str:
    """Digit that makes ``partial + digit`` pass the Luhn test (ISO/IEC 7812-1), as cards do."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:  # doubled positions, counted from the right once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


# --------------------------------------------------------------------------- normalisation

_WHITESPACE = re.compile(r"\s+")
# Invisible characters that NFKC keeps but that split words and numbers: zero-width space,
# word joiner, byte-order mark. (Zero-width joiners are kept: emoji sequences need them.)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def luhn_valid(number: str) -> bool:
    """Whether a digit string passes the Luhn test (ISO/IEC 7812-1)."""
    return luhn_check_digit(number[:-1]) == number[-1]


def normalise_text(s: str) -> str:
    """Normalise one text: NFKC, trimmed, runs of whitespace collapsed to one space.

    Parameters
    ----------
    s : str
        Raw text.

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
    """
    text = unicodedata.normalize("NFKC", s).translate(_INVISIBLE)
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


# --------------------------------------------------------------------------- personal data

#: Kinds of personal data found by :func:`redact_pii`, in detection order, with their placeholders.
PII_TYPES = {
    "email": "[EMAIL]",
    "id_card": "[ID_CARD]",
    "bank_card": "[BANK_CARD]",
    "phone": "[PHONE]",
}
_COUNT_COLUMNS = ["email", "phone", "id_card", "bank_card"]

# A number must not continue a decimal or thousands-separated figure ("0.13812345678", "1,234…").
_NOT_AFTER_FIGURE = r"(?<![0-9][.,])"
_NOT_BEFORE_FIGURE = r"(?![.,][0-9])"

# E-mail: ASCII local part and domain. Letters outside ASCII are not in the classes, so an address
# glued to Chinese text on either side ends where the Chinese starts; the top-level domain is
# letters only, so a trailing '.' or '。' is left out.
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
    r"(?![A-Za-z])"
)

# Province-level codes (GB/T 2260) that open a resident ID number; 81-83 are the residence
# permits of Hong Kong, Macao and Taiwan residents.
_PROVINCE = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])"
_MONTH_DAY = r"(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
# 18 characters: region (6), birth date (8), sequence (3), check (1); optionally typed as 6-8-4
# with one consistent space or hyphen.
_ID18 = re.compile(
    rf"(?<![0-9]){_NOT_AFTER_FIGURE}({_PROVINCE}[0-9]{{4}})([ -]?)((?:19|20)[0-9]{{2}}){_MONTH_DAY}"
    rf"\2([0-9]{{3}}[0-9Xx])(?![0-9]){_NOT_BEFORE_FIGURE}"
)
# 15 digits (issued before 1999): region (6), birth date YYMMDD in the 1900s, sequence (3).
_ID15 = re.compile(
    rf"(?<![0-9]){_NOT_AFTER_FIGURE}{_PROVINCE}[0-9]{{4}}([0-9]{{2}}){_MONTH_DAY}[0-9]{{3}}"
    rf"(?![0-9]){_NOT_BEFORE_FIGURE}"
)

# Bank cards: first a maximal chunk of digit groups joined by single spaces or hyphens, not glued
# to letters, digits, '+' or a decimal figure; the card is then looked for inside the chunk.
_DIGIT_CHUNK = re.compile(
    rf"(?<![0-9A-Za-z+]){_NOT_AFTER_FIGURE}[0-9]++(?:[ -][0-9]++)*+"
    rf"(?![0-9A-Za-z]){_NOT_BEFORE_FIGURE}"
)
_DIGIT_GROUP = re.compile(r"[0-9]+")

# Phones.
_MOBILE = r"1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}"
_CN_PREFIX = r"(?:[(（]?(?:\+|00)?86[)）]?[ -]?)"
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"  # without the trunk 0
_LOCAL = r"[1-9][0-9]{2,3}[ -]?[0-9]{4}"
_EXTENSION_BODY = r"-[0-9]{1,5}|[ ]?(?:转|ext\.?|分机)[ ]?[0-9]{1,5}"
_EXTENSION = rf"(?:{_EXTENSION_BODY})?"
_TRAILING_EXTENSION = re.compile(rf"(?:{_EXTENSION_BODY})$")
_PHONE = re.compile(
    "(?:"
    + "|".join(
        (
            # +86 / 0086 / 86 and a mobile: "+86 138 1234 5678", "008613812345678"
            rf"(?<![0-9A-Za-z]){_CN_PREFIX}{_MOBILE}",
            # a bare mobile: "13812345678", "138-1234-5678"
            rf"(?<![0-9A-Za-z+]){_NOT_AFTER_FIGURE}{_MOBILE}",
            # a landline from abroad: "+86 10 6234 5678", "0086-755-12345678"
            rf"(?<![0-9A-Za-z])(?:\+|00)86[ -]?(?:\(0\)[ -]?)?{_AREA}[ -]{_LOCAL}{_EXTENSION}",
            # a landline with area code: "(021) 6234 5678", "（021）62345678", "010-62345678"
            rf"(?<![0-9A-Za-z]){_NOT_AFTER_FIGURE}"
            rf"(?:[(（] ?0{_AREA} ?[)）][ -]?|0{_AREA}[ -]){_LOCAL}{_EXTENSION}",
            # any other E.164 number: "+44 20 7946 0958", "+1 (415) 555-2671"; digits checked later
            # (possessive, so a long run of digits cannot make the engine backtrack)
            r"(?<![0-9A-Za-z])\+[1-9][0-9]*+(?:[ -]?\([0-9]{1,4}\))?(?:[ -]?[0-9]++){0,6}+"
            + _EXTENSION,
        )
    )
    + rf")(?![0-9]){_NOT_BEFORE_FIGURE}"
)


def _valid_birth_date(year: int, month: int, day: int) -> bool:
    if not 1900 <= year <= 2030:
        return False
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _is_id18(match: re.Match[str]) -> bool:
    region, _, year, month, day, tail = match.groups()
    if not _valid_birth_date(int(year), int(month), int(day)):
        return False
    first17 = region + year + month + day + tail[:3]
    return cn_id_check_digit(first17) == tail[3].upper()


def _is_id15(match: re.Match[str]) -> bool:
    year, month, day = match.groups()
    return _valid_birth_date(1900 + int(year), int(month), int(day))


def _plausible_issuer(digits: str) -> bool:
    """ISO/IEC 7812 major industry identifier of a payment card: 2 (Mastercard 2221-2720 only),
    3 (travel and entertainment: Amex, JCB, Diners), 4-6 (banking: Visa, Mastercard, UnionPay,
    Discover) and 9 (national use, e.g. older Chinese debit cards). This also keeps out
    timestamps and order numbers that start with a year (19xx, 20xx)."""
    first = digits[0]
    if first == "2":
        return 2221 <= int(digits[:4]) <= 2720
    return first in "34569"


def _is_card(groups: list[str], separators: list[str]) -> bool:
    """Whether digit groups (joined by ``separators``) form one payment-card number."""
    digits = "".join(groups)
    if not 13 <= len(digits) <= 19:
        return False
    if len(groups) > 1:
        # Written in blocks: 4-4-4-4(-3), 4-6-5, 6-6-7 ...; one kind of separator throughout.
        if len(groups) < 3 or len(set(separators)) != 1:
            return False
        body, last = groups[:-1], groups[-1]
        if not 4 <= len(groups[0]) <= 6 or not all(3 <= len(g) <= 6 for g in body):
            return False
        # 17- and 18-digit cards written in fours end in a short group: 5503 0340 1663 9974 9
        if not (3 <= len(last) <= 6 or (len(last) >= 1 and all(len(g) == 4 for g in body))):
            return False
    return _plausible_issuer(digits) and luhn_valid(digits)


def _redact_cards(chunk: str) -> tuple[str, int]:
    """Replace each card number found among the digit groups of ``chunk``; return it and the count.

    A chunk such as ``"2 4532 0151 1283 0366"`` (a quantity, then a card) is searched group by
    group, taking at each start the longest run of groups that forms a valid card.
    """
    spans = [m.span() for m in _DIGIT_GROUP.finditer(chunk)]
    groups = [chunk[a:b] for a, b in spans]
    separators = [chunk[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
    pieces: list[str] = []
    found = 0
    last_end = 0
    i = 0
    while i < len(groups):
        best = None
        n_digits = 0
        for j in range(i, len(groups)):
            n_digits += len(groups[j])
            if n_digits > 19:
                break
            if n_digits >= 13 and _is_card(groups[i : j + 1], separators[i:j]):
                best = j
        if best is None:
            i += 1
            continue
        pieces += [chunk[last_end : spans[i][0]], PII_TYPES["bank_card"]]
        last_end = spans[best][1]
        found += 1
        i = best + 1
    if not found:
        return chunk, 0
    pieces.append(chunk[last_end:])
    return "".join(pieces), found


def _is_phone(match: re.Match[str]) -> bool:
    """At least 7 digits, and at most 15 (E.164, country code included) before any extension."""
    number = match.group(0)
    without_extension = _TRAILING_EXTENSION.sub("", number)
    return _digit_count(number) >= 7 and _digit_count(without_extension) <= 15


def _substitute(pattern: re.Pattern[str], text: str, accept, placeholder: str) -> tuple[str, int]:
    """``pattern.sub`` that replaces only matches for which ``accept(match)`` is true."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if accept is not None and not accept(match):
            return match.group(0)
        count += 1
        return placeholder

    return pattern.sub(replace, text), count


def _digit_count(s: str) -> int:
    return sum(map(s.count, "0123456789"))


def redact_pii(s: str) -> tuple[str, dict[str, int]]:
    """Replace personal data in a text by typed placeholders.

    Detection runs in this order, each step on the output of the previous one, so a longer,
    better-checked number is never half-eaten by a looser pattern:

    1. e-mail ``[EMAIL]``: ASCII local part ``@`` domain with a letters-only top-level domain,
       also when glued to Chinese text (``请联系a.b@example.com谢谢``).
    2. Chinese ID card ``[ID_CARD]``: 18 characters -- province code, birth date 1900-2030 that
       exists, and the GB 11643-1999 check character (digit or X/x) -- or 15 legacy digits with a
       valid YYMMDD birth date; not next to another digit.
    3. bank card ``[BANK_CARD]``: 13-19 digits, contiguous or in blocks of 3-6 joined by one kind
       of separator (``6222 0212 3456 7890 128``, ``4532-0151-1283-0366``), a plausible
       ISO/IEC 7812 issuer and a valid Luhn check digit; not next to digits or letters.
    4. phone ``[PHONE]``: Chinese mobiles (``13812345678``, ``138-1234-5678``, ``+86 138 1234
       5678``, ``0086…``, ``86…``), landlines with an area code (``010-62345678``,
       ``(021) 6234 5678``, ``（021）62345678``, ``+86 10 6234 5678``, optional extension) and
       other ``+``-prefixed E.164 numbers of 7-15 digits (``+44 20 7946 0958``).

    Prices (``¥1,299.00``), dates (``2025-03-18``, ``2025年3月18日``), times, timestamps
    (``20250318101530``), version strings, quantities and order or tracking numbers that fail
    these checks are left alone. Landlines without an area code and domestic numbers written as
    one run of digits (``01062345678``) are not detected: too many reference numbers look alike.
    Expects ASCII digits: apply :func:`normalise_text` first.

    Parameters
    ----------
    s : str
        Text, ideally already normalised.

    Returns
    -------
    text : str
        The text with each item replaced by its placeholder.
    counts : dict of str to int
        Items replaced per type (``email``, ``id_card``, ``bank_card``, ``phone``); only types
        with at least one item appear.

    Examples
    --------
    >>> redact_pii("请联系zhang.wei88@example.com谢谢，电话138-1234-5678")
    ('请联系[EMAIL]谢谢，电话[PHONE]', {'email': 1, 'phone': 1})
    """
    counts: dict[str, int] = {}
    text = s
    if "@" in text:
        text, counts["email"] = _substitute(_EMAIL, text, None, PII_TYPES["email"])
    if _digit_count(text) >= 7:
        text, n18 = _substitute(_ID18, text, _is_id18, PII_TYPES["id_card"])
        text, n15 = _substitute(_ID15, text, _is_id15, PII_TYPES["id_card"])
        counts["id_card"] = n18 + n15
        cards = 0

        def replace_cards(match: re.Match[str]) -> str:
            nonlocal cards
            chunk, found = _redact_cards(match.group(0))
            cards += found
            return chunk

        text = _DIGIT_CHUNK.sub(replace_cards, text)
        counts["bank_card"] = cards
        text, counts["phone"] = _substitute(_PHONE, text, _is_phone, PII_TYPES["phone"])
    return text, {kind: n for kind, n in counts.items() if n}


def redact_series(texts: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Apply :func:`redact_pii` to every string of a Series.

    Texts without an ``@`` and with fewer than 7 digits cannot hold any of the patterns and are
    skipped without running a regular expression, so ~10,000 short comments take well under a
    second.

    Parameters
    ----------
    texts : pandas.Series
        Texts; missing values (None, NaN, ``pd.NA``) and non-strings are passed through.

    Returns
    -------
    redacted : pandas.Series
        Same index, name and dtype as ``texts``, personal data replaced, missing values kept.
    counts : pandas.DataFrame
        Same index; int64 columns ``email, phone, id_card, bank_card`` with the number of items
        replaced in each text (0 for missing values).
    """
    redacted = texts.copy()
    table = np.zeros((len(texts), len(_COUNT_COLUMNS)), dtype="int64")
    column = {kind: k for k, kind in enumerate(_COUNT_COLUMNS)}
    positions: list[int] = []
    new_texts: list[str] = []
    for position, value in enumerate(texts.array):
        if not isinstance(value, str) or ("@" not in value and _digit_count(value) < 7):
            continue
        text, found = redact_pii(value)
        if not found:
            continue
        positions.append(position)
        new_texts.append(text)
        for kind, n in found.items():
            table[position, column[kind]] = n
    if positions:
        redacted.iloc[positions] = new_texts
    return redacted, pd.DataFrame(table, index=texts.index, columns=_COUNT_COLUMNS)


# --------------------------------------------------------------------------- language


def _script_counts(s: str) -> tuple[int, int, int, int, int]:
    """Letters of ``s`` by script: Han, Latin, kana, Hangul, other."""
    han = latin = kana = hangul = other = 0
    for ch in s:
        code = ord(ch)
        if code < 0x80:
            if ch.isalpha():
                latin += 1
        elif (
            0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
            or 0x3400 <= code <= 0x4DBF  # Extension A
            or 0x20000 <= code <= 0x323AF  # Extensions B-H
            or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
            or code == 0x3007  # 〇
        ):
            han += 1
        elif 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
            kana += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif ch.isalpha():
            if code <= 0x024F or 0x1E00 <= code <= 0x1EFF:  # Latin-1, Extended-A/B, Additional
                latin += 1
            else:
                other += 1
    return han, latin, kana, hangul, other


#: Weight of one Han character against one Latin letter (a Chinese word is ~1.5 characters, an
#: English word ~5 letters).
HAN_WEIGHT = 3
#: Share of the weighted letters that must be Han for 'zh'.
ZH_SHARE = 0.4
#: Fewer weighted letters than this is too short to tell ("ok", "👍", "123").
MIN_LETTERS = 3


def detect_language(s: str) -> str:
    """Language of a text from the scripts of its letters: 'zh', 'en' or 'und'.

    A script-based detector, adequate for this project's Chinese/English voice of the customer:
    the two languages use disjoint scripts, so counting Han characters against Latin letters
    separates them without a statistical model, offline and deterministically. Each Han
    character weighs ``HAN_WEIGHT`` (3) Latin letters, roughly the information it carries. The
    text is 'zh' when Han makes up at least ``ZH_SHARE`` (40 %) of the weighted letters -- so
    ``"这个APP的UI很难用"`` is 'zh' and ``"I love 小米 phones"`` is 'en' -- otherwise 'en' when
    Latin letters are there; 'und' when the weighted letter count is below ``MIN_LETTERS``
    (empty, digits, emoji, ``"ok"``).

    Limits: any Latin-script language (French, pinyin, Spanish) is reported as 'en', and Han
    text in Japanese would be reported as 'zh'. To keep Japanese and Korean out, kana and Hangul
    are counted separately: when there are at least two of them and they make up at least a
    quarter of the CJK letters (Han + kana + Hangul), the text is 'und'. A stray kana in Chinese
    internet slang (``"我の世界"``) does not change the verdict. Text dominated by any other
    script (Cyrillic, Arabic, ...) is 'und'. Digits, punctuation and emoji are ignored.

    Parameters
    ----------
    s : str
        Text, ideally normalised and without HTML.

    Returns
    -------
    str
        'zh', 'en' or 'und'.
    """
    han, latin, kana, hangul, other = _script_counts(s)
    cjk = han + kana + hangul
    if kana + hangul >= 2 and (kana + hangul) * 4 >= cjk:
        return "und"
    weighted_han = HAN_WEIGHT * han
    total = weighted_han + latin
    if total < MIN_LETTERS or other > total:
        return "und"
    if weighted_han >= ZH_SHARE * total:
        return "zh"
    return "en"


# --------------------------------------------------------------------------- output


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
