"""Cutting Chinese text into the words the index holds, the same way for pages and queries.

Pages are cut at build time with jieba (no HMM guessing, so every word is a dictionary
word) plus Studio's domain dictionary and the user's glossary. Long words that are made of
shorter dictionary words are indexed as those parts (私域IP产能悖论 → 私域 ip 产能 悖论), so a
query for any part finds them.

The browser repeats jieba's exact algorithm (the same DAG and route) over the *vocabulary*
of the site: every word the pages were cut into, with jieba's frequencies, written in
small shards (:meth:`Segmenter.vocabulary`). A query typed without spaces is therefore cut
like the text it should find, not greedily.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

from .normalize import fold

# jieba's own definition of a run it segments (re_han_default) and of an ASCII letter.
RUN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")
_ENG = re.compile(r"^[a-zA-Z0-9]$")
_ALNUM = re.compile(r"[a-z0-9]+")
_WORDY = re.compile(r"\w", re.UNICODE)


def builtin_terms() -> list[tuple[str, int | None]]:
    """Studio's domain dictionary (``studio/features/search/dictionary.txt``)."""
    text = (resources.files(__package__) / "dictionary.txt").read_text(encoding="utf-8")
    return list(parse_terms(text.splitlines()))


def parse_terms(lines: Iterable[str]) -> Iterator[tuple[str, int | None]]:
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):  # a comment line ("C#" inside a line is a term)
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        yield parts[0], freq


@lru_cache(maxsize=1)
def _base_tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


def _fast_tokenizer():
    """jieba's algorithm in C++ (jieba_fast_dat) over jieba's own dictionary: the same cuts,
    about ten times faster. None when it is not installed (then jieba cuts)."""
    try:
        import jieba
        import jieba_fast_dat
    except ImportError:
        return None
    logging.getLogger("jieba_fast_dat").setLevel(logging.WARNING)
    from pathlib import Path

    tk = jieba_fast_dat.Tokenizer(dictionary=str(Path(jieba.__file__).parent / "dict.txt"))
    tk.initialize()
    return tk


class Segmenter:
    """jieba with Studio's dictionary; records the vocabulary the browser needs."""

    def __init__(self, terms: Iterable[tuple[str, int | None]] = ()):
        import copy

        self._kinds: dict[str, tuple[bool, int, list[str] | None]] = {}  # word -> (wordy, freq, parts)
        self._split_cache: dict[str, list[str]] = {}
        base = _base_tokenizer()
        # a private copy: the dictionary of one project never leaks into another build
        self.tk = copy.copy(base)
        self.tk.FREQ = dict(base.FREQ)
        self.tk.user_word_tag_tab = {}
        self.fast = _fast_tokenizer()  # cuts; self.tk keeps the frequencies
        for word, freq in [*builtin_terms(), *terms]:
            self.add(word, freq)
        if self.fast is not None and abs(self.fast.total - self.tk.total) > 1e-6 * self.tk.total:
            self.fast = None  # not the same dictionary (jieba_fast_dat reads 3 of 60M differently)
        self.vocab: dict[str, int] = {}
        self.pages_with: dict[str, int] = {}  # dictionary word -> pages holding it (cache.cut_pages)
        self.parts: dict[str, list[str]] = {}

    def add(self, word: str, freq: int | None = None) -> None:
        word = fold(word.strip())
        if word and not word.isspace():
            # jieba's suggest_freq(word, tune=True) when no frequency is given: high enough
            # that the word is never cut apart.
            freq = freq if freq else max(self.tk.suggest_freq(word, False), 10_000)
            self.tk.add_word(word, freq)
            if self.fast is not None:
                self.fast.add_word(word, freq)
            self._kinds.clear()
            self._split_cache.clear()

    @property
    def logtotal(self) -> float:
        return math.log(self.tk.total)

    # ---------------------------------------------------------------------------
    def spans(self, text: str, punctuation: bool = False) -> list[tuple[int, int]]:
        """(start, end) of each indexed word of ``text``; spaces left out, and punctuation
        too unless asked for (the index text keeps it, so that snippets read well).

        ``text`` is the page's own text; the cut is made on its folded form, which has the
        same length, so the spans apply to the original characters.
        """
        folded = fold(text)
        out: list[tuple[int, int]] = []
        pos = 0
        kinds, vocab = self._kinds, self.vocab
        # a page has a few thousand words but a few hundred distinct ones: what a word is
        # (a word or punctuation, its frequency, its parts) is worked out once per Segmenter
        for word in (self.fast or self.tk).cut(folded, HMM=False):
            n = len(word)
            kind = kinds.get(word)
            if kind is None:
                kind = kinds[word] = self._kind(word)
            wordy, freq, parts = kind
            if wordy:
                if freq > 0:  # the browser needs every dictionary word it may meet, singles too
                    vocab[word] = freq
                if parts is None:
                    out.append((pos, pos + n))
                else:
                    self.parts[word] = parts
                    off = pos
                    for p in parts:
                        out.append((off, off + len(p)))
                        off += len(p)
            elif punctuation and not word.isspace():
                out.append((pos, pos + n))
            pos += n
        return out

    def _kind(self, word: str) -> tuple[bool, int, list[str] | None]:
        """(has a letter or digit, dictionary frequency, its parts if indexed as several)."""
        if not _WORDY.search(word):
            return False, 0, None
        parts = self.split(word) if len(word) >= 3 else [word]
        return True, self.tk.FREQ.get(word, 0), parts if len(parts) > 1 else None

    def words(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.spans(text)]

    def split(self, word: str) -> list[str]:
        """A long word as shorter dictionary words (or ASCII runs) covering it exactly, if any."""
        hit = self._split_cache.get(word)
        if hit is not None:
            return hit
        n = len(word)
        freq = self.tk.FREQ
        logtotal = self.logtotal
        best: list[tuple[float, int] | None] = [None] * (n + 1)
        best[n] = (0.0, n)
        for i in range(n - 1, -1, -1):
            choice = None
            m = _ALNUM.match(word, i)
            ends = [m.end()] if m else []
            ends += [j for j in range(i + 2, n + 1) if (j - i) < n and freq.get(word[i:j], 0) > 0]
            for j in ends:
                if best[j] is None:
                    continue
                score = math.log(freq.get(word[i:j]) or 1) - logtotal + best[j][0]
                if choice is None or score > choice[0]:
                    choice = (score, j)
            best[i] = choice
        parts = [word]
        if best[0] is not None:
            parts, i = [], 0
            while i < n:
                j = best[i][1]
                parts.append(word[i:j])
                i = j
            if len(parts) < 2:
                parts = [word]
        self._split_cache[word] = parts
        return parts

    # ---------------------------------------------------------------------------
    def vocabulary(self, target_bytes: int = 6000) -> tuple[int, list[dict]]:
        """The words seen so far, sharded by first character for the browser.

        Each shard maps word → frequency, or → [frequency, "part part …"] for words the
        index holds as parts. Returns (number of shards, shards).
        """
        entries: dict[str, object] = {}
        for word, freq in self.vocab.items():
            parts = self.parts.get(word)
            entries[word] = [freq, " ".join(parts)] if parts else freq
        size = sum(len(w.encode()) + 8 for w in entries)
        count = max(1, math.ceil(size / target_bytes))
        shards: list[dict] = [{} for _ in range(count)]
        for word, value in sorted(entries.items()):
            shards[ord(word[0]) % count][word] = value
        return count, shards
