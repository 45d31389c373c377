"""Words of a verbatim for analysis, in Chinese, English and the two mixed.

The text a customer wrote is shown as written; what is *analysed* is a normalised copy:
Traditional characters mapped to Simplified (OpenCC's ``t2s`` profile, so 閃退 and 闪退 count as
one word), Latin letters lower-cased, and the text split into runs of one script. Han runs are
segmented by jieba (Sun 2012; a prefix-dictionary DAG with an HMM for unknown words) with the
domain words of customer experience added (:data:`DOMAIN_WORDS`, and any the user adds), Latin
runs by a word pattern. Stop words of both languages are dropped, so "the" and "的" never label a
theme.

A code-mixed text ("App老是闪退 again") yields the words of both scripts in their order.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "DOMAIN_WORDS",
    "STOP_WORDS_EN",
    "STOP_WORDS_ZH",
    "analysis_text",
    "content_words",
    "to_simplified",
    "tokenize",
]

#: Words of retail and service CX that jieba's general dictionary splits or does not know.
#: Users add their own with the ``domain_words`` parameter of :func:`tokenize`.
DOMAIN_WORDS = (
    "闪退", "卡顿", "到账", "退款", "退货", "换货", "物流", "快递", "快递员", "配送", "送货",
    "客服", "人工客服", "热线", "店员", "店长", "收银员", "会员价", "性价比", "购物车", "下单",
    "结账", "付款", "优惠券", "积分", "售后", "差评", "好评", "缺货", "破损", "漏发", "错发",
    "排队", "等了", "没人接", "不耐烦", "态度差", "质量问题", "开线", "登录不上", "预约",
)  # fmt: skip

#: English function words and the verbs of every complaint ("was", "have"): they carry no theme.
STOP_WORDS_EN = frozenset(
    """a about above after again all also am an and any are as at be been before being below
    between both but by can could did do does doing down during each even ever every few for
    from further get got had has have having he her here hers him his how i if in into is it its
    itself just let me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some still such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself s t don didn doesn isn wasn
    im ive id youre its one two really much many thing things""".split()
)

#: Chinese function words, particles and pronouns (a short list: jieba keeps content words whole).
STOP_WORDS_ZH = frozenset(
    """的 了 和 是 在 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 就 也 都 还 又 很 太 非常
    特别 真 真的 吧 吗 呢 啊 呀 哦 嗯 把 被 给 让 对 从 到 跟 与 及 并 而 但 但是 可是 不过 因为
    所以 如果 就是 还是 一个 一下 一些 有 没 没有 不 会 能 要 想 说 觉得 感觉 东西 什么 怎么
    为什么 已经 之后 以后 时候 现在 今天 一直 每次 有点 比较 之前 这样 那样 自己 其他 别的""".split()
)

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z][A-Za-z'’-]*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with Traditional Chinese characters mapped to Simplified (OpenCC ``t2s``); any
    other character unchanged. For analysis only: reports show what the customer wrote.

    >>> to_simplified("閃退，退款還沒到賬")
    '闪退，退款还没到账'
    """
    if not _HAN.search(text):
        return text
    return str(_converter().convert(text))


def analysis_text(text: str) -> str:
    """The copy of a verbatim that is analysed: Simplified characters, lower-case Latin."""
    return to_simplified(text).lower()


@functools.lru_cache(maxsize=8)
def _segmenter(domain_words: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not the user's business
    tokenizer = jieba.Tokenizer()
    for word in DOMAIN_WORDS + domain_words:
        tokenizer.add_word(word)
    return tokenizer


def read_domain_words(path: str | Path | None) -> tuple[str, ...]:
    """The words of a user dictionary file (one word per line, ``#`` starts a comment); empty
    for no file. A jieba dictionary line ("word freq tag") is read by its first field."""
    if not path:
        return ()
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        field = line.split("#", 1)[0].split()
        if field:
            words.append(field[0])
    return tuple(words)


def tokenize(text: str, domain_words: Sequence[str] = ()) -> list[str]:
    """The words of ``text`` in order (Simplified, lower-case), stop words included.

    >>> tokenize("App老是閃退 again!")
    ['app', '老是', '闪退', 'again']
    """
    words: list[str] = []
    segmenter = None
    for run in _RUNS.findall(analysis_text(text)):
        if _HAN.match(run):
            segmenter = segmenter or _segmenter(tuple(domain_words))
            words.extend(w for w in segmenter.lcut(run) if w.strip())
        else:
            words.append(run.strip("'’-"))
    return [w for w in words if w]


def content_words(text: str, domain_words: Sequence[str] = ()) -> list[str]:
    """:func:`tokenize` without stop words and single Latin letters: what labels a theme."""
    return [
        w
        for w in tokenize(text, domain_words)
        if w not in STOP_WORDS_EN and w not in STOP_WORDS_ZH and not (len(w) == 1 and w.isascii())
    ]


def is_han(word: str) -> bool:
    """True when ``word`` is written in Han characters (a Chinese word)."""
    return bool(_HAN.match(word))


def split_by_script(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(english, chinese)`` words of a list, in order."""
    en: list[str] = []
    zh: list[str] = []
    for w in words:
        (zh if is_han(w) else en).append(w)
    return en, zh
