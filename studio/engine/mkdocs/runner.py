"""Running MkDocs (or ProperDocs) for Studio: load the config, build into a staged folder,
check the output, swap it in; serve."""

from __future__ import annotations

import logging
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from studio.cache import Cache
from studio.config import StudioConfig
from studio.engine.compress import compress_site
from studio.engine.lock import project_lock
from studio.engine.mkdocs.plugin import StudioBuildError, StudioPlugin
from studio.engine.output_guard import check_output
from studio.engine.sitedir import check_site_dir, inside_project, staged, tidy
from studio.errors import BuildFailed, Report, StudioError, did_you_mean
from studio.guard.interrupt import interruptible


def load(config_file: Path, **overrides) -> MkDocsConfig:
    if not config_file.is_file():
        raise BuildFailed([StudioError(
            f"no {config_file.name} here", file=config_file,
            hint="run studio in the project folder, or pass -f path/to/mkdocs.yml")])
    said = _ConfigMessages(config_file)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(said)
    for h in logger.handlers:
        if h is not said:
            h.addFilter(said.mute)
    try:
        return load_config(config_file=str(config_file), **overrides)
    except (ConfigurationError, Abort) as exc:
        problems = [p for p in said.problems if p.severity == "error"]
        raise BuildFailed(problems or [StudioError(f"invalid configuration: {exc}", file=config_file,
                                                   hint="see the MkDocs and Studio options in README.md")]) from None
    finally:
        logger.removeHandler(said)
        for h in logger.handlers:
            h.removeFilter(said.mute)
        for p in said.problems:
            if p.severity == "warning":
                sys.stderr.write(p.format() + "\n")


class _ConfigMessages(logging.Handler):
    """MkDocs' messages about mkdocs.yml ("Config value 'x': …") in Studio's form: the key's
    line, a did-you-mean for an unknown name, one message each."""

    _CONFIG = re.compile(r"^Config value '(?P<key>[^']+)': (?P<message>.*)$", re.DOTALL)

    def __init__(self, config_file: Path):
        super().__init__(logging.WARNING)
        self.config_file = config_file
        self.problems: list[StudioError] = []

    def mute(self, record: logging.LogRecord) -> bool:
        return self._CONFIG.match(record.getMessage()) is None

    def emit(self, record: logging.LogRecord) -> None:
        from mkdocs.config.defaults import MkDocsConfig

        from studio.engine.mkdocs_yaml import key_lines

        m = self._CONFIG.match(record.getMessage())
        if m is None:
            return
        key, message = m.group("key"), m.group("message").strip()
        if "Plugin 'studio' option" in message:
            return  # Studio reports its own options, with their lines (mkdocs_yaml.option_problems)
        hint = "see the MkDocs options (mkdocs.org/user-guide/configuration) and Studio's in README.md"
        if message.startswith("Unrecognised configuration name"):
            message = f"unknown option{did_you_mean(key, [k for k, _ in MkDocsConfig._schema])}"
            hint = "remove it or fix its spelling"
        elif key == "docs_dir":
            hint = "create the folder, or set docs_dir: to the folder of your pages (Studio's sample: content)"
        self.problems.append(StudioError(f"{key}: {message}", file=self.config_file,
                                         line=key_lines(self.config_file).get((key,)),
                                         severity="error" if record.levelno >= logging.ERROR else "warning",
                                         hint=hint))


def studio_plugin(config: MkDocsConfig) -> StudioPlugin:
    plugin = config.plugins.get("studio")
    if not isinstance(plugin, StudioPlugin):
        raise BuildFailed([StudioError("the 'studio' plugin is not enabled", file=config.config_file_path,
                                       hint="add '- studio' under 'plugins:' in mkdocs.yml")])
    return plugin


def studio_config(config_file: Path, strict: bool = False) -> StudioConfig:
    """Studio's options from mkdocs.yml, for commands that do not build (check, new)."""
    return options_of(load(config_file, strict=strict))


def for_check(config_file: Path, strict: bool = False) -> tuple[StudioConfig, Callable[[str], str]]:
    """Studio's options and a page's Markdown-to-HTML converter, from one read of mkdocs.yml
    (so its warnings are printed once)."""
    config = load(config_file, strict=strict)
    return options_of(config), markdown_renderer(config)


def markdown_renderer(config: MkDocsConfig) -> Callable[[str], str]:
    """A page's Markdown to HTML with the project's extensions (for ``studio check``)."""
    import markdown

    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {})

    def convert(text: str) -> str:
        return md.reset().convert(text)
    return convert


