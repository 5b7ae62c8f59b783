"""The ``studio`` command: build, serve, check, new."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from studio.errors import BuildFailed, Report, StudioError

# Exit codes (README, section 'Commands'): 0 done (warnings and findings do not fail unless
# --strict), 1 problems or a user mistake (each printed once, with file:line and a hint),
# 2 a wrong command line (click's usage error), 128+N interrupted by signal N (130: Ctrl-C).

CONFIG_OPTION = click.option("-f", "--config-file", "config_file", type=click.Path(path_type=Path),
                             default=Path("mkdocs.yml"), show_default=True, help="Project configuration.")
ENGINE_OPTION = click.option("--engine", type=click.Choice(["mkdocs", "properdocs", "zensical"]),
                             help="Site generator (default: the 'engine:' option, else mkdocs).")


def new_report() -> Report:
    return Report(err=lambda text: click.echo(text, err=True), out=click.echo)


def fail(problems: list[StudioError], report: Report | None = None) -> None:
    """Print the problems not yet printed, the summary line, and exit 1."""
    report = report or new_report()
    report.extend(problems)
    click.echo(f"studio: failed: {report.summary()}", err=True)
    sys.exit(1)


def guarded(fn):
    """Turn Studio's own errors into messages and exit 1: no traceback for user mistakes.

    The command gets a :class:`Report` as ``report=`` when it asks for one, so what it printed
    before failing is not printed again and the summary line counts it.
    """
    import functools
    import inspect

    wants_report = "report" in inspect.signature(fn).parameters

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        report = new_report()
        if wants_report:
            kwargs["report"] = report
        try:
            return fn(*args, **kwargs)
        except BuildFailed as exc:
            fail(exc.problems, report)
        except StudioError as exc:
            fail([exc], report)
        except OSError as exc:  # a full disk, a folder Studio may not write: the system's fault, not a bug
            where = f" '{exc.filename}'" if exc.filename else ""
            fail([StudioError(f"cannot write or read{where}: {exc.strerror or exc}",
                              hint="free disk space or fix the folder's permissions; a failed build keeps the "
                                   "previous site (磁盘已满或无权限)")])
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (studio.guard.interrupt)
            click.echo("studio: interrupted; the previous site is unchanged", err=True)
            sys.exit(128 + getattr(exc, "signum", 2))
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
@click.option("--offline", is_flag=True,
              help="Instead, write a zip of the site that works opened from file:// (search included).")
@click.option("--zip", "zip_file", type=click.Path(path_type=Path),
              help="Where --offline writes the zip (default: dist/site-offline.zip).")
@ENGINE_OPTION
@click.option("--audience", help="Build only the pages meant for this audience (front matter 'audience:').")
@guarded
def build(config_file: Path, strict: bool, site_dir: Path | None, verbose: bool, offline: bool,
          zip_file: Path | None, engine: str | None, audience: str | None, report: Report) -> None:
    """Build the site (atomically: a failed build keeps the old site)."""
    from studio.engine import build as runner

    name = runner.choose(engine, config_file)  # first: ProperDocs must be set up before MkDocs loads
    runner.quiet_logging(verbose)
    if offline or zip_file:
        from studio.engine.mkdocs.offline import build_offline

        click.echo(f"studio: wrote {build_offline(config_file, zip_file, strict=strict)}")
        return
    site = runner.build(config_file, site_dir=site_dir, strict=strict, engine=name, audience=audience,
                        report=report)
    click.echo(f"studio: built {site} ({report.summary()})")


@main.command()
@CONFIG_OPTION
@click.option("-a", "--dev-addr", help="IP:PORT to serve on (default 127.0.0.1:8000).")
@ENGINE_OPTION
@guarded
def serve(config_file: Path, dev_addr: str | None, engine: str | None) -> None:
    """Serve the site with live reload; problems show in the pages."""
    from studio.engine import build as runner

    name = runner.choose(engine, config_file)
    runner.quiet_logging()
    runner.serve(config_file, dev_addr, engine=name)


@main.command()
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@guarded
def check(config_file: Path, strict: bool, report: Report) -> None:
    """Validate all content without building: the problems a build would report, each once."""
    from studio.checking import check_all
    from studio.engine import build as engine

    engine.quiet_logging()
    config, to_html = engine.for_check(config_file, strict=strict)
    problems, findings = check_all(config, to_html)
    report.extend(problems)
    report.extend(findings, finding=True)  # playbook advice; error-severity ones fail --strict
    failing = [p for p in problems if p.severity == "error" or strict]
    if failing:
        click.echo(f"studio: failed: {report.summary()}", err=True)
        sys.exit(1)
    click.echo(f"studio: ok ({report.summary()})")


@main.command()
@click.argument("kind", type=click.Choice(["persona", "teardown", "page", "calendar", "course", "lesson", "report"]))
@click.argument("slug")
@CONFIG_OPTION
@guarded
def new(kind: str, slug: str, config_file: Path) -> None:
    """Start a file from a scaffold (never overwrites): persona, teardown, page, calendar,
    course, lesson (SLUG is COURSE/LESSON; added to the course's course.yml) or report.

    The values marked 【待填】 are warnings until you replace them."""
    from studio.engine import build as engine
    from studio.scaffold import create

    engine.quiet_logging()
    path = create(kind, slug, engine.studio_config(config_file))
    click.echo(f"studio: created {path}; fill in the values marked 【待填】")


@main.command()
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True)
@guarded
def schemas(out: Path) -> None:
    """Write JSON Schemas of every file an author writes (front matter, course.yml, calendars,
    glossary, Studio's options in mkdocs.yml), for editors' checking and completion."""
    from studio.core.feature import Registry
    from studio.core.schemas import write
    from studio.features.builtin import FEATURES

    registry = Registry(FEATURES)
    for path in write(out, registry.models, registry.files):
        click.echo(f"studio: wrote {path}")


@main.group()
def export() -> None:
    """Write files to hand out: PDF course handouts, report periods as HTML or PDF, …"""


@export.command("course")
@click.argument("slug")
@click.option("--pdf", "as_pdf", is_flag=True, default=True, help="A PDF handout (the default format).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="PDF file (default: SLUG.pdf).")
@click.option("-d", "--site-dir", type=click.Path(path_type=Path),
              help="Print from this already built site instead of building a fresh one.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@CONFIG_OPTION
@guarded
def export_course(slug: str, as_pdf: bool, output: Path | None, site_dir: Path | None, strict: bool,
                  config_file: Path) -> None:
    """Print course SLUG (content/courses/SLUG/) as one PDF handout with headless Chromium."""
    from studio.engine import build as engine
    from studio.export.course import export_pdf

    engine.quiet_logging()
    click.echo(f"studio: wrote {export_pdf(config_file, slug, output, site_dir=site_dir, strict=strict)}")


@export.command("report")
@click.argument("slug")
@click.option("--period", help="The period: 2026-W47 (week) or 2026-11 (month); default: the latest.")
@click.option("--html", "fmt", flag_value="html", help="One self-contained HTML file (the default).")
@click.option("--pdf", "fmt", flag_value="pdf", help="A PDF, printed with headless Chromium.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: SLUG-PERIOD.html/.pdf).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@CONFIG_OPTION
@guarded
def export_report(slug: str, period: str | None, fmt: str | None, output: Path | None, strict: bool,
                  config_file: Path) -> None:
    """Write one period of report SLUG (a page with 'type: report') to share, e.g. in a WeCom chat."""
    from studio.engine import build as engine
    from studio.export.report import export_report as write

    engine.quiet_logging()
    fmt = fmt or ("pdf" if output is not None and output.suffix.lower() == ".pdf" else "html")
    click.echo(f"studio: wrote {write(config_file, slug, period, fmt, output, strict=strict)}")


@main.group()
def notify() -> None:
    """Send report periods to the team: a WeCom group robot (群机器人), e-mail."""


@notify.command("report")
@click.argument("slug")
@click.option("--period", help="The period: 2026-W47 (week) or 2026-11 (month); default: the latest.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--force", is_flag=True, help="Send again a period already sent to a channel.")
@click.option("--wecom-webhook", metavar="URL",
              help="The robot's webhook URL (default: the environment variable notify.wecom_env, "
                   "STUDIO_WECOM_WEBHOOK).")
@CONFIG_OPTION
@guarded
def notify_report(slug: str, period: str | None, dry_run: bool, force: bool, wecom_webhook: str | None,
                  config_file: Path) -> None:
    """Send one period of report SLUG to the channels its front matter's notify: names."""
    from studio.engine import build as engine
    from studio.notify.command import notify_report as run

    engine.quiet_logging()
    sys.exit(run(config_file, slug, period, dry_run=dry_run, force=force, webhook=wecom_webhook))


if __name__ == "__main__":  # pragma: no cover
    main()
