"""The search build, reused: cut pages from ``.cache/`` and the index when nothing changed.

Cutting 1,000 long Chinese pages into words costs most of a cold build, and Pagefind's
indexing most of the rest. A page's words depend only on its record (title, keywords,
text) and on the dictionary and glossary, so each page's result is cached under a hash of
those (:mod:`studio.cache`); pages whose cache entry is missing are cut on every core.
Pagefind's files depend only on the pages it is given, so the whole index is reused when
every page is unchanged: its thousands of files are linked back from the cache, not written.
"""

from __future__ import annotations

import hashlib
import shutil
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
    """Pagefind's files in ``out``: linked from the cache when the pages are the same
    (:func:`link_files`), else built by ``build()`` and kept; returns what ``build()``
    returned (kept with them)."""
    try:
        from importlib.metadata import version

        engine = version("pagefind")
    except Exception:
        engine = "?"
    key = key_of("pagefind-index-2", engine, [(p.url, p.html, sorted(p.originals.items())) for p in pages])
    kept = cache.get(key)
    if kept is not None:
        files, told = kept
        if link_files(out, files, cache):
            return told
        shutil.rmtree(out, ignore_errors=True)  # a file went missing or was edited: index again
    told = build()
    if cache.enabled:
        cache.put(key, (keep_files(out, cache), told))
    return told


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep_files(base: Path, cache: Cache) -> dict[str, str]:
    """Every file under ``base`` kept in the cache under the hash of its bytes (linked in,
    not copied: :meth:`~studio.cache.Cache.keep_file`); returns relative path -> hash."""
    files = {}
    for path in base.rglob("*"):
        if path.is_file():
            files[path.relative_to(base).as_posix()] = digest = _digest(path.read_bytes())
            cache.keep_file(digest, path)
    return files


def link_files(base: Path, files: dict[str, str], cache: Cache) -> bool:
    """:func:`keep_files`' folder put back under ``base`` as links; False if a file is
    missing or its bytes changed (then ``base`` is incomplete)."""
    for rel, digest in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not cache.link_file(digest, path, lambda data, digest=digest: _digest(data) == digest):
            return False
    return True
