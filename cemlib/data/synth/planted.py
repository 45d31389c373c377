"""The planted parameters of the synthetic world: defect rates, archetypes, survey design, feedback.

Everything the generator draws from is set here, so the truth it plants can be read in one
place: the default rate of every planted defect, the archetype shares and the latent
value x loyalty parameters of each archetype (Reinartz & Kumar, 2002), the buying process
(BG/NBD style, Fader, Hardie & Lee, 2005), the survey design (touchpoints, drivers, the planted
driver weights of each outcome, stated importance, surveys and their durations), the taxonomy
of planted reasons (themes) shared by survey comments and feedback, and the mix of unsolicited
feedback. Arrays indexed by archetype follow :data:`cemlib.data.schema.ARCHETYPES`
(strategic, butterfly, barnacle, stranger).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACQ_CHANNELS",
    "ACQ_LATE_DECAY",
    "ACQ_P",
    "ARCHETYPE_SHARES",
    "ATTENTION_EXPECT",
    "BRAND_MU",
    "CHINESE_SHARE",
    "COMPLAINT_P",
    "COMPLAINT_REASONS",
    "COST_MEDIAN",
    "CUTS_5",
    "DECOY_RATE",
    "DEFAULT_DEFECT_RATES",
    "DRIVERS",
    "DRIVER_COMPLAINT",
    "DRIVER_MU",
    "DRIVER_TP",
    "DROPOUT_MEDIAN",
    "DROPOUT_SD_LOGIT",
    "DURATION_MEDIAN",
    "DURATION_SIGMA",
    "FACTOR_SHIFT",
    "KIND_CHANNELS",
    "KIND_P",
    "LAMBDA_MEAN",
    "LAMBDA_SHAPE",
    "LOAD_COMMON",
    "LOAD_SPECIFIC",
    "LOAD_TP",
    "LOYALTY_ITEM_MU",
    "LOYALTY_MEAN",
    "MARGIN_RATE",
    "MARGIN_SD",
    "MIN_DEFECTS",
    "MIXED_SHARE",
    "OUTCOMES",
    "OUTCOME_NOISE",
    "OUTCOME_P",
    "OUTCOME_SCALE",
    "OUTCOME_SHIFT",
    "POPULATION_DRAWS",
    "PRAISE_P",
    "PRAISE_REASONS",
    "PRE_WINDOW",
    "PRICE_BOOST",
    "PROMO_CONC",
    "PROMO_DISCOUNT",
    "PROMO_MARGIN_CUT",
    "PROMO_MEAN",
    "REASONS",
    "REASON_LABELS",
    "REASON_POLARITY",
    "REASON_TP",
    "REGIONS",
    "REGION_P",
    "RESPONSE_PROPENSITY",
    "RESP_CHANNEL_P",
    "RETURN_P",
    "REVERSE_DRIVERS",
    "REVIEW_P",
    "REVIEW_PRAISE_P",
    "SPEND_MEDIAN",
    "SPEND_SD_CUSTOMER",
    "SPEND_SD_TX",
    "STATED_MU",
    "SURVEYS",
    "TOUCHPOINTS",
    "TOUCHPOINT_PRAISE",
    "TRADITIONAL_SHARE",
    "TX_CHANNELS",
    "TX_CHANNEL_P",
    "WEIGHTS",
]

# ----------------------------------------------------------------------------------------------
# Planted defects: "table.defect" -> fraction of the table's clean rows (min. MIN_DEFECTS rows)
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
MIN_DEFECTS = 3
DECOY_RATE = 0.03  # share of free texts given a harmless long number, price or date
POPULATION_DRAWS = 400_000

# ----------------------------------------------------------------------------------------------
# Archetypes (order: strategic, butterfly, barnacle, stranger)
# ----------------------------------------------------------------------------------------------

ARCHETYPE_SHARES = np.array([0.15, 0.20, 0.30, 0.35])
# Latent value x loyalty is four-cornered: archetype means of the value ingredients (rate x spend
# x margin) and of the dropout probability lie well apart with moderate spread inside an archetype
# (an oracle on the true parameters separates them almost perfectly), while Poisson purchase
# noise, the two-year window and acquisition dates make every single observed feature overlap.
LAMBDA_MEAN = np.array([20.0, 45.0, 14.0, 11.0])  # purchases per year while active
LAMBDA_SHAPE = np.array([8.0, 8.0, 3.0, 8.0])  # gamma shape (1 / squared CV)
# P(inactive after a purchase), logit-normal around the median: strategic customers and barnacles
# stay for decades, butterflies for months (~25 purchases), strangers for one or two purchases
DROPOUT_MEDIAN = np.array([0.0015, 0.04, 0.0015, 0.5])
DROPOUT_SD_LOGIT = np.array([0.35, 0.35, 0.35, 0.7])
SPEND_MEDIAN = np.array([110.0, 120.0, 30.0, 60.0])  # CNY per purchase, customer median
SPEND_SD_CUSTOMER = 0.3
SPEND_SD_TX = 0.55
MARGIN_RATE = np.array([0.34, 0.26, 0.24, 0.22])
MARGIN_SD = 0.04
PROMO_MEAN = np.array([0.12, 0.55, 0.15, 0.25])
PROMO_CONC = 12.0
PRE_WINDOW = np.array([0.5, 0.02, 0.5, 0.45])  # share acquired in the three years before start
# in-window acquisition day ~ span x Beta(1, decay): 1 = uniform; butterflies came mostly with the
# promotional acquisition drive early in the window, strangers' acquisition slowed a little
ACQ_LATE_DECAY = np.array([1.0, 3.0, 1.0, 1.5])
PROMO_DISCOUNT, PROMO_MARGIN_CUT = 0.85, 0.12
RETURN_P = np.array([0.02, 0.05, 0.017, 0.027])
LOYALTY_MEAN = np.array([0.9, -0.6, 0.5, -0.6])  # emotional loyalty (customer latent)
COST_MEDIAN = np.array([60.0, 85.0, 45.0, 50.0])  # cost to serve, CNY per year
RESPONSE_PROPENSITY = np.array([1.3, 0.8, 1.15, 0.85])

REGIONS = ("华东", "华北", "华南", "华中", "西南", "东北", "西北")
REGION_P = np.array([0.30, 0.18, 0.20, 0.10, 0.11, 0.06, 0.05])
ACQ_CHANNELS = ("store", "online", "app", "referral")
ACQ_P = np.array(
    [
        [0.30, 0.25, 0.20, 0.25],
        [0.25, 0.40, 0.25, 0.10],
        [0.40, 0.30, 0.18, 0.12],
        [0.35, 0.35, 0.20, 0.10],
    ]
)  # by archetype
TX_CHANNELS = ("store", "online", "app")
TX_CHANNEL_P = np.array(
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
DRIVER_TP = np.repeat(np.arange(6), 2)
DRIVER_MU = np.array([0.35, -0.25, 0.15, -0.35, 0.45, -0.05, 0.50, 0.40, 0.30, -0.45, 0.05, 0.20])
LOAD_COMMON, LOAD_TP = 0.6, 0.25
LOAD_SPECIFIC = float(np.sqrt(1 - LOAD_COMMON**2 - LOAD_TP**2))
CUTS_5 = np.array([-1.7, -0.95, -0.05, 0.95])
FACTOR_SHIFT = np.array([0.35, 0.0, 0.1, -0.2])  # archetype shift of the common driver factor

OUTCOMES = ("ltr", "osat", "ces")
WEIGHTS = {  # planted weights on the latent drivers, codebook order
    "ltr": [0.03, 0.01, 0.03, 0.0, 0.07, 0.27, 0.05, 0.05, 0.42, 0.08, 0.33, 0.10],
    "osat": [0.02, 0.06, 0.0, 0.02, 0.08, 0.05, 0.26, 0.24, 0.36, 0.20, 0.12, 0.02],
    "ces": [0.26, 0.34, 0.24, 0.0, 0.0, 0.06, 0.10, 0.02, 0.03, 0.0, 0.30, 0.05],
}
OUTCOME_SHIFT = {  # archetype shift on top of the drivers
    "ltr": np.array([0.45, 0.0, 0.15, -0.25]),
    "osat": np.array([0.3, 0.05, 0.1, -0.15]),
    "ces": np.array([0.15, 0.0, 0.05, -0.05]),
}
OUTCOME_NOISE = {"ltr": 0.75, "osat": 0.7, "ces": 0.7}
OUTCOME_SCALE = {"ltr": (0, 10), "osat": (1, 5), "ces": (1, 7)}
OUTCOME_P = {  # target answer distribution of each outcome, lowest category first
    "ltr": [0.03, 0.015, 0.02, 0.025, 0.03, 0.06, 0.07, 0.12, 0.19, 0.20, 0.24],
    "osat": [0.04, 0.08, 0.20, 0.40, 0.28],
    "ces": [0.03, 0.05, 0.08, 0.14, 0.25, 0.27, 0.18],
}
# what customers SAY matters: price/value and speed over-stated, staff and emotion under-stated
STATED_MU = np.array([0.35, 0.95, 0.8, 0.6, -0.55, -0.2, 1.05, 0.55, 0.2, 1.25, 0.0, -0.45])
BRAND_MU = np.array([0.0, -0.3, 0.45, 0.1, 0.35, 0.15])
LOYALTY_ITEM_MU = np.array([0.0, -0.35, -0.2])
ATTENTION_EXPECT = 4

SURVEYS = ("relationship", "kiosk_pulse", "legacy_2024")
DURATION_MEDIAN = {"relationship": 330.0, "kiosk_pulse": 270.0, "legacy_2024": 300.0}
DURATION_SIGMA = 0.22
RESP_CHANNEL_P = np.array([0.32, 0.10, 0.15, 0.20, 0.0, 0.07, 0.13, 0.03])
CHINESE_SHARE = 0.65

# ----------------------------------------------------------------------------------------------
# Planted reasons (themes) of the free text: one taxonomy for feedback and survey comments
# ----------------------------------------------------------------------------------------------

REASONS = (
    "delivery_late",
    "product_defect",
    "rude_staff",
    "price_too_high",
    "app_crash",
    "refund_slow",
    "long_wait",
    "website_confusing",
    "praise_staff",
    "praise_product",
    "praise_delivery",
    "praise_digital",
    "suggestion_feature",
)
REASON_POLARITY = {  # -1 complaint, +1 praise, 0 neutral
    **dict.fromkeys(REASONS[:8], -1),
    **dict.fromkeys(REASONS[8:12], 1),
    "suggestion_feature": 0,
}
REASON_LABELS = {  # reason -> (English label, Chinese label)
    "delivery_late": ("Late or missing delivery", "配送延迟或未送达"),
    "product_defect": ("Faulty or poor-quality product", "产品故障或质量差"),
    "rude_staff": ("Rude or unhelpful staff", "员工态度差"),
    "price_too_high": ("Prices too high", "价格太贵"),
    "app_crash": ("App crashes or freezes", "App闪退或卡顿"),
    "refund_slow": ("Slow refund", "退款太慢"),
    "long_wait": ("Long waits and queues", "等待或排队太久"),
    "website_confusing": ("Confusing website", "网站难用"),
    "praise_staff": ("Friendly, helpful staff", "员工热情周到"),
    "praise_product": ("Good product quality", "产品质量好"),
    "praise_delivery": ("Fast, reliable delivery", "配送快速可靠"),
    "praise_digital": ("Easy app and website", "App和网站好用"),
    "suggestion_feature": ("Feature suggestion", "功能建议"),
}
COMPLAINT_REASONS = REASONS[:8]
PRAISE_REASONS = REASONS[8:12]
# survey comments: a detractor complains about the driver they rated worst, a promoter praises
# the touchpoint of the driver they rated best (codebook driver order)
DRIVER_COMPLAINT = (
    "website_confusing",  # web_findability
    "website_confusing",  # web_checkout
    "app_crash",  # app_stability
    "app_crash",  # app_offers
    "rude_staff",  # staff_greeting
    "rude_staff",  # staff_knowledge
    "delivery_late",  # delivery_wait
    "delivery_late",  # delivery_condition
    "product_defect",  # product_quality
    "price_too_high",  # price_value
    "refund_slow",  # service_resolution
    "long_wait",  # service_empathy
)
TOUCHPOINT_PRAISE = {
    "website": "praise_digital",
    "app": "praise_digital",
    "store": "praise_staff",
    "delivery": "praise_delivery",
    "product": "praise_product",
    "service": "praise_staff",
}
TRADITIONAL_SHARE = 0.15  # Chinese texts written in Traditional characters
MIXED_SHARE = 0.05  # texts drawn from the code-mixed phrasings

# ----------------------------------------------------------------------------------------------
# Unsolicited feedback: kinds, reasons, channels, review ratings
# ----------------------------------------------------------------------------------------------

KIND_P = np.array([0.42, 0.13, 0.10, 0.17, 0.12, 0.06])
COMPLAINT_P = np.array([0.19, 0.17, 0.10, 0.10, 0.11, 0.12, 0.15, 0.06])  # COMPLAINT_REASONS
PRICE_BOOST = np.array([0.6, 2.8, 1.0, 2.2])  # butterflies and strangers complain about price
PRAISE_P = np.array([0.40, 0.35, 0.15, 0.10])  # compliments and social posts, PRAISE_REASONS
REVIEW_PRAISE_P = np.array([0.10, 0.55, 0.20, 0.15])  # reviews rated 4-5 praise the product most
REASON_TP = {
    "delivery_late": "delivery",
    "product_defect": "product",
    "rude_staff": "store",
    "price_too_high": "product",
    "app_crash": "app",
    "refund_slow": "service",
    "long_wait": "service",
    "website_confusing": "website",
    "praise_staff": "store",
    "praise_product": "product",
    "praise_delivery": "delivery",
    "praise_digital": "app",  # or website (half of them)
    "suggestion_feature": "app",  # or website (40 %)
}
KIND_CHANNELS = {
    "complaint": (("phone", "email", "web", "app", "store"), (0.3, 0.2, 0.2, 0.15, 0.15)),
    "compliment": (("email", "store", "web", "app"), (0.3, 0.35, 0.2, 0.15)),
    "suggestion": (("app", "web", "email"), (0.45, 0.35, 0.2)),
    "review": (("web", "app"), (0.55, 0.45)),
    "call_note": (("phone",), (1.0,)),
    "social": (("social",), (1.0,)),
}
REVIEW_P = np.array(  # review rating 1-5 by archetype
    [
        [0.03, 0.05, 0.12, 0.35, 0.45],
        [0.08, 0.10, 0.20, 0.32, 0.30],
        [0.05, 0.08, 0.17, 0.35, 0.35],
        [0.12, 0.13, 0.22, 0.28, 0.25],
    ]
)
