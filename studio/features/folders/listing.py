"""Big folders in the navigation: a listing page instead of hundreds of links on every page.

Material repeats the whole navigation in every page; a folder of 1,000 articles makes each
page carry 1,000 links (about 300 KB) and costs most of a build's rendering time. A folder
with more pages than ``nav.max_pages`` shows in the navigation as its index page only; when
the folder has no ``index.md`` Studio generates one that lists every page.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from studio.core.pipeline import Output, linked
from studio.core.project import Project


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


def folder_listings(project: Project, out: Output) -> None:
    titles = project.config.section_titles
    for folder, docs in big_folders(project).items():
        uri = f"{folder}/index.md"
        name = posixpath.basename(folder)
        title = titles.get(folder) or out.nav_titles.get(folder) or name
        docs = sorted(docs, key=lambda d: d.uri)
        out.add_page(uri, project.render("folder_listing.md.j2", title=title, docs=linked(uri, docs)), project)
