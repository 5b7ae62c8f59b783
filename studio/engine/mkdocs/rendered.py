"""MkDocs' Markdown → HTML of a page, reused across builds when nothing it depends on changed.

A warm build of 1,000 long pages spends about half its time in Python-Markdown, converting
text that did not change. MkDocs always calls ``Page.render``; this cache sits around it:
the last ``on_page_markdown`` handler looks the page up, and on a hit hands MkDocs an empty
text to convert, and the first ``on_page_content`` handler puts back the HTML, the table of
contents, the title and the anchors that the render would have produced. Everything after
it (Studio's sanitiser, search, other plugins, the theme) runs as on a cold build.

What the HTML depends on, all in the key: the page's final Markdown (after every plugin's
``on_page_markdown``), its path and URL, the Markdown extensions and their options, and the
list of the site's files with their URLs (relative links are resolved against it). A render
that logged a warning (a broken link) is not stored, so the warning comes back on the next
build, and ``--strict`` fails it as before.
"""

from __future__ import annotations

import functools
import inspect
import logging
from typing import Any

from studio.cache import Cache, key_of
from studio.guard.html import keyable, reseal

KEY = "mkdocs-render-1"
LOGGERS = ("", "mkdocs", "MARKDOWN")  # where a render's warnings go (counted on each: propagation is the site's)


class Unstable(Exception):
    """An option that has no form a key can hold the same in every process (an object)."""


def stable(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON a key can hold, the same in every process: functions by their module,
    name and closure (pymdownx's ``slugify(case=lower)`` is a closure), not by address.
    Anything else (an extension object a plugin added) raises :class:`Unstable`."""
    if depth > 20:
        raise Unstable("nested too deep")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): stable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, functools.partial):
        return ["partial", stable(value.func, depth + 1), stable(value.args, depth + 1),
                stable(value.keywords, depth + 1)]
    if inspect.isfunction(value) or inspect.isbuiltin(value) or inspect.isclass(value):
        cells = [c.cell_contents for c in (getattr(value, "__closure__", None) or ())]
        return ["callable", getattr(value, "__module__", ""), getattr(value, "__qualname__", repr(value)),
                stable(cells, depth + 1)]
    raise Unstable(type(value).__qualname__)


class _Warnings(logging.Handler):
    """Counts warnings logged while a page renders (from MkDocs or a Markdown extension)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class RenderCache:
    """One build's reuse of rendered pages (see the module docstring)."""

    def __init__(self, cache: Cache, config, files) -> None:
        self.cache = cache
        site = sorted((f.src_uri, f.dest_uri, f.url) for f in files)
        try:
            self.base: str | None = key_of(KEY, stable(config["markdown_extensions"]), stable(config["mdx_configs"] or {}),
                                           bool(config["use_directory_urls"]), site)
        except Unstable:  # options a key cannot hold: every page is converted, as without the cache
            self.base = None
        self._hits: dict[int, tuple[str, tuple]] = {}  # id(page) -> (its Markdown, what render made)
        self._misses: dict[int, tuple[str, int]] = {}  # id(page) -> (key, warnings before its render)
        self._warnings = _Warnings()
        self.reused = 0  # pages whose HTML came from the cache (tests)

    def before_render(self, markdown: str, page) -> str:
        """The text MkDocs will convert: empty when this page's HTML is known."""
        if self.base is None or "\0" in markdown:  # never kept (see after_render)
            return markdown
        # Studio's blocks are sealed with a nonce of this process: keyed and kept without it
        key = key_of(self.base, page.file.src_uri, page.url, keyable(markdown))
        found = self.cache.get(key)
        if found is not None:
            self._hits[id(page)] = (markdown, found)
            return ""
        for name in LOGGERS:
            if self._warnings not in logging.getLogger(name).handlers:
                logging.getLogger(name).addHandler(self._warnings)
        self._misses[id(page)] = (key, self._warnings.count)
        return markdown

    def after_render(self, html: str, page, files) -> str:
        """The page's HTML: as stored (and the page's render fields restored), or as rendered
        (and stored when the render warned of nothing)."""
        hit = self._hits.pop(id(page), None)
        if hit is not None:
            markdown, (kept, toc, title, anchors, links) = hit
            self.reused += 1
            html = reseal(kept)  # this process's nonce in the seals of Studio's own blocks
            page.markdown = markdown  # later readers see the page's text, not the empty one
            # _title_from_render: MkDocs' own field for the first heading (no public setter
            # keeps a front-matter title winning over it)
            page.toc, page._title_from_render, page.present_anchor_ids = toc, title, set(anchors)
            if links is not None:
                found = {uri: files.get_file_from_path(uri) for uri in links}
                page.links_to_anchors = {f: links[uri] for uri, f in found.items() if f is not None}
            return html
        miss = self._misses.pop(id(page), None)
        # HTML with a NUL of its own is not kept: only seals may come back as seals (reseal)
        if miss is not None and self._warnings.count == miss[1] and "\0" not in html:
            links = getattr(page, "links_to_anchors", None)
            links = {f.src_uri: dict(v) for f, v in links.items()} if links is not None else None
            self.cache.put(miss[0], (keyable(html), page.toc, page._title_from_render,
                                     sorted(page.present_anchor_ids or ()), links))
        return html

    def close(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(self._warnings)
