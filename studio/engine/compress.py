"""Pre-compressed copies of the built site's text files, for static servers that send them as is.

A page with charts loads over a megabyte of script; compressed it is a third of that. Rather
than ask every server to compress on each request, the build writes ``page.html.gz`` (and
``.br`` when the optional ``brotli`` module is installed) beside each text file, which nginx
serves with ``gzip_static on;`` (``brotli_static on;``) and Caddy with ``file_server {
precompressed br gzip }``. Runs after the output guard, on the checked files, whatever the
engine, before the site is swapped in; files too small to gain are left alone, and so are
Pagefind's own compressed ones. Level 9 of a 1,000-page site takes a second: with the
project's cache, a file whose bytes an earlier build compressed gets those copies back, as
hard links to the cache's files (:meth:`studio.cache.Cache.link_file`).
"""

from __future__ import annotations

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from studio.cache import Cache, key_of

SUFFIXES = frozenset({".html", ".htm", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map",
                      ".webmanifest"})
MIN_BYTES = 1024  # below about a packet, compressing gains nothing a reader would notice


def _brotli():
    try:
        import brotli  # optional: `pip install brotli`
    except ImportError:
        return None
    return brotli


def _packed(data: bytes, brotli) -> tuple[bytes, bytes | None] | None:
    """(gzip, brotli or None) of ``data``, or None when compressing does not make it smaller."""
    if len(data) < MIN_BYTES:
        return None
    packed = gzip.compress(data, compresslevel=9, mtime=0)  # mtime 0: the same site, the same bytes
    if len(packed) >= len(data):
        return None
    return packed, brotli.compress(data, quality=11) if brotli is not None else None


def _compress(path: Path, brotli, cache: Cache) -> bool:
    data = path.read_bytes()
    if len(data) < MIN_BYTES:
        return False
    # each copy is kept as a file under a key of the page's bytes, and linked back in
    # (Cache.link_file); it is taken only if it unpacks to exactly these bytes
    key = key_of("compressed-file", data) if cache.enabled else ""
    gz, br = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
    if key and cache.link_file(key + "-gz", gz, lambda kept: gzip.decompress(kept) == data):
        if brotli is None or cache.link_file(key + "-br", br, lambda kept: brotli.decompress(kept) == data):
            return True
        gz.unlink()
    copies = _packed(data, brotli)  # None: not worth it (computed again next time: rare, and small)
    if copies is None:
        return False
    for copy, packed in ((gz, copies[0]), (br, copies[1])):
        if packed is not None:
            copy.unlink(missing_ok=True)  # a link to a kept copy is replaced, never written through
            copy.write_bytes(packed)
    if key:
        cache.keep_file(key + "-gz", gz)
        if copies[1] is not None:
            cache.keep_file(key + "-br", br)
    return True


def compress_site(site: Path, cache: Cache | None = None) -> int:
    """Write ``.gz`` (and ``.br``) beside every text file of ``site``; return how many files.

    On every core: zlib (and brotli) let go of Python's lock while they compress, so threads
    are enough, and a thread pool needs no fork. ``cache`` (``.cache/compress``) keeps the
    copies of this build's files, and only those (pruned after).
    """
    brotli = _brotli()
    cache = cache or Cache(None, "compress")
    paths = sorted(p for p in Path(site).rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        count = sum(pool.map(lambda p: _compress(p, brotli, cache), paths))
    cache.prune()
    return count
