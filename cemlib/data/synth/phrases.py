"""Phrase banks for the synthetic free text: survey comments by touchpoint and tone, feedback by
reason and kind, in English and Chinese (pure data).

No phrase holds an ASCII digit, '@', '<' or '>': personal data, HTML and decoy numbers are
planted on purpose (:mod:`cemlib.data.synth.pii`) and must be the only ones a rule can find.
Each entry is a pair ``(English options, Chinese options)``.
"""

from __future__ import annotations

__all__ = ["CLOSERS", "COMMENT_NEG", "COMMENT_POS", "FEEDBACK_TEXT", "KIND_FRAME", "OPENERS"]

COMMENT_POS = {
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
COMMENT_NEG = {
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
OPENERS = {
    "pos": (("", "Overall very happy. ", "Great experience. "), ("", "总体很满意。", "体验很好。")),
    "neg": (("", "Disappointed. ", "Not happy. "), ("", "很失望。", "不太满意。")),
}
CLOSERS = {
    "pos": (("", " Keep it up!", " Will buy again."), ("", "继续加油！", "还会再来。")),
    "neg": (("", " Please fix this.", " I expect better."), ("", "希望尽快改进。", "希望能重视。")),
}
FEEDBACK_TEXT = {
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
KIND_FRAME = {  # (en prefix, zh prefix) by kind of feedback
    "complaint": (("", "I want to complain. "), ("", "我要投诉，")),
    "compliment": (("",), ("",)),
    "suggestion": (("", "A suggestion: "), ("", "提个建议：")),
    "review": (("",), ("",)),
    "call_note": (("Customer called: ", "Call note: "), ("客户来电反映：", "来电记录：")),
    "social": (("Posted on social media: ",), ("网友留言：",)),
}
