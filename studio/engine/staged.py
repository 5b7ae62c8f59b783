"""A docs tree for engines that run no MkDocs plugin, and Studio's steps after them.

Zensical reads ``mkdocs.yml`` and runs Python-Markdown, but no MkDocs plugin: left alone it
would publish the raw exports and leave every block as code. So Studio does here what its
MkDocs plugin does inside MkDocs' events, around the engine instead of inside it:

1. :func:`stage` writes a docs folder holding every page with its blocks and fact boxes
   rendered, the generated pages, Studio's assets and the authors' images — never a data
   file — and the navigation Studio arranges (``studio.core.nav``);
2. the engine builds that folder;
3. :func:`finish` runs the post-build steps on the output: page HTML sanitised as on MkDocs,
   the scripts a page's blocks need, the Chinese search index (Pagefind) behind the engine's
   own search box, and finally the output guard.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from studio.core import nav
from studio.core.frontmatter import split
from studio.core.pipeline import Output, compile_project, render_page
from studio.core.project import Project
from studio.engine.output_guard import check_output
from studio.errors import StudioError
from studio.features.search.site import SiteSearch
from studio.guard.html import escape_text, escaped_meta, guard_page

# Where a page's content sits in Material-like themes (Material, Zensical's).
_ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">\s*(?:<a id="__skip" tabindex="-1"></a>)?)'
                      r"(.*)(</article>)", re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Staged:
    """What was staged, for the steps after the engine."""

    project: Project
    output: Output
    docs: Path
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # uri -> front matter
    needs: dict[str, set[str]] = field(default_factory=dict)  # uri -> assets its blocks need
    nav: list = field(default_factory=list)  # a `nav:` list, as in mkdocs.yml
    problems: list[StudioError] = field(default_factory=list)  # broken blocks
    all_pages: set[str] = field(default_factory=set)  # documents and generated pages of this build


def stage(project: Project, docs: Path, *, drafts: bool = False) -> Staged:
    """Write the docs tree of ``project`` into ``docs`` (an empty folder)."""
    output = compile_project(project)
    staged = Staged(project, output, docs)
    staged.all_pages = {d.uri for d in project.documents} | set(output.pages)
    for doc in project.documents:
        if doc.uri in output.drafts and not drafts:
            continue
        _page(staged, doc.uri, doc.source.body, dict(doc.source.meta), doc.path)
    for uri, markdown in output.pages.items():
        if uri in output.drafts and not drafts:
            continue
        head, body, _ = split(markdown)
        meta = project_meta(head)
        _page(staged, uri, body, meta, None)
        staged.needs[uri] = staged.needs.get(uri, set()) | output.page_needs.get(uri, set())
    for uri, data in output.assets.items():
        _write(docs / uri, data)
    _copy_files(output, docs, set(staged.pages) | set(output.assets))
    listed = [u for u in staged.pages if u not in output.unlisted and (drafts or u not in output.drafts)]
    items = nav.tree(listed)
    cfg = project.config
    nav.arrange(items, section_titles={k: escape_text(v) for k, v in cfg.section_titles.items()},
                order=output.nav_order, max_pages=cfg.nav.max_pages,
                folder_titles={k: escape_text(v) for k, v in output.nav_titles.items()})
    staged.nav = nav.to_config(items)
    return staged


def project_meta(head: str | None) -> dict[str, Any]:
    """Front matter of a generated page (plain YAML written by Studio's templates)."""
    if not head:
        return {}
    import yaml

    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _page(staged: Staged, uri: str, body: str, meta: dict, path: Path | None) -> None:
    try:
        text, needs = render_page(staged.project, uri, body, path, pages=staged.all_pages)
    except StudioError as problem:
        staged.problems.append(problem)
        return
    _write(staged.docs / uri, (front_matter(meta, text) + text).encode("utf-8"))
    staged.pages[uri] = meta
    staged.needs[uri] = set(needs)


def front_matter(meta: dict, markdown: str) -> str:
    """The staged page's front matter: the author's, with the title, description and subtitle
    as escaped text (engines print them unescaped) and the title always set, so that the
    navigation never shows a heading's raw HTML."""
    import yaml

    title = meta.get("title") or _markdown_title(markdown)
    meta = escaped_meta(meta)
    if title:
        meta["title"] = escape_text(str(title))
    if not meta:
        return ""
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None) + "---\n"