def options_of(config: MkDocsConfig) -> StudioConfig:
    try:
        return studio_plugin(config).studio_config(config)
    except StudioBuildError as exc:
        raise BuildFailed(exc.problems) from None


def build(config_file: Path, site_dir: Path | None = None, strict: bool = False,
          configure: Callable[[MkDocsConfig], None] | None = None, contained: bool = True,
          audience: str | None = None, report: Report | None = None) -> Path:
    """Build the site into a staged folder and swap it in; return the site folder.

    ``configure(config)`` may adjust the loaded configuration first (e.g. the offline bundle).
    ``report`` prints each warning once, and the playbook findings after a build that passed.
    """
    config = load(config_file, strict=strict)
    if configure is not None:
        configure(config)
    if audience is not None:
        studio_plugin(config).config["audience"] = audience
    # The site folder is checked by Studio (not MkDocs) before anything is written.
    site = Path(config.site_dir) if site_dir is None else Path(config.config_file_path).parent / site_dir
    options = options_of(config)
    if contained:
        inside_project(site, options)
    check_site_dir(site, options)
    plugin = studio_plugin(config)
    plugin.report = report
    mute = _MuteOwnErrors(plugin)
    handlers = logging.getLogger("mkdocs").handlers
    for h in handlers:
        h.addFilter(mute)
    counter = _CountEngineWarnings(report)
    counter.addFilter(mute)
    logging.getLogger("mkdocs").addHandler(counter)
    with _exclusive(site, options.root), staged(site) as tmp:
        config.site_dir = str(tmp)
        try:
            config.plugins.on_startup(command="build", dirty=False)
            mkdocs_build(config)
        except (Abort, PluginError, ConfigurationError) as exc:
            if plugin.failed is not None:
                raise BuildFailed(plugin.failed.problems) from None
            raise BuildFailed([StudioError(f"build failed: {exc}", file=config.config_file_path)]) from None
        finally:
            config.plugins.on_shutdown()
            for h in handlers:
                h.removeFilter(mute)
            logging.getLogger("mkdocs").removeHandler(counter)
        if plugin.project is not None:  # the engine's output, checked before it replaces the site
            check_output(tmp, plugin.project, plugin.output)
            if contained:  # the site a server publishes; Studio's temporary builds need no copies
                compress_site(tmp, Cache.for_project(plugin.project.config, "compress"))
    if report is not None and plugin.project is not None:
        report.extend(plugin.project.diagnostics.advice, finding=True)
    return site


@contextmanager
def _exclusive(site: Path, root: Path) -> Iterator[None]:
    """One build per project at a time; SIGTERM cleans up like Ctrl-C; leftovers of killed builds go."""
    with interruptible(), project_lock(root, "build"):
        tidy(site)
        yield


class _CountEngineWarnings(logging.Handler):
    """MkDocs' own warnings (a broken link) count in the summary line like Studio's."""

    def __init__(self, report: Report | None):
        super().__init__(logging.WARNING)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        if self.report is not None and not record.name.startswith("mkdocs.plugins.studio"):
            self.report.printed_by_engine("error" if record.levelno >= logging.ERROR else "warning")


class _MuteOwnErrors(logging.Filter):
    """MkDocs logs a plugin's error before aborting; the CLI prints Studio's own list instead."""

    def __init__(self, plugin: StudioPlugin):
        super().__init__()
        self.plugin = plugin

    def filter(self, record: logging.LogRecord) -> bool:
        failed = self.plugin.failed
        return not (failed is not None and record.getMessage() == str(failed))


def serve(config_file: Path, dev_addr: str | None = None) -> None:
    from studio.engine.mkdocs.live import serve as live_serve  # MkDocs' server; an edited page re-rendered alone

    load(config_file)  # clear error for a missing or broken config
    live_serve(str(config_file), dev_addr)


def _studio_options_reported_by_studio(record: logging.LogRecord) -> bool:
    """MkDocs warns of an unknown Studio option without its line; Studio reports it with one."""
    return "Plugin 'studio' option" not in record.getMessage()


def quiet_logging(verbose: bool = False) -> None:
    """MkDocs logs through 'mkdocs'; show warnings (or everything with -v) plainly."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_studio", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
        handler._studio = True  # type: ignore[attr-defined]
        handler.addFilter(_studio_options_reported_by_studio)
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logger.propagate = False
