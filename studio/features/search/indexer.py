"""Writing the site's search data: a Pagefind index of pre-cut words, and the vocabulary.

Pagefind holds the index in small chunks that the browser fetches per query word, so the
data a search needs stays small on a site of thousands of pages. Studio feeds it text that
is already cut into words and normalized (:mod:`studio.features.search.segment`), in a language
Pagefind does not segment or stem (``und``), so the words are exactly Studio's.

Weights: title 10, keywords from front matter 8, headings 5, text 1, glossary equivalents
of words on the page 0.5 (times ``search.boost``). On a landing page (home, section index,
generated listing: :func:`~studio.features.search.records.mark_listings`) everything but
the title weighs a tenth: it links to the articles about a word, so it should list below
them unless the word is its title.

Pagefind shows snippets from the text it indexed. Where a page's own characters differ
from the index spelling (traditional pages), the page's words are put back into its
fragment file afterwards, so snippets show what the page says.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from studio.cache import Cache, key_of
from studio.errors import StudioError
from .normalize import fold, normalize
from .records import Record, mark_listings
from .segment import Segmenter

LANGUAGE = "und"  # not zh: Pagefind must neither segment nor stem Studio's words
PAGEFIND_DIR = "search/pagefind"
STUDIO_DIR = "search/studio"
BODY_ANCHOR = "studio-body"  # where a page's text starts (after title and keywords)
_KEEP = ("pagefind.js", "pagefind-entry.json", "wasm.", "pagefind.", "index/", "fragment/")
_PART_KEEP = ("pagefind-entry.json", "index/", "fragment/")  # and its .pf_meta: the runtime is the first part's
# Pages per Pagefind index. Pagefind holds a whole index in memory while it writes it (about
# 0.8 MB per long page: 8 GB at 10,000 pages), and one changed page re-indexes all of it; a
# bigger site is split into parts of about this size, indexed one after another and cached
# apart, which the browser searches together (Pagefind's mergeIndex: one runtime, one wasm).
INDEX_PAGES = 2000
_MAGIC = b"pagefind_dcd"
LISTING_BODY = 0.1
COMMON, COMMON_MIN_PAGES = 0.3, 200  # a word on more than 30% of the pages of a big site is common
WRITER_VERSION = "3"  # part of the cut-page cache key: bump when the words given to Pagefind change


@dataclass
class _Page:
    url: str
    html: str
    originals: dict[str, str] = field(default_factory=dict)  # index word -> page's word


class Synonyms:
    """Glossary names that stand for one another (企业微信 · 企微 · WeCom)."""

    def __init__(self, groups: list[list[str]]):
        self.groups = [(names, [fold(n) for n in names]) for names in groups if len(names) > 1]

    def related(self, folded_text: str) -> list[str]:
        out: list[str] = []
        for names, folded in self.groups:
            if any(f in folded_text for f in folded):
                out += names
        return out


def _weight(w: float, boost: float) -> str:
    return f"{min(10.0, w * boost):.3g}"


@dataclass
class Cut:
    """A page's words as the index holds them, without weights.

    Cutting (jieba) is the costly part of indexing and depends on the page alone, so it runs
    while the site is still rendering (:mod:`studio.features.search.background`) and is cached
    per page; the weights depend on the whole site (a landing page's body ranks low), so
    they are added once every page is known (:meth:`PageWriter.assemble`).
    """
    title: str
    keywords: str
    related: str
    sections: list[tuple[str | None, str, list[str]]]  # (heading id, heading words, paragraphs' words)
    originals: dict[str, str] = field(default_factory=dict)  # index word -> page's word


class PageWriter:
    def __init__(self, segmenter: Segmenter, synonyms: Synonyms):
        self.seg = segmenter
        self.synonyms = synonyms

    def words(self, text: str, originals: dict[str, str]) -> str:
        norm = normalize(text)  # one character for one: the spans hold in both
        out = []
        if norm == text:
            out = [text[a:b] for a, b in self.seg.spans(text, punctuation=True)]
        else:
            for a, b in self.seg.spans(text, punctuation=True):
                word = norm[a:b]
                if word != text[a:b]:
                    originals.setdefault(word, text[a:b])
                out.append(word)
        return html.escape(" ".join(out), quote=False)

    def cut(self, rec: Record) -> Cut:
        originals: dict[str, str] = {}
        everything = fold(" ".join([rec.title, *rec.keywords, *(s.title + " " + s.text for s in rec.sections)]))
        # names the glossary gives as equivalents, below the page's own words in rank
        related = [n for n in self.synonyms.related(everything) if fold(n) not in everything]
        return Cut(title=self.words(rec.title, originals),
                   keywords=self.words(" ".join(rec.keywords), originals) if rec.keywords else "",
                   related=self.words(" ".join(related), originals) if related else "",
                   sections=[(s.id, self.words(s.title, originals) if s.id else "",
                              [self.words(para, originals) for para in s.text.split("\n")]) for s in rec.sections],
                   originals=originals)

    @staticmethod
    def assemble(rec: Record, cut: Cut) -> _Page:
        """The HTML Pagefind indexes for ``rec``: its cut words with their weights."""
        b = rec.boost
        body = LISTING_BODY if rec.listing else 1.0  # a landing page's text ranks low; its title does not
        parts = ['<html lang="und"><body>',
                 f'<div data-pagefind-meta="title:{html.escape(rec.title)}"></div>',
                 f'<h1 data-pagefind-weight="{_weight(10, b)}">{cut.title}</h1>']
        if rec.keywords:
            parts.append(f'<p data-pagefind-weight="{_weight(8 * body, b)}">{cut.keywords}</p>')
        if cut.related:
            parts.append(f'<p data-pagefind-weight="{_weight(0.5 * body, b)}">{cut.related}</p>')
        parts.append(f'<span id="{BODY_ANCHOR}"></span>')
        for heading_id, heading, paras in cut.sections:
            if heading_id:
                parts.append(f'<h2 id="{html.escape(heading_id)}" data-pagefind-weight="{_weight(5 * body, b)}">'
                             f'{heading}</h2>')
            for para in paras:
                parts.append(f'<p data-pagefind-weight="{_weight(body, b)}">{para}</p>')
        parts.append("</body></html>")
        return _Page(rec.url, "\n".join(parts), cut.originals)

    def page(self, rec: Record) -> _Page:
        return self.assemble(rec, self.cut(rec))


def _source_path(url: str) -> str:
    """Where a page's HTML goes so that Pagefind gives it back ``/url``."""
    return url + "index.html" if url.endswith("/") or not url else url


def _program() -> str:
    """The Pagefind program: ``PAGEFIND_BINARY_PATH`` if set, else the plain build
    (``pagefind[bin]``), else whichever Pagefind's wrapper finds (the extended build, PATH).

    Studio hands Pagefind words it has cut itself, in no language (``und``), so the extended
    build's Chinese segmentation never runs; the plain build writes the same files in about
    three quarters of the time (1,000 long pages: 5.9 s against 7.6 s).
    """
    import os

    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return os.environ["PAGEFIND_BINARY_PATH"]
    try:
        from pagefind_bin import get_executable
    except ImportError:
        from pagefind.service import get_executable
    program = get_executable()
    if program is None:
        raise FileNotFoundError("no pagefind program is installed")
    return str(program)


def _pagefind(pages: list[_Page], out: Path) -> None:
    """Index ``pages`` with the Pagefind program (:func:`_program`).

    The command line crawls one directory of the pages' HTML; its files are the same as
    through Pagefind's Python wrapper, in half the time (the wrapper reads its answers slowly).
    """
    program = _program()
    with tempfile.TemporaryDirectory(prefix="studio-search-") as tmp:
        for p in pages:
            path = Path(tmp) / _source_path(p.url)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(p.html, encoding="utf-8")
        proc = subprocess.run([program, "--site", tmp, "--output-path", str(out), "--force-language", LANGUAGE],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError((proc.stderr or proc.stdout).strip()[-2000:] or f"exit status {proc.returncode}")


def _restore_originals(out: Path, pages: list[_Page]) -> None:
    """Put pages' own characters back into their fragments (same words, same positions)."""
    by_url = {"/" + p.url: p.originals for p in pages if p.originals}
    if not by_url:
        return
    for frag in (out / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(frag.read_bytes())
        if not raw.startswith(_MAGIC):
            return  # another fragment format: keep Pagefind's text as it is
        data = json.loads(raw[len(_MAGIC):])
        originals = by_url.get(data.get("url"))
        if not originals:
            continue

        def restore(text: str) -> str:
            words = text.split(" ")
            for i, w in enumerate(words):
                core = w.rstrip(".")
                if core in originals:
                    words[i] = originals[core] + w[len(core):]
            return " ".join(words)

        data["content"] = restore(data.get("content", ""))
        for anchor in data.get("anchors", []):
            anchor["text"] = restore(anchor.get("text", ""))
        frag.write_bytes(gzip.compress(_MAGIC + json.dumps(data, ensure_ascii=False).encode(), 9, mtime=0))


def write_index(records: list[Record], segmenter: Segmenter, synonyms: Synonyms, site_dir: Path,
                results: int, cache: Cache | None = None, fingerprint: str = "", progress=None,
                index_pages: int = INDEX_PAGES) -> dict:
    """Write Pagefind's index and Studio's vocabulary under ``site_dir/search``; return the manifest.

    ``cache`` (with ``fingerprint``, a hash of the dictionary and glossary) reuses the cut
    pages and the index of earlier builds (:mod:`studio.features.search.cache`).
    """
    from .cache import cut_pages

    cache = cache or Cache(None, "search")
    writer = PageWriter(segmenter, synonyms)
    cuts = cut_pages(writer, records, cache, WRITER_VERSION + fingerprint, progress)
    return write_cut(records, cuts, writer, site_dir, results, cache, index_pages, WRITER_VERSION + fingerprint)


WORDS_URL = "search/studio/words/"  # the words page of each index part (never a page of the site)


def _words_page(k: int, words: set[str]) -> _Page:
    """A page of part ``k`` holding ``words``, which none of its own pages has.

    Pagefind answers a word that an index lacks with the longest indexed word it starts
    with (复购率 → every page with 复购): on a site in parts, a part without the word would
    list pages that lack it. With every dictionary word of the site in every part, each
    part finds the word itself or nothing; the browser leaves this page out (its hash is
    in the manifest, ``hidden``).
    """
    text = " ".join(html.escape(w, quote=False) for w in sorted(words))
    return _Page(f"{WORDS_URL}{k}/", '<html lang="und"><body><div data-pagefind-meta="title:-"></div>'
                                     f'<p data-pagefind-weight="0.1">{text}</p></body></html>')


def _held_words(cuts) -> set[str]:
    """The dictionary words an index holds of pages cut as ``cuts``: a word held as parts
    (私域IP产能悖论) is its parts. One set per part, not per page: 10,000 pages' sets take
    hundreds of MB."""
    words: set[str] = set()
    long: set[str] = set()
    pieces: set[str] = set()
    for _, vocab, parts in cuts:
        words.update(vocab)
        long.update(parts)
        for ps in parts.values():
            pieces.update(ps)
    return (words - long) | pieces


def _fragment_hash(out: Path, url: str) -> str | None:
    """The Pagefind hash (its fragment's name) of the page at ``url`` in the index ``out``."""
    for frag in (out / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(frag.read_bytes())
        if raw.startswith(_MAGIC) and json.loads(raw[len(_MAGIC):]).get("url") == "/" + url:
            return frag.name.removesuffix(".pf_fragment")
    return None


def part_of(url: str, parts: int) -> int:
    """Which index part holds a page: by a hash of its URL, so that a page stays in its part
    (and the other parts' cache entries stay valid) when pages come and go."""
    return int.from_bytes(hashlib.sha1(url.encode()).digest()[:4], "big") % parts if parts > 1 else 0


def part_dir(k: int) -> str:
    """Where part ``k`` of the index goes, under the site: the first is Pagefind's own folder."""
    return PAGEFIND_DIR if k == 0 else f"{PAGEFIND_DIR}/part{k}"


def write_cut(records: list[Record], cuts: list[tuple], writer: PageWriter, site_dir: Path, results: int,
              cache: Cache, index_pages: int = INDEX_PAGES, fingerprint: str = "") -> dict:
    """:func:`write_index` for pages already cut: ``cuts[i]`` is (Cut, vocabulary, parts) of ``records[i]``.

    ``fingerprint`` (the cut words' cache fingerprint) lets the vocabulary files be reused
    when every page's cut words are those of an earlier build.
    """
    from .cache import cut_key, keep_files, link_files, reuse_index

    mark_listings(records)
    seg = writer.seg
    counts = seg.pages_with
    vocabulary_key = None
    if fingerprint and cache.enabled:
        vocabulary_key = key_of("search-vocabulary", fingerprint, results, index_pages,
                                [cut_key(fingerprint, r) for r in records])
    kept = cache.get(vocabulary_key) if vocabulary_key else None  # (manifest, files under STUDIO_DIR)
    base = site_dir / STUDIO_DIR
    if kept is not None:
        if base.exists():
            shutil.rmtree(base)
        if not link_files(base, kept[1], cache):  # a kept file is gone or was edited: count again
            kept = None
    pages = []
    for rec, (cut, vocab, parts) in zip(records, cuts):
        if kept is None:
            seg.vocab.update(vocab)
            for word in vocab:  # the dictionary words of one page: its document frequencies
                counts[word] = counts.get(word, 0) + 1
            seg.parts.update(parts)
        pages.append(writer.assemble(rec, cut))
    out = site_dir / PAGEFIND_DIR
    if out.exists():
        shutil.rmtree(out)
    count = max(1, -(-len(pages) // max(1, index_pages)))
    split: list[list[_Page]] = [[] for _ in range(count)]
    for page in pages:
        split[part_of(page.url, count)].append(page)
    if not split[0] and count > 1:  # the first part carries the runtime: never empty
        split[0] = split.pop(next(k for k, p in enumerate(split) if p))
    split = [split[0]] + [p for p in split[1:] if p]
    hidden = []
    if len(split) > 1:  # every dictionary word of the site in every part (_words_page)
        index_of = {rec.url: i for i, rec in enumerate(records)}
        held = [_held_words(cuts[index_of[p.url]] for p in part) for part in split]
        everywhere = set().union(*held)
        for k, part in enumerate(split):
            lacking = everywhere - held[k]
            if lacking:
                part.append(_words_page(k, lacking))
    for k, part in enumerate(split):  # one after another: one part in memory at a time
        where = site_dir / part_dir(k)
        # the words page's hash is looked up once, when the part is indexed, and cached with it
        words = part[-1].url if part and part[-1].url.startswith(WORDS_URL) else None
        hidden.append(reuse_index(part, where, cache, lambda part=part, where=where, k=k, words=words:
                                  _index(part, where, runtime=k == 0, words=words)))
    if kept is not None:
        return kept[0]
    # each glossary name as the index holds it (its words, folded): the browser searches a
    # query word's other names too, so an alias counts as the word (个微 → 个人微信)
    groups = [[" ".join(fold(w) for w in seg.words(n)) for n in names] for names, _ in writer.synonyms.groups]
    manifest = write_vocabulary(seg, site_dir, results, pages=len(records),
                                synonyms=[[n for n in g if n] for g in groups],
                                indexes=[part_dir(k) + "/" for k in range(1, len(split))],
                                hidden=[h for h in hidden if h])
    if vocabulary_key:
        cache.put(vocabulary_key, (manifest, keep_files(base, cache)))
    return manifest


def _index(pages: list[_Page], out: Path, runtime: bool = True, words: str | None = None) -> str | None:
    """Index ``pages`` into ``out``; return the hash of the words page at ``words``, if any."""
    try:
        _pagefind(pages, out)
    except FileNotFoundError as exc:
        raise StudioError(f"search: the Pagefind program is missing ({exc})",
                          hint="reinstall Studio (pip install -e .), which installs pagefind[bin]; "
                               "or set plugins.studio.search.engine: lunr") from None
    except Exception as exc:  # the Pagefind process failed: say so, without a traceback
        raise StudioError(f"search: Pagefind could not index the site: {exc}",
                          hint="run 'studio build -v' for details; search.engine: lunr avoids Pagefind") from None
    for path in out.iterdir():  # Pagefind's own UI bundles are not used: Material's box stays
        rel = path.name + ("/" if path.is_dir() else "")
        if not (rel.startswith(_KEEP) if runtime else rel.startswith(_PART_KEEP) or rel.endswith(".pf_meta")):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    _restore_originals(out, pages)
    return _fragment_hash(out, words) if words else None


def write_vocabulary(segmenter: Segmenter, site_dir: Path, results: int, pages: int = 0,
                     synonyms: list[list[str]] | None = None, indexes: list[str] | None = None,
                     hidden: list[str] | None = None) -> dict:
    count, shards = segmenter.vocabulary()
    base = site_dir / STUDIO_DIR
    if base.exists():
        shutil.rmtree(base)
    (base / "vocab").mkdir(parents=True)
    digest = hashlib.sha1()
    for i, shard in enumerate(shards):
        data = json.dumps(shard, ensure_ascii=False, separators=(",", ":")).encode()
        digest.update(data)
        (base / "vocab" / f"{i}.json").write_bytes(data)
    manifest = {"engine": "pagefind", "shards": count, "logtotal": segmenter.logtotal,
                "maxlen": max((len(w) for s in shards for w in s), default=1),
                "results": results, "pages": pages, "synonyms": synonyms or [],
                # the index's other parts (site paths), searched with the first (INDEX_PAGES)
                **({"indexes": indexes} if indexes else {}),
                # the parts' words pages (_words_page), by Pagefind hash: never a result
                **({"hidden": hidden} if hidden else {}),
                # words on more than COMMON of the pages: the browser does not look them up
                # when a query has rarer words (on 10,000 pages one costs a second)
                "common": sorted(w for w, n in segmenter.pages_with.items() if n > COMMON * pages)
                if pages >= COMMON_MIN_PAGES else [],
                "version": digest.hexdigest()[:10]}
    (base / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest
