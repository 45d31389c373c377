"""Phrase banks for the synthetic free text (pure data): the frames around a sentence -- openers
and closers of survey comments by tone, prefixes of feedback by kind -- in English and Chinese.

The sentences themselves, one bank per planted reason shared by survey comments and feedback,
are in :mod:`cemlib.data.synth.phrases_reasons` (re-exported here). No phrase holds an ASCII
digit, '@', '<' or '>': personal data, HTML and decoy numbers are planted on purpose
(:mod:`cemlib.data.synth.pii`) and must be the only ones a rule can find. Each entry is a pair
``(English options, Chinese options)``.
"""

from __future__ import annotations

from cemlib.data.synth.phrases_reasons import MIXED_TEXT, REASON_TEXT

__all__ = ["CLOSERS", "KIND_FRAME", "MIXED_TEXT", "OPENERS", "REASON_TEXT"]

OPENERS = {
    "pos": (("", "Overall very happy. ", "Great experience. "), ("", "总体很满意。", "体验很好。")),
    "neg": (("", "Disappointed. ", "Not happy. "), ("", "很失望。", "不太满意。")),
}
CLOSERS = {
    "pos": (("", " Keep it up!", " Will buy again."), ("", "继续加油！", "还会再来。")),
    "neg": (("", " Please fix this.", " I expect better."), ("", "希望尽快改进。", "希望能重视。")),
}
KIND_FRAME = {  # (en prefix, zh prefix) by kind of feedback
    "complaint": (("", "I want to complain. "), ("", "我要投诉，")),
    "compliment": (("",), ("",)),
    "suggestion": (("", "A suggestion: "), ("", "提个建议：")),
    "review": (("",), ("",)),
    "call_note": (("Customer called: ", "Call note: "), ("客户来电反映：", "来电记录：")),
    "social": (("Posted on social media: ",), ("网友留言：",)),
}
