"""What one page contributes to the search index: sections of text plus keywords.

A page's rendered HTML is cut into sections at its headings (Material's own parser, so the
anchors match Material's), and its front matter gives keywords: the values of the keys in
``search.keys`` (title, tags, name, brand, brand_en, industry …) and ``search.keywords``.
This works the same for every content type, including ones other features add later.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .normalize import strip_annotations

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|pre|ul|ol)>")
_SPACE = re.compile(r"[ \t\u00a0\u200b]+")
_RUBY_TEXT = re.compile(r"<(rt|rp)\b[^>]*>.*?</\1\s*>", re.S | re.I)  # <ruby>運<rt>yùn</rt></ruby>


@dataclass
class Section:
    id: str | None  # heading anchor; None for the part before the first heading
    title: str
    text: str


@dataclass
class Record:
    url: str  # relative to the site root, as Material's index has it
    title: str
    keywords: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    boost: float = 1.0
    # a landing page (home, section index, generated listing): its body ranks below content
    # pages; its title does not (studio.features.search.indexer)
    listing: bool | None = None  # None: guessed from the site's layout (mark_listings)


def _plain(parts: Iterable[str]) -> str:
    text = _BLOCK_END.sub("\n", "".join(parts))
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACE.sub(" ", strip_annotations(line)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def sections_of(content: str) -> list[Section]:
    """Sections of a page's HTML; blocks marked ``data-search-exclude`` are left out."""
    from material.plugins.search.plugin import Parser  # Material's section parser

    parser = Parser()
    parser.feed(_RUBY_TEXT.sub("", content))
    parser.close()
    out = []
    for s in parser.data:
        if s.is_excluded():
            continue
        title, text = _plain(s.title), _plain(s.text)
        if title or text:
            out.append(Section(s.id, title, text))
    return out


def flatten(value: Any) -> list[str]:
    """Every text value inside a front-matter value (lists and mappings included)."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return [text] if text else []
    if isinstance(value, dict):
        return [t for v in value.values() for t in flatten(v)]
    if isinstance(value, (list, tuple, set)):
        return [t for v in value for t in flatten(v)]
    return [str(value)]


def keywords_of(meta: dict[str, Any], keys: Iterable[str]) -> list[str]:
    words: list[str] = []
    for key in keys:
        words += flatten(meta.get(key))
    search = meta.get("search")
    if isinstance(search, dict):
        words += flatten(search.get("keywords"))
    seen, out = set(), []
    for w in words:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def record_of(url: str, title: str, content: str, meta: dict[str, Any], keys: Iterable[str]) -> Record | None:
    """The record of a page, or None when its front matter says ``search: {exclude: true}``."""
    search = meta.get("search") if isinstance(meta.get("search"), dict) else {}
    if search.get("exclude"):
        return None
    try:
        boost = float(search.get("boost", 1) or 1)
    except (TypeError, ValueError):
        boost = 1.0
    rec = Record(url=url, title=strip_annotations(title), keywords=keywords_of(meta, keys),
                 sections=sections_of(content), boost=boost)
    if isinstance(search.get("listing"), bool):
        rec.listing = search["listing"]  # front matter decides
    return rec


def mark_listings(records: list[Record]) -> list[Record]:
    """Landing pages, from the site's layout: the home page and every page whose URL is a
    folder other pages sit in (a section index, a generated listing of reports or
    personas). Front matter ``search: {listing: true|false}`` overrides the guess."""
    def folder(url: str) -> str:
        return url[: -len("index.html")] if url.endswith("index.html") else url

    parents = set()
    for r in records:
        path = folder(r.url).rstrip("/")
        while "/" in path:
            path = path.rsplit("/", 1)[0]
            parents.add(path + "/")
        if path:
            parents.add("")
    for rec in records:
        if rec.listing is None:
            rec.listing = folder(rec.url) == "" or folder(rec.url) in parents
    return records
