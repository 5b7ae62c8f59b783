"""Search for one build of the site: the engine adapter calls these hooks.

- ``page_markdown``: with Pagefind, Material's own index is left empty (its search box and
  result list stay; only the engine behind changes), which also saves its indexing time.
- ``start``: as soon as the project is loaded, starts indexing in a process of its own
  (:mod:`~studio.features.search.background`), which then cuts pages while they render.
- ``page``: hands each page's HTML and front matter to the indexer.
- ``pages_done``: every page is in; the index is written while the engine fills templates.
- ``post_page``: points Material at Studio's search worker (``studio-search.js``), which
  speaks Material's worker protocol.
- ``post_build``: writes the Pagefind index and the vocabulary (or, with ``lunr``, lets
  Material write its index, with Studio's words added to each entry).

Nothing here imports MkDocs; pages are duck-typed (``url``, ``title``, ``meta``, ``content``).
"""

from __future__ import annotations

import hashlib
import html
import re
from importlib import resources
from pathlib import Path
from typing import Any

from studio.cache import Cache, key_of
from studio.core.pipeline import Output
from studio.core.project import Project
from .background import Indexer, IndexProcess, PageText
from .glossary import glossary_of
from .indexer import WRITER_VERSION
from .normalize import normalize, strip_annotations, table_js
from .records import keywords_of

WORKER_DIR = "assets/javascripts/workers/"  # beside Material's worker: same relative paths
WORKER = WORKER_DIR + "studio-search.js"
T2S = WORKER_DIR + "studio-t2s.js"
UI = WORKER_DIR + "studio-search-ui.js"  # the true count and 「显示更多」 (results.js), loaded with the worker
_BUNDLE = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"')
_FORM = '<form class="md-search__form" name="search">'
_MATERIAL_WORKER = re.compile(r'("search":\s*")([^"]*?)assets/javascripts/workers/(search\.[0-9a-f]+\.min\.js)"')


def _worker_source() -> bytes:
    return (resources.files(__package__) / "worker.js").read_bytes()


def _source(name: str) -> bytes:
    return (resources.files(__package__) / name).read_bytes()


def _loader() -> str:
    """The inline stand-in for Material's search worker (loader.js): no ``</`` inside."""
    return _source("loader.js").decode().replace("</", "<\\/")


def search_assets(project: Project, out: Output) -> None:
    if project.config.search.enabled:
        out.assets[WORKER] = _worker_source()
        out.assets[T2S] = table_js().encode()
        out.assets[UI] = _source("results.js")


def engine_of(project: Project, mkdocs_config: Any) -> str | None:
    """'pagefind', 'lunr', or None when search is off (no Material search plugin)."""
    options = project.config.search
    plugins = getattr(mkdocs_config, "plugins", {}) or {}
    names = set(plugins.keys()) if hasattr(plugins, "keys") else set()
    if not options.enabled or not names & {"search", "material/search"}:
        return None
    if options.engine != "auto":
        return options.engine
    return "lunr" if names & {"offline", "material/offline"} else "pagefind"


