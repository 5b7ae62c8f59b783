"""The site's navigation, arranged the same way whatever the engine.

Studio's rules: a folder holding only its index page shows as that page; top-level folders
get their Chinese titles (``section_titles``) and order, home first; pages inside a section
follow a feature's order (a course's lessons), index pages first; a section titled by its
folder (a course shows its course title); a folder with more than ``nav.max_pages`` pages
shows as its index page only.

The tree is duck-typed — ``is_section``/``is_page``, ``children``, ``title``, ``parent``,
``is_index`` and ``file.src_uri`` — so :func:`arrange` works on MkDocs' own navigation (the
plugin) and on :func:`tree`, the navigation Studio builds for an engine it stages (Zensical),
which :func:`to_config` writes as a ``nav:`` list.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


def arrange(items: list, *, section_titles: Mapping[str, str], order: Mapping[str, int],
            folder_titles: Mapping[str, str], max_pages: int) -> None:
    """Apply Studio's navigation rules to ``items`` (top-level nav items), in place."""
    items[:] = [_flatten(i) for i in items]
    for item in items:
        if _is_section(item):
            key = section_key(item)
            if key in section_titles:
                item.title = section_titles[key]
    _sort_pages(items, order, folder_titles)
    collapse(items, max_pages)
    ranks = list(section_titles)
    items.sort(key=lambda i: (not _is_home(i), ranks.index(section_key(i)) if section_key(i) in ranks else len(ranks)))


def collapse(items: list, limit: int) -> None:
    """Keep only index pages and subsections of sections holding more than ``limit`` pages.

    The hidden pages keep their section as parent, so their tab and section still show as
    active.
    """
    if not limit:
        return
    for item in items:
        children = getattr(item, "children", None)
        if not children:
            continue
        collapse(children, limit)
        pages = [c for c in children if getattr(c, "is_page", False) and not getattr(c, "is_index", False)]
        if len(pages) > limit:
            hidden = {id(p) for p in pages}
            children[:] = [c for c in children if id(c) not in hidden]


def section_key(item: Any) -> str:
    """The top-level folder a section holds ('' for pages)."""
    if not _is_section(item):
        return ""
    for child in item.children:
        f = getattr(child, "file", None)
        if f is not None:
            return posixpath.dirname(f.src_uri).split("/")[0]
        key = section_key(child)
        if key:
            return key
    return ""


def _is_section(item: Any) -> bool:
    return bool(getattr(item, "is_section", False))


def _flatten(item: Any) -> Any:
    """A folder holding only its index page (a teardown) shows as that page, not a section."""
    if _is_section(item):
        item.children[:] = [_flatten(c) for c in item.children]
        if len(item.children) == 1 and getattr(item.children[0], "is_index", False):
            page = item.children[0]
            page.parent = item.parent
            return page
    return item


def _sort_pages(items: list, order: Mapping[str, int], titles: Mapping[str, str]) -> None:
    for item in items:
        if _is_section(item):
            _sort_pages(item.children, order, titles)
            index = next((c for c in item.children if getattr(c, "is_index", False)), None)
            folder = posixpath.dirname(index.file.src_uri) if index is not None else ""
            if folder in titles:
                item.title = titles[folder]

            def ranked(c: Any) -> int | None:
                return order.get(getattr(getattr(c, "file", None), "src_uri", ""))

            if any(ranked(c) is not None for c in item.children):
                item.children.sort(key=lambda c: (not getattr(c, "is_index", False), ranked(c) is None, ranked(c) or 0))


def _is_home(item: Any) -> bool:
    f = getattr(item, "file", None)
    return f is not None and f.src_uri == "index.md"


# A navigation of Studio's own, for engines that take it as configuration --------------------
@dataclass
class NavFile:
    src_uri: str


@dataclass
class NavPage:
    file: NavFile
    parent: Any = None
    is_page: bool = True
    is_section: bool = False

    @property
    def is_index(self) -> bool:
        return posixpath.basename(self.file.src_uri) in ("index.md", "README.md")


@dataclass
class NavSection:
    title: str
    children: list = field(default_factory=list)
    parent: Any = None
    is_page: bool = False
    is_section: bool = True


def tree(uris: Iterable[str]) -> list:
    """The navigation MkDocs would derive from these pages: folders as sections (titled by
    their name), index pages first, then pages and folders in name order."""
    root: list = []
    sections: dict[str, NavSection] = {}

    def key(uri: str) -> tuple:
        parts = uri.split("/")
        name = parts[-1]
        return (*parts[:-1], "" if name in ("index.md", "README.md") else name)

    for uri in sorted(uris, key=key):
        folder = posixpath.dirname(uri)
        parent = None
        siblings = root
        if folder:
            path = ""
            for part in folder.split("/"):
                path = f"{path}/{part}" if path else part
                if path not in sections:
                    sections[path] = NavSection(part.replace("-", " ").replace("_", " ").capitalize(), parent=parent)
                    siblings.append(sections[path])
                parent = sections[path]
                siblings = parent.children
        siblings.append(NavPage(NavFile(uri), parent=parent))
    return root


def to_config(items: list) -> list:
    """A ``nav:`` list (as in mkdocs.yml) of an arranged navigation."""
    out: list = []
    for item in items:
        if _is_section(item):
            out.append({item.title: to_config(item.children)})
        else:
            out.append(item.file.src_uri)
    return out
