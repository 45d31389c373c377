"""Free-text helpers: normalisation, HTML stripping, personal-data redaction, language, escaping."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from cemlib.text import (
    cn_id_check_digit,
    detect_language,
    html_escape,
    luhn_check_digit,
    normalise_text,
    redact_pii,
    redact_series,
    strip_html,
)

# Numbers used below, checked once here so a typo cannot make a positive case silently wrong.
VALID_IDS = ["11010519491231002X", "440301198506151238", "510108197001010015", "32010219880720061X"]
VALID_CARDS = ["6222021234567890128", "4532015112830366", "378282246310005", "2221000000000009"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_fixture_ids_carry_valid_check_characters(number):
    assert cn_id_check_digit(number[:17]) == number[17]


@pytest.mark.parametrize("number", VALID_CARDS)
def test_fixture_cards_pass_luhn(number):
    assert luhn_check_digit(number[:-1]) == number[-1]


def test_check_digits_known_values():
    # GB 11643-1999's worked example and the textbook Luhn example.
    assert cn_id_check_digit("11010519491231002") == "X"
    assert luhn_check_digit("7992739871") == "3"


# --------------------------------------------------------------------------- redact_pii: positives

POSITIVE = [
    # e-mail
    ("请联系zhang.wei88@example.com谢谢", "请联系[EMAIL]谢谢", {"email": 1}),
    ("邮箱：li_na@163.com。", "邮箱：[EMAIL]。", {"email": 1}),
    ("Write to a.b+vip@mail.example.co.uk.", "Write to [EMAIL].", {"email": 1}),
    ("QQ邮箱12345678@qq.com有问题", "QQ邮箱[EMAIL]有问题", {"email": 1}),
    ("cc: x@a.cn, y@b.com", "cc: [EMAIL], [EMAIL]", {"email": 2}),
    # mobile
    ("我的手机13812345678", "我的手机[PHONE]", {"phone": 1}),
    ("call 138-1234-5678 after 6", "call [PHONE] after 6", {"phone": 1}),
    ("电话+86 138 1234 5678，谢谢", "电话[PHONE]，谢谢", {"phone": 1}),
    ("+8613812345678", "[PHONE]", {"phone": 1}),
    ("0086 139-8765-4321", "[PHONE]", {"phone": 1}),
    ("86 15912345678", "[PHONE]", {"phone": 1}),
    # landline and international
    ("座机010-62345678", "座机[PHONE]", {"phone": 1}),
    ("深圳0755-12345678转8001", "深圳[PHONE]", {"phone": 1}),
    ("office (021) 6234 5678", "office [PHONE]", {"phone": 1}),
    ("上海（021）62345678找王经理", "上海[PHONE]找王经理", {"phone": 1}),
    ("London +44 20 7946 0958", "London [PHONE]", {"phone": 1}),
    ("US: +1 (415) 555-2671.", "US: [PHONE].", {"phone": 1}),
    ("北京+86 10 6234 5678", "北京[PHONE]", {"phone": 1}),
    # ID cards
    ("身份证号11010519491231002X请核对", "身份证号[ID_CARD]请核对", {"id_card": 1}),
    ("id 11010519491231002x", "id [ID_CARD]", {"id_card": 1}),
    ("身份证440301198506151238", "身份证[ID_CARD]", {"id_card": 1}),
    ("证件 510108197001010015, ok", "证件 [ID_CARD], ok", {"id_card": 1}),
    ("ID 440301 19850615 1238", "ID [ID_CARD]", {"id_card": 1}),
    ("旧身份证440301850615123", "旧身份证[ID_CARD]", {"id_card": 1}),
    # bank cards
    ("卡号6222 0212 3456 7890 128", "卡号[BANK_CARD]", {"bank_card": 1}),
    ("card 4532-0151-1283-0366 expired", "card [BANK_CARD] expired", {"bank_card": 1}),
    ("退款到4532015112830366吧", "退款到[BANK_CARD]吧", {"bank_card": 1}),
    ("Amex 3782 822463 10005", "Amex [BANK_CARD]", {"bank_card": 1}),
    ("MC 2221000000000009", "MC [BANK_CARD]", {"bank_card": 1}),
    ("qty 2 4532 0151 1283 0366", "qty 2 [BANK_CARD]", {"bank_card": 1}),
    # 17/18-digit cards written in fours end in a short group
    ("卡号5503 0340 1663 9974 9", "卡号[BANK_CARD]", {"bank_card": 1}),
    ("Card: 5137 0320 2378 9932 0", "Card: [BANK_CARD]", {"bank_card": 1}),
    ("卡号6241-2237-1219-4922-6", "卡号[BANK_CARD]", {"bank_card": 1}),
    # several kinds in one text
    (
        "张先生 13812345678 / zhang@example.com / 卡6222021234567890128 / 证32010219880720061X",
        "张先生 [PHONE] / [EMAIL] / 卡[BANK_CARD] / 证[ID_CARD]",
        {"phone": 1, "email": 1, "bank_card": 1, "id_card": 1},
    ),
]


@pytest.mark.parametrize(("text", "expected", "counts"), POSITIVE)
def test_redact_pii_replaces_personal_data(text, expected, counts):
    assert redact_pii(text) == (expected, counts)


@pytest.mark.parametrize(
    ("raw", "expected", "counts"),
    [
        ("手机：１３８１２３４５６７８", "手机:[PHONE]", {"phone": 1}),
        ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证[ID_CARD]", {"id_card": 1}),
        ("电话（０２１）６２３４５６７８", "电话[PHONE]", {"phone": 1}),
        ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ谢谢", "[EMAIL]谢谢", {"email": 1}),
    ],
)
def test_full_width_input_is_redacted_after_normalise_text(raw, expected, counts):
    assert redact_pii(normalise_text(raw)) == (expected, counts)


def test_valid_id_card_is_not_eaten_as_phone_or_card():
    # 440301198506151238 also passes Luhn and contains 13-digit runs: ID detection comes first.
    assert redact_pii("440301198506151238") == ("[ID_CARD]", {"id_card": 1})


def test_e_mail_domain_stops_at_chinese_and_punctuation():
    text, _ = redact_pii("发到wang@example.com.cn，或者li@example.org。")
    assert text == "发到[EMAIL]，或者[EMAIL]。"


# --------------------------------------------------------------------------- redact_pii: decoys

NEGATIVE = [
    "order 4532015112830367",  # 16 digits failing Luhn
    "订单号6222021234567890127",  # 19 digits failing Luhn
    "110105194912310021",  # valid date, wrong ID check digit (should be X)
    "身份证440301198506151239号",  # wrong ID check digit, fails Luhn as well
    "1440301198506151238",  # an ID number inside a longer digit run
    "价格¥1,299.00，运费$45",
    "¥12,999,999.00",
    "2025-03-18",
    "2025年3月18日 10:15:30",
    "2025-03-18T10:15:30+08:00",
    "version 10.2.1234567 and v2.3.14",
    "price < 100",
    "评分<3",
    "tracking 123456789012",  # 12-digit tracking number
    "20250318101530",  # timestamp
    "订单号202503181015301234",  # order number starting with a date
    "0.13812345678",  # a decimal, not a mobile
    "客服热线400-820-8820，95588",  # service numbers are not personal data
    "共 3 件，合计 1299 元",
    "bad date 440301851315123",  # 15 digits, month 13
    "12345678901",  # 11 digits but no mobile prefix
    "+5 points, 100 km",
    "contact zhang at example dot com",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_redact_pii_leaves_decoys_alone(text):
    assert redact_pii(text) == (text, {})


# --------------------------------------------------------------------------- redact_series


def test_redact_series_keeps_index_name_and_missing_values():
    texts = pd.Series(
        [
            "好评",
            None,
            "电话13812345678",
            np.nan,
            "a@b.com 与 c@d.com",
            pd.NA,
            "卡4532015112830366",
        ],
        index=[10, 20, 30, 40, 50, 60, 70],
        dtype=object,
        name="comment",
    )
    redacted, counts = redact_series(texts)
    assert redacted.index.equals(texts.index) and counts.index.equals(texts.index)
    assert redacted.name == "comment"
    assert redacted.isna().tolist() == texts.isna().tolist()
    expected = ["好评", "电话[PHONE]", "[EMAIL] 与 [EMAIL]", "卡[BANK_CARD]"]
    assert redacted[[10, 30, 50, 70]].tolist() == expected
    assert list(counts.columns) == ["email", "phone", "id_card", "passport", "bank_card"]
    assert (counts.dtypes == "int64").all()
    assert counts.loc[50, "email"] == 2 and counts.loc[30, "phone"] == 1
    assert counts.loc[70, "bank_card"] == 1
    assert counts.loc[[10, 20, 40, 60]].to_numpy().sum() == 0
    assert texts[30] == "电话13812345678"  # input untouched


def test_redact_series_string_dtype():
    texts = pd.Series(["身份证11010519491231002X", pd.NA], dtype="string")
    redacted, counts = redact_series(texts)
    assert redacted.dtype == texts.dtype
    assert redacted[0] == "身份证[ID_CARD]" and pd.isna(redacted[1])
    assert counts["id_card"].tolist() == [1, 0]


def test_redact_series_is_fast_on_ten_thousand_texts():
    base = [
        "服务很好，下次还来",
        "Delivery took 3 days",
        "请联系zhang.wei88@example.com谢谢",
        "电话+86 138 1234 5678，订单号202503181015301234",
        "The app crashed on 2025-03-18 at 10:15",
    ]
    texts = pd.Series(base * 2000)
    start = time.perf_counter()
    _, counts = redact_series(texts)
    assert time.perf_counter() - start < 2.0
    assert counts.sum().to_dict() == {
        "email": 2000,
        "phone": 2000,
        "id_card": 0,
        "passport": 0,
        "bank_card": 0,
    }


# --------------------------------------------------------------------------- strip_html


@pytest.mark.parametrize(
    ("html_text", "expected", "changed"),
    [
        ("<script>alert(1)</script>", "", True),
        ("好评<script>alert(1)</script>", "好评", True),
        ("<img src=x onerror=alert(1)>", "", True),
        ("<img src=x onerror=alert(1)>bad service", "bad service", True),
        ("<SCRIPT type='text/javascript'>document.cookie</SCRIPT>ok", "ok", True),
        ("<script>unclosed(); everything after", "", True),
        ("<style>p {color: red}</style>fine", "fine", True),
        ("<p>Hello</p><p>World</p>", "Hello World", True),
        ("<b>bold</b> and <i>italic</i>", "bold and italic", True),
        ("line<br/>two<br />three", "line two three", True),
        ("<!-- note -->text", "text", True),
        ("<a href=\"https://x.cn/?a=1&amp;b=2\" title='a>b'>link</a>", "link", True),
        ("Fish &amp; chips &lt;3", "Fish & chips <3", True),
        ("price < 100", "price < 100", False),
        ("评分<3", "评分<3", False),
        ("I <3 it, x<y and y>z", "I <3 it, x<y and y>z", False),
        ("AT&T and R&D", "AT&T and R&D", False),
        ("  plain text  ", "  plain text  ", False),
    ],
)
def test_strip_html(html_text, expected, changed):
    assert strip_html(html_text) == (expected, changed)


# --------------------------------------------------------------------------- normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１３８１２３４５６７８", "13812345678"),
        ("Ｃ００１２３", "C00123"),
        ("  很好\u3000\u3000服务  ", "很好 服务"),
        ("line one\n\n\tline two", "line one line two"),
        ("价格：１２９９元（含税）。", "价格:1299元(含税)。"),
        ("《产品》很好、“推荐”", "《产品》很好、“推荐”"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("", ""),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


# --------------------------------------------------------------------------- detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("服务很好，下次还来", "zh"),
        ("好", "zh"),
        ("这个APP的UI很难用", "zh"),
        ("我の世界", "zh"),
        ("The delivery was late and nobody called me.", "en"),
        ("I love 小米 phones", "en"),
        ("Delivery was fast, the courier 王师傅 was polite", "en"),
        ("", "und"),
        ("13812345678", "und"),
        ("ok", "und"),
        ("👍👍!!", "und"),
        ("とても良いです", "und"),
        ("정말 좋아요", "und"),
        ("Привет мир", "und"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


# --------------------------------------------------------------------------- html_escape


def test_html_escape():
    assert html_escape('<b>"A&B" it\'s</b>') == "&lt;b&gt;&quot;A&amp;B&quot; it&#x27;s&lt;/b&gt;"


def test_free_text_keeps_chinese_punctuation_and_still_finds_personal_data():
    from cemlib.cleaning.values import clean_text

    texts = pd.Series(["送货太慢，电话：１３８１２３４５６７８！", "Fine, thanks: ok!"])
    cleaned, _, marks = clean_text(texts, redact=True)
    assert "，" in cleaned[0] and "：" in cleaned[0] and cleaned[0].endswith("！")
    assert "13812345678" not in cleaned[0] and "１３８" not in cleaned[0]
    assert marks.filter(like="pii_").sum(axis=1).tolist() == [1, 0]
    assert cleaned[1] == "Fine, thanks: ok!"
