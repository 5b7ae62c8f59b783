"""Big folders in the navigation: a listing page instead of hundreds of links on every page.

Material repeats the whole navigation in every page; a folder of 1,000 articles makes each
page carry 1,000 links (about 300 KB) and costs most of a build's rendering time. A folder
with more pages than ``nav.max_pages`` shows in the navigation as its index page only; when
the folder has no ``index.md`` Studio generates one that lists every page.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from studio.compiler import Output, generator, linked
from studio.project import Project
from studio.render.templating import render


def big_folders(project: Project) -> dict[str, list]:
    """Folder uri -> its documents, for folders over the threshold (index pages not counted)."""
    limit = project.config.nav.max_pages
    if not limit:
        return {}
    folders: dict[str, list] = defaultdict(list)
    for doc in project.documents:
        if posixpath.basename(doc.uri) not in ("index.md", "README.md"):
            folders[posixpath.dirname(doc.uri)].append(doc)
    return {f: docs for f, docs in folders.items() if f and len(docs) > limit}


@generator
def folder_listings(project: Project, out: Output) -> None:
    titles = project.config.section_titles
    for folder, docs in big_folders(project).items():
        uri = f"{folder}/index.md"
        name = posixpath.basename(folder)
        title = titles.get(folder) or out.nav_titles.get(folder) or name
        docs = sorted(docs, key=lambda d: d.uri)
        out.add_page(uri, render("folder_listing.md.j2", title=title, docs=linked(uri, docs)), project)


def collapse(items: list, limit: int) -> None:
    """Keep only index pages and subsections of sections holding more than ``limit`` pages.

    The hidden pages keep their section as parent, so their tab and section still show as
    active. Duck-typed (``children``, ``is_page``, ``is_index``) so the core needs no MkDocs.
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
