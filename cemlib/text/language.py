"""Language of a free text ('zh', 'en' or 'und') from the scripts of its letters."""

from __future__ import annotations

__all__ = ["HAN_WEIGHT", "MIN_LETTERS", "ZH_SHARE", "detect_language"]


def _script_counts(s: str) -> tuple[int, int, int, int, int]:
    """Letters of ``s`` by script: Han, Latin, kana, Hangul, other."""
    han = latin = kana = hangul = other = 0
    for ch in s:
        code = ord(ch)
        if code < 0x80:
            if ch.isalpha():
                latin += 1
        elif (
            0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
            or 0x3400 <= code <= 0x4DBF  # Extension A
            or 0x20000 <= code <= 0x323AF  # Extensions B-H
            or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
            or code == 0x3007  # 〇
        ):
            han += 1
        elif 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
            kana += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            hangul += 1
        elif ch.isalpha():
            if code <= 0x024F or 0x1E00 <= code <= 0x1EFF:  # Latin-1, Extended-A/B, Additional
                latin += 1
            else:
                other += 1
    return han, latin, kana, hangul, other


#: Weight of one Han character against one Latin letter (a Chinese word is ~1.5 characters, an
#: English word ~5 letters).
HAN_WEIGHT = 3
#: Share of the weighted letters that must be Han for 'zh'.
ZH_SHARE = 0.4
#: Fewer weighted letters than this is too short to tell ("ok", "👍", "123").
MIN_LETTERS = 3


def detect_language(s: str) -> str:
    """Language of a text from the scripts of its letters: 'zh', 'en' or 'und'.

    A script-based detector, adequate for this project's Chinese/English voice of the customer:
    the two languages use disjoint scripts, so counting Han characters against Latin letters
    separates them without a statistical model, offline and deterministically. Each Han
    character weighs ``HAN_WEIGHT`` (3) Latin letters, roughly the information it carries. The
    text is 'zh' when Han makes up at least ``ZH_SHARE`` (40 %) of the weighted letters -- so
    ``"这个APP的UI很难用"`` is 'zh' and ``"I love 小米 phones"`` is 'en' -- otherwise 'en' when
    Latin letters are there; 'und' when the weighted letter count is below ``MIN_LETTERS``
    (empty, digits, emoji, ``"ok"``).

    Limits: any Latin-script language (French, pinyin, Spanish) is reported as 'en', and Han
    text in Japanese would be reported as 'zh'. To keep Japanese and Korean out, kana and Hangul
    are counted separately: when there are at least two of them and they make up at least a
    quarter of the CJK letters (Han + kana + Hangul), the text is 'und'. A stray kana in Chinese
    internet slang (``"我の世界"``) does not change the verdict. Text dominated by any other
    script (Cyrillic, Arabic, ...) is 'und'. Digits, punctuation and emoji are ignored.

    Parameters
    ----------
    s : str
        Text, ideally normalised and without HTML.

    Returns
    -------
    str
        'zh', 'en' or 'und'.
    """
    han, latin, kana, hangul, other = _script_counts(s)
    cjk = han + kana + hangul
    if kana + hangul >= 2 and (kana + hangul) * 4 >= cjk:
        return "und"
    weighted_han = HAN_WEIGHT * han
    total = weighted_han + latin
    if total < MIN_LETTERS or other > total:
        return "und"
    if weighted_han >= ZH_SHARE * total:
        return "zh"
    return "en"