def _markdown_title(markdown: str) -> str:
    for line in markdown.split("\n"):
        if line.startswith("# "):
            return re.sub(r"[*_`]|\{[^}]*\}$", "", line[2:]).strip()
    return ""


def _copy_files(output: Output, docs: Path, taken: set[str]) -> None:
    """The authors' images and downloads beside their pages (``studio.core.publish``)."""
    for uri, path in output.files.items():
        if uri not in taken:
            _write(docs / uri, path.read_bytes())


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def output_file(uri: str, directory_urls: bool = True) -> tuple[str, str]:
    """(file in the site, page URL) of a page ``uri``, as MkDocs and Zensical lay them out."""
    stem = uri[: -len(".md")]
    if stem == "index" or stem.endswith("/index") or stem.endswith("/README"):
        folder = stem.rsplit("/", 1)[0] + "/" if "/" in stem else ""
        return folder + "index.html", folder
    if directory_urls:
        return stem + "/index.html", stem + "/"
    return stem + ".html", stem + ".html"


def finish(staged: Staged, site: Path, *, directory_urls: bool = True, search_engine: str | None = "pagefind") -> list[StudioError]:
    """The steps after the engine, on its output in ``site``; returns warnings to report."""
    project, output = staged.project, staged.output
    search = SiteSearch(project, engine=search_engine if project.config.search.enabled else None)
    search.start()  # pages are cut on the other core while the next ones are guarded
    try:
        warnings = _pages(staged, site, search, directory_urls)
        search.post_build(site)
    finally:
        search.close()
    for cache in (search.cache, project.extras.get("cache:charts"), project.data.engine.cache):
        if cache is not None:
            cache.prune()  # entries this build did not use (studio.cache)
    check_output(site, project, output)
    return warnings


def _pages(staged: Staged, site: Path, search: SiteSearch, directory_urls: bool) -> list[StudioError]:
    """Each page the engine wrote, guarded and handed to search, with Studio's scripts."""
    project, output = staged.project, staged.output
    warnings: list[StudioError] = []
    for uri, meta in staged.pages.items():
        rel, url = output_file(uri, directory_urls)
        target = site / rel
        if not target.is_file():
            continue
        page_html = target.read_text(encoding="utf-8")
        match = _ARTICLE.search(page_html)
        if match is None:
            continue
        doc = project.by_uri(uri)
        content, problems = guard_page(match.group(2), project.config.html, generated=doc is None,
                                       source=doc.path if doc is not None else None)
        warnings += problems
        page_html = page_html[: match.start(2)] + content + page_html[match.end(2):]
        title = str(meta.get("title") or _heading(content) or (doc.title if doc else ""))
        page = SimpleNamespace(url=url, title=title, meta=dict(meta), content=content,
                               file=SimpleNamespace(src_uri=uri))
        search.page(page)
        page_html = search.post_page(page_html)
        page_html = _scripts(page_html, staged.needs.get(uri, set()), output, url)
        target.write_text(page_html, encoding="utf-8")
    return warnings


def _heading(content: str) -> str:
    m = _H1.search(content)
    return html.unescape(_TAG.sub("", m.group(1))).replace("¶", "").strip() if m else ""


def _scripts(page_html: str, needs: set[str], output: Output, url: str) -> str:
    """The scripts a page's blocks need (plotly.js for charts), deferred, in its head."""
    import posixpath

    base = (url[:-1] if url.endswith("/") else posixpath.dirname(url)) or "."
    tags = []
    for need in sorted(needs):
        for asset in output.need_scripts.get(need, []):
            src = posixpath.relpath(asset, base)
            tags.append(f'<script src="{html.escape(src)}" defer></script>')
    if not tags:
        return page_html
    return page_html.replace("</head>", "\n".join(tags) + "\n</head>", 1)


def copy_site(built: Path, target: Path) -> None:
    """The engine's output into Studio's staged site folder (which holds its marker)."""
    shutil.copytree(built, target, dirs_exist_ok=True)
