"""Seeded synthetic X-VOC world: customers, transactions, surveys and feedback, with planted truth.

The world
---------
Every customer belongs to one of the four archetypes of Reinartz & Kumar (2002):
``strategic`` (~15 %, high value, long life), ``butterfly`` (~20 %, high value but transient,
deal-chasing), ``barnacle`` (~30 %, low value, long life) and ``stranger`` (~35 %, low value,
short life). Archetypes set the *means* of per-customer latent parameters, which lie well apart
on the value x loyalty plane (an oracle given the true parameters separates the archetypes almost
perfectly); the archetypes still overlap on every single observed feature through Poisson
purchase noise, the two-year window (a relationship shows its length only once it has ended)
and spread-out acquisition dates. Butterflies buy often and spend much while active, largely on
promotion, but leave after months; barnacles stay for years with small baskets; strangers buy
once or twice and leave; strategic customers buy large baskets for years.

Purchases follow a buy-till-you-die process in the style of the BG/NBD model of Fader, Hardie &
Lee (2005): each customer has a purchase rate ``lambda_ ~ Gamma`` and a dropout probability
``dropout_p ~ logit-normal``; after the first purchase on ``first_seen``, purchases arrive as a Poisson
process and the customer becomes inactive after each purchase with probability ``dropout_p``.
Spend per purchase is lognormal, the margin rate differs by archetype and is lower on promotions.

Survey answers come from a latent model: the 12 driver items share a common factor (real
multicollinearity) plus touchpoint and item-specific parts, and are cut into 1-5 answers with
fixed thresholds. Outcomes (``ltr`` 0-10, ``osat`` 1-5, ``ces`` 1-7) are linear in the latent
drivers with *planted* weights plus an archetype shift and noise. Stated importance is drawn from
its own means, deliberately unlike the derived importance. ``truth/drivers.parquet`` holds, for
every outcome x driver, the planted weight and the exact LMG share of R² of the observed
canonical-scale answers in a large clean simulation of the same model: what a key-driver analysis
of clean data should recover.

Defects (duplicates, speeders, straight-liners, failed attention checks, test records,
out-of-range answers, full-width characters, malformed customer ids, personal data and HTML in
free text, empty texts, orphan transactions) are planted on otherwise clean rows and logged one
per row in ``truth/defects.parquet`` with the 1-based data-record number of the written file.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review*, 80(7), 86-94.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import special

from cemlib.clean import longest_run
from cemlib.data.schema import ARCHETYPES, FEEDBACK_KINDS, RESPONSE_CHANNELS, TABLE_ORDER
from cemlib.data.schema import TABLES as SCHEMA_TABLES
from cemlib.stats.lmg import lmg_shares
from cemlib.text import cn_id_check_digit, luhn_check_digit, luhn_valid

__all__ = ["DEFAULT_DEFECT_RATES", "codebook", "generate"]

# ----------------------------------------------------------------------------------------------
# Planted defects: "table.defect" -> fraction of the table's clean rows (min. _MIN_DEFECTS rows)
# ----------------------------------------------------------------------------------------------

DEFAULT_DEFECT_RATES: dict[str, float] = {
    "customers.duplicate_exact": 0.005,
    "customers.customer_id_format": 0.01,
    "customers.test_record": 0.001,
    "transactions.duplicate_exact": 0.003,
    "transactions.orphan": 0.002,
    "responses.duplicate_exact": 0.015,
    "responses.duplicate_near": 0.01,
    "responses.speeder": 0.03,
    "responses.straight_liner": 0.03,
    "responses.attention_check": 0.02,
    "responses.test_record": 0.005,
    "responses.out_of_range": 0.01,
    "responses.full_width": 0.02,
    "responses.customer_id_format": 0.01,
    "responses.pii_email": 0.015,
    "responses.pii_phone": 0.015,
    "responses.pii_id_card": 0.01,
    "responses.pii_bank_card": 0.01,
    "responses.html": 0.02,
    "feedback.duplicate_exact": 0.01,
    "feedback.empty_text": 0.005,
    "feedback.full_width": 0.01,
    "feedback.pii_email": 0.015,
    "feedback.pii_phone": 0.02,
    "feedback.pii_id_card": 0.01,
    "feedback.pii_bank_card": 0.01,
    "feedback.html": 0.015,
}
_MIN_DEFECTS = 3
_DECOY_RATE = 0.03  # share of free texts given a harmless long number, price or date
POPULATION_DRAWS = 400_000

# ----------------------------------------------------------------------------------------------
# Archetypes (order: strategic, butterfly, barnacle, stranger)
# ----------------------------------------------------------------------------------------------

ARCHETYPE_SHARES = np.array([0.15, 0.20, 0.30, 0.35])
# Latent value x loyalty is four-cornered: archetype means of the value ingredients (rate x spend
# x margin) and of the dropout probability lie well apart with moderate spread inside an archetype
# (an oracle on the true parameters separates them almost perfectly), while Poisson purchase
# noise, the two-year window and acquisition dates make every single observed feature overlap.
_LAMBDA_MEAN = np.array([20.0, 45.0, 14.0, 11.0])  # purchases per year while active
_LAMBDA_SHAPE = np.array([8.0, 8.0, 3.0, 8.0])  # gamma shape (1 / squared CV)
# P(inactive after a purchase), logit-normal around the median: strategic customers and barnacles
# stay for decades, butterflies for months (~25 purchases), strangers for one or two purchases
_DROPOUT_MEDIAN = np.array([0.0015, 0.04, 0.0015, 0.5])
_DROPOUT_SD_LOGIT = np.array([0.35, 0.35, 0.35, 0.7])
_SPEND_MEDIAN = np.array([110.0, 120.0, 30.0, 60.0])  # CNY per purchase, customer median
_SPEND_SD_CUSTOMER = 0.3
_SPEND_SD_TX = 0.55
_MARGIN_RATE = np.array([0.34, 0.26, 0.24, 0.22])
_MARGIN_SD = 0.04
_PROMO_MEAN = np.array([0.12, 0.55, 0.15, 0.25])
_PROMO_CONC = 12.0
_PRE_WINDOW = np.array([0.5, 0.02, 0.5, 0.45])  # share acquired in the three years before start
# in-window acquisition day ~ span x Beta(1, decay): 1 = uniform; butterflies came mostly with the
# promotional acquisition drive early in the window, strangers' acquisition slowed a little
_ACQ_LATE_DECAY = np.array([1.0, 3.0, 1.0, 1.5])
_PROMO_DISCOUNT, _PROMO_MARGIN_CUT = 0.85, 0.12
_RETURN_P = np.array([0.02, 0.05, 0.017, 0.027])
_LOYALTY_MEAN = np.array([0.9, -0.6, 0.5, -0.6])  # emotional loyalty (customer latent)
_COST_MEDIAN = np.array([60.0, 85.0, 45.0, 50.0])  # cost to serve, CNY per year
_RESPONSE_PROPENSITY = np.array([1.3, 0.8, 1.15, 0.85])

REGIONS = ("华东", "华北", "华南", "华中", "西南", "东北", "西北")
_REGION_P = np.array([0.30, 0.18, 0.20, 0.10, 0.11, 0.06, 0.05])
ACQ_CHANNELS = ("store", "online", "app", "referral")
_ACQ_P = np.array(
    [
        [0.30, 0.25, 0.20, 0.25],
        [0.25, 0.40, 0.25, 0.10],
        [0.40, 0.30, 0.18, 0.12],
        [0.35, 0.35, 0.20, 0.10],
    ]
)  # by archetype
TX_CHANNELS = ("store", "online", "app")
_TX_CHANNEL_P = np.array(
    [[0.60, 0.25, 0.15], [0.15, 0.65, 0.20], [0.15, 0.20, 0.65], [0.40, 0.35, 0.25]]
)  # by acquisition channel

# ----------------------------------------------------------------------------------------------
# Survey: touchpoints, drivers, planted weights, stated importance
# ----------------------------------------------------------------------------------------------

TOUCHPOINTS = ("website", "app", "store", "delivery", "product", "service")
DRIVERS = (
    "web_findability",
    "web_checkout",
    "app_stability",
    "app_offers",
    "staff_greeting",
    "staff_knowledge",
    "delivery_wait",
    "delivery_condition",
    "product_quality",
    "price_value",
    "service_resolution",
    "service_empathy",
)
REVERSE_DRIVERS = ("delivery_wait",)
_DRIVER_TP = np.repeat(np.arange(6), 2)
_DRIVER_MU = np.array([0.35, -0.25, 0.15, -0.35, 0.45, -0.05, 0.50, 0.40, 0.30, -0.45, 0.05, 0.20])
_LOAD_COMMON, _LOAD_TP = 0.6, 0.25
_LOAD_SPECIFIC = float(np.sqrt(1 - _LOAD_COMMON**2 - _LOAD_TP**2))
_CUTS_5 = np.array([-1.7, -0.95, -0.05, 0.95])
_FACTOR_SHIFT = np.array([0.35, 0.0, 0.1, -0.2])  # archetype shift of the common driver factor

OUTCOMES = ("ltr", "osat", "ces")
_WEIGHTS = {  # planted weights on the latent drivers, codebook order
    "ltr": [0.03, 0.01, 0.03, 0.0, 0.07, 0.27, 0.05, 0.05, 0.42, 0.08, 0.33, 0.10],
    "osat": [0.02, 0.06, 0.0, 0.02, 0.08, 0.05, 0.26, 0.24, 0.36, 0.20, 0.12, 0.02],
    "ces": [0.26, 0.34, 0.24, 0.0, 0.0, 0.06, 0.10, 0.02, 0.03, 0.0, 0.30, 0.05],
}
_OUTCOME_SHIFT = {  # archetype shift on top of the drivers
    "ltr": np.array([0.45, 0.0, 0.15, -0.25]),
    "osat": np.array([0.3, 0.05, 0.1, -0.15]),
    "ces": np.array([0.15, 0.0, 0.05, -0.05]),
}
_OUTCOME_NOISE = {"ltr": 0.75, "osat": 0.7, "ces": 0.7}
_OUTCOME_SCALE = {"ltr": (0, 10), "osat": (1, 5), "ces": (1, 7)}
_OUTCOME_P = {  # target answer distribution of each outcome, lowest category first
    "ltr": [0.03, 0.015, 0.02, 0.025, 0.03, 0.06, 0.07, 0.12, 0.19, 0.20, 0.24],
    "osat": [0.04, 0.08, 0.20, 0.40, 0.28],
    "ces": [0.03, 0.05, 0.08, 0.14, 0.25, 0.27, 0.18],
}
# what customers SAY matters: price/value and speed over-stated, staff and emotion under-stated
_STATED_MU = np.array([0.35, 0.95, 0.8, 0.6, -0.55, -0.2, 1.05, 0.55, 0.2, 1.25, 0.0, -0.45])
_BRAND_MU = np.array([0.0, -0.3, 0.45, 0.1, 0.35, 0.15])
_LOYALTY_ITEM_MU = np.array([0.0, -0.35, -0.2])
ATTENTION_EXPECT = 4

SURVEYS = ("relationship", "kiosk_pulse", "legacy_2024")
_DURATION_MEDIAN = {"relationship": 330.0, "kiosk_pulse": 270.0, "legacy_2024": 300.0}
_DURATION_SIGMA = 0.22
_RESP_CHANNEL_P = np.array([0.32, 0.10, 0.15, 0.20, 0.0, 0.07, 0.13, 0.03])
_ZH_SHARE = 0.65

_KIND_P = np.array([0.42, 0.13, 0.10, 0.17, 0.12, 0.06])
_COMPLAINT_REASONS = (
    "delivery_late",
    "product_defect",
    "rude_staff",
    "price_too_high",
    "app_crash",
    "refund_slow",
    "long_wait",
)
_COMPLAINT_P = np.array([0.20, 0.18, 0.10, 0.10, 0.12, 0.13, 0.17])
_PRICE_BOOST = np.array([0.6, 2.8, 1.0, 2.2])  # butterflies and strangers complain about price
_REASON_TP = {
    "delivery_late": "delivery",
    "product_defect": "product",
    "rude_staff": "store",
    "price_too_high": "product",
    "app_crash": "app",
    "refund_slow": "service",
    "long_wait": "service",
    "praise_staff": "store",
    "praise_product": "product",
    "suggestion_feature": "app",
}
_KIND_CHANNELS = {
    "complaint": (("phone", "email", "web", "app", "store"), (0.3, 0.2, 0.2, 0.15, 0.15)),
    "compliment": (("email", "store", "web", "app"), (0.3, 0.35, 0.2, 0.15)),
    "suggestion": (("app", "web", "email"), (0.45, 0.35, 0.2)),
    "review": (("web", "app"), (0.55, 0.45)),
    "call_note": (("phone",), (1.0,)),
    "social": (("social",), (1.0,)),
}


# ----------------------------------------------------------------------------------------------
# Codebook
# ----------------------------------------------------------------------------------------------

_DRIVER_TEXT = {
    "web_findability": (
        "It was easy to find what I was looking for on the website",
        "在网站上很容易找到我想要的东西",
        "Digital product team",
        "Fix the ten worst-performing search queries each sprint",
    ),
    "web_checkout": (
        "Paying on the website was quick and simple",
        "在网站上付款快捷又简单",
        "E-commerce lead",
        "Cut checkout steps; monitor payment failures daily",
    ),
    "app_stability": (
        "The app worked without crashes or errors",
        "App运行稳定，没有闪退或报错",
        "Mobile engineering lead",
        "Crash-free sessions as a release gate",
    ),
    "app_offers": (
        "The app showed me offers that are relevant to me",
        "App推送的优惠与我相关",
        "CRM manager",
        "Review offer targeting rules monthly",
    ),
    "staff_greeting": (
        "Staff greeted me warmly",
        "店员热情地招呼了我",
        "Store operations",
        "Greeting standard in store coaching",
    ),
    "staff_knowledge": (
        "Store staff knew the products well",
        "门店员工对产品很了解",
        "Store operations",
        "Product training for every new range",
    ),
    "delivery_wait": (
        "I waited too long for my order to arrive",
        "等待收货的时间太长了",
        "Logistics manager",
        "Track promised vs actual delivery dates",
    ),
    "delivery_condition": (
        "My order arrived complete and undamaged",
        "收到的商品完好无损、没有缺件",
        "Logistics manager",
        "Packaging audit with the carriers",
    ),
    "product_quality": (
        "The product quality met my expectations",
        "产品质量符合我的预期",
        "Head of product",
        "Feed defect verbatims into quality reviews",
    ),
    "price_value": (
        "The price was fair for what I got",
        "价格与所得相比很合理",
        "Pricing manager",
        "Check price perception against competitor prices",
    ),
    "service_resolution": (
        "My issue was resolved the first time I got in touch",
        "我的问题在第一次联系时就得到了解决",
        "Head of customer service",
        "Root-cause review of repeat contacts",
    ),
    "service_empathy": (
        "The person who helped me understood my situation",
        "帮助我的工作人员理解我的处境",
        "Head of customer service",
        "Empathy coaching from call recordings",
    ),
}
_TP_TEXT = {  # "the experience ... felt true to our brand"
    "website": ("on the website", "在网站上"),
    "app": ("in the app", "在App里"),
    "store": ("in the store", "在门店"),
    "delivery": ("with delivery", "在配送环节"),
    "product": ("with the product", "在产品上"),
    "service": ("with customer service", "在客服环节"),
}
_TOPIC_TEXT = {  # short topic of each driver for the stated-importance question
    "web_findability": ("finding things easily on the website", "在网站上容易找到东西"),
    "web_checkout": ("quick and simple payment on the website", "网站付款快捷简单"),
    "app_stability": ("an app that works without crashes", "App稳定不闪退"),
    "app_offers": ("relevant offers in the app", "App里有与我相关的优惠"),
    "staff_greeting": ("a warm welcome from staff", "店员热情招呼"),
    "staff_knowledge": ("staff who know the products", "店员懂产品"),
    "delivery_wait": ("fast delivery", "送货快"),
    "delivery_condition": ("orders arriving complete and undamaged", "商品送达时完好无缺"),
    "product_quality": ("product quality", "产品质量"),
    "price_value": ("a fair price for what I get", "价格合理"),
    "service_resolution": ("issues resolved at first contact", "问题一次解决"),
    "service_empathy": ("being understood by the person helping me", "工作人员理解我的处境"),
}
_NO_OWNER = ("brand_app", "loy_improve")  # deliberately lack owner and action


def _item(item_id, en, zh, scale, role, owner=None, action=None, **extra) -> dict:
    """One codebook entry in the DESIGN §4 layout."""
    entry = {"id": item_id, "text": {"en": en, "zh": zh}, "scale": list(scale), "role": role}
    entry.update(extra)
    if item_id not in _NO_OWNER:
        entry["owner"], entry["action"] = owner, action
    return entry


def _outcome_items() -> list[dict]:
    """The three outcomes: likelihood to recommend, overall satisfaction, customer effort."""
    return [
        _item(
            "ltr",
            "How likely are you to recommend us to a friend or colleague?",
            "您有多大可能向朋友或同事推荐我们？",
            (0, 10),
            "outcome",
            "Head of CX",
            "Review detractor comments weekly",
            metric="nps",
        ),
        _item(
            "osat",
            "Overall, how satisfied are you with us?",
            "总体而言，您对我们满意吗？",
            (1, 5),
            "outcome",
            "Head of CX",
            "Track monthly; alert on a drop of 0.2",
            metric="csat",
        ),
        _item(
            "ces",
            "How easy was it to get what you needed from us?",
            "从我们这里得到您所需要的东西有多容易？",
            (1, 7),
            "outcome",
            "Head of CX",
            "Remove the highest-effort steps first",
            metric="ces",
        ),
    ]


def _driver_items() -> list[dict]:
    """The 12 driver items, two per touchpoint, in journey order."""
    items = []
    for j, d in enumerate(DRIVERS):
        en, zh, owner, action = _DRIVER_TEXT[d]
        tp = TOUCHPOINTS[_DRIVER_TP[j]]
        items.append(
            _item(
                d,
                en,
                zh,
                (1, 5),
                "driver",
                owner,
                action,
                touchpoint=tp,
                stage=int(_DRIVER_TP[j]) + 1,
                reverse=d in REVERSE_DRIVERS,
            )
        )
    return items


def _importance_items() -> list[dict]:
    """Stated importance of each driver (what customers say matters)."""
    items = []
    for d in DRIVERS:
        en, zh = _TOPIC_TEXT[d]
        items.append(
            _item(
                f"imp_{d}",
                f"How important is this to you: {en}?",
                f"以下这一点对您有多重要：{zh}？",
                (1, 5),
                "stated_importance",
                "Insights team",
                "Compare with derived importance every wave",
                of=d,
            )
        )
    return items


def _brand_loyalty_items() -> list[dict]:
    """Brand fit per touchpoint, emotional loyalty and the attention check."""
    items = []
    for tp in TOUCHPOINTS:
        en, zh = _TP_TEXT[tp]
        items.append(
            _item(
                f"brand_{tp}",
                f"The experience {en} felt true to what our brand stands for",
                f"{zh}的体验与我们品牌的主张一致",
                (1, 5),
                "brand",
                "Brand manager",
                "Brand-fit review of the touchpoint each quarter",
                touchpoint=tp,
            )
        )
    items += [
        _item(
            "loy_standard",
            "I see us as the standard others are measured against",
            "我认为我们是衡量同类品牌的标杆",
            (1, 5),
            "loyalty",
            "Head of CX",
            "Report emotional loyalty by segment",
        ),
        _item(
            "loy_premium",
            "I would pay a bit more to buy from us",
            "我愿意多花一点钱在我们这里购买",
            (1, 5),
            "loyalty",
            "Pricing manager",
            "Test premium ranges with loyal segments",
        ),
        _item(
            "loy_improve",
            "I would gladly help improve our products",
            "我很乐意帮助改进我们的产品",
            (1, 5),
            "loyalty",
        ),
        _item(
            "attn_1",
            "Please select 'Agree' (4) for this item",
            "本题请选择“同意”（4）",
            (1, 5),
            "attention_check",
            "Survey operations",
            "Exclude failed checks; monitor failure rate by channel",
            expect=ATTENTION_EXPECT,
        ),
    ]
    return items


def codebook() -> dict:
    """The codebook of the synthetic survey (DESIGN §4 format) as a plain dict."""
    return {
        "study": {
            "name": "X-VOC synthetic relationship study",
            "organisation": "Synthetic Retail Co. (fictitious)",
        },
        "items": _outcome_items() + _driver_items() + _importance_items() + _brand_loyalty_items(),
        "surveys": {
            "relationship": {},
            "kiosk_pulse": {"scales": {"osat": [1, 10]}},
            "legacy_2024": {"reverse": ["ces"]},
        },
    }


ITEM_IDS = tuple(item["id"] for item in codebook()["items"])
_ITEM_SCALE = {item["id"]: tuple(item["scale"]) for item in codebook()["items"]}

# ----------------------------------------------------------------------------------------------
# Phrase banks for free text (no ASCII digits, '@', '<' or '>' anywhere: those are planted only)
# ----------------------------------------------------------------------------------------------

_COMMENT_POS = {
    "website": (
        (
            "The website made it easy to find what I needed",
            "Ordering on the website was smooth",
            "Great website, quick to check out",
        ),
        ("网站很好用，很快就找到了想要的东西", "官网下单很顺畅", "网站结账又快又方便"),
    ),
    "app": (
        (
            "The app is fast and reliable",
            "I like the offers in the app",
            "The app never lets me down",
        ),
        ("App很流畅，用起来很稳定", "App里的优惠很实用", "App用着很顺手"),
    ),
    "store": (
        (
            "The store staff were friendly and knew their products",
            "Staff in the shop gave really helpful advice",
            "Lovely welcome in the store",
        ),
        ("门店店员很热情，也很专业", "店员给的建议很有帮助", "进店就有人热情招呼"),
    ),
    "delivery": (
        (
            "Delivery was quick and everything arrived in perfect condition",
            "My parcel came earlier than expected",
            "Well packed and on time",
        ),
        ("送货很快，东西完好无损", "包裹比预期还早到", "包装很好，准时送达"),
    ),
    "product": (
        (
            "The quality of the product is excellent",
            "Really good value for the money",
            "The product works exactly as described",
        ),
        ("产品质量非常好", "性价比很高", "产品和描述的一模一样"),
    ),
    "service": (
        (
            "Customer service solved my problem right away",
            "The agent really understood my situation",
            "Support was patient and helpful",
        ),
        ("客服一次就帮我解决了问题", "客服很理解我的情况", "客服耐心又专业"),
    ),
}
_COMMENT_NEG = {
    "website": (
        (
            "The website is confusing and hard to search",
            "Checkout on the website kept failing",
            "I could not find anything on the website",
        ),
        ("网站太乱，很难找到东西", "网站结账老是出错", "官网搜索根本不好用"),
    ),
    "app": (
        (
            "The app keeps crashing",
            "The app is slow and buggy",
            "The offers in the app are irrelevant to me",
        ),
        ("App老是闪退", "App又慢又卡", "App推送的优惠跟我没关系"),
    ),
    "store": (
        (
            "Nobody in the store could answer my questions",
            "Staff ignored me when I walked in",
            "The store was understaffed and unhelpful",
        ),
        ("店员一问三不知", "进店没人理", "门店人手不够，服务很差"),
    ),
    "delivery": (
        (
            "Delivery took far too long",
            "My order arrived damaged",
            "The parcel was late and part of it was missing",
        ),
        ("送货太慢了", "收到的东西是坏的", "快递迟到而且少了东西"),
    ),
    "product": (
        (
            "The product broke after a few days",
            "Too expensive for what you get",
            "Quality has gone down",
        ),
        ("产品用了几天就坏了", "太贵了，不值这个价", "质量越来越差"),
    ),
    "service": (
        (
            "I had to contact customer service several times",
            "The agent did not understand my problem",
            "Nobody followed up on my complaint",
        ),
        ("联系了客服好几次问题都没解决", "客服根本不理解我的问题", "投诉之后没人跟进"),
    ),
}
_OPENERS = {
    "pos": (("", "Overall very happy. ", "Great experience. "), ("", "总体很满意。", "体验很好。")),
    "neg": (("", "Disappointed. ", "Not happy. "), ("", "很失望。", "不太满意。")),
}
_CLOSERS = {
    "pos": (("", " Keep it up!", " Will buy again."), ("", "继续加油！", "还会再来。")),
    "neg": (("", " Please fix this.", " I expect better."), ("", "希望尽快改进。", "希望能重视。")),
}
_FEEDBACK_TEXT = {
    "delivery_late": (
        (
            "My order still has not arrived and nobody can tell me where it is.",
            "Delivery was promised for Monday and came on Friday.",
            "The courier missed the delivery window again.",
        ),
        (
            "订单到现在还没到，也没人告诉我物流情况。",
            "说好周一送到，结果周五才到。",
            "快递又没有按约定时间送货。",
        ),
    ),
    "product_defect": (
        (
            "The item stopped working after a week.",
            "I received a faulty product, the seam was already torn.",
            "The product does not work as advertised.",
        ),
        ("东西用了一周就坏了。", "收到的商品有质量问题，开线了。", "产品和宣传的完全不一样。"),
    ),
    "rude_staff": (
        (
            "The cashier was rude and rolled her eyes at me.",
            "A staff member was very impolite when I asked for help.",
            "I was treated badly by the store manager.",
        ),
        ("收银员态度很差，还翻白眼。", "我请店员帮忙，他很不耐烦。", "店长对顾客态度恶劣。"),
    ),
    "price_too_high": (
        (
            "Prices went up again, I can find the same thing cheaper elsewhere.",
            "Far too expensive compared with other shops.",
            "Why is the member price higher than the online price?",
        ),
        ("又涨价了，别家更便宜。", "和其他店比太贵了。", "会员价怎么比网上还贵？"),
    ),
    "app_crash": (
        (
            "The app crashes every time I open the cart.",
            "I cannot log in to the app since the last update.",
            "The app froze during payment.",
        ),
        ("每次打开购物车App就闪退。", "更新之后App登录不上。", "付款的时候App卡死了。"),
    ),
    "refund_slow": (
        (
            "Still waiting for my refund after two weeks.",
            "The refund process is far too slow.",
            "I returned the item long ago and have not been refunded.",
        ),
        ("退款两个星期了还没到账。", "退款流程太慢了。", "东西早就退回去了，钱还没退。"),
    ),
    "long_wait": (
        (
            "I waited on hold for ages before anyone answered.",
            "The queue at the checkout was endless.",
            "Nobody picked up the hotline for half an hour.",
        ),
        ("客服电话等了很久才有人接。", "结账排队排了好久。", "热线半个小时都没人接。"),
    ),
    "praise_staff": (
        (
            "Many thanks to the staff member who helped me choose.",
            "The team in the store was wonderful.",
            "Your agent went out of her way to help me.",
        ),
        (
            "感谢帮我挑选的店员，非常耐心。",
            "门店的小伙伴们服务特别好。",
            "客服小姐姐特别用心，点赞。",
        ),
    ),
    "praise_product": (
        (
            "Love this product, best purchase this year.",
            "Excellent quality, exactly what I wanted.",
            "Works perfectly, highly recommended.",
        ),
        (
            "非常喜欢这个产品，今年买得最值的东西。",
            "质量很好，正是我想要的。",
            "很好用，强烈推荐。",
        ),
    ),
    "suggestion_feature": (
        (
            "It would be great if the app could save my shopping list.",
            "Please add a way to book a store appointment online.",
            "Could you offer delivery in the evening?",
        ),
        ("希望App能保存购物清单。", "建议增加网上预约到店的功能。", "能不能增加晚上送货的选项？"),
    ),
}
_KIND_FRAME = {  # (en prefix, zh prefix) by kind of feedback
    "complaint": (("", "I want to complain. "), ("", "我要投诉，")),
    "compliment": (("",), ("",)),
    "suggestion": (("", "A suggestion: "), ("", "提个建议：")),
    "review": (("",), ("",)),
    "call_note": (("Customer called: ", "Call note: "), ("客户来电反映：", "来电记录：")),
    "social": (("Posted on social media: ",), ("网友留言：",)),
}


def _pick_str(rng: np.random.Generator, options) -> str:
    """One element of a tuple of strings."""
    return options[int(rng.integers(len(options)))]


def _digits(rng: np.random.Generator, k: int, first: str = "0123456789") -> str:
    """k random decimal digits, the first drawn from ``first``."""
    if k <= 0:
        return ""
    head = first[int(rng.integers(len(first)))]
    return head + "".join(str(d) for d in rng.integers(0, 10, k - 1))


def _full_width(value: str) -> str:
    """ASCII letters, digits and punctuation turned into their full-width forms (U+FF01-FF5E)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


