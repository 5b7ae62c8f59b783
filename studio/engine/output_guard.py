"""The output guard: after any engine, nothing private may be in the built site.

Engines copy what they find (Zensical publishes every file of its docs folder; a MkDocs
plugin or theme could do the same), so Studio trusts none of them: before a build replaces
the site, this scans the output folder and fails the build — keeping the previous site —
when a data file (a CSV/Excel/YAML/ICS source, whatever wrote it) or an unmasked piece of
personal information is there. Files Studio itself generated (the ICS feeds) are expected.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

from studio.errors import BuildFailed, StudioError
from studio.guard import pii

if TYPE_CHECKING:
    from studio.core.pipeline import Output
    from studio.core.project import Project

# Sources that must never be published as files (Studio's own generated feeds excepted).
PRIVATE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".yml", ".yaml", ".ics"})
# Text the site shows or searches: pages, search data, feeds. Theme and plotly bundles
# (.js, .css) are package files, not content.
TEXT_SUFFIXES = frozenset({".html", ".htm", ".json", ".xml", ".txt", ".svg", ".md", ".ics"})
COMPRESSED_SUFFIXES = frozenset({".pf_fragment"})  # Pagefind's gzipped page texts
MAX_LISTED = 20


def check_output(site: Path, project: "Project", output: "Output") -> None:
    """Raise BuildFailed listing every private file and personal value in ``site``."""
    problems = scan_output(site, project, set(output.assets))
    if problems:
        raise BuildFailed(problems)


def scan_output(site: Path, project: "Project", generated: set[str]) -> list[StudioError]:
    options = project.config.pii
    allow = list(options.allow) + [a for rules in project.data.page_rules().values() for a in rules.allow]
    kinds = [k for k in ("mobile", "id_card", "bank_card", "wechat") if k in options.detect]
    if options.page_email and "email" in options.detect:
        kinds.append("email")
    problems: list[StudioError] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        suffix = path.suffix.lower()
        if suffix in PRIVATE_SUFFIXES and rel not in generated:
            problems.append(StudioError(
                f"the built site holds a data file: {rel}", file=f"site/{rel}",
                hint="data files stay out of the site; Studio removed none of yours — "
                     "check the engine's settings (数据文件不得发布)"))
            continue
        if not options.enabled or not kinds:
            continue
        if suffix in TEXT_SUFFIXES:
            data = path.read_bytes()
        elif suffix in COMPRESSED_SUFFIXES:
            try:
                data = gzip.decompress(path.read_bytes())
            except OSError:
                continue
        else:
            continue
        text = data.decode("utf-8", errors="replace")
        for f in pii.find(text, kinds):
            if pii.allowed(f, allow):
                continue
            line = text.count("\n", 0, f.start) + 1
            problems.append(StudioError(
                f"the built site shows {f.label} {f.masked} unmasked", file=f"site/{rel}", line=line,
                rule="pii", hint="mask or drop the column it comes from ('pii: {mask: [...]}'), "
                                 "or allow a public value with 'pii: {allow: [...]}' (页面不得公开个人信息)"))
            break  # one finding per file says enough
        if len(problems) >= MAX_LISTED:
            problems.append(StudioError("and possibly more; fix the ones above first", file="site/"))
            break
    return problems
