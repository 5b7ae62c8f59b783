"""The search build, reused: cut pages from ``.cache/`` and the index when nothing changed.

Cutting 1,000 long Chinese pages into words costs most of a cold build, and Pagefind's
indexing most of the rest. A page's words depend only on its record (title, keywords,
text) and on the dictionary and glossary, so each page's result is cached under a hash of
those (:mod:`studio.cache`); pages whose cache entry is missing are cut on every core.
Pagefind's files depend only on the pages it is given, so the whole index is reused when
every page is unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from studio.cache import Cache, key_of
from .forks import each


def cut_page(writer, rec) -> tuple:
    """One page cut by ``writer``: its :class:`~.indexer.Cut` with the vocabulary it added."""
    seg = writer.seg
    saved = seg.vocab, seg.parts
    seg.vocab, seg.parts = {}, {}
    try:
        return writer.cut(rec), seg.vocab, seg.parts
    finally:
        seg.vocab, seg.parts = saved


def cut_key(fingerprint: str, rec) -> str:
    """A page's cut words depend on its text and the dictionary, not on its weights."""
    return key_of("search-cut", fingerprint, rec.url, rec.title, rec.keywords,
                  [(s.id, s.title, s.text) for s in rec.sections])


def cut_pages(writer, records: list, cache: Cache, fingerprint: str,
              progress: Callable[[int], None] | None = None) -> list:
    """Every record's cut words, from the cache or cut (on all cores when there are many)."""
    keys = [cut_key(fingerprint, r) for r in records]
    results: list = [cache.get(k) for k in keys]
    missing = [i for i, r in enumerate(results) if r is None]
    if progress and len(missing) < len(records):
        progress(len(records) - len(missing))

    def done(k: int, result) -> None:
        results[missing[k]] = result
        cache.put(keys[missing[k]], result)
        if progress:
            progress(1)

    each(lambda k: cut_page(writer, records[missing[k]]), len(missing), done)
    return results


def reuse_index(pages: list, out: Path, cache: Cache, build: Callable[[], object]) -> object:
    """Pagefind's files in ``out``: copied from the cache when the pages are the same,
    else built by ``build()`` and stored; returns what ``build()`` returned (kept with them)."""
    try:
        from importlib.metadata import version

        engine = version("pagefind")
    except Exception:
        engine = "?"
    key = key_of("pagefind-index", engine, [(p.url, p.html, sorted(p.originals.items())) for p in pages])
    kept = cache.get(key)
    if kept is not None:
        files, told = kept
        write_files(out, files)
        return told
    told = build()
    if cache.enabled:
        cache.put(key, (files_under(out), told))
    return told


def files_under(base: Path) -> dict[str, bytes]:
    """Every file under ``base`` (relative path -> bytes): a folder of output, to cache."""
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def write_files(base: Path, files: dict[str, bytes]) -> None:
    """:func:`files_under`'s folder written back under ``base``."""
    for rel, data in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
