"""Phrase banks of the planted reasons (themes): what a customer writes about each reason, in
English and Simplified Chinese (pure data).

Survey comments and unsolicited feedback draw their sentence from the same bank, so one
taxonomy (:data:`cemlib.data.synth.planted.REASONS`) covers both. Each reason has many phrasings
that say the same thing in different words, so that neither a keyword list written for these
exact sentences nor a string match can stand in for reading them.

* :data:`REASON_TEXT` -- ``reason -> (English options, Chinese options)``. The ordinary banks keep
  to one script: no Latin letter in a Chinese phrasing (the app is 客户端, 应用 or 软件 there), no
  Han character in an English one.
* :data:`MIXED_TEXT` -- the code-mixed phrasings, ``reason -> (English with Chinese words,
  Chinese with English words)``: "App老是闪退", "the 客服 kept me waiting". A text drawn from
  here is the planted ``mixed`` text of the truth.

Phrases carry no final punctuation (the caller adds it) and, like every phrase bank of the
generator, no ASCII digit, '@', '<' or '>'.
"""

from __future__ import annotations

__all__ = ["MIXED_TEXT", "REASON_TEXT"]

REASON_TEXT = {
    "delivery_late": (
        (
            "My order still has not arrived and nobody can tell me where it is",
            "Delivery was promised for Monday but the parcel only came on Friday",
            "The courier missed the delivery window again",
            "Shipping took far too long",
            "I waited over a week for a package that should have taken two days",
            "The tracking says delivered but nothing ever reached my door",
            "My parcel turned up days later than promised",
            "Part of my order never showed up",
        ),
        (
            "订单到现在还没到，也没人告诉我物流情况",
            "说好周一送到，结果周五才到",
            "快递又没有按约定时间送货",
            "发货太慢了，等了好久",
            "物流显示已签收，可我根本没收到",
            "包裹比承诺的晚了好几天",
            "少送了一件东西，到现在也没补发",
            "配送速度太慢，催了几次都没用",
        ),
    ),
    "product_defect": (
        (
            "The item stopped working after a week",
            "I received a faulty product, the seam was already torn",
            "The product broke after a few days",
            "It came out of the box with a crack in the casing",
            "Poor quality, the zip came off the first time I used it",
            "The battery does not hold its charge at all",
            "The colour faded after one wash",
            "The material feels cheap and flimsy, quality has really gone down",
        ),
        (
            "东西用了一周就坏了",
            "收到的商品有质量问题，开线了",
            "用了没几天就出毛病了",
            "拆开就发现外壳有裂缝",
            "拉链第一次用就掉了，质量太差",
            "电池根本不耐用，充满没多久就没电",
            "洗了一次就褪色了",
            "做工粗糙，材料很廉价",
        ),
    ),
    "rude_staff": (
        (
            "The cashier was rude and rolled her eyes at me",
            "A staff member was very impolite when I asked for help",
            "I was treated badly by the store manager",
            "The shop assistant ignored me and kept chatting with a colleague",
            "The salesperson was condescending and unfriendly",
            "Staff seemed annoyed by my questions and were no help at all",
            "The employee at the counter snapped at me",
            "Nobody in the store bothered to greet me, the attitude was awful",
        ),
        (
            "收银员态度很差，还翻白眼",
            "我请店员帮忙，他很不耐烦",
            "店长对顾客态度恶劣",
            "店员只顾着聊天，根本不理人",
            "导购说话阴阳怪气，很不礼貌",
            "问了几个问题，店员就一脸嫌弃",
            "柜台的工作人员冲我发脾气",
            "进店半天没人招呼，服务意识太差",
        ),
    ),
    "price_too_high": (
        (
            "Prices went up again, I can find the same thing cheaper elsewhere",
            "Far too expensive compared with other shops",
            "Too expensive for what you get",
            "The member price is higher than the online price, which makes no sense",
            "Not worth the money at this price",
            "Prices keep creeping up while the discounts get smaller",
            "I like the products but they are becoming overpriced",
            "Hard to justify paying this much when competitors charge less",
        ),
        (
            "又涨价了，别家更便宜",
            "和其他店比太贵了",
            "太贵了，不值这个价",
            "会员价居然比网上还贵",
            "价格越来越高，优惠却越来越少",
            "性价比太低了",
            "东西不错，就是定价太高",
            "同样的东西别的平台便宜不少",
        ),
    ),
    "app_crash": (
        (
            "The app crashes every time I open the cart",
            "I cannot log in to the app since the last update",
            "The app froze during payment",
            "The app keeps crashing",
            "The app is slow and buggy",
            "The mobile app shuts down by itself whenever I scroll through products",
            "After the update the app just shows a blank screen",
            "The app hangs on the loading screen and I have to restart my phone",
        ),
        (
            "每次打开购物车客户端就闪退",
            "更新之后应用登录不上",
            "付款的时候软件卡死了",
            "手机客户端老是闪退",
            "这个应用又慢又卡",
            "一刷商品列表软件就自动退出",
            "升级以后打开应用只有白屏",
            "客户端一直卡在加载页面，只能重启手机",
        ),
    ),
    "refund_slow": (
        (
            "Still waiting for my refund after two weeks",
            "The refund process is far too slow",
            "I returned the item long ago and have not been refunded",
            "It took a month and several calls to get my money back",
            "My reimbursement keeps getting delayed",
            "They confirmed the return but the money never reached my account",
            "Getting a refund out of you is painfully slow",
            "Weeks later and my return is still being processed",
        ),
        (
            "退款两个星期了还没到账",
            "退款流程太慢了",
            "东西早就退回去了，钱还没退",
            "打了好几次电话才把钱退回来",
            "退款一拖再拖",
            "说已经确认退货，可钱一直没到账",
            "申请退款后迟迟没有处理",
            "退货退款要等一个多月，太折腾了",
        ),
    ),
    "long_wait": (
        (
            "I waited on hold for ages before anyone answered",
            "The queue at the checkout was endless",
            "Nobody picked up the hotline for half an hour",
            "I had to call customer service again and again before anyone got back to me",
            "There was only one till open and a huge line",
            "It took forever to reach an agent",
            "Waiting times on the helpline are ridiculous",
            "The chat support left me waiting for an hour",
        ),
        (
            "客服电话等了很久才有人接",
            "结账排队排了好久",
            "热线半个小时都没人接",
            "联系了好几次客服才有人回复",
            "只开了一个收银台，队伍排得老长",
            "转人工客服要等很久",
            "在线客服半天不回消息",
            "客服热线一直占线，等得心烦",
        ),
    ),
    "website_confusing": (
        (
            "The website is confusing and hard to search",
            "I could not find anything on the website",
            "Checkout on the website kept failing",
            "The site navigation is a mess",
            "Too many menus on the web page, I got lost",
            "The search on your site never shows what I am looking for",
            "The online shop layout is cluttered and hard to use",
            "I gave up ordering online because the website is so complicated",
        ),
        (
            "网站太乱，很难找到东西",
            "官网搜索根本不好用",
            "网站结账老是出错",
            "网页菜单太多，看得我头晕",
            "网上商城的页面设计太复杂了",
            "在官网上找个商品要翻半天",
            "网站的分类很混乱",
            "网页下单步骤太繁琐，最后放弃了",
        ),
    ),
    "praise_staff": (
        (
            "Many thanks to the staff member who helped me choose",
            "The team in the store was wonderful",
            "Your agent went out of her way to help me",
            "The store staff were friendly and knew their products",
            "Staff in the shop gave really helpful advice",
            "Lovely welcome in the store",
            "The customer service rep was patient and kind",
            "The employees were courteous and attentive",
        ),
        (
            "感谢帮我挑选的店员，非常耐心",
            "门店的小伙伴们服务特别好",
            "客服小姐姐特别用心，点赞",
            "门店店员很热情，也很专业",
            "店员给的建议很有帮助",
            "进店就有人热情招呼",
            "客服态度很好，耐心解答了我的问题",
            "工作人员礼貌又周到",
        ),
    ),
    "praise_product": (
        (
            "Love this product, best purchase this year",
            "Excellent quality, exactly what I wanted",
            "Works perfectly, highly recommended",
            "The quality of the product is excellent",
            "Really good value for the money",
            "The product works exactly as described",
            "Well made and durable, very pleased with it",
            "The material feels premium and the fit is great",
        ),
        (
            "非常喜欢这个产品，今年买得最值的东西",
            "质量很好，正是我想要的",
            "很好用，强烈推荐",
            "产品质量非常好",
            "性价比很高",
            "产品和描述的一模一样",
            "做工精细，很耐用",
            "用料扎实，穿着很舒服",
        ),
    ),
    "praise_delivery": (
        (
            "Delivery was quick and everything arrived in perfect condition",
            "My parcel came earlier than expected",
            "Well packed and on time",
            "Super fast shipping",
            "The courier arrived right on schedule",
            "Ordered in the evening and it was at my door the next morning",
            "Tracking was accurate and the package arrived when promised",
            "Fast and reliable delivery as always",
        ),
        (
            "送货很快，东西完好无损",
            "包裹比预期还早到",
            "包装很好，准时送达",
            "发货速度超快",
            "快递员准时上门",
            "晚上下单，第二天一早就收到了",
            "物流信息准确，按时送到",
            "配送又快又稳，一如既往",
        ),
    ),
    "praise_digital": (
        (
            "The website made it easy to find what I needed",
            "Ordering on the website was smooth",
            "The app is fast and reliable",
            "Great app, checkout takes seconds",
            "The online store is really easy to use",
            "I like how simple the app makes reordering",
            "The site is clean and easy to navigate",
            "Paying in the app was quick and painless",
        ),
        (
            "网站很好用，很快就找到了想要的东西",
            "官网下单很顺畅",
            "手机客户端很流畅，用起来很稳定",
            "网上商城操作简单，一看就会",
            "应用界面清爽，找东西很方便",
            "在手机上再次下单特别省事",
            "网页设计简洁，导航清楚",
            "软件里付款又快又方便",
        ),
    ),
    "suggestion_feature": (
        (
            "It would be great if the app could save my shopping list",
            "Please add a way to book a store appointment online",
            "It would help to have an evening delivery option",
            "I would like to be able to filter products by size",
            "Please consider adding a wish list to the website",
            "A dark mode in the app would be nice",
            "I would love a feature to compare products side by side",
            "It would be handy to get a reminder before my coupons expire",
        ),
        (
            "希望客户端能保存购物清单",
            "建议增加网上预约到店的功能",
            "希望能增加晚上送货的选项",
            "希望商品可以按尺码筛选",
            "建议官网加一个心愿单",
            "要是软件有夜间模式就好了",
            "希望能加个商品对比功能",
            "优惠券快过期时能提醒一下就好了",
        ),
    ),
}

