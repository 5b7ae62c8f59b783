"""Zensical, Material for MkDocs' successor, as Studio's engine.

Zensical reads ``mkdocs.yml`` but runs no MkDocs plugin and has no public Python API, so
Studio stages the docs tree itself (``studio.engine.staged``), writes a configuration for
it — the project's own, with the staged folders, Studio's navigation and assets, and the
plugins Zensical does not know left out — runs ``zensical build`` on it, then its own
post-build steps, and swaps the result in like any build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from studio.cache import Cache
from studio.config import StudioConfig
from studio.engine import mkdocs_yaml
from studio.engine.compress import compress_site
from studio.engine.lock import project_lock
from studio.engine.sitedir import check_site_dir, inside_project, staged as staged_site, tidy
from studio.engine.staged import Staged, copy_site, finish, stage
from studio.core.project import Project
from studio.errors import BuildFailed, Report, StudioError
from studio.features.builtin import load_project
from studio.guard.interrupt import interruptible

# mkdocs.yml keys Zensical understands and Studio passes on as they are.
PASSED = ("site_name", "site_url", "site_description", "site_author", "repo_url", "repo_name", "edit_uri",
          "copyright", "use_directory_urls", "theme", "extra", "markdown_extensions", "extra_css",
          "extra_javascript")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARNING = re.compile(r"^\s*Warning:\s*(?P<message>.*)$", re.MULTILINE)


def config_for(raw: dict[str, Any], staged: Staged) -> dict[str, Any]:
    """The configuration Zensical builds the staged tree with."""
    out = {key: raw[key] for key in PASSED if key in raw}
    out["docs_dir"] = "docs"
    out["site_dir"] = "site"
    out["nav"] = staged.nav
    out["extra_css"] = list(out.get("extra_css") or []) + [u for u in staged.output.css if u not in (out.get("extra_css") or [])]
    out["extra_javascript"] = list(out.get("extra_javascript") or []) + [
        u for u in staged.output.js if u not in (out.get("extra_javascript") or [])]
    theme = dict(out.get("theme") or {"name": "material"})
    theme.setdefault("font", False)  # the site requests nothing from outside hosts
    out["theme"] = theme
    out["plugins"] = {"search": {}}  # its index feeds its search box; Studio's Pagefind index answers
    return out


def build(config_file: Path, site_dir: Path | None = None, strict: bool = False, contained: bool = True,
          audience: str | None = None, report: Report | None = None) -> Path:
    """Build with Zensical into a staged folder, check it and swap it in; return the site folder."""
    from studio.engine.mkdocs.runner import studio_config  # the options, validated as on MkDocs

    config_file = Path(config_file)
    raw = mkdocs_yaml.read(config_file)
    options: StudioConfig = studio_config(config_file, strict=strict)
    if audience is not None:
        options = options.model_copy(update={"audience": audience})
    root = options.root
    site = (root / (site_dir or raw.get("site_dir") or "site")) if not (site_dir and Path(site_dir).is_absolute()) \
        else Path(site_dir)
    if contained:
        inside_project(site, options)
    check_site_dir(site, options)
    with interruptible(), project_lock(root, "build"):
        tidy(site)
        with staged_site(site) as tmp:
            project = _build_into(tmp, raw, options, strict, report)
            if contained:  # the site a server publishes (studio.engine.compress)
                compress_site(tmp, Cache.for_project(options, "compress"))
    if report is not None:
        report.extend(project.diagnostics.advice, finding=True)
    return site


def _build_into(target: Path, raw: dict[str, Any], options: StudioConfig, strict: bool,
                report: Report | None = None) -> Project:
    project = load_project(options)
    failing = project.diagnostics.failing(options.strict)
    if failing:
        raise BuildFailed(failing)
    _report(project.diagnostics.warnings, report)
    with tempfile.TemporaryDirectory(prefix="studio-zensical-") as tmp:
        work = Path(tmp)
        loaded = len(project.diagnostics.items)
        staged = stage(project, work / "docs")
        late = project.diagnostics.items[loaded:]  # found while rendering (a block's data file)
        failing = staged.problems + [p for p in late if p.severity == "error" or options.strict]
        if failing:
            raise BuildFailed(failing)
        _report(late, report)
        cfg = work / "zensical.yml"  # any name but *.toml is read as mkdocs.yml-style YAML
        cfg.write_text(yaml.safe_dump(config_for(raw, staged), allow_unicode=True, sort_keys=False), encoding="utf-8")
        warnings = run(cfg, strict)
        directory_urls = raw.get("use_directory_urls", True) is not False
        warnings += finish(staged, work / "site", directory_urls=directory_urls)
        if strict and warnings:
            raise BuildFailed(warnings)
        _report(warnings, report)
        copy_site(work / "site", target)
    return project


def run(cfg: Path, strict: bool = False) -> list[StudioError]:
    """``zensical build`` on a configuration; its warnings (broken links …) as Studio's."""
    if shutil.which("zensical") is None and _missing():
        raise BuildFailed([StudioError("the Zensical engine is not installed",
                                       hint="pip install 'zensical==0.0.73', or use --engine mkdocs")])
    command = [sys.executable, "-m", "zensical", "build", "-f", str(cfg), "--clean"]
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        proc = subprocess.run(command, cwd=cfg.parent, capture_output=True, text=True, env=env, timeout=3600)
    except OSError as exc:
        raise BuildFailed([StudioError(f"cannot run zensical: {exc.strerror}")]) from None
    err = _ANSI.sub("", proc.stderr)
    warnings = [StudioError(m.group("message").strip(), file=cfg.name, severity="warning")
                for m in _WARNING.finditer(err)]
    if proc.returncode != 0:
        last = next((line.strip() for line in reversed(err.splitlines()) if line.strip()), "no message")
        raise BuildFailed([StudioError(f"zensical build failed: {last}",
                                       hint="run with --engine mkdocs to compare; the message is Zensical's")])
    return warnings


def _missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("zensical") is None


def _report(problems: list[StudioError], report: Report | None = None) -> None:
    import logging

    log = logging.getLogger("mkdocs.plugins.studio")
    for p in problems:
        if report is not None:
            report.add(p)
        else:
            log.warning(p.format())


def serve(config_file: Path, dev_addr: str | None = None) -> None:
    from studio.engine.serve_static import serve_rebuilding

    serve_rebuilding(config_file, dev_addr, lambda site: build(config_file, site_dir=site, contained=False))
