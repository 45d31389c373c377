"""The codebook of the synthetic survey: item wording (English and Chinese), owners, actions, and
its YAML form. The layout of a codebook is described in ``docs/data-model.md``."""

from __future__ import annotations

from pathlib import Path

import yaml

from cemlib.data.synth.planted import (
    ATTENTION_EXPECT,
    DRIVER_TP,
    DRIVERS,
    REVERSE_DRIVERS,
    TOUCHPOINTS,
)

__all__ = ["ITEM_IDS", "ITEM_SCALE", "codebook", "write_codebook"]

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
_LABELS = {  # short names for sentences and charts (codebook ``label``)
    "ltr": ("likelihood to recommend", "推荐意愿"),
    "osat": ("overall satisfaction", "总体满意度"),
    "ces": ("ease of getting things done", "客户费力度"),
    "web_findability": ("website findability", "网站易找性"),
    "web_checkout": ("website checkout", "网站结账"),
    "app_stability": ("app stability", "App稳定性"),
    "app_offers": ("app offers", "App优惠"),
    "staff_greeting": ("staff greeting", "店员招呼"),
    "staff_knowledge": ("staff product knowledge", "店员产品知识"),
    "delivery_wait": ("delivery speed", "送货速度"),
    "delivery_condition": ("delivery condition", "送达完好"),
    "product_quality": ("product quality", "产品质量"),
    "price_value": ("value for money", "性价比"),
    "service_resolution": ("first-contact resolution", "一次解决率"),
    "service_empathy": ("service empathy", "服务同理心"),
}
_NO_OWNER = ("brand_app", "loy_improve")  # deliberately lack owner and action


def _item(item_id, en, zh, scale, role, owner=None, action=None, **extra) -> dict:
    """One codebook entry in the layout of ``docs/data-model.md`` (codebook.yaml)."""
    entry = {"id": item_id, "text": {"en": en, "zh": zh}, "scale": list(scale), "role": role}
    if item_id in _LABELS:
        entry["label"] = dict(zip(("en", "zh"), _LABELS[item_id], strict=True))
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
        tp = TOUCHPOINTS[DRIVER_TP[j]]
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
                stage=int(DRIVER_TP[j]) + 1,
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
    """The codebook of the synthetic survey (format: ``docs/data-model.md``) as a plain dict."""
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
ITEM_SCALE = {item["id"]: tuple(item["scale"]) for item in codebook()["items"]}


class _CodebookDumper(yaml.SafeDumper):
    """YAML dumper writing short lists of numbers or ids in flow style (``scale: [1, 5]``)."""


def _flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    """Lists of scalars in flow style, anything else in block style."""
    flow = all(isinstance(v, (int, float, str)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_CodebookDumper.add_representer(list, _flow_list)


def write_codebook(path: Path) -> None:
    """The codebook as UTF-8 YAML, items in codebook order."""
    with open(path, "w", encoding="utf-8") as fh:
        yaml.dump(
            codebook(), fh, Dumper=_CodebookDumper, allow_unicode=True, sort_keys=False, width=100
        )
