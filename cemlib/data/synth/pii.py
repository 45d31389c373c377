"""Planted personal data and decoys for the synthetic free text.

Fictitious e-mail addresses (reserved example domains), Chinese mobile and landline numbers,
resident ID numbers with a valid GB 11643-1999 check character, Luhn-valid bank-card numbers and
HTML tags or scripts, each written into a sentence of the text's language; and decoys, harmless
numbers (order and tracking numbers, ID-shaped numbers with a wrong check digit, prices, dates)
that a careless rule would take for personal data.
"""

from __future__ import annotations

import numpy as np

from cemlib.data.synth.draws import pick_str, random_digits
from cemlib.text import cn_id_check_digit, luhn_check_digit, luhn_valid

__all__ = ["make_decoy", "with_html", "with_pii"]

_EMAIL_LOCAL = (
    "zhang.wei",
    "li.na",
    "wang.fang",
    "liu.yang",
    "chen.jing",
    "yang.min",
    "zhao.lei",
    "huang.xin",
    "zhou.jie",
    "wu.hao",
    "emma.wilson",
    "j.smith",
    "david_chen",
    "xiaoming",
)
_EMAIL_DOMAIN = ("example.com", "example.cn", "example.net", "mail.example.org")
_AREA_CODES = (
    "110101",
    "110105",
    "310104",
    "310115",
    "440106",
    "440305",
    "510107",
    "330106",
    "420111",
    "320102",
    "610113",
    "210102",
)
_LANDLINE_AC = ("010", "021", "020", "0755", "028", "027", "0571")


def _pii_email(rng: np.random.Generator) -> str:
    """A fictitious e-mail address on a reserved example domain."""
    local = pick_str(rng, _EMAIL_LOCAL)
    if rng.random() < 0.6:
        local += random_digits(rng, int(rng.integers(2, 5)))
    return f"{local}@{pick_str(rng, _EMAIL_DOMAIN)}"


def _pii_phone(rng: np.random.Generator) -> str:
    """A Chinese mobile (plain, spaced, +86/0086) or landline number in a common written form."""
    if rng.random() < 0.3:
        ac, local = pick_str(rng, _LANDLINE_AC), random_digits(rng, 8, "2345678")
        return pick_str(rng, (f"{ac}-{local}", f"({ac}) {local[:4]} {local[4:]}", f"{ac} {local}"))
    m = "1" + random_digits(rng, 10, "3456789")
    spaced = f"{m[:3]} {m[3:7]} {m[7:]}"
    forms = (
        m,
        m,
        spaced,
        f"{m[:3]}-{m[3:7]}-{m[7:]}",
        f"+86 {spaced}",
        f"+86{m}",
        f"+86-{m}",
        f"0086 {m}",
        f"0086-{m}",
    )
    return pick_str(rng, forms)


def _birth_date(rng: np.random.Generator, lo: str = "1955-01-01", hi: str = "2004-12-31") -> str:
    """A plausible birth date as YYYYMMDD."""
    a, b = np.datetime64(lo, "D"), np.datetime64(hi, "D")
    day = a + int(rng.integers(0, (b - a).astype(int) + 1))
    return str(day).replace("-", "")


def _id_first17(rng: np.random.Generator) -> str:
    """Area code, birth date and sequence: the first 17 digits of a resident ID number."""
    return pick_str(rng, _AREA_CODES) + _birth_date(rng) + random_digits(rng, 3)


def _pii_id_card(rng: np.random.Generator) -> str:
    """An 18-character resident ID number with a valid check character (never Luhn-valid)."""
    while True:
        first17 = _id_first17(rng)
        number = first17 + cn_id_check_digit(first17)
        if number[-1] == "X" or not luhn_valid(number):
            return number


def _pii_bank_card(rng: np.random.Generator) -> str:
    """A Luhn-valid card number of 16-19 digits, plain or grouped by spaces or hyphens."""
    while True:
        length = int(rng.choice([16, 16, 16, 17, 18, 19, 19]))
        prefix = pick_str(rng, ("62", "62", "4", "51", "55"))
        partial = prefix + random_digits(rng, length - len(prefix) - 1)
        number = partial + luhn_check_digit(partial)
        if length != 18 or cn_id_check_digit(number[:17]) != number[-1]:
            break
    style = rng.random()
    if style < 0.5:
        return number
    sep = " " if style < 0.8 else "-"
    return sep.join(number[i : i + 4] for i in range(0, length, 4))


