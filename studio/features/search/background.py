"""The search index, built beside the site generator on the other core.

A cold build spends a second or more on search that needs nothing of the rest of the site:
loading jieba's dictionary, reading each page's HTML into sections, cutting them into
words. So `studio build` forks one process as soon as the project is loaded; the engine
adapter hands it each page as it is rendered, and that process loads the dictionary and
cuts the pages while the engine renders the next ones (MkDocs renders on one core). Once
the engine has every page's HTML (MkDocs renders all pages before it fills any template),
the adapter *seals* the index: the pages still waiting are cut on every core and the index
is written into the site while the engine fills its templates. When the engine is done,
the build gets the manifest back (the index is written again only if a page came after
the seal, as from a plugin adding pages late).

Where forking is not possible or not wise (a threaded ``serve``, not Linux) the same
:class:`Indexer` runs in the build's own process, after the last page.
"""

from __future__ import annotations

import queue
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from studio.cache import Cache, key_of
from studio.errors import StudioError
from .cache import cut_key, cut_page
from .forks import Child, can_fork, each, pipe
from .records import Record, record_of

TYPED_BOOST = 1.5  # pages with a content type (persona, teardown …) unless search.boost says


@dataclass
class PageText:
    """What the index needs of a rendered page (all of it picklable)."""
    url: str
    title: str
    content: str  # the page's HTML
    meta: dict[str, Any]  # the front matter keys search reads (search.keys, search)
    typed: bool  # a persona, teardown … (a content type): ranks as the page about its name


class Indexer:
    """One build's pages → records → cut words → Pagefind's index and the vocabulary."""

    def __init__(self, terms: list, synonym_groups: list[list[str]], keys: list[str], results: int,
                 cache: Cache, fingerprint: str, index_pages: int | None = None):
        self.terms = terms
        self.index_pages = index_pages  # None: the indexer's own (INDEX_PAGES)
        self.synonym_groups = synonym_groups
        self.keys = keys
        self.results = results
        self.cache = cache
        self.fingerprint = fingerprint
        self.items: list[PageText] = []
        self.prepared: dict[int, tuple] = {}  # item index -> (record, cut) or (None, None)
        self._writer = None

    @property
    def writer(self):
        if self._writer is None:
            from .indexer import PageWriter, Synonyms
            from .segment import Segmenter

            self._writer = PageWriter(Segmenter(self.terms), Synonyms(self.synonym_groups))
        return self._writer

    def add(self, item: PageText) -> None:
        self.items.append(item)

    def prepare(self, item: PageText) -> tuple:
        """(record, cut, cache keys read, new cache entries) of one page; no side effects
        here, so that it can run in a forked process (entries are stored by the caller)."""
        read, new = [], {}
        key = key_of("search-record-2", item.url, item.title, item.content, item.meta, self.keys)
        read.append(key)
        rec = self.cache.get(key)  # Material's parser over the page's HTML, skipped when unchanged
        if rec is None:
            rec = record_of(item.url, item.title, item.content, item.meta, self.keys)
            new[key] = rec or False  # False: excluded from search
        if not rec:
            return None, None, read, new
        search = item.meta.get("search") if isinstance(item.meta.get("search"), dict) else {}
        if item.typed and "boost" not in search:
            rec.boost = TYPED_BOOST  # a persona or teardown is the page about its name
        key = cut_key(self.fingerprint, rec)
        read.append(key)
        cut = self.cache.get(key)
        if cut is None:
            cut = new[key] = cut_page(self.writer, rec)
        return rec, cut, read, new

    def _keep(self, i: int, result: tuple) -> None:
        rec, cut, read, new = result
        self.cache.used.update(read)
        for key, value in new.items():
            self.cache.put(key, value)
        self.prepared[i] = (rec, cut)

    def work(self) -> None:
        """Prepare the pages added so far (in the background, while the engine renders)."""
        for i in range(len(self.prepared), len(self.items)):
            if i not in self.prepared:
                self._keep(i, self.prepare(self.items[i]))

    def finish(self, site_dir: Path, progress: Callable[[int], None] | None = None) -> dict:
        """Prepare the pages left (on every core when there are many) and write the index."""
        from .indexer import INDEX_PAGES, write_cut

        missing = [i for i in range(len(self.items)) if i not in self.prepared]
        if progress and len(missing) < len(self.items):
            progress(len(self.items) - len(missing))
        writer = self.writer  # loaded before forking: the children inherit the dictionary
        seg = writer.seg  # the vocabulary is counted afresh: a page after a seal writes it again
        seg.vocab, seg.parts, seg.pages_with = {}, {}, {}

        def done(k: int, result: tuple) -> None:
            self._keep(missing[k], result)
            if progress:
                progress(1)

        each(lambda k: self.prepare(self.items[missing[k]]), len(missing), done)
        kept = [self.prepared[i] for i in range(len(self.items)) if self.prepared[i][0] is not None]
        records: list[Record] = [rec for rec, _ in kept]
        return write_cut(records, [cut for _, cut in kept], writer, Path(site_dir), self.results, self.cache,
                         self.index_pages or INDEX_PAGES, self.fingerprint)


