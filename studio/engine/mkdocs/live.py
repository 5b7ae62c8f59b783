"""`studio serve`: MkDocs' live-reload server, with edits to a page's text shown at once.

MkDocs rebuilds the whole site on every change: with 1,000 pages an author waits half a
minute to see a typo fixed. Studio's builder keeps the state of the last full build (files,
navigation, theme environment, the loaded project) and, when the only changes are to the
text of existing pages, re-renders just those pages through MkDocs' own page pipeline
(every plugin event runs as in a full build). Anything else — a new, moved or deleted file,
a changed front matter, data file or ``mkdocs.yml`` — is a full build, as before.

Until the next full build, the search index of the preview keeps the old text of the
edited pages; the pages themselves are exact.
"""

from __future__ import annotations

import logging
import os
import socket
import shutil
import tempfile
import time
from os.path import isfile, join
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import _build_page, _populate_page, build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url
from mkdocs.structure.files import InclusionLevel

from studio.core.frontmatter import parse
from studio.errors import StudioError

log = logging.getLogger("mkdocs.plugins.studio")
note = logging.getLogger("studio")  # what an author watching the terminal should see
POLL_S = 0.1  # how often the watcher looks for changed files (MkDocs: 0.5 s)


class LiveBuilder:
    """The server's builder: a full build, or only the pages whose text changed."""

    def __init__(self, get_config, serve_url: str):
        self.get_config = get_config
        self.serve_url = serve_url
        self.state = None  # (config, plugin) of the last successful full build
        self.snapshot: dict[str, tuple[int, int]] = {}
        self.fast_builds = 0

    # what changed ----------------------------------------------------------------------
    def _roots(self, config) -> list[str]:
        roots = [config.docs_dir, *config.watch]
        plugin = config.plugins.get("studio")
        project = getattr(plugin, "project", None)
        if project is not None:
            roots.append(str(project.config.case_studies_path))
        return roots

    def _scan(self, config) -> dict[str, tuple[int, int]]:
        out = {}
        if config.config_file_path:
            st = os.stat(config.config_file_path)
            out[config.config_file_path] = (st.st_mtime_ns, st.st_size)
        for root in self._roots(config):
            for base, _dirs, names in os.walk(root):
                for name in names:
                    path = join(base, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    out[path] = (st.st_mtime_ns, st.st_size)
        return out

    # builds ------------------------------------------------------------------------------
    def __call__(self, config=None) -> None:
        if config is None and self.state is not None and self._fast():
            return
        self._full(config)

    def _full(self, config) -> None:
        self.state = None
        started = time.perf_counter()
        if config is None:
            config = self.get_config()
            config.site_url = self.serve_url
        build(config, serve_url=self.serve_url)
        plugin = config.plugins.get("studio")
        project = getattr(plugin, "project", None)
        if project is not None:
            problems = len(project.diagnostics.items) + len(plugin.page_problems)
            pages = len(project.documents) + len(plugin.output.pages)
            note.info(f"built {pages} page(s) in {time.perf_counter() - started:.1f} s, "
                      f"{problems} problem(s){' (shown at the top of each page)' if problems else ''}")
        if getattr(plugin, "live", None) is not None and plugin.project is not None:
            self.state = (config, plugin)
            self.snapshot = self._scan(config)

    def _fast(self) -> bool:
        """Re-render the pages whose text (not front matter) changed; False: needs a full build."""
        config, plugin = self.state
        now = self._scan(config)
        changed = [p for p in now.keys() | self.snapshot.keys() if now.get(p) != self.snapshot.get(p)]
        if not changed:
            return False  # e.g. a touched file outside the roots: let MkDocs decide, as before
        files, nav, env = plugin.live
        project = plugin.project
        pages = []
        for path in changed:
            if path not in now or not path.endswith(".md"):
                return False
            doc = project.by_path(Path(path))
            f = files.get_file_from_path(Path(path).relative_to(config.docs_dir).as_posix()) \
                if Path(path).is_relative_to(config.docs_dir) else None
            if doc is None or f is None or f.page is None or f.generated_by:
                return False
            try:
                source = parse(Path(path))
            except StudioError:
                return False  # the full build shows the problem in the page
            if source.meta != doc.source.meta:
                return False  # titles, types, indexes built from front matter: rebuild all
            if _pii_findings_changed(project, Path(path)):
                return False  # the full build lists them, in the page and in the log
            pages.append((doc, f, source))
        started = time.perf_counter()
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        edited = {Path(path).resolve() for path in changed}
        plugin.page_problems = [p for p in plugin.page_problems  # shown again if still there
                                if p.file is None or Path(p.file).resolve() not in edited]
        for doc, f, source in pages:
            doc.source = source
            _populate_page(f.page, config, files)
            _build_page(f.page, config, doc_files, nav, env, excluded=f.inclusion.is_excluded())
        self.snapshot = now
        self.fast_builds += 1
        note.info(f"re-rendered {len(pages)} page(s) in {time.perf_counter() - started:.2f} s")
        return True


class _Announce(logging.Filter):
    """Say where the preview is when MkDocs' server starts listening; keep its other chatter out."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url

    def filter(self, record: logging.LogRecord) -> bool:
        if "] Serving on " in record.getMessage() or record.getMessage().startswith("Serving on "):  # "[12:00:00] Serving on …"
            note.info(f"serving on {self.url} (Ctrl-C to stop)")
        return record.levelno >= logging.WARNING


def _check_port(host: str, port: int) -> None:
    """A port in use is one line with a hint, before a whole build is spent."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StudioError(f"cannot serve on {host}:{port}: {exc.strerror}",
                              hint=f"another program uses the port; try -a {host}:{port + 1}") from None


def _pii_findings_changed(project, path: Path) -> bool:
    """Whether the PII guard finds other things in the edited page than at the last full build."""
    from studio.guard.scan import scan_page

    options = project.config.pii
    if not options.enabled:
        return False
    where = path.resolve()
    now = sorted((p.line, str(p.column)) for p in scan_page(path, list(options.allow), options))
    before = sorted((p.line, str(p.column)) for p in project.diagnostics.items
                    if p.rule == "pii" and p.file is not None and Path(p.file).resolve() == where)
    return now != before


def serve(config_file: str, dev_addr: str | None = None) -> None:
    """MkDocs' ``serve`` (same server, watcher and events) with :class:`LiveBuilder`."""
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")
    kwargs = {"dev_addr": dev_addr} if dev_addr else {}

    def get_config():
        return load_config(config_file=config_file, site_dir=site_dir, **kwargs)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    _check_port(host, port)
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)
    builder = LiveBuilder(get_config, serve_url)
    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path,
                              polling_interval=POLL_S)

    def error_handler(code) -> bytes | None:
        if code in (404, 500):
            page = join(site_dir, f"{code}.html")
            if isfile(page):
                with open(page, "rb") as f:
                    return f.read()
        return None

    server.error_handler = error_handler
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        livereload = logging.getLogger("mkdocs.livereload")
        livereload.setLevel(logging.INFO)
        livereload.addFilter(_Announce(serve_url))  # "serving on …" once the socket listens
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