_PII_MAKERS = {
    "pii_email": _pii_email,
    "pii_phone": _pii_phone,
    "pii_id_card": _pii_id_card,
    "pii_bank_card": _pii_bank_card,
}
_PII_CONTEXT = {  # (en templates, zh templates)
    "pii_email": (
        ("Please reply to {}.", "Email me at {} thanks.", "Contact: {}"),
        ("请联系{}谢谢", "我的邮箱是{}，请回复。", "发到{}就行。"),
    ),
    "pii_phone": (
        ("Call me on {}.", "My number is {}.", "Please ring {} about this."),
        ("手机{}，请尽快回电。", "电话：{}", "有问题打我电话{}"),
    ),
    "pii_id_card": (
        ("My ID number is {}.", "ID {} for the warranty.", "Registered under ID {}."),
        ("身份证号{}", "我的身份证{}，帮我查一下。", "登记的身份证号是{}。"),
    ),
    "pii_bank_card": (
        ("Refund to card {} please.", "My card number is {}.", "Card: {}"),
        ("退款请打到卡号{}", "银行卡{}，请尽快退款。", "卡号：{}"),
    ),
}
_HTML_FORMS = (
    "<b>",
    "<br>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<p>",
    "<i>",
)


def with_html(rng: np.random.Generator, text: str, lang_zh: bool) -> tuple[str, str]:
    """Text with an HTML tag or script planted; returns (new text, the tag planted)."""
    tag = pick_str(rng, _HTML_FORMS)
    base = text or ("体验还行。" if lang_zh else "It was okay.")
    if tag in ("<b>", "<i>", "<p>"):
        return f"{tag}{base}</{tag[1:]}", tag
    if tag == "<br>":
        extra = "谢谢。" if lang_zh else "Thanks."
        return f"{base}{tag}{extra}", tag
    if tag.startswith("<img"):
        return f"{tag}{base}", tag
    return f"{base}{tag}", tag


def with_pii(rng: np.random.Generator, kind: str, text: str, lang_zh: bool) -> tuple[str, str]:
    """Text with one personal-data string of ``kind`` added; returns (new text, planted value)."""
    value = _PII_MAKERS[kind](rng)
    sentence = pick_str(rng, _PII_CONTEXT[kind][1 if lang_zh else 0]).format(value)
    if not text:
        return sentence, value
    return (f"{text}{sentence}" if lang_zh else f"{text} {sentence}"), value


def make_decoy(rng: np.random.Generator, lang_zh: bool, start: str) -> str:
    """A harmless number that looks like personal data to a careless rule (never PII)."""
    kind = int(rng.integers(6))
    if kind == 0:  # 19-digit order number starting with a date, failing Luhn
        partial = str(np.datetime64(start, "D") + int(rng.integers(0, 700))).replace("-", "")
        partial += random_digits(rng, 10)
        bad = str((int(luhn_check_digit(partial)) + 1 + int(rng.integers(9))) % 10)
        return ("订单号 {}" if lang_zh else "order no. {}").format(partial + bad)
    if kind in (1, 2):  # ID-shaped number with a WRONG check digit (or 17 digits), not Luhn-valid
        while True:
            first17 = _id_first17(rng)
            good = cn_id_check_digit(first17)
            wrong = str((int(good) + 1 + int(rng.integers(8))) % 10) if good != "X" else "0"
            number = first17 + wrong if kind == 1 else first17
            if not luhn_valid(number) and (kind == 2 or wrong != good):
                return ("会员号{}" if lang_zh else "member number {}").format(number)
    if kind == 3:
        price = int(rng.integers(19, 3000))
        return f"花了{price}元" if lang_zh else f"paid ¥{price:,}"
    if kind == 4:
        day = np.datetime64(start, "D") + int(rng.integers(0, 700))
        y, m, d = str(day).split("-")
        return f"{int(y)}年{int(m)}月{int(d)}日买的" if lang_zh else f"bought on {day}"
    return ("运单号SF{}" if lang_zh else "tracking SF{}").format(random_digits(rng, 12, "23456789"))