MIXED_TEXT = {
    "delivery_late": (
        (
            "The 快递 still has not arrived",
            "My parcel is stuck somewhere, the 物流 page has not moved in days",
            "Delivery was late again, the 快递小哥 never showed up",
        ),
        (
            "快递的tracking一直不更新，包裹还没到",
            "delivery又delay了，等了好几天",
            "说好的express配送，结果晚了三天",
        ),
    ),
    "product_defect": (
        (
            "The 质量 is really poor, it broke within days",
            "Received a faulty item, a total 质量问题",
            "It stopped working, such bad 做工",
        ),
        (
            "这个product质量太差，用两天就坏了",
            "收到的货有defect，屏幕有划痕",
            "quality真的不行，一洗就破",
        ),
    ),
    "rude_staff": (
        (
            "The 店员 was really rude to me",
            "Staff had a terrible 态度 when I asked for help",
            "The 店长 shouted at a customer in front of me",
        ),
        (
            "店员的attitude太差了",
            "那个sales对人爱答不理",
            "门店的staff很不礼貌",
        ),
    ),
    "price_too_high": (
        (
            "Way too 贵 for what it is",
            "Prices are crazy, the 性价比 is just not there",
            "Everything got more expensive, not worth the 价格",
        ),
        (
            "price涨得太离谱了",
            "这个价格真的overpriced了",
            "会员价还不如别家的discount",
        ),
    ),
    "app_crash": (
        (
            "The app keeps 闪退 when I open my cart",
            "The app is so 卡, it freezes all the time",
            "After the update the app crashes, 无语",
        ),
        (
            "App老是闪退",
            "更新后App一直crash",
            "App付款页面卡死，只能重新login",
        ),
    ),
    "refund_slow": (
        (
            "Still no 退款 after weeks of waiting",
            "The 退款 process is painfully slow",
            "Returned the item ages ago and the refund is still 处理中",
        ),
        (
            "refund一直没到账",
            "申请退款半个月了还在processing",
            "退货早寄回了，money还没退",
        ),
    ),
    "long_wait": (
        (
            "Waited forever for the 客服 to answer",
            "The 排队 at the checkout was endless",
            "I was on hold for ages, the 热线 is useless",
        ),
        (
            "hotline一直打不通，等了半天",
            "结账的queue太长了",
            "转人工customer service要等好久",
        ),
    ),
    "website_confusing": (
        (
            "The 官网 is so confusing to navigate",
            "Could not find anything on the website, the 搜索 is useless",
            "The web page layout is a mess, far too 复杂",
        ),
        (
            "官网的UI太乱了，找不到东西",
            "website的搜索功能很难用",
            "网页checkout流程太复杂",
        ),
    ),
    "praise_staff": (
        (
            "The 店员 was super helpful and kind",
            "Shout out to the 客服 who sorted everything out patiently",
            "Staff were lovely, very 热情",
        ),
        (
            "店员的service特别nice",
            "客服小姐姐很professional",
            "staff都很热情",
        ),
    ),
    "praise_product": (
        (
            "Love it, the 质量 is excellent",
            "Great product, really 好用",
            "Excellent quality and great 性价比",
        ),
        (
            "quality很好，很满意",
            "这个product真的超好用",
            "质量很nice，推荐",
        ),
    ),
    "praise_delivery": (
        (
            "Super fast 快递, it arrived the next day",
            "Delivery was quick and the 包装 was perfect",
            "The 快递小哥 showed up right on time",
        ),
        (
            "delivery超快，第二天就到了",
            "快递很快，packaging也很好",
            "物流速度很fast",
        ),
    ),
    "praise_digital": (
        (
            "The app is 很好用, ordering is a breeze",
            "Love the website, super 方便",
            "Checkout in the app was smooth, 好评",
        ),
        (
            "App很好用，下单很方便",
            "网站的UI很清爽",
            "App付款很smooth",
        ),
    ),
    "suggestion_feature": (
        (
            "Please add a 收藏夹 feature to the app",
            "A 夜间模式 in the app would be really nice",
            "It would be great to have 预约 for store visits",
        ),
        (
            "希望App能加一个wishlist功能",
            "建议增加dark mode",
            "希望能支持evening delivery",
        ),
    ),
}
