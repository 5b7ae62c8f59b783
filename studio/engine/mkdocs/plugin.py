"""The thin MkDocs plugin: wires the core's pages, blocks and assets into a build.

Everything Studio knows lives in the core (``studio.core.project``, ``studio.core.pipeline``); this
adapter only translates MkDocs events. In ``mkdocs serve`` problems are shown in the pages
instead of stopping the server.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from types import SimpleNamespace

from mkdocs.config import base, config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url
from pydantic import ValidationError

from studio.core.nav import arrange
from studio.core.pipeline import Output, compile_project, render_page
from studio.config import StudioConfig
from studio.cache import Cache, key_of, portable
from studio.engine.mkdocs_yaml import option_problems
from studio.engine.progress import BuildProgress
from studio.errors import Report, StudioError
from studio.guard.html import escape_text, escaped_meta, guard_page, keyable
from studio.core.project import Project
from studio.data.reader import PRIVATE_SUFFIXES  # raw (possibly personal) data: never copied
from studio.features.builtin import load_project
from studio.features.provenance.history import links_from
from studio.features.search.site import SiteSearch  # issue 5: Chinese search
from .rendered import RenderCache

log = logging.getLogger("mkdocs.plugins.studio")



class StudioBuildError(PluginError):
    """A build stopped on user mistakes; ``problems`` keeps them for the CLI."""

    def __init__(self, problems: list[StudioError]):
        self.problems = problems
        super().__init__("\n" + "\n".join(p.format() for p in problems))


# MkDocs-side options; each group is validated by ``studio.config.StudioConfig``. Built with
# type() because MkDocs collects a config class's options when the class is created.
StudioPluginConfig = type("StudioPluginConfig", (base.Config,), {
    _name: c.Optional(c.Type(object)) for _name in StudioConfig.model_fields if _name != "root"})


class StudioPlugin(BasePlugin[StudioPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.project: Project | None = None
        self.output = Output()
        self.page_problems: list[StudioError] = []
        self.failed: StudioBuildError | None = None
        self.search: SiteSearch | None = None
        self.progress = BuildProgress(enabled=False)
        self.page_cache = Cache(None, "pages")
        self.live = None  # (files, nav, env) of the last build, for `studio serve` (studio.engine.mkdocs.live)
        self.rendered: RenderCache | None = None  # pages' Markdown → HTML from earlier builds (not in serve)
        self._nav = None
        self._page_set: set[str] | None = None
        self._reported = 0  # diagnostics already reported
        self.report: Report | None = None  # the CLI's (studio.errors.Report); else MkDocs' log

    # lifecycle -----------------------------------------------------------------
    def on_startup(self, *, command, dirty) -> None:
        self.serving = command == "serve"
        logging.getLogger("jieba").setLevel(logging.WARNING)  # its start-up chatter is not news

    def studio_config(self, config) -> StudioConfig:
        """Validate this plugin's options into Studio's typed config."""
        root = Path(config.config_file_path or ".").resolve().parent
        options = {k: v for k, v in self.config.items() if v is not None}
        try:
            studio_config = StudioConfig.model_validate({**options, "root": root})
        except ValidationError as exc:  # in Studio's words, with the line in mkdocs.yml
            raise StudioBuildError(option_problems(exc.errors(), Path(config.config_file_path or "mkdocs.yml"),
                                                   StudioConfig)) from None
        studio_config.strict = studio_config.strict or bool(config.strict)
        links = studio_config.provenance
        if links.edit_url is None:  # 「编辑此页」 from MkDocs' own repo_url and edit_uri
            links.edit_url, derived_history = links_from(config.repo_url, config.edit_uri, studio_config.content_dir)
            links.history_url = links.history_url or derived_history
        return studio_config

    def on_config(self, config):
        studio_config = self.studio_config(config)
        studio_config.courses.drafts = studio_config.courses.drafts or self.serving  # drafts show in serve
        self.failed = None
        self.progress.stop()
        self.progress = BuildProgress(False if self.serving else None)  # bars in a terminal only
        self.project = load_project(studio_config)
        self.page_cache = Cache.for_project(studio_config, "pages")
        if self.search is not None:
            self.search.close()  # serve: the last build's
        self.search = SiteSearch(self.project, config)  # search: engine, indexer, worker
        if not self.serving:
            self.search.start()  # the dictionary loads on the other core while pages compile
        try:
            self.output = compile_project(self.project)
            self._page_set = None
            self.page_problems = []
            config.extra_css = list(config.extra_css) + [
                u for u in self.output.css if u not in config.extra_css]
            config.extra_javascript = list(config.extra_javascript) + [
                u for u in self.output.js if u not in config.extra_javascript]
            self._report(self.project.diagnostics.items)
        except BaseException:
            self.search.close()  # no pages will come
            raise
        self._reported = len(self.project.diagnostics.items)
        return config

    def _warn(self, problem: StudioError) -> None:
        """A warning, printed once: through the CLI's Report, or MkDocs' log for ``mkdocs build``."""
        if self.report is not None:
            self.report.add(problem)
        else:
            log.warning(problem.format())

    def _report(self, problems: list[StudioError]) -> None:
        """Log warnings; stop the build on failing problems (unless serving)."""
        for p in problems:
            if p.severity == "warning":
                self._warn(p)
        failing = self.project.diagnostics.failing(self.project.config.strict) if self.project else problems
        if failing and not self.serving:
            raise StudioBuildError(failing)

    # files and navigation ------------------------------------------------------------
    def on_files(self, files: Files, *, config) -> Files:
        assert self.project is not None
        docs = Path(config.docs_dir).absolute()
        for f in list(files):
            src = Path(f.abs_src_path).absolute() if f.abs_src_path else None
            if src is None or not src.is_relative_to(docs):  # a theme's file: never its data
                if Path(f.src_uri).suffix.lower() in PRIVATE_SUFFIXES:
                    files.remove(f)
            elif f.is_documentation_page():
                if self.project.is_left_out(f.src_uri):
                    files.remove(f)  # not meant for this build's audience
                elif self.project.by_uri(f.src_uri) is None and not self.project.contains(src):
                    files.remove(f)  # a link to a page outside the project (reported on load)
            elif f.src_uri not in self.output.files:
                files.remove(f)  # data, hostile or unknown file types (studio.core.publish)
        root = str(self.project.config.root)
        prefix = self.project.config.case_studies_dir + "/"
        extra = [d.uri for d in self.project.documents if d.uri.startswith(prefix)]
        extra += [uri for uri in self.output.files if uri.startswith(prefix)]
        for uri in extra:
            if files.get_file_from_path(uri) is None:
                files.append(File(uri, root, config.site_dir, config.use_directory_urls))
        for uri, markdown in self.output.pages.items():
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, content=markdown))
        for uris, level in ((self.output.drafts, InclusionLevel.DRAFT), (self.output.unlisted, InclusionLevel.NOT_IN_NAV)):
            for uri in uris:
                f = files.get_file_from_path(uri)
                if f is not None:
                    f.inclusion = level
        for uri, data in self.output.assets.items():
            files.append(File.generated(config, uri, content=data))
        self.progress.start("pages", sum(1 for _ in files.documentation_pages()))
        charts = sum(d.source.body.count("```chart") for d in self.project.documents)
        if charts:
            self.progress.start("charts", charts)
        return files

    def on_nav(self, nav, *, config, files):
        if self.project is not None:  # Studio's navigation rules, shared by every engine
            cfg = self.project.config
            arrange(nav.items, section_titles={k: escape_text(v) for k, v in cfg.section_titles.items()},
                    order=self.output.nav_order, max_pages=cfg.nav.max_pages,
                    folder_titles={k: escape_text(v) for k, v in self.output.nav_titles.items()})
        self._nav = nav
        self._stop_reuse()
        # pages render next; every plugin's on_files has run, so the site's file list is final
        if not self.serving and self.page_cache.enabled:
            self.rendered = RenderCache(self.page_cache, config, files)
        return nav

    def on_env(self, env, *, config, files):
        self.live = (files, self._nav, env) if self.serving else None
        if self.search and not self.serving:  # every page is rendered; templates come next
            self.search.pages_done(config.site_dir)
        return env

    # pages --------------------------------------------------------------------------
    def _pages(self) -> set[str]:
        """Every page of this build (documents and generated pages), for links to left-out pages."""
        assert self.project is not None
        if self._page_set is None:
            self._page_set = {d.uri for d in self.project.documents} | set(self.output.pages)
        return self._page_set

    @event_priority(100)  # before other plugins (tags) read the front matter
    def _render_markdown(self, markdown: str, *, page, config, files):
        assert self.project is not None
        # MkDocs' templates print titles, descriptions and tags as they are: front matter is text.
        page.meta = escaped_meta(page.meta)
        try:
            text, needs = render_page(self.project, page.file.src_uri, markdown, Path(page.file.abs_src_path or "."),
                                      pages=self._pages())
        except StudioError as problem:
            self.page_problems.append(problem)
            if not self.serving:
                return markdown
            text, needs = markdown, set()
        page.meta["studio_needs"] = sorted(needs | self.output.page_needs.get(page.file.src_uri, set()))
        if self.serving:
            text = _problem_banner(self.project.diagnostics.items + self.page_problems) + text
        if self.search:
            self.search.page_markdown(page)
        return text

    @event_priority(-1000)  # the Markdown as every plugin left it: MkDocs converts it next
    def _reuse_render(self, markdown: str, *, page, config, files):
        return self.rendered.before_render(markdown, page) if self.rendered else markdown

    on_page_markdown = CombinedEvent(_render_markdown, _reuse_render)

    @event_priority(1000)  # right after MkDocs' conversion, before any plugin reads the HTML
    def _reused_content(self, html_text: str, *, page, config, files):
        return self.rendered.after_render(html_text, page, files) if self.rendered else html_text

    @event_priority(90)  # sanitise the Markdown's HTML before other plugins add their own
    def _guard_content(self, html_text: str, *, page, config, files):
        if self.project is None:
            return html_text
        if page.title is not None and "title" not in page.meta:  # the title of the first heading
            page.meta["title"] = escape_text(str(page.title))
        generated = page.file.src_uri in self.output.pages
        key = key_of("guard-page", keyable(html_text), self.project.config.html.model_dump(mode="json"),
                     portable(page.file.abs_src_path or page.file.src_uri, self.project.config.root), generated)
        text = self.page_cache.get(key)  # sanitised before, with no problems (studio.cache)
        if text is not None:
            return text
        text, problems = guard_page(html_text, self.project.config.html, source=page.file.abs_src_path,
                                    generated=generated)
        if not problems:
            self.page_cache.put(key, text)
        for p in problems:  # warnings: they fail only --strict builds
            if self.project.config.strict and not self.serving:
                self.page_problems.append(p)
            else:
                self._warn(p)
        return text

    @event_priority(-100)  # search: the page's final HTML, as soon as it is rendered (MkDocs renders
    # every page before it fills any template), so it is cut in the background meanwhile; this is
    # also before Material's search strips data-search-* attributes (on_page_context)
    def _search_content(self, html_text: str, *, page, config, files):
        if self.search:
            self.search.page(SimpleNamespace(url=page.url, title=page.title, meta=page.meta, content=html_text,
                                             file=page.file))
        return html_text

    on_page_content = CombinedEvent(_reused_content, _guard_content, _search_content)

    def on_post_page(self, output: str, *, page, config):
        if self.search:
            self.search.lunr_page(page)
            output = self.search.post_page(output)
        scripts = []
        for need in page.meta.get("studio_needs", []):
            for uri in self.output.need_scripts.get(need, []):
                src = get_relative_url(uri, page.url)
                scripts.append(f'<script src="{html.escape(src)}" defer></script>')
        if scripts:
            output = output.replace("</head>", "\n".join(scripts) + "\n</head>", 1)
        self.progress.advance("pages")
        if self.project is not None:
            self.progress.set("charts", self.project.extras.get("charts:rendered", 0))
        return output

    @event_priority(100)
    def on_post_build(self, *, config) -> None:
        if self.project is not None:  # found while rendering pages (a block's data file)
            late = self.project.diagnostics.items[self._reported:]
            self._reported = len(self.project.diagnostics.items)
            for p in late:
                if p.severity == "warning" and not (self.project.config.strict and not self.serving):
                    self._warn(p)
                else:
                    self.page_problems.append(p)
        if self.page_problems and not self.serving:
            raise StudioBuildError(self.page_problems)
        try:
            if self.search:  # search: write the Pagefind index and vocabulary
                try:
                    self.search.post_build(config.site_dir, self.progress.advancer("search", self.search.pages))
                except StudioError as problem:
                    raise StudioBuildError([problem]) from None
        finally:
            self.progress.stop()
            self._stop_reuse()
        for cache in (self.project.extras.get("cache:charts") if self.project else None,
                      self.project.data.engine.cache if self.project else None,  # query results
                      getattr(self.search, "cache", None), self.page_cache):
            if cache is not None:
                cache.prune()  # entries this build did not use (studio.cache)

    def _stop_reuse(self) -> None:
        """The rendered-page cache of this build is done (its warning counter detached)."""
        if self.rendered is not None:
            self.rendered.close()
            self.rendered = None

    def on_build_error(self, *, error) -> None:
        self.progress.stop()
        self._stop_reuse()
        if self.search is not None:
            self.search.close()
        if isinstance(error, StudioBuildError):
            self.failed = error

    def on_serve(self, server, *, config, builder):
        if self.project and self.project.config.case_studies_path.is_dir():
            server.watch(str(self.project.config.case_studies_path))
        return server


def _problem_banner(problems: list[StudioError]) -> str:
    if not problems:
        return ""
    lines = [f'!!! failure "Studio：发现 {len(problems)} 个问题（{len(problems)} problem(s)）"', ""]
    for p in problems:
        lines.append("    - `" + p.format().replace("`", "'").replace("\n", " ") + "`")
    return "\n".join(lines) + "\n\n"