class SiteSearch:
    """One build's search. ``engine`` is told by engines that run no MkDocs search plugin
    (Zensical: its own search box, Studio's Pagefind index behind it)."""

    def __init__(self, project: Project, mkdocs_config: Any = None, engine: str | None = None):
        self.project = project
        self.options = project.config.search
        self.engine = engine if mkdocs_config is None else engine_of(project, mkdocs_config)
        self.cache = Cache.for_project(project.config, "search")  # records, cut pages, index (studio.features.search.cache)
        self.indexer: Indexer | IndexProcess | None = None  # the pages, once started
        self.pages = 0
        self._search_meta: dict[str, Any] = {}
        self._segmenter = None
        self.version = hashlib.sha1(_worker_source() + _source("results.js") + table_js().encode()).hexdigest()[:10]
        if self.engine == "lunr":
            self._lunr_setup(mkdocs_config)

    # words ---------------------------------------------------------------------
    def terms(self) -> list[tuple[str, int | None]]:
        words = glossary_of(self.project).words() + list(self.options.dictionary)
        return [(w, None) for w in words]

    @property
    def segmenter(self):
        if self._segmenter is None:
            from studio.features.search.segment import Segmenter

            self._segmenter = Segmenter(self.terms())
        return self._segmenter

    def synonyms(self):
        if getattr(self, "_synonyms", None) is not None:
            return self._synonyms
        from studio.features.search.indexer import Synonyms

        groups = []
        for t in glossary_of(self.project).terms:
            groups.append([*t.names, *([t.en] if t.en else [])])
        self._synonyms = Synonyms(groups)
        return self._synonyms

    # hooks -------------------------------------------------------------------------
    def page_markdown(self, page) -> None:
        if self.engine != "pagefind":
            return
        search = page.meta.get("search")
        self._search_meta[page.url] = search
        page.meta["search"] = {**(search if isinstance(search, dict) else {}), "exclude": True}

    def start(self) -> None:
        """Start indexing: in a forked process when possible, so that the dictionary loads
        and pages are cut on the other core while the engine renders (once per build)."""
        if self.engine != "pagefind" or self.indexer is not None:
            return
        terms = self.terms()
        groups = [names for names, _ in self.synonyms().groups]
        indexer = Indexer(terms, groups, list(self.options.keys), self.options.results, self.cache,
                          fingerprint=WRITER_VERSION + key_of("search", terms, groups),
                          index_pages=self.options.index_pages)
        self.indexer = IndexProcess(indexer) if IndexProcess.possible() else indexer

    def close(self) -> None:
        """A failed build: stop indexing (nothing is written)."""
        if isinstance(self.indexer, IndexProcess):
            self.indexer.close()
        self.indexer = None

    def page(self, page) -> None:
        """Hand a page to the indexer (before Material strips ``data-search-*`` attributes)."""
        if self.engine != "pagefind" or page.content is None:
            return
        self.start()
        search = self._search_meta.get(page.url)
        meta = {k: page.meta[k] for k in self.options.keys if k in page.meta}
        meta["search"] = search
        title = html.unescape(str(page.meta.get("title") or page.title or ""))  # engines get it escaped
        doc = self.project.by_uri(page.file.src_uri)
        typed = doc is not None and doc.model is not None
        self.indexer.add(PageText(page.url, title, page.content, meta, typed))
        self.pages += 1

    def post_page(self, output: str) -> str:
        if self.engine is None:
            return output
        output = _MATERIAL_WORKER.sub(
            lambda m: f'{m.group(1)}{m.group(2)}{WORKER}?v={self.version}&engine={self.engine}&lunr={m.group(3)}"',
            output, count=1)
        if self.engine == "pagefind":
            # Search loads when wanted (loader.js): the stand-in worker goes in before
            # Material's bundle, and the form loses the name that makes Material fetch
            # its (here empty) index at load.
            match = _BUNDLE.search(output)
            if match and _FORM in output:
                output = (output[:match.start()] + f"<script>{_loader()}</script>" + output[match.start():])
                output = output.replace(_FORM, '<form class="md-search__form">', 1)
        return output

    def pages_done(self, site_dir: str | Path) -> None:
        """The engine has handed every page and fills its templates next: the indexing
        process writes the index meanwhile (post_build then only collects it)."""
        if isinstance(self.indexer, IndexProcess):
            self.indexer.seal(Path(site_dir))

    def post_build(self, site_dir: str | Path, progress=None) -> dict | None:
        """``progress(n)``, when given, is told of each page cut (studio.engine.progress)."""
        if self.engine != "pagefind":
            return None
        self.start()  # a site of no pages still gets its (empty) index
        indexer, self.indexer = self.indexer, None
        return indexer.finish(Path(site_dir), progress)

    # lunr (Material's own index, e.g. for a site opened from file://) ----------------------
    def _lunr_setup(self, mkdocs_config: Any) -> None:
        """Material's segmenter learns Studio's dictionary; its index gets a 'keys' field."""
        import jieba

        from studio.features.search.segment import builtin_terms

        for word, freq in [*builtin_terms(), *self.terms()]:
            # Long or mixed terms stay cut into their parts: Material's query segmenter
            # matches the parts, never a whole 私域IP产能悖论.
            if len(word) > 4 or re.search(r"[A-Za-z0-9]", word):
                continue
            jieba.add_word(word, freq)
            if normalize(word) != word:
                jieba.add_word(normalize(word), freq)
        plugins = mkdocs_config.plugins
        material = plugins.get("material/search") or plugins.get("search")
        fields = getattr(material, "config", {}).get("fields") if material is not None else None
        if isinstance(fields, dict):
            fields.setdefault("keys", {"boost": 10.0})
        self._material = material

    def lunr_page(self, page) -> None:
        """Add Studio's words to Material's entries for ``page``: keywords, synonyms, the
        simplified spelling of traditional text (Material shows the page's own text)."""
        index = getattr(getattr(self, "_material", None), "search_index", None)
        if self.engine != "lunr" or index is None:
            return
        words = keywords_of(page.meta, self.options.keys)
        for entry in index.entries:
            if not str(entry.get("location", "")).startswith(page.url) or "keys" in entry:
                continue
            raw = (entry.get("title", "") + " " + re.sub(r"<[^>]+>", " ", entry.get("text", ""))).replace("\u200b", "")
            extra = list(words)
            clean = normalize(strip_annotations(raw))  # 運(yùn)營 is found as 运营 here too
            if clean != raw:
                extra.append(clean)
            extra += self.synonyms().related(raw.lower())
            entry["keys"] = "\u200b".join(self.segmenter.words(" ".join(extra))) if extra else ""
