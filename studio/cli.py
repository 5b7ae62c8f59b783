"""The ``studio`` command: build, serve, check, new."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from studio.errors import BuildFailed, StudioError

CONFIG_OPTION = click.option("-f", "--config-file", "config_file", type=click.Path(path_type=Path),
                             default=Path("mkdocs.yml"), show_default=True, help="Project configuration.")


def fail(problems: list[StudioError]) -> None:
    for p in problems:
        click.echo(p.format(), err=True)
    errors = sum(p.severity == "error" for p in problems)
    click.echo(f"studio: {len(problems)} problem(s), {errors} error(s)", err=True)
    sys.exit(1)


def guarded(fn):
    """Turn Studio's own errors into messages and exit 1: no traceback for user mistakes."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BuildFailed as exc:
            fail(exc.problems)
        except StudioError as exc:
            fail([exc])
        except KeyboardInterrupt:
            click.echo("studio: interrupted; the previous site is unchanged", err=True)
            sys.exit(130)
    return wrapper


@click.group()
@click.version_option(package_name="studio")
def main() -> None:
    """Studio: a content studio and report generator for private-domain teams."""


@main.command()
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-d", "--site-dir", type=click.Path(path_type=Path), help="Build folder (default: site/).")
@click.option("-v", "--verbose", is_flag=True)
@guarded
def build(config_file: Path, strict: bool, site_dir: Path | None, verbose: bool) -> None:
    """Build the site (atomically: a failed build keeps the old site)."""
    from studio.engine import build as engine

    engine.quiet_logging(verbose)
    site = engine.build(config_file, site_dir=site_dir, strict=strict)
    click.echo(f"studio: built {site}")


@main.command()
@CONFIG_OPTION
@click.option("-a", "--dev-addr", help="IP:PORT to serve on (default 127.0.0.1:8000).")
@guarded
def serve(config_file: Path, dev_addr: str | None) -> None:
    """Serve the site with live reload; problems show in the pages."""
    from studio.engine import build as engine

    engine.serve(config_file, dev_addr)


@main.command()
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@guarded
def check(config_file: Path, strict: bool) -> None:
    """Validate all content without building."""
    from studio.checking import check_project
    from studio.engine import build as engine

    engine.quiet_logging()
    config = engine.studio_config(config_file, strict=strict)
    problems = check_project(config)
    for p in problems:
        click.echo(p.format(), err=True)
    failing = [p for p in problems if p.severity == "error" or strict]
    if failing:
        click.echo(f"studio: {len(problems)} problem(s), {len(failing)} failing", err=True)
        sys.exit(1)
    click.echo(f"studio: ok ({len(problems)} warning(s))")


@main.command()
@click.argument("kind", type=click.Choice(["persona", "teardown", "page"]))
@click.argument("slug")
@CONFIG_OPTION
@guarded
def new(kind: str, slug: str, config_file: Path) -> None:
    """Scaffold a new persona, teardown or page (never overwrites)."""
    from studio.engine import build as engine
    from studio.scaffold import create

    engine.quiet_logging()
    path = create(kind, slug, engine.studio_config(config_file))
    click.echo(f"studio: created {path}")


@main.command()
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True)
@guarded
def schemas(out: Path) -> None:
    """Write JSON Schemas of every front matter type (for editor autocompletion)."""
    from studio.content.schemas import write

    for path in write(out):
        click.echo(f"studio: wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