class IndexProcess:
    """An :class:`Indexer` in a forked process, fed page by page (``add``), asked for the
    index at the end (``finish``). Nothing is pickled but the pages and the manifest: the
    process inherits the project's dictionary and options."""

    def __init__(self, indexer: Indexer):
        self.cache = indexer.cache
        tasks_in, self._tasks = pipe()
        self._results, results_out = pipe()

        def run() -> None:  # in the child
            self._tasks.close()
            self._results.close()
            _serve(indexer, tasks_in, results_out)

        self._child = Child(run)
        tasks_in.close()
        results_out.close()

    @property
    def pid(self) -> int:
        return self._child.pid

    @classmethod
    def possible(cls) -> bool:
        return can_fork()

    def add(self, item: PageText) -> None:
        self._tasks.send(("page", item))

    def seal(self, site_dir: Path) -> None:
        """Every page is in: write the index into ``site_dir`` now, while the engine goes on."""
        self._tasks.send(("seal", str(site_dir)))

    def finish(self, site_dir: Path, progress: Callable[[int], None] | None = None) -> dict:
        done = False
        try:
            self._tasks.send(("finish", str(site_dir)))
            while True:
                try:
                    kind, *rest = self._results.recv()
                except EOFError:
                    raise RuntimeError("the search indexing process ended early") from None
                if kind == "progress":
                    if progress:
                        progress(rest[0])
                elif kind == "done":
                    done = True
                    self.cache.used.update(rest[1])  # so that pruning keeps them
                    return rest[0]
                elif kind == "problem":
                    raise StudioError(rest[0], hint=rest[1])
                else:
                    raise RuntimeError(f"search indexing failed:\n{rest[0]}")
        finally:
            self.close(wait=done)

    def close(self, wait: bool = False) -> None:
        """Free the pipes and end the process: it exits by itself once done (``wait``);
        a failed or interrupted build stops it."""
        self._tasks.close()
        self._results.close()
        if wait:
            self._child.wait()
        else:
            self._child.stop()


def _serve(indexer: Indexer, tasks, results) -> None:
    """The child: prepare pages as they come; on ``seal``, the rest on every core, then the
    index (quietly: the build reads nothing until ``finish``); on ``finish``, the index again
    if pages came after the seal, then the manifest."""
    if not _built_before(indexer.cache):
        indexer.writer  # every page will be cut: the dictionary loads while the build compiles its pages
    # else it loads when a page is not in the cache, or at the end: loading holds this
    # process's interpreter lock for a third of a second, in which the pages' pipe fills
    # and the build waits (with every page cached it would wait for nothing)
    sealed = None  # (site folder, pages, manifest) of the index written on ``seal``
    while True:
        end = _take_pages(indexer, tasks)
        if end is None:
            return  # the build stopped: nothing to write
        kind, site_dir = end
        if kind != "seal":
            break
        try:
            sealed = (site_dir, len(indexer.items), indexer.finish(Path(site_dir)))
        except BaseException:
            sealed = None  # written again on finish, which reports the problem
    try:
        if sealed is not None and sealed[:2] == (site_dir, len(indexer.items)):
            results.send(("progress", len(indexer.items)))
            manifest = sealed[2]
        else:
            manifest = indexer.finish(Path(site_dir), lambda n: results.send(("progress", n)))
        results.send(("done", manifest, sorted(indexer.cache.used)))
    except StudioError as problem:
        results.send(("problem", problem.message, problem.hint))
    except BaseException:
        results.send(("crash", traceback.format_exc()))
    finally:
        results.close()


def _built_before(cache: Cache) -> bool:
    """Whether the search cache holds an earlier build's entries (then most pages are in it)."""
    try:
        return cache.dir is not None and next(cache.dir.iterdir(), None) is not None
    except OSError:
        return False


def _take_pages(indexer: Indexer, tasks) -> tuple | None:
    """Prepare pages as they come, until a message that is not a page (returned), or None
    when the build went away. Returns single-threaded: the pages left may then be cut on
    forked processes."""
    pages: queue.Queue = queue.Queue()  # None: no more pages (a message came, or the build is gone)
    end: list = []

    def read() -> None:  # pages are read as they come, so the build never waits on a full pipe
        while True:
            try:
                message = tasks.recv()
            except (EOFError, OSError):
                message = None
            if message is not None and message[0] == "page":
                pages.put(message[1])
                continue
            if message is not None:
                end.append(message)
            pages.put(None)
            return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not end:  # once the pages are all in, those left go to every core (finish)
        item = pages.get()
        if item is None:
            break
        indexer.add(item)
        indexer.work()
    reader.join()
    while not pages.empty():  # the reader has ended: nothing is added any more
        item = pages.get_nowait()
        if item is not None:
            indexer.add(item)
    return end[0] if end else None
