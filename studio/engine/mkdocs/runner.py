"""Running MkDocs (or ProperDocs) for Studio: load the config, build into a staged folder,
check the output, swap it in; serve."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from studio.config import StudioConfig
from studio.engine.lock import project_lock
from studio.engine.mkdocs.plugin import StudioBuildError, StudioPlugin
from studio.engine.output_guard import check_output
from studio.engine.sitedir import check_site_dir, inside_project, staged, tidy
from studio.errors import BuildFailed, StudioError
from studio.guard.interrupt import interruptible


def load(config_file: Path, **overrides) -> MkDocsConfig:
    if not config_file.is_file():
        raise BuildFailed([StudioError(
            f"no {config_file.name} here", file=config_file,
            hint="run studio in the project folder, or pass -f path/to/mkdocs.yml")])
    try:
        return load_config(config_file=str(config_file), **overrides)
    except (ConfigurationError, Abort) as exc:
        raise BuildFailed([StudioError(f"invalid configuration: {exc}", file=config_file,
                                       hint="see the MkDocs and Studio options in README.md")]) from None


def studio_plugin(config: MkDocsConfig) -> StudioPlugin:
    plugin = config.plugins.get("studio")
    if not isinstance(plugin, StudioPlugin):
        raise BuildFailed([StudioError("the 'studio' plugin is not enabled", file=config.config_file_path,
                                       hint="add '- studio' under 'plugins:' in mkdocs.yml")])
    return plugin


def studio_config(config_file: Path, strict: bool = False) -> StudioConfig:
    """Studio's options from mkdocs.yml, for commands that do not build (check, new)."""
    return options_of(load(config_file, strict=strict))


def options_of(config: MkDocsConfig) -> StudioConfig:
    try:
        return studio_plugin(config).studio_config(config)
    except StudioBuildError as exc:
        raise BuildFailed(exc.problems) from None


def build(config_file: Path, site_dir: Path | None = None, strict: bool = False,
          configure: Callable[[MkDocsConfig], None] | None = None, contained: bool = True,
          audience: str | None = None) -> Path:
    """Build the site into a staged folder and swap it in; return the site folder.

    ``configure(config)`` may adjust the loaded configuration first (e.g. the offline bundle).
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
    mute = _MuteOwnErrors(plugin)
    handlers = logging.getLogger("mkdocs").handlers
    for h in handlers:
        h.addFilter(mute)
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
        if plugin.project is not None:  # the engine's output, checked before it replaces the site
            check_output(tmp, plugin.project, plugin.output)
    return site


@contextmanager
def _exclusive(site: Path, root: Path) -> Iterator[None]:
    """One build per project at a time; SIGTERM cleans up like Ctrl-C; leftovers of killed builds go."""
    with interruptible(), project_lock(root, "build"):
        tidy(site)
        yield


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


def quiet_logging(verbose: bool = False) -> None:
    """MkDocs logs through 'mkdocs'; show warnings (or everything with -v) plainly."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_studio", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
        handler._studio = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logger.propagate = False