# ---------------------------- personal data and decoys ----------------------------------------

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
    local = _pick_str(rng, _EMAIL_LOCAL)
    if rng.random() < 0.6:
        local += _digits(rng, int(rng.integers(2, 5)))
    return f"{local}@{_pick_str(rng, _EMAIL_DOMAIN)}"


def _pii_phone(rng: np.random.Generator) -> str:
    """A Chinese mobile (plain, spaced, +86/0086) or landline number in a common written form."""
    if rng.random() < 0.3:
        ac, local = _pick_str(rng, _LANDLINE_AC), _digits(rng, 8, "2345678")
        return _pick_str(rng, (f"{ac}-{local}", f"({ac}) {local[:4]} {local[4:]}", f"{ac} {local}"))
    m = "1" + _digits(rng, 10, "3456789")
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
    return _pick_str(rng, forms)


def _birth_date(rng: np.random.Generator, lo: str = "1955-01-01", hi: str = "2004-12-31") -> str:
    """A plausible birth date as YYYYMMDD."""
    a, b = np.datetime64(lo, "D"), np.datetime64(hi, "D")
    day = a + int(rng.integers(0, (b - a).astype(int) + 1))
    return str(day).replace("-", "")


def _id_first17(rng: np.random.Generator) -> str:
    """Area code, birth date and sequence: the first 17 digits of a resident ID number."""
    return _pick_str(rng, _AREA_CODES) + _birth_date(rng) + _digits(rng, 3)


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
        prefix = _pick_str(rng, ("62", "62", "4", "51", "55"))
        partial = prefix + _digits(rng, length - len(prefix) - 1)
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


