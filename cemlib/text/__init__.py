"""Free text from customers: normalisation, HTML, personal-data redaction, language.

Voice-of-the-customer text (survey comments, complaints, call notes) arrives in Chinese, English
and a mix of both, often pasted from web forms or e-mail. This package turns it into something
safe to analyse and publish: no personal data, no markup, one spelling of every character.

* :func:`normalise_text` -- Unicode NFKC (full-width digits and letters to ASCII), trimmed, one
  space between words (:mod:`cemlib.text.normalise`).
* :func:`strip_html` -- tags, comments and ``<script>``/``<style>`` blocks removed, entities
  decoded, while a bare ``<`` meaning "less than" is kept (:mod:`cemlib.text.normalise`).
* :func:`redact_pii` / :func:`redact_series` -- e-mail addresses, phone numbers, Chinese ID-card
  numbers and bank-card numbers replaced by typed placeholders (``[EMAIL]``, ``[PHONE]``,
  ``[ID_CARD]``, ``[BANK_CARD]``), with counts per type for the data-quality appendix; the
  check digits they verify are :func:`cn_id_check_digit` (GB 11643-1999) and
  :func:`luhn_check_digit` (ISO/IEC 7812-1) (:mod:`cemlib.text.pii`).
* :func:`detect_language` -- 'zh', 'en' or 'und' from the scripts of the letters
  (:mod:`cemlib.text.language`).
* :func:`html_escape` -- the last step before any respondent string reaches a report
  (:mod:`cemlib.text.normalise`).

The detectors are rules, not a model, so they run offline and are auditable; each accepts a
number only when its structure is checkable (the standards are listed in :mod:`cemlib.text.pii`).
Names and postal addresses are not detected: that needs a model, and the data-quality appendix
says so instead of pretending otherwise. Service numbers (95xxx, 400-xxx-xxxx) are company
numbers, not personal data, and are left alone.

Run :func:`normalise_text` before :func:`redact_pii`: the patterns look for ASCII digits, so
full-width digits (``１３８…``) are only found once NFKC has mapped them.
"""

from __future__ import annotations

from cemlib.text.language import HAN_WEIGHT, MIN_LETTERS, ZH_SHARE, detect_language
from cemlib.text.normalise import html_escape, normalise_text, strip_html
from cemlib.text.pii import (
    PII_KINDS,
    PII_TYPES,
    cn_id_check_digit,
    luhn_check_digit,
    luhn_valid,
    redact_pii,
    redact_series,
)

__all__ = [
    "HAN_WEIGHT",
    "MIN_LETTERS",
    "PII_KINDS",
    "PII_TYPES",
    "ZH_SHARE",
    "cn_id_check_digit",
    "detect_language",
    "html_escape",
    "luhn_check_digit",
    "luhn_valid",
    "normalise_text",
    "redact_pii",
    "redact_series",
    "strip_html",
]
