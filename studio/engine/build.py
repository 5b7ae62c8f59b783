"""Building and serving with any engine: MkDocs (the default), ProperDocs or Zensical.

The engine is chosen by ``--engine`` or the ``engine:`` option of the studio plugin in
``mkdocs.yml``. MkDocs and ProperDocs (the maintained fork of MkDocs 1.6) run Studio as a
plugin (``studio.engine.mkdocs``); Zensical runs no MkDocs plugin, so Studio stages the docs
tree itself and runs its own post-build steps (``studio.engine.zensical``). Whatever the
engine, the site is built into a temporary folder, checked by the output guard
(``studio.engine.output_guard``) and swapped in only when everything passed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from studio.config import ENGINES, StudioConfig
from studio.errors import BuildFailed, Report, StudioError, did_you_mean


def choose(engine: str | None, config_file: Path) -> str:
    """The engine to use: ``engine`` when given, else the project's ``engine:`` option."""
    if engine is None:
        engine = _configured_engine(config_file)
    if engine not in ENGINES:
        raise StudioError(f"unknown engine '{engine}'{did_you_mean(engine, ENGINES)}",
                          hint="engines: " + ", ".join(ENGINES))
    if engine == "properdocs":
        from studio.engine import properdocs

        properdocs.activate()  # before anything imports mkdocs: its modules are ProperDocs' then
    return engine


def _configured_engine(config_file: Path) -> str:
    """The ``engine:`` option, read without loading any engine (it decides which to load)."""
    from studio.engine.mkdocs_yaml import plugin_options

    try:
        value = plugin_options(config_file).get("engine")
    except StudioError:
        return "mkdocs"  # the engine's own loading reports a broken file with its line
    return str(value) if value else "mkdocs"


def build(config_file: Path, site_dir: Path | None = None, strict: bool = False,
          configure: Callable[[Any], None] | None = None, engine: str | None = None,
          contained: bool = True, audience: str | None = None, report: Report | None = None) -> Path:
    """Build the site and swap it in; return the site folder.

    ``contained``: the site folder must lie inside the project (a folder the author names);
    Studio's own temporary builds (exports, offline zip, serve) pass False. ``audience``: build
    only the pages meant for it (default: the ``audience:`` option, else every page).
    ``report`` (the CLI's) prints each problem once and the playbook findings. The site's
    text files get pre-compressed copies beside them (``studio.engine.compress``, by each
    engine's runner before the swap; not for Studio's temporary builds).
    """
    name = choose(engine, config_file)
    if name == "zensical":
        if configure is not None:
            raise BuildFailed([StudioError("this command needs an MkDocs engine", file=config_file,
                                           hint="use --engine mkdocs (or properdocs)")])
        from studio.engine.zensical import build as zensical_build

        site = zensical_build(config_file, site_dir=site_dir, strict=strict, contained=contained, audience=audience,
                              report=report)
    else:
        from studio.engine.mkdocs.runner import build as mkdocs_build

        site = mkdocs_build(config_file, site_dir=site_dir, strict=strict, configure=configure, contained=contained,
                            audience=audience, report=report)
    return site


def serve(config_file: Path, dev_addr: str | None = None, engine: str | None = None) -> None:
    name = choose(engine, config_file)
    if name == "zensical":
        from studio.engine.zensical import serve as zensical_serve

        return zensical_serve(config_file, dev_addr)
    from studio.engine.mkdocs.runner import serve as mkdocs_serve

    return mkdocs_serve(config_file, dev_addr)


def studio_config(config_file: Path, strict: bool = False) -> StudioConfig:
    """Studio's options from mkdocs.yml, for commands that do not build (check, new, export)."""
    from studio.engine.mkdocs.runner import studio_config as from_mkdocs

    choose(None, config_file)
    return from_mkdocs(config_file, strict=strict)


def for_check(config_file: Path, strict: bool = False) -> tuple[StudioConfig, Callable[[str], str]]:
    """Studio's options, and Markdown to HTML with the project's ``markdown_extensions`` as
    every engine converts it, for ``studio check``."""
    from studio.engine.mkdocs.runner import for_check as from_mkdocs

    choose(None, config_file)
    return from_mkdocs(config_file, strict=strict)


def quiet_logging(verbose: bool = False) -> None:
    """Engines' warnings plainly; Studio's own notes (``studio`` logger) as ``studio: ...``."""
    import logging

    from studio.engine.mkdocs.runner import quiet_logging as mkdocs_quiet

    mkdocs_quiet(verbose)
    logger = logging.getLogger("studio")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("studio: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