def _with_html(rng: np.random.Generator, text: str, lang_zh: bool) -> tuple[str, str]:
    """Text with an HTML tag or script planted; returns (new text, the tag planted)."""
    tag = _pick_str(rng, _HTML_FORMS)
    base = text or ("体验还行。" if lang_zh else "It was okay.")
    if tag in ("<b>", "<i>", "<p>"):
        return f"{tag}{base}</{tag[1:]}", tag
    if tag == "<br>":
        extra = "谢谢。" if lang_zh else "Thanks."
        return f"{base}{tag}{extra}", tag
    if tag.startswith("<img"):
        return f"{tag}{base}", tag
    return f"{base}{tag}", tag


def _with_pii(rng: np.random.Generator, kind: str, text: str, lang_zh: bool) -> tuple[str, str]:
    """Text with one personal-data string of ``kind`` added; returns (new text, planted value)."""
    value = _PII_MAKERS[kind](rng)
    sentence = _pick_str(rng, _PII_CONTEXT[kind][1 if lang_zh else 0]).format(value)
    if not text:
        return sentence, value
    return (f"{text}{sentence}" if lang_zh else f"{text} {sentence}"), value


def _decoy(rng: np.random.Generator, lang_zh: bool, start: str) -> str:
    """A harmless number that looks like personal data to a careless rule (never PII)."""
    kind = int(rng.integers(6))
    if kind == 0:  # 19-digit order number starting with a date, failing Luhn
        partial = str(np.datetime64(start, "D") + int(rng.integers(0, 700))).replace("-", "")
        partial += _digits(rng, 10)
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
    return ("运单号SF{}" if lang_zh else "tracking SF{}").format(_digits(rng, 12, "23456789"))


