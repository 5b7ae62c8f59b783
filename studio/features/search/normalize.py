"""One spelling for index and query: traditional → simplified, full-width → ASCII.

Every mapping is one character to one character, so a normalized text has the same length
as the original and word boundaries found on it apply to the original unchanged (the site
shows the page's own characters, the index holds the normalized ones).

The traditional → simplified table comes from OpenCC's data (``t2s`` plus the Taiwan and
Hong Kong variant tables), taken character by character. The browser gets the same table
(:func:`table_js`), so a query typed in either script meets pages written in either.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

# CJK Unified Ideographs and Extension A: where traditional characters live. (Targets stay
# in the BMP: the browser's table pairs UTF-16 units.)
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))
_CONFIGS = ("t2s", "tw2s", "hk2s")


@lru_cache(maxsize=1)
def t2s_table() -> dict[str, str]:
    """{traditional or variant character: simplified character}, from OpenCC."""
    import opencc

    converters = [opencc.OpenCC(name) for name in _CONFIGS]
    chars = "".join(chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1))
    table: dict[str, str] = {}
    for conv in converters:
        # One character per line keeps OpenCC's phrase tables out of it: the mapping
        # must stay one-to-one so that positions survive.
        out = conv.convert("\n".join(chars)).split("\n")
        for src, dst in zip(chars, out):
            if len(dst) == 1 and ord(dst) < 0x10000 and dst != src and src not in table:
                table[src] = dst
    # A character that is itself a simplified form (么, 后, 里 …) is never rewritten,
    # even where OpenCC would read it as a variant of another one.
    simplified = set(table.values())
    return {k: v for k, v in table.items() if k not in simplified}


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    trans = {ord(k): v for k, v in t2s_table().items()}
    # full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) become ASCII; full-width
    # punctuation stays as written, it is part of Chinese prose.
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
        for c in range(lo, hi + 1):
            trans[c] = chr(c - 0xFEE0)
    return trans


def normalize(text: str) -> str:
    """The index spelling of ``text``: same length, simplified, ASCII digits and letters."""
    return text.translate(_translation())


def fold(text: str) -> str:
    """:func:`normalize` plus ASCII lower case: the form the segmenter and the index compare."""
    out = normalize(text)
    return out.translate(_LOWER) if not out.isascii() else out.lower()


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def table_js() -> str:
    """The browser's copy of the table, as a script that a (shimmed) worker can import."""
    pairs = "".join(k + v for k, v in sorted(t2s_table().items()))
    return ("/* Studio search: traditional → simplified, one character each, from OpenCC */\n"
            f"self.STUDIO_T2S = {json.dumps(pairs, ensure_ascii=False)};\n")


# Character annotations ---------------------------------------------------------------------
# Articles copied from the web often carry a reading after each character or word: pinyin
# with tone marks 運(yùn)營(yíng), numbered pinyin 复(fu4), zhuyin 運(ㄩㄣˋ), or ruby flattened
# into the text (運yùn營yíng). The words underneath are what people search for, so both the
# pages (at build time) and the query (in the worker, the same rules in JavaScript) drop
# them. A bracket after Chinese that holds an ordinary word — 企业微信(WeCom) — stays: only a
# syllable with a tone mark or number, or zhuyin, is an annotation; an unmarked syllable
# (the neutral tone, 的(de)) only inside a run of marked ones.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_HAN = r"[\u3400-\u4DBF\u4E00-\u9FFF]"
_ZHUYIN = r"[\u3105-\u312F\u31A0-\u31BFˊˇˋ˙]"
_SYLLABLE = rf"(?:[a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*|[a-zü]+[1-5])"
_PLAIN = r"[a-zü]{1,6}"
_BRACKETS = (r"[(（]\s*", r"\s*[)）]")
ANNOTATION = re.compile(
    rf"(?<={_HAN})\s?{_BRACKETS[0]}(?:{_SYLLABLE}(?:[\s'’·]+{_SYLLABLE})*|{_ZHUYIN}+){_BRACKETS[1]}")
NEUTRAL = re.compile(rf"(?<={_HAN}){_BRACKETS[0]}{_PLAIN}{_BRACKETS[1]}")
INLINE_PINYIN = re.compile(rf"(?<={_HAN}){_SYLLABLE}(?={_HAN}|[，。、；：！？,.;:!?\s]|$)")
INLINE_ZHUYIN = re.compile(rf"(?<={_HAN}){_ZHUYIN}+")


def strip_annotations(text: str) -> str:
    """``text`` without character annotations (pinyin, zhuyin, flattened ruby)."""
    if not text or text.isascii():
        return text
    out, marked = ANNOTATION.subn("", text)
    if marked >= 2:  # an annotated passage: the unmarked syllables are readings too
        out = NEUTRAL.sub("", out)
    out = INLINE_ZHUYIN.sub("", out)
    if len(INLINE_PINYIN.findall(out)) >= 2:
        out = INLINE_PINYIN.sub("", out)
    return out
