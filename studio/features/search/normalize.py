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
