"""Personal data in free text: check digits, detection patterns and redaction by typed placeholders.

:func:`redact_pii` / :func:`redact_series` replace e-mail addresses (internationalised ones
too), phone numbers, identity-card numbers (mainland China, Hong Kong, Macau, Taiwan), passport
numbers and bank-card numbers by typed placeholders (``[EMAIL]``, ``[PHONE]``, ``[ID_CARD]``,
``[PASSPORT]``, ``[BANK_CARD]``), with counts per type for the data-quality appendix;
:data:`PII_KINDS` describes each kind in a sentence for the reports.

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
* Hong Kong identity cards: one or two letters, six digits and a check character (0-9 or A,
  mod 11 over the letters' values 10-35, a space counting 36, and the digits with weights
  9 … 2); Taiwan national identification numbers: a letter, 1 or 2, seven digits and a check
  digit (the letter's two-digit code and the digits weighted 1, 9, 8 … 1, sum divisible by 10);
  Macau identity cards, which have no published check digit: only as typed on the card,
  ``1/234567/8`` or ``1234567(8)``.
* Passport numbers have no check digit and look like order numbers, so they are taken only
  after the word (``护照``, ``passport``, ``passport no.``): one or two letters and 6-8 digits.
* E-mail addresses may carry letters beyond ASCII (RFC 6531): Latin letters with diacritics
  (``josé@exämple.com``) or Chinese (``用户@例子.广告``).
* Phone numbers follow ITU-T E.164 (``+`` country code, at most 15 digits in all) and China's
  numbering plan (MIIT): mobiles are 11 digits starting 13-19, landlines are a trunk ``0``, a
  2-3 digit area code (10, 2x, or 3 digits) and a 7-8 digit local number.

Names and postal addresses are not detected: that needs a model, and the data-quality appendix
(and ``docs/data-model.md``) say so instead of pretending otherwise. Service numbers (95xxx, 400-xxx-xxxx) are company numbers, not
personal data, and are left alone.

The patterns look for ASCII digits: run :func:`cemlib.text.normalise_text` first, so that
full-width digits (``１３８…``) are found once NFKC has mapped them.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = [
    "PII_KINDS",
    "PII_TYPES",
    "hkid_check_character",
    "tw_id_valid",
    "cn_id_check_digit",
    "luhn_check_digit",
    "luhn_valid",
    "redact_pii",
    "redact_series",
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


def luhn_valid(number: str) -> bool:
    """Whether a digit string passes the Luhn test (ISO/IEC 7812-1)."""
    return luhn_check_digit(number[:-1]) == number[-1]


#: Kinds of personal data found by :func:`redact_pii`, in detection order, with their placeholders.
PII_TYPES = {
    "email": "[EMAIL]",
    "id_card": "[ID_CARD]",
    "passport": "[PASSPORT]",
    "bank_card": "[BANK_CARD]",
    "phone": "[PHONE]",
}
_COUNT_COLUMNS = ["email", "phone", "id_card", "passport", "bank_card"]

#: What each kind covers, in a sentence the clean report and the paper show.
PII_KINDS = {
    "email": "e-mail addresses, including internationalised ones (é, Chinese)",
    "id_card": "identity-card numbers of mainland China (with their check character), Hong Kong "
    "and Taiwan (with their check digits) and Macau (as typed on the card)",
    "passport": "passport numbers written after the word 护照 or passport",
    "bank_card": "payment-card numbers with a valid issuer and Luhn check digit",
    "phone": "phone numbers: Chinese mobiles and landlines, and international numbers with +",
}

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

# Internationalised addresses (RFC 6531): a Latin local part or domain with diacritics, or a
# Chinese one; run after the ASCII pattern, on what it left.
_LATIN = r"A-Za-z0-9\u00c0-\u024f"
_HAN = r"\u4e00-\u9fff"
_INTL_EMAIL = re.compile(
    rf"(?:[{_LATIN}][{_LATIN}._%+-]*|[{_HAN}0-9]+)@"
    rf"(?:(?:[{_LATIN}][{_LATIN}-]*|[{_HAN}]+)\.)+(?:[A-Za-z\u00c0-\u024f]{{2,24}}|[{_HAN}]{{2,}})"
    r"(?![A-Za-z\u00c0-\u024f])"
)

# Hong Kong: letter(s), six digits, check character, the check often in brackets.
_HKID = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2})([0-9]{6})(\(([0-9A])\)|([0-9A]))(?![A-Za-z0-9])")
# Taiwan: a letter, 1 or 2 (sex), seven digits, a check digit.
_TWID = re.compile(r"(?<![A-Za-z0-9])([A-Z])([12][0-9]{8})(?![A-Za-z0-9])")
_TW_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"  # codes 10, 11, ... in this order
# Macau: only as printed on the card (no public check digit): 1/234567/8 or 1234567(8).
_MOID = re.compile(r"(?<![0-9/])[1578](?:/[0-9]{6}/[0-9]|[0-9]{6}\([0-9]\))(?![0-9])")
# Passports: after the word only.
_PASSPORT = re.compile(
    r"((?:护照|護照)(?:号码|號碼|号|號)?|(?i:passport)(?:\s*(?:(?i:no)\.?|(?i:number)|#))?)"
    r"(\s*[:：]?\s*)([A-Z]{1,2}[0-9]{6,8})(?![A-Za-z0-9])"
)


def hkid_check_character(letters: str, digits: str) -> str:
    """Check character of a Hong Kong identity card number.

    >>> hkid_check_character("A", "123456")
    '3'
    """
    values = [36] * (2 - len(letters)) + [ord(c) - 55 for c in letters]  # A = 10 … Z = 35
    total = sum(
        v * w for v, w in zip(values + [int(d) for d in digits], range(9, 1, -1), strict=True)
    )
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def tw_id_valid(number: str) -> bool:
    """Whether a Taiwan national identification number passes its check digit.

    >>> tw_id_valid("A123456789"), tw_id_valid("A123456788")
    (True, False)
    """
    code = 10 + _TW_LETTERS.index(number[0])
    digits = [code // 10, code % 10] + [int(d) for d in number[1:]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def _is_hkid(match: re.Match[str]) -> bool:
    letters, digits = match.group(1), match.group(2)
    check = match.group(4) or match.group(5)
    return hkid_check_character(letters, digits) == check


def _is_twid(match: re.Match[str]) -> bool:
    return tw_id_valid(match.group(1) + match.group(2))


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


def _substitute(
    pattern: re.Pattern[str],
    text: str,
    accept: Callable[[re.Match[str]], bool] | None,
    placeholder: str,
) -> tuple[str, int]:
    """``pattern.sub`` that replaces only matches for which ``accept(match)`` is true."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if accept is not None and not accept(match):
            return match.group(0)
        count += 1
        return placeholder

    return pattern.sub(replace, text), count