# ----------------------------------------------------------------------------------------------
# Latent survey model (shared by the sample and the population truth)
# ----------------------------------------------------------------------------------------------


def _respondent_mix() -> np.ndarray:
    """Archetype shares among survey respondents (strategic customers answer more often)."""
    w = ARCHETYPE_SHARES * _RESPONSE_PROPENSITY
    return w / w.sum()


def _cut(latent: np.ndarray, cuts: np.ndarray, low: int = 1) -> np.ndarray:
    """Discretise latent values into ordered categories ``low, low + 1, ...`` at ``cuts``."""
    return low + np.searchsorted(cuts, latent, side="left").astype(np.int64)


def _latent_drivers(rng: np.random.Generator, arch: np.ndarray) -> np.ndarray:
    """Latent canonical driver values: common factor + touchpoint factor + specific part + mean."""
    n = len(arch)
    common = rng.standard_normal(n) + _FACTOR_SHIFT[arch]
    tp = rng.standard_normal((n, len(TOUCHPOINTS)))[:, _DRIVER_TP]
    specific = rng.standard_normal((n, len(DRIVERS)))
    return _LOAD_COMMON * common[:, None] + _LOAD_TP * tp + _LOAD_SPECIFIC * specific + _DRIVER_MU


def _outcome_moments(outcome: str) -> tuple[float, float]:
    """Exact mean and standard deviation of an outcome's latent value among respondents."""
    w = np.asarray(_WEIGHTS[outcome])
    tp_sums = np.bincount(_DRIVER_TP, weights=w)
    within = (
        (_LOAD_COMMON * w.sum()) ** 2
        + _LOAD_TP**2 * np.sum(tp_sums**2)
        + _LOAD_SPECIFIC**2 * np.sum(w**2)
        + _OUTCOME_NOISE[outcome] ** 2
    )
    cond_mean = _LOAD_COMMON * w.sum() * _FACTOR_SHIFT + _OUTCOME_SHIFT[outcome]
    mix = _respondent_mix()
    mean = float(mix @ cond_mean)
    return mean, float(np.sqrt(within + mix @ (cond_mean - mean) ** 2))


def _outcome_cuts(outcome: str) -> np.ndarray:
    """Thresholds on the latent outcome giving the target answer distribution."""
    mean, sd = _outcome_moments(outcome)
    return mean + sd * special.ndtri(np.cumsum(_OUTCOME_P[outcome])[:-1])


def _latent_outcomes(rng: np.random.Generator, z: np.ndarray, arch: np.ndarray) -> dict:
    """Latent value of each outcome: planted weights on the drivers + archetype shift + noise."""
    centred = z - _DRIVER_MU
    return {
        o: centred @ np.asarray(_WEIGHTS[o])
        + _OUTCOME_SHIFT[o][arch]
        + _OUTCOME_NOISE[o] * rng.standard_normal(len(arch))
        for o in OUTCOMES
    }


def _outcome_answers(latent: dict) -> dict:
    """Canonical answers of each outcome (ltr 0-10, osat 1-5, ces 1-7, higher = better)."""
    return {o: _cut(latent[o], _outcome_cuts(o), _OUTCOME_SCALE[o][0]) for o in OUTCOMES}


def _osat_on_ten(latent_osat: np.ndarray) -> np.ndarray:
    """Kiosk version of osat on 1-10: each 1-5 category split in two (2k - 1 or 2k)."""
    cuts = _outcome_cuts("osat")
    sd = _outcome_moments("osat")[1]
    inner = np.concatenate(
        [[cuts[0] - 0.5 * sd], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + 0.5 * sd]]
    )
    return _cut(latent_osat, np.sort(np.concatenate([cuts, inner])))


def _stated_importance(rng: np.random.Generator, n: int) -> np.ndarray:
    """Stated importance answers (1-5): item means + a person's general 'all important' tendency."""
    general = rng.standard_normal(n)[:, None]
    latent = _STATED_MU + 0.5 * general + 0.85 * rng.standard_normal((n, len(DRIVERS)))
    return _cut(latent, _CUTS_5)


def _brand_answers(rng, z: np.ndarray, loyalty: np.ndarray) -> np.ndarray:
    """Brand fit per touchpoint (1-5) from touchpoint brand fit, experience and brand affinity."""
    n = len(loyalty)
    centred = z - _DRIVER_MU
    tp_mean = np.stack([centred[:, _DRIVER_TP == t].mean(axis=1) for t in range(6)], axis=1)
    affinity = 0.6 * loyalty + 0.8 * rng.standard_normal(n)
    latent = (
        _BRAND_MU + 0.45 * tp_mean + 0.4 * affinity[:, None] + 0.7 * rng.standard_normal((n, 6))
    )
    return _cut(latent, _CUTS_5)


def _loyalty_answers(rng, loyalty: np.ndarray, ltr_latent: np.ndarray) -> np.ndarray:
    """Emotional-loyalty items (standard, premium, improve) on 1-5."""
    mean, sd = _outcome_moments("ltr")
    advocacy = (ltr_latent - mean) / sd
    latent = (
        _LOYALTY_ITEM_MU
        + 0.6 * loyalty[:, None]
        + 0.3 * advocacy[:, None]
        + 0.6 * rng.standard_normal((len(loyalty), 3))
    )
    return _cut(latent, _CUTS_5)


def _raw_drivers(canonical: np.ndarray) -> np.ndarray:
    """Driver answers as asked: reverse-worded items run opposite (6 - x)."""
    raw = canonical.copy()
    for d in REVERSE_DRIVERS:
        j = DRIVERS.index(d)
        raw[:, j] = 6 - raw[:, j]
    return raw


