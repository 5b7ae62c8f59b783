"""The search build, reused: cut pages from ``.cache/`` and the index when nothing changed.

Cutting 1,000 long Chinese pages into words costs most of a cold build, and Pagefind's
indexing most of the rest. A page's words depend only on its record (title, keywords,
text, boost) and on the dictionary and glossary, so each page's result is cached under a
hash of those (:mod:`studio.cache`); pages whose cache entry is missing are cut on every
core. Pagefind's files depend only on the pages it is given, so the whole index is reused
when every page is unchanged.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import threading
from pathlib import Path
from typing import Callable

from studio.cache import Cache, key_of

PARALLEL_MIN = 64  # fewer pages to cut than this: not worth starting processes


def _cut(writer, rec) -> tuple:
    """One page cut by ``writer``; returns it with the vocabulary it added."""
    seg = writer.seg
    saved = seg.vocab, seg.parts
    seg.vocab, seg.parts = {}, {}
    try:
        return writer.page(rec), seg.vocab, seg.parts
    finally:
        seg.vocab, seg.parts = saved


def _cut_forked(writer, records: list, indexes: list[int], workers: int, done: Callable[[int, tuple], None]) -> None:
    """Cut ``records[i]`` for each index on ``workers`` forked processes.

    Forked children inherit ``writer`` (its loaded dictionary) instead of receiving it
    pickled, so nothing is kept in a module global; each child sends its pages back over
    its own pipe. A child that dies is an error, not a hang.
    """
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    chunks = [indexes[k::workers] for k in range(workers)]
    children = []
    for chunk in chunks:
        reader, sender = ctx.Pipe(duplex=False)

        def run(chunk=chunk, sender=sender) -> None:  # in the child
            # The build's signal handlers (studio.guard.interrupt) belong to the parent.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                for i in chunk:
                    sender.send((i, _cut(writer, records[i])))
            finally:
                sender.send(None)
                sender.close()

        proc = ctx.Process(target=run, daemon=True)
        proc.start()
        sender.close()
        children.append((proc, reader))
    finished = False
    try:
        open_readers = {reader: proc for proc, reader in children}
        while open_readers:
            for reader in wait(list(open_readers)):
                try:
                    message = reader.recv()
                except EOFError:
                    raise RuntimeError("a search indexing process ended early") from None
                if message is None:
                    del open_readers[reader]
                else:
                    done(*message)
        finished = True
    finally:
        for proc, reader in children:
            reader.close()
            if finished:
                proc.join(timeout=60)  # done: let it exit by itself
            if proc.is_alive():
                proc.terminate()  # a failed or interrupted build: stop the rest
            proc.join()


def _workers(n: int) -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, n // 16 or 1))


def cut_pages(writer, records: list, cache: Cache, fingerprint: str,
              progress: Callable[[int], None] | None = None) -> list:
    """Every record's page, from the cache or cut (on all cores when there are many)."""
    keys = [key_of("search-page", fingerprint, dataclasses.asdict(r)) for r in records]
    results: list = [cache.get(k) for k in keys]
    missing = [i for i, r in enumerate(results) if r is None]
    if progress and len(missing) < len(records):
        progress(len(records) - len(missing))
    workers = _workers(len(missing))
    # fork only from a single-threaded process (`studio build`), never from `serve`'s server
    if len(missing) >= PARALLEL_MIN and workers > 1 and threading.active_count() == 1 \
            and "fork" in multiprocessing.get_all_start_methods():
        def done(i: int, result: tuple) -> None:
            results[i] = result
            if progress:
                progress(1)

        _cut_forked(writer, records, missing, workers, done)
    else:
        for i in missing:
            results[i] = _cut(writer, records[i])
            if progress:
                progress(1)
    for i in missing:
        cache.put(keys[i], results[i])
    seg = writer.seg
    pages = []
    counts = seg.pages_with
    for page, vocab, parts in results:
        seg.vocab.update(vocab)
        for word in vocab:  # the dictionary words of one page: its document frequencies
            counts[word] = counts.get(word, 0) + 1
        seg.parts.update(parts)
        pages.append(page)
    return pages


def reuse_index(pages: list, out: Path, cache: Cache, build: Callable[[], None]) -> None:
    """Pagefind's files in ``out``: copied from the cache when the pages are the same,
    else built by ``build()`` and stored."""
    try:
        from importlib.metadata import version

        engine = version("pagefind")
    except Exception:
        engine = "?"
    key = key_of("pagefind-index", engine, [(p.url, p.html, sorted(p.originals.items())) for p in pages])
    files = cache.get(key)
    if files is not None:
        for rel, data in files.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return
    build()
    if cache.enabled:
        cache.put(key, {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