def _passports(text: str) -> tuple[str, int]:
    """Passport numbers after the word for them: the word is kept, the number replaced."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return match.group(1) + match.group(2) + PII_TYPES["passport"]

    return _PASSPORT.sub(replace, text), count


def _digit_count(s: str) -> int:
    return sum(map(s.count, "0123456789"))


def redact_pii(s: str) -> tuple[str, dict[str, int]]:
    """Replace personal data in a text by typed placeholders.

    Detection runs in this order, each step on the output of the previous one, so a longer,
    better-checked number is never half-eaten by a looser pattern:

    1. e-mail ``[EMAIL]``: ASCII local part ``@`` domain with a letters-only top-level domain,
       also when glued to Chinese text (``请联系a.b@example.com谢谢``); then internationalised
       addresses with Latin letters with diacritics or Chinese (``josé@exämple.com``).
    2. passport ``[PASSPORT]``: after ``护照`` or ``passport (no.)``, one or two letters and 6-8
       digits; the word is kept.
    3. identity card ``[ID_CARD]``: mainland China, 18 characters -- province code, birth date
       1900-2030 that exists, and the GB 11643-1999 check character (digit or X/x) -- or 15
       legacy digits with a valid YYMMDD birth date, not next to another digit; Hong Kong
       (``A123456(3)``) and Taiwan (``A123456789``) with their check characters; Macau as
       printed (``1/234567/8``, ``1234567(8)``).
    4. bank card ``[BANK_CARD]``: 13-19 digits, contiguous or in blocks of 3-6 joined by one kind
       of separator (``6222 0212 3456 7890 128``, ``4532-0151-1283-0366``), a plausible
       ISO/IEC 7812 issuer and a valid Luhn check digit; not next to digits or letters.
    5. phone ``[PHONE]``: Chinese mobiles (``13812345678``, ``138-1234-5678``, ``+86 138 1234
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
        Items replaced per type (``email``, ``id_card``, ``passport``, ``bank_card``, ``phone``); only types
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
        if "@" in text:
            text, more = _substitute(_INTL_EMAIL, text, None, PII_TYPES["email"])
            counts["email"] += more
    if _digit_count(text) >= 6:
        text, counts["passport"] = _passports(text)
    if _digit_count(text) >= 7:
        text, n18 = _substitute(_ID18, text, _is_id18, PII_TYPES["id_card"])
        text, n15 = _substitute(_ID15, text, _is_id15, PII_TYPES["id_card"])
        text, nhk = _substitute(_HKID, text, _is_hkid, PII_TYPES["id_card"])
        text, ntw = _substitute(_TWID, text, _is_twid, PII_TYPES["id_card"])
        text, nmo = _substitute(_MOID, text, None, PII_TYPES["id_card"])
        counts["id_card"] = n18 + n15 + nhk + ntw + nmo
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

    Texts without an ``@`` and with fewer than 6 digits cannot hold any of the patterns and are
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
        Same index; int64 columns ``email, phone, id_card, passport, bank_card`` with the number
        of items
        replaced in each text (0 for missing values).
    """
    redacted = texts.copy()
    table = np.zeros((len(texts), len(_COUNT_COLUMNS)), dtype="int64")
    column = {kind: k for k, kind in enumerate(_COUNT_COLUMNS)}
    positions: list[int] = []
    new_texts: list[str] = []
    for position, value in enumerate(texts.array):
        if not isinstance(value, str) or ("@" not in value and _digit_count(value) < 6):
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