def _rank_desc(values: np.ndarray) -> np.ndarray:
    """Ranks with 1 = largest (ties broken by position)."""
    order = np.argsort(-np.asarray(values), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def _population_truth(rng: np.random.Generator, n: int = POPULATION_DRAWS) -> tuple:
    """Driver truth from a large clean simulation of the response model.

    Returns the ``truth/drivers`` frame (planted weight, exact LMG share of R² of the observed
    canonical answers, ranks, stated ranks) and a dict of population statistics (R² per outcome,
    natural straight-liner rate, NPS).
    """
    arch = rng.choice(len(ARCHETYPES), n, p=_respondent_mix())
    z = _latent_drivers(rng, arch)
    x = _cut(z, _CUTS_5)
    answers = _outcome_answers(_latent_outcomes(rng, z, arch))
    stated_mean = _stated_importance(rng, n).mean(axis=0)
    stated_rank = _rank_desc(stated_mean)
    rows, stats = [], {"r2": {}}
    for o in OUTCOMES:
        corr = np.corrcoef(np.column_stack([x, answers[o]]), rowvar=False)
        lmg = lmg_shares(corr)
        share, rank = lmg / lmg.sum(), _rank_desc(lmg)
        stats["r2"][o] = float(lmg.sum())
        for j, d in enumerate(DRIVERS):
            rows.append(
                {
                    "outcome": o,
                    "driver": d,
                    "weight": float(_WEIGHTS[o][j]),
                    "population_lmg": float(lmg[j]),
                    "population_share": float(share[j]),
                    "population_rank": int(rank[j]),
                    "stated_mean": float(stated_mean[j]),
                    "stated_rank": int(stated_rank[j]),
                }
            )
    ltr = answers["ltr"]
    stats["nps"] = float(100 * (np.mean(ltr >= 9) - np.mean(ltr <= 6)))
    stats["straight_liner_rate"] = float(np.mean(longest_run(_raw_drivers(x)) >= 10))
    stats["mean_driver_corr"] = float(np.corrcoef(x, rowvar=False)[np.triu_indices(12, 1)].mean())
    stats["draws"] = n
    return pd.DataFrame(rows), stats


# ----------------------------------------------------------------------------------------------
# Customers and transactions
# ----------------------------------------------------------------------------------------------


def _window(start: str, end: str) -> tuple[np.datetime64, int]:
    """First day of the window and its length in days (``end`` inclusive)."""
    first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
    if last < first:
        raise ValueError(f"end {end} is before start {start}")
    return first, int((last - first).astype(int)) + 1


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a matrix of probabilities."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def _beta_mean(rng: np.random.Generator, mean: np.ndarray, conc: float) -> np.ndarray:
    """Beta draws parameterised by mean and concentration."""
    return rng.beta(mean * conc, (1 - mean) * conc)


def _simulate_customers(rng: np.random.Generator, n: int, start: str, end: str) -> pd.DataFrame:
    """Customers with their archetype and latent buying parameters, sorted by acquisition.

    A share by archetype (``_PRE_WINDOW``) were acquired in the three years before ``start``;
    the rest over the window, uniformly or (``_ACQ_LATE_DECAY`` > 1) more often early. Canonical
    ids ``C000001``... follow acquisition order.
    """
    first, span = _window(start, end)
    arch = rng.choice(len(ARCHETYPES), n, p=ARCHETYPE_SHARES)
    pre = rng.random(n) < _PRE_WINDOW[arch]
    in_window = np.floor(span * rng.beta(1.0, _ACQ_LATE_DECAY[arch])).astype(np.int64)
    offset = np.where(pre, -rng.integers(1, 3 * 365 + 1, n), np.minimum(in_window, span - 1))
    lam = rng.gamma(_LAMBDA_SHAPE[arch], _LAMBDA_MEAN[arch] / _LAMBDA_SHAPE[arch])
    spend_mu = np.log(_SPEND_MEDIAN[arch]) + _SPEND_SD_CUSTOMER * rng.standard_normal(n)
    margin_rate = np.clip(_MARGIN_RATE[arch] + _MARGIN_SD * rng.standard_normal(n), 0.05, 0.6)
    promo_p = _beta_mean(rng, _PROMO_MEAN[arch], _PROMO_CONC)
    value = np.log(
        lam
        * np.exp(spend_mu + _SPEND_SD_TX**2 / 2)
        * (margin_rate - _PROMO_MARGIN_CUT * promo_p).clip(0.01)
    )
    cust = pd.DataFrame(
        {
            "archetype_code": arch,
            "offset": offset,
            "lambda_": lam,
            "dropout_p": special.expit(
                special.logit(_DROPOUT_MEDIAN[arch])
                + _DROPOUT_SD_LOGIT[arch] * rng.standard_normal(n)
            ),
            "spend_mu": spend_mu,
            "margin_rate": margin_rate,
            "promo_p": promo_p,
            "value_latent": value,
            "loyalty_latent": _LOYALTY_MEAN[arch] + 0.8 * rng.standard_normal(n),
            "region": np.asarray(REGIONS)[rng.choice(len(REGIONS), n, p=_REGION_P)],
            "acq": _choice_rows(rng, _ACQ_P[arch]),
            "cost_to_serve": np.round(_COST_MEDIAN[arch] * np.exp(0.5 * rng.standard_normal(n)), 2),
            "tie": rng.random(n),
        }
    )
    score = (value - value.mean()) / value.std() + 0.9 * rng.standard_normal(n)
    q = np.argsort(np.argsort(score)) / n
    cust["tier"] = np.where(q >= 0.8, "gold", np.where(q >= 0.45, "silver", "bronze"))
    cust = cust.sort_values(["offset", "tie"], kind="stable").reset_index(drop=True)
    cust["customer_id"] = [f"C{i:06d}" for i in range(1, n + 1)]
    cust["first_seen"] = (first + cust["offset"].to_numpy()).astype(str)
    cust["archetype"] = np.asarray(ARCHETYPES)[cust["archetype_code"].to_numpy()]
    cust["acquisition_channel"] = np.asarray(ACQ_CHANNELS)[cust["acq"].to_numpy()]
    return cust.drop(columns=["tie"])


def _purchase_times(rng: np.random.Generator, cust: pd.DataFrame, span: int) -> tuple:
    """BG/NBD-style purchase times in days since ``start`` (all purchases, also before start).

    Returns (owner row per purchase, purchase index within customer, time in days, and per
    customer the time of the last purchase and whether the customer dropped out in the window).
    """
    t0 = cust["offset"].to_numpy().astype(float)
    rate = cust["lambda_"].to_numpy() / 365.25
    expected = rate * (span - t0)
    cap = np.ceil(expected + 6 * np.sqrt(expected) + 10).astype(np.int64)
    k = np.minimum(rng.geometric(cust["dropout_p"].to_numpy()), cap)
    owner = np.repeat(np.arange(len(cust)), k)
    starts = np.cumsum(k) - k
    gaps = rng.exponential(1.0, k.sum()) / rate[owner]
    gaps[starts] = 0.0
    cum = np.cumsum(gaps)
    t = t0[owner] + cum - np.repeat(cum[starts], k)
    index = np.arange(k.sum()) - np.repeat(starts, k)
    t_last = t[starts + k - 1]
    dropped = (k < cap) & (t_last < span)
    return owner, index, t, t_last, dropped


def _simulate_transactions(
    rng: np.random.Generator, cust: pd.DataFrame, start: str, end: str
) -> pd.DataFrame:
    """Purchases and returns inside the window, sorted by time; adds truth columns to ``cust``."""
    first, span = _window(start, end)
    owner, index, t, t_last, dropped = _purchase_times(rng, cust, span)
    cust["alive_at_end"] = ~dropped
    cust["dropout_at"] = np.where(
        dropped, (first + np.floor(t_last).astype(np.int64)).astype(str), ""
    )
    seen = (t >= 0) & (t < span)
    owner, index, day = owner[seen], index[seen], np.floor(t[seen]).astype(np.int64)
    m = len(owner)
    arch = cust["archetype_code"].to_numpy()[owner]
    promo = rng.random(m) < cust["promo_p"].to_numpy()[owner]
    amount = np.exp(cust["spend_mu"].to_numpy()[owner] + _SPEND_SD_TX * rng.standard_normal(m))
    amount *= np.where(promo, _PROMO_DISCOUNT, 1.0)
    rate = (
        cust["margin_rate"].to_numpy()[owner]
        - _PROMO_MARGIN_CUT * promo
        + 0.03 * rng.standard_normal(m)
    )
    sign = np.where((index > 0) & (rng.random(m) < _RETURN_P[arch]), -1.0, 1.0)
    amount = np.round(sign * amount, 2)
    seconds = day * 86400 + rng.integers(8 * 3600, 22 * 3600, m)
    tx = pd.DataFrame(
        {
            "customer_id": cust["customer_id"].to_numpy()[owner],
            "ts": (np.datetime64(first, "s") + seconds).astype("datetime64[us]"),
            "amount": amount,
            "margin": np.round(amount * rate, 2),
            "promo": promo,
            "channel": np.asarray(TX_CHANNELS)[
                _choice_rows(rng, _TX_CHANNEL_P[cust["acq"].to_numpy()[owner]])
            ],
        }
    )
    tx = tx.sort_values(["ts", "customer_id"], kind="stable").reset_index(drop=True)
    tx.insert(0, "transaction_id", [f"T{i:08d}" for i in range(1, m + 1)])
    cust["n_transactions"] = np.bincount(owner, minlength=len(cust))
    return tx


# ----------------------------------------------------------------------------------------------
# Survey responses
# ----------------------------------------------------------------------------------------------


def _iso(seconds: np.ndarray, first: np.datetime64) -> np.ndarray:
    """ISO datetimes (``YYYY-MM-DDTHH:MM:SS``) from seconds since the window start."""
    return np.datetime_as_string(np.datetime64(first, "s") + seconds.astype(np.int64), unit="s")


def _wave(iso: np.ndarray) -> np.ndarray:
    """Half-year wave label (``2024H1``) of ISO datetimes."""
    year = np.array([s[:4] for s in iso])
    half = np.where(np.array([int(s[5:7]) for s in iso]) <= 6, "H1", "H2")
    return np.char.add(year, half)


def _comment(rng: np.random.Generator, zh: bool, ltr: int, canon: np.ndarray) -> str:
    """A free-text comment in the response's language whose tone follows the answers."""
    lang = 1 if zh else 0
    best = TOUCHPOINTS[_DRIVER_TP[int(np.argmax(canon + 0.01 * rng.random(12)))]]
    worst = TOUCHPOINTS[_DRIVER_TP[int(np.argmin(canon + 0.01 * rng.random(12)))]]
    pos = _pick_str(rng, _COMMENT_POS[best][lang])
    neg = _pick_str(rng, _COMMENT_NEG[worst][lang])
    end = "。" if zh else "."
    if ltr >= 9:
        return (
            _pick_str(rng, _OPENERS["pos"][lang])
            + pos
            + end
            + _pick_str(rng, _CLOSERS["pos"][lang])
        ).strip()
    if ltr <= 6:
        return (
            _pick_str(rng, _OPENERS["neg"][lang])
            + neg
            + end
            + _pick_str(rng, _CLOSERS["neg"][lang])
        ).strip()
    if zh:
        return f"{pos}，但是{neg}。"
    return f"{pos}, but {neg[0].lower()}{neg[1:]}."


def _respondents(
    rng: np.random.Generator, cust: pd.DataFrame, response_rate: float, span: int
) -> tuple:
    """Who answers when: linked responses (``response_rate`` x customers) plus ~10 % anonymous.

    Each linked response gets a time uniform over the window and a customer drawn among those
    already acquired then, with the archetype's response propensity (so a customer may answer
    in more than one wave). Returns the response time (seconds since start), the customer row
    (-1 = anonymous), the archetype code and the loyalty latent.
    """
    n_link = int(round(response_rate * len(cust)))
    n_anon = int(round(n_link / 9))
    seconds = (rng.random(n_link + n_anon) * span * 86400).astype(np.int64)
    eligible = np.searchsorted(cust["offset"].to_numpy(), seconds[:n_link] // 86400, side="right")
    accept = _RESPONSE_PROPENSITY[cust["archetype_code"].to_numpy()] / _RESPONSE_PROPENSITY.max()
    row = np.full(n_link, -1, dtype=np.int64)
    todo = np.flatnonzero(eligible > 0)
    while len(todo):
        cand = (rng.random(len(todo)) * eligible[todo]).astype(np.int64)
        ok = rng.random(len(todo)) < accept[cand]
        row[todo[ok]] = cand[ok]
        todo = todo[~ok]
    row = np.concatenate([row, np.full(n_anon, -1, dtype=np.int64)])
    anon = row < 0
    codes = np.where(
        anon,
        rng.choice(len(ARCHETYPES), len(row), p=_respondent_mix()),
        cust["archetype_code"].to_numpy()[np.maximum(row, 0)],
    )
    loyalty = np.where(
        anon,
        _LOYALTY_MEAN[codes] + 0.8 * rng.standard_normal(len(row)),
        cust["loyalty_latent"].to_numpy()[np.maximum(row, 0)],
    )
    return seconds, row, codes, loyalty


def _response_frame(rng, cust, row, seconds, first) -> pd.DataFrame:
    """Metadata of each response: ids, survey, wave, channel, time, duration, language, weight."""
    n = len(row)
    iso = _iso(seconds, first)
    in_2024 = np.array([s.startswith("2024") for s in iso])
    survey_p = np.where(in_2024[:, None], [0.50, 0.15, 0.35], [0.82, 0.18, 0.0])
    survey = np.asarray(SURVEYS)[_choice_rows(rng, survey_p)]
    kiosk = survey == "kiosk_pulse"
    channel = np.asarray(RESPONSE_CHANNELS)[rng.choice(8, n, p=_RESP_CHANNEL_P)]
    touchpoint = np.asarray(TOUCHPOINTS)[rng.integers(0, 6, n)]
    median = np.array([_DURATION_MEDIAN[s] for s in survey])
    weight = np.exp(0.35 * rng.standard_normal(n))
    ids = cust["customer_id"].to_numpy()
    return pd.DataFrame(
        {
            "customer_id": np.where(row >= 0, ids[np.maximum(row, 0)], ""),
            "survey": survey,
            "wave": _wave(iso),
            "channel": np.where(kiosk, "kiosk", channel),
            "touchpoint": np.where(kiosk, "store", touchpoint),
            "submitted_at": iso,
            "duration_s": np.round(
                median * np.exp(_DURATION_SIGMA * rng.standard_normal(n))
            ).astype(np.int64),
            "language": np.where(rng.random(n) < _ZH_SHARE, "zh", "en"),
            "weight": np.round(weight / weight.mean(), 4),
            "_seconds": seconds,
        }
    )


def _simulate_responses(
    rng: np.random.Generator, cust: pd.DataFrame, start: str, end: str, response_rate: float
) -> pd.DataFrame:
    """Clean survey responses in the raw form each survey asked them, sorted by time.

    Hidden columns (prefixed ``_``) keep the archetype and the canonical driver answers.
    """
    first, span = _window(start, end)
    seconds, row, arch, loyalty = _respondents(rng, cust, response_rate, span)
    meta = _response_frame(rng, cust, row, seconds, first)
    z = _latent_drivers(rng, arch)
    canon = _cut(z, _CUTS_5)
    latent = _latent_outcomes(rng, z, arch)
    out = _outcome_answers(latent)
    kiosk = meta["survey"].to_numpy() == "kiosk_pulse"
    legacy = meta["survey"].to_numpy() == "legacy_2024"
    items = {
        "ltr": out["ltr"],
        "osat": np.where(kiosk, _osat_on_ten(latent["osat"]), out["osat"]),
        "ces": np.where(legacy, 8 - out["ces"], out["ces"]),
    }
    items.update(zip(DRIVERS, _raw_drivers(canon).T, strict=True))
    items.update(
        zip([f"imp_{d}" for d in DRIVERS], _stated_importance(rng, len(row)).T, strict=True)
    )
    items.update(
        zip([f"brand_{t}" for t in TOUCHPOINTS], _brand_answers(rng, z, loyalty).T, strict=True)
    )
    items.update(
        zip(
            ("loy_standard", "loy_premium", "loy_improve"),
            _loyalty_answers(rng, loyalty, latent["ltr"]).T,
            strict=True,
        )
    )
    items["attn_1"] = np.full(len(row), ATTENTION_EXPECT)
    zh = meta["language"].to_numpy() == "zh"
    says = rng.random(len(row)) < np.where((out["ltr"] >= 9) | (out["ltr"] <= 6), 0.75, 0.55)
    comment = [
        _comment(rng, zh[i], out["ltr"][i], canon[i]) if says[i] else "" for i in range(len(row))
    ]
    df = pd.concat([meta, pd.DataFrame(items)[list(ITEM_IDS)]], axis=1)
    df["comment"] = comment
    df["_archetype"] = np.asarray(ARCHETYPES)[arch]
    df = df.sort_values(["_seconds", "customer_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"R{i:07d}" for i in range(1, len(df) + 1)])
    return df


# ----------------------------------------------------------------------------------------------
# Unsolicited feedback
# ----------------------------------------------------------------------------------------------

_REVIEW_P = np.array(
    [
        [0.03, 0.05, 0.12, 0.35, 0.45],
        [0.08, 0.10, 0.20, 0.32, 0.30],
        [0.05, 0.08, 0.17, 0.35, 0.35],
        [0.12, 0.13, 0.22, 0.28, 0.25],
    ]
)


def _complaint_reasons(rng: np.random.Generator, arch: np.ndarray) -> np.ndarray:
    """A complaint reason per row; butterflies and strangers complain more about price."""
    probs = np.tile(_COMPLAINT_P, (len(arch), 1))
    probs[:, _COMPLAINT_REASONS.index("price_too_high")] *= _PRICE_BOOST[arch]
    return np.asarray(_COMPLAINT_REASONS)[_choice_rows(rng, probs)]


def _feedback_reasons(rng: np.random.Generator, kind: np.ndarray, arch: np.ndarray) -> tuple:
    """Reason code and (for reviews) 1-5 rating of each feedback item."""
    n = len(kind)
    complaint = _complaint_reasons(rng, arch)
    praise = np.where(rng.random(n) < 0.5, "praise_staff", "praise_product")
    rating = _choice_rows(rng, _REVIEW_P[arch]) + 1
    by_rating = np.where(
        rating >= 4, "praise_product", np.where(rating == 3, "suggestion_feature", complaint)
    )
    reason = np.select(
        [
            np.isin(kind, ["complaint", "call_note"]),
            kind == "compliment",
            kind == "suggestion",
            kind == "review",
        ],
        [complaint, praise, "suggestion_feature", by_rating],
        np.where(rng.random(n) < 0.6, complaint, praise),
    )
    return reason, np.where(kind == "review", rating, 0)


def _feedback_text(rng: np.random.Generator, kind: str, reason: str, zh: bool) -> str:
    """Templated feedback text in Chinese or English for a kind and reason."""
    lang = 1 if zh else 0
    return _pick_str(rng, _KIND_FRAME[kind][lang]) + _pick_str(rng, _FEEDBACK_TEXT[reason][lang])


def _simulate_feedback(
    rng: np.random.Generator, cust: pd.DataFrame, start: str, end: str, n: int
) -> pd.DataFrame:
    """Complaints, compliments, suggestions, reviews, call notes and social posts, by time."""
    first, span = _window(start, end)
    seconds = (rng.random(n) * span * 86400).astype(np.int64)
    eligible = np.searchsorted(cust["offset"].to_numpy(), seconds // 86400, side="right")
    linked = (rng.random(n) < 0.7) & (eligible > 0)
    row = np.where(linked, (rng.random(n) * eligible).astype(np.int64), 0)
    arch = np.where(
        linked,
        cust["archetype_code"].to_numpy()[row],
        rng.choice(len(ARCHETYPES), n, p=ARCHETYPE_SHARES),
    )
    kind = np.asarray(FEEDBACK_KINDS)[rng.choice(len(FEEDBACK_KINDS), n, p=_KIND_P)]
    reason, rating = _feedback_reasons(rng, kind, arch)
    touchpoint = np.array([_REASON_TP[r] for r in reason])
    touchpoint[(reason == "suggestion_feature") & (rng.random(n) < 0.4)] = "website"
    channel = np.array(
        [
            _KIND_CHANNELS[k][0][
                int(
                    np.searchsorted(
                        np.cumsum(_KIND_CHANNELS[k][1]), u * sum(_KIND_CHANNELS[k][1]), side="right"
                    )
                )
            ]
            for k, u in zip(kind, rng.random(n), strict=True)
        ]
    )
    zh = rng.random(n) < _ZH_SHARE
    text = [_feedback_text(rng, k, r, z) for k, r, z in zip(kind, reason, zh, strict=True)]
    p_resolved = np.select([kind == "complaint", kind == "call_note"], [0.85, 0.5], 0.0)
    resolve_s = seconds + np.round(np.exp(np.log(36 * 3600) + rng.standard_normal(n)))
    resolved = (rng.random(n) < p_resolved) & (resolve_s < span * 86400)
    df = pd.DataFrame(
        {
            "customer_id": np.where(linked, cust["customer_id"].to_numpy()[row], ""),
            "channel": channel,
            "touchpoint": touchpoint,
            "created_at": _iso(seconds, first),
            "kind": kind,
            "text": text,
            "rating": np.where(rating > 0, rating.astype(str), ""),
            "rating_scale": np.where(rating > 0, "1-5", ""),
            "reason": reason,
            "resolved_at": np.where(resolved, _iso(resolve_s.astype(np.int64), first), ""),
            "_language": np.where(zh, "zh", "en"),
            "_seconds": seconds,
            "_archetype": np.asarray(ARCHETYPES)[arch],
        }
    )
    df = df.sort_values(["_seconds", "customer_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "feedback_id", [f"F{i:06d}" for i in range(1, n + 1)])
    return df


# ----------------------------------------------------------------------------------------------
# Planting defects
# ----------------------------------------------------------------------------------------------


class _Plan:
    """One table being spoiled: which rows are still clean, the extra rows, the defect log.

    Base rows keep their position as sort key; extra rows (copies, orphans, test accounts) get
    fractional keys, so the written order is known only at :meth:`assemble`, which turns every
    logged row into its 1-based data-record number.
    """

    def __init__(
        self, rng: np.random.Generator, table: str, df: pd.DataFrame, rates: dict, start: str
    ):
        self.rng, self.table, self.rates, self.start = rng, table, rates, start
        self.df = df.reset_index(drop=True).copy()
        self.n = len(self.df)
        self.used = np.zeros(self.n, dtype=bool)
        self.log: list[dict] = []
        self.decoys: list[dict] = []
        self.extra: list[pd.DataFrame] = []
        self.extra_keys: list[float] = []

    def count(self, defect: str) -> int:
        """How many rows get ``defect``: rate x clean rows, at least a few when the rate is > 0."""
        rate = float(self.rates.get(f"{self.table}.{defect}", 0.0))
        return 0 if rate <= 0 else max(_MIN_DEFECTS, int(round(rate * self.n)))

    def take(self, k: int, mask: np.ndarray | None = None, what: str = "") -> np.ndarray:
        """Reserve ``k`` still-clean rows (optionally only where ``mask``), sorted."""
        free = ~self.used if mask is None else ~self.used & mask
        pool = np.flatnonzero(free)
        if len(pool) < k:
            raise ValueError(
                f"{self.table}: only {len(pool)} clean rows left to plant {k} "
                f"'{what}' defects; generate a larger world or lower the rate"
            )
        pick = np.sort(self.rng.choice(pool, k, replace=False)) if k else pool[:0]
        self.used[pick] = True
        return pick

    def note(
        self, row: int, defect: str, column: str = "", detail: str = "", ref: int | None = None
    ) -> None:
        """Log a defect on internal row ``row``; ``ref`` = internal row it copies."""
        self.log.append(
            {"_row": int(row), "defect": defect, "column": column, "detail": detail, "_ref": ref}
        )

    def add_row(self, values: pd.DataFrame, key: float) -> int:
        """Append one extra row at sort key ``key``; returns its internal row number."""
        self.extra.append(values)
        self.extra_keys.append(key)
        return self.n + len(self.extra) - 1

    def copy_later(self, row: int, defect: str = "duplicate_exact") -> int:
        """A verbatim copy of base row ``row`` placed somewhere after it."""
        key = float(self.rng.integers(row, self.n)) + 0.5
        new = self.add_row(self.df.iloc[[row]], key)
        self.note(new, defect, ref=row)
        return new

    def assemble(self, id_col: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Final table in written order, its defect log and its decoy log."""
        full = pd.concat([self.df, *self.extra], ignore_index=True) if self.extra else self.df
        keys = np.concatenate([np.arange(self.n, dtype=float), np.asarray(self.extra_keys)])
        order = np.argsort(keys, kind="stable")
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(1, len(order) + 1)
        final = full.iloc[order].reset_index(drop=True)
        ids = full[id_col].astype(str).to_numpy()
        return final, self._frame(self.log, position, ids), self._frame(self.decoys, position, ids)

    def _frame(self, records: list[dict], position: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
        """Log records with source_row and record_id resolved."""
        rows = []
        for rec in records:
            detail = rec["detail"]
            if rec.get("_ref") is not None:
                ref = rec["_ref"]
                what = "copy" if rec["defect"] == "duplicate_exact" else "near copy"
                detail = f"{what} of record {position[ref]} ({ids[ref]})" + detail
            rows.append(
                {
                    "table": self.table,
                    "source_row": int(position[rec["_row"]]),
                    "record_id": ids[rec["_row"]],
                    "defect": rec["defect"],
                    "column": rec["column"],
                    "detail": detail,
                }
            )
        return pd.DataFrame(
            rows, columns=["table", "source_row", "record_id", "defect", "column", "detail"]
        )


def _id_variant(rng: np.random.Generator, cid: str) -> str:
    """A malformed spelling of a canonical customer id: lower case, padded and/or hyphenated."""
    forms = (
        cid.lower(),
        f" {cid}",
        f"{cid} ",
        f"  {cid.lower()} ",
        f"{cid[0]}-{cid[1:]}",
        f"{cid[0].lower()}-{cid[1:]}",
        f" {cid[0]}-{cid[1:]}",
    )
    return _pick_str(rng, forms)


def _spoil_text(plan: _Plan, col: str, zh: np.ndarray) -> None:
    """Personal data and HTML in free text, one kind per row, plus unlogged decoys."""
    rng, df = plan.rng, plan.df
    for defect in ("pii_email", "pii_phone", "pii_id_card", "pii_bank_card", "html"):
        for i in plan.take(plan.count(defect), what=defect):
            text = df.at[i, col]
            if defect == "html":
                new, planted = _with_html(rng, text, bool(zh[i]))
            else:
                new, planted = _with_pii(rng, defect, text, bool(zh[i]))
            df.at[i, col] = new
            plan.note(i, defect, col, planted)
    k = int(round(_DECOY_RATE * plan.n))
    for i in plan.take(min(k, int((~plan.used).sum()) // 3), what="decoy"):
        decoy = _decoy(rng, bool(zh[i]), plan.start)
        text = df.at[i, col]
        sentence = decoy + "。" if zh[i] else decoy[0].upper() + decoy[1:] + "."
        df.at[i, col] = (text + sentence) if zh[i] else f"{text} {sentence}".strip()
        plan.decoys.append({"_row": int(i), "defect": "decoy", "column": col, "detail": decoy})


def _plant_customers(plan: _Plan, span: int) -> None:
    """Test accounts (extra rows), malformed ids and exact duplicates in the customer table."""
    rng, df = plan.rng, plan.df
    first = np.datetime64(plan.start, "D")
    for i in range(plan.count("test_record")):
        day = first + int(rng.integers(0, span))
        row = pd.DataFrame(
            {
                "customer_id": [f"TEST-{i + 1:04d}"],
                "first_seen": [str(day)],
                "region": [_pick_str(rng, REGIONS)],
                "tier": ["internal"],
                "acquisition_channel": ["store"],
                "cost_to_serve": ["0.00"],
            }
        )
        new = plan.add_row(row, float(rng.integers(0, plan.n + 1)) - 0.5)
        plan.note(new, "test_record", "customer_id", "internal test account, tier 'internal'")
    for i in plan.take(plan.count("customer_id_format"), what="customer_id_format"):
        cid = df.at[i, "customer_id"]
        df.at[i, "customer_id"] = bad = _id_variant(rng, cid)
        plan.note(i, "customer_id_format", "customer_id", f"{cid} written as '{bad}'")
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(i)


def _plant_transactions(plan: _Plan, n_customers: int, span: int) -> None:
    """Orphan transactions (unknown customer) and exact duplicates."""
    rng, df = plan.rng, plan.df
    first = np.datetime64(plan.start, "s")
    ts = df["ts"].to_numpy()
    for i in range(plan.count("orphan")):
        row = df.iloc[[int(rng.integers(plan.n))]].copy()
        # an id above every real customer's (the bound scales so a million customers still fit)
        upper = max(1_000_000, 2 * n_customers + 1_000)
        cid = f"C{int(rng.integers(n_customers + 1, upper)):06d}"
        when = (first + int(rng.integers(0, span * 86400))).astype("datetime64[us]")
        row["transaction_id"], row["customer_id"], row["ts"] = f"T{plan.n + i + 1:08d}", cid, when
        key = float(np.searchsorted(ts, np.datetime64(when), side="right")) - 0.25
        plan.note(
            plan.add_row(row, key), "orphan", "customer_id", f"customer {cid} is not in customers"
        )
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(i)


def _raw_scale(item: str, survey: str) -> tuple[int, int]:
    """Scale an item was asked on in a survey (kiosk osat ran on 1-10)."""
    return (1, 10) if (item == "osat" and survey == "kiosk_pulse") else _ITEM_SCALE[item]


def _spoil_rows(plan: _Plan) -> None:
    """Row-level response defects: speeders, straight-liners, failed checks, test records."""
    rng, df = plan.rng, plan.df
    for i in plan.take(plan.count("speeder"), what="speeder"):
        median = _DURATION_MEDIAN[df.at[i, "survey"]]
        d = int(rng.integers(15, min(81, int(median / 3.3))))
        df.at[i, "duration_s"] = str(d)
        plan.note(i, "speeder", "duration_s", f"{d} s, survey median about {median:.0f} s")
    for i in plan.take(plan.count("straight_liner"), what="straight_liner"):
        v = str(int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.1, 0.3, 0.35, 0.2])))
        for d in DRIVERS:
            df.at[i, d] = v
        plan.note(i, "straight_liner", "", f"all 12 raw driver answers = {v}")
    for i in plan.take(plan.count("attention_check"), what="attention_check"):
        v = str(int(rng.choice([1, 2, 3, 5], p=[0.2, 0.25, 0.3, 0.25])))
        df.at[i, "attn_1"] = v
        plan.note(i, "attention_check", "attn_1", f"answered {v}, expected {ATTENTION_EXPECT}")
    for n, i in enumerate(plan.take(plan.count("test_record"), what="test_record")):
        if n % 2 == 0:
            df.at[i, "customer_id"] = cid = _pick_str(rng, ("TEST", "QA")) + f"-{n + 1:04d}"
            plan.note(i, "test_record", "customer_id", cid)
        else:
            df.at[i, "comment"] = word = "测试" if df.at[i, "language"] == "zh" else "test"
            plan.note(i, "test_record", "comment", word)


def _spoil_cells(plan: _Plan) -> None:
    """Cell-level response defects: malformed ids, full-width characters, out-of-range values."""
    rng, df = plan.rng, plan.df
    linked = df["customer_id"].str.match(r"^C\d{6}$").to_numpy()
    answerable = [c for c in ITEM_IDS if c != "attn_1"]
    for i in plan.take(plan.count("customer_id_format"), linked, "customer_id_format"):
        cid = df.at[i, "customer_id"]
        df.at[i, "customer_id"] = bad = _id_variant(rng, cid)
        plan.note(i, "customer_id_format", "customer_id", f"{cid} written as '{bad}'")
    for i in plan.take(plan.count("full_width"), what="full_width"):
        u = rng.random()
        col = (
            "customer_id"
            if u < 0.35 and linked[i]
            else "duration_s"
            if u < 0.55
            else _pick_str(rng, answerable)
        )
        old = df.at[i, col]
        df.at[i, col] = new = _full_width(old)
        plan.note(i, "full_width", col, f"'{old}' written as '{new}'")
    for i in plan.take(plan.count("out_of_range"), what="out_of_range"):
        col = _pick_str(rng, answerable)
        lo, hi = _raw_scale(col, df.at[i, "survey"])
        v = int(rng.choice([lo - 1, hi + 1, hi + 2, 99]))
        df.at[i, col] = str(v)
        plan.note(i, "out_of_range", col, f"{v} outside [{lo}, {hi}]")


def _spoil_duplicates(plan: _Plan) -> None:
    """Near duplicates (same customer and answers, minutes later) and exact copies."""
    rng, df = plan.rng, plan.df
    first = np.datetime64(plan.start, "D")
    seconds = df["_seconds"].to_numpy()
    later = _wave(_iso(seconds + 1800, first)) == df["wave"].to_numpy()
    linked = df["customer_id"].str.match(r"^C\d{6}$").to_numpy()
    for n, i in enumerate(
        plan.take(plan.count("duplicate_near"), linked & later, "duplicate_near")
    ):
        row = df.iloc[[i]].copy()
        delta = int(rng.integers(60, 1801))
        median = _DURATION_MEDIAN[df.at[i, "survey"]]
        old = int(df.at[i, "duration_s"])
        dur = old
        while dur == old:
            dur = int(round(median * np.exp(_DURATION_SIGMA * rng.standard_normal())))
        row["response_id"] = f"R{plan.n + n + 1:07d}"
        row["submitted_at"] = _iso(np.array([seconds[i] + delta]), first)[0]
        row["duration_s"], row["_seconds"] = str(dur), seconds[i] + delta
        key = float(np.searchsorted(seconds, seconds[i] + delta, side="right")) - 0.25
        new = plan.add_row(row, key)
        plan.note(
            new, "duplicate_near", "", f", {delta // 60} min {delta % 60} s later", ref=int(i)
        )
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(int(i))


def _as_text(df: pd.DataFrame, columns) -> pd.DataFrame:
    """Columns turned into their written text form (CSV cells are text)."""
    out = df.copy()
    for c in columns:
        out[c] = out[c].astype(str)
    return out


def _plant_responses(plan: _Plan) -> None:
    """All response defects, in an order that keeps row-level defects on distinct rows."""
    _spoil_rows(plan)
    _spoil_cells(plan)
    zh = (plan.df["language"] == "zh").to_numpy()
    _spoil_text(plan, "comment", zh)
    _spoil_duplicates(plan)


def _design_notes(final: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Per-row notes of survey design the clean stage harmonises (not defects)."""
    rows = []
    for pos, (rid, survey) in enumerate(
        zip(final["response_id"], final["survey"], strict=True), start=1
    ):
        if survey == "kiosk_pulse":
            rows.append(
                (
                    "responses",
                    pos,
                    rid,
                    "scale_mapped",
                    "osat",
                    "osat asked on 1-10 (kiosk_pulse); map to 1-5",
                )
            )
        elif survey == "legacy_2024":
            rows.append(
                (
                    "responses",
                    pos,
                    rid,
                    "reverse_scale",
                    "ces",
                    "ces asked reversed, 1 = easiest (legacy_2024); recode 8 - x",
                )
            )
    notes = pd.DataFrame(rows, columns=log.columns)
    return pd.concat([log, notes], ignore_index=True) if len(log) else notes


def _plant_feedback(plan: _Plan) -> None:
    """Empty texts, full-width ids, personal data, HTML and exact duplicates in feedback."""
    rng, df = plan.rng, plan.df
    for i in plan.take(plan.count("empty_text"), what="empty_text"):
        df.at[i, "text"] = blank = _pick_str(rng, ("", " ", "   ", "\t"))
        plan.note(i, "empty_text", "text", "empty" if not blank else "whitespace only")
    linked = (df["customer_id"] != "").to_numpy()
    for i in plan.take(plan.count("full_width"), linked, "full_width"):
        old = df.at[i, "customer_id"]
        df.at[i, "customer_id"] = new = _full_width(old)
        plan.note(i, "full_width", "customer_id", f"'{old}' written as '{new}'")
    _spoil_text(plan, "text", (df["_language"] == "zh").to_numpy())
    for i in plan.take(plan.count("duplicate_exact"), what="duplicate_exact"):
        plan.copy_later(int(i))


# ----------------------------------------------------------------------------------------------
# Writing and the public entry point
# ----------------------------------------------------------------------------------------------

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
    "reason",
    "resolved_at",
]
_LOG_COLUMNS = ["table", "source_row", "record_id", "defect", "column", "detail"]


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


class _CodebookDumper(yaml.SafeDumper):
    """YAML dumper writing short lists of numbers or ids in flow style (``scale: [1, 5]``)."""


def _flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    """Lists of scalars in flow style, anything else in block style."""
    flow = all(isinstance(v, (int, float, str)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_CodebookDumper.add_representer(list, _flow_list)


def _write_codebook(path: Path) -> None:
    """The codebook as UTF-8 YAML, items in codebook order."""
    with open(path, "w", encoding="utf-8") as fh:
        yaml.dump(
            codebook(), fh, Dumper=_CodebookDumper, allow_unicode=True, sort_keys=False, width=100
        )


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
    cust = _simulate_customers(streams[0], n_customers, start, end)
    tx = _simulate_transactions(streams[1], cust, start, end)
    resp = _simulate_responses(streams[2], cust, start, end, response_rate)
    fb = _simulate_feedback(streams[3], cust, start, end, n_feedback)
    return cust, tx, resp, fb, streams[4]


def _spoil_world(
    rng: np.random.Generator, cust, tx, resp, fb, rates: dict, start: str, end: str
) -> tuple:
    """Plant every defect; returns the four written tables, the defect log and the decoy log."""
    span = _window(start, end)[1]
    streams = rng.spawn(4)
    plans = {
        "customers": _Plan(
            streams[0],
            "customers",
            _as_text(
                cust[CUSTOMER_COLUMNS].assign(
                    cost_to_serve=cust["cost_to_serve"].map("{:.2f}".format)
                ),
                CUSTOMER_COLUMNS,
            ),
            rates,
            start,
        ),
        "transactions": _Plan(streams[1], "transactions", tx, rates, start),
        "responses": _Plan(streams[2], "responses", _as_text(resp, RESPONSE_COLUMNS), rates, start),
        "feedback": _Plan(streams[3], "feedback", fb, rates, start),
    }
    _plant_customers(plans["customers"], span)
    _plant_transactions(plans["transactions"], len(cust), span)
    _plant_responses(plans["responses"])
    _plant_feedback(plans["feedback"])
    ids = {name: SCHEMA_TABLES[name].id_column for name in TABLE_ORDER}
    tables, logs, decoys = {}, [], []
    for name, plan in plans.items():
        final, log, decoy = plan.assemble(ids[name])
        if name == "responses":
            log = _design_notes(final, log)
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
    _write_codebook(out / "codebook.yaml")


def _write_truth(
    out: Path, cust: pd.DataFrame, drivers: pd.DataFrame, log: pd.DataFrame, decoys: pd.DataFrame
) -> None:
    """Planted archetypes, driver truth, the defect log and the decoy log under ``truth/``."""
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    _archetype_truth(cust).to_parquet(folder / "archetypes.parquet", index=False)
    drivers.to_parquet(folder / "drivers.parquet", index=False)
    log[_LOG_COLUMNS].to_parquet(folder / "defects.parquet", index=False)
    decoys[_LOG_COLUMNS].to_parquet(folder / "decoys.parquet", index=False)


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
        ``truth.json``.
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
    tables, log, decoys = _spoil_world(spoil_rng, cust, tx, resp, fb, rates, start, end)
    drivers, population = _population_truth(truth_rng)
    _write_tables(out, tables)
    _write_truth(out, cust, drivers, log, decoys)
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
        "survey_duration_median_s": _DURATION_MEDIAN,
        "population": population,
    }
    with open(out / "truth" / "truth.json", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(truth, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
    return summary
