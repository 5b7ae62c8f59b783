"""The output guard: after any engine, nothing private may be in the built site.

Engines copy what they find (Zensical publishes every file of its docs folder; a MkDocs
plugin or theme could do the same), so Studio trusts none of them: before a build replaces
the site, this scans the output folder and fails the build — keeping the previous site —
when a data file (a CSV/Excel/YAML/ICS source, whatever wrote it) or an unmasked piece of
personal information is there. Files Studio itself generated (the ICS feeds) are expected.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from studio.cache import Cache, key_of
from studio.data.reader import PRIVATE_SUFFIXES
from studio.errors import BuildFailed, StudioError
from studio.guard import pii

if TYPE_CHECKING:
    from studio.core.pipeline import Output
    from studio.core.project import Project

# Text the site shows or searches: pages, the engine's search data, feeds. Theme and plotly
# bundles (.js, .css) are package files, not content; Pagefind's fragments are cut from the
# pages' HTML, which is scanned.
TEXT_SUFFIXES = frozenset({".html", ".htm", ".json", ".xml", ".txt", ".svg", ".md", ".ics"})
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
    seen: set[str] = set()  # lines already scanned: the navigation repeats on every page
    # the digests of the files a clean earlier build scanned with the same rules: not read again
    cache = Cache.for_project(project.config, "site-pii")
    rules = key_of("site-pii", kinds, allow)
    known: frozenset[str] = cache.get(rules, frozenset()) if kinds and options.enabled else frozenset()
    scanned: set[str] = set()
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
        if suffix not in TEXT_SUFFIXES:
            continue
        data = path.read_bytes()
        if cache.enabled:
            digest = hashlib.sha256(data).hexdigest()
            scanned.add(digest)
            if digest in known:
                continue
        finding = _first_finding(data.decode("utf-8", errors="replace"), kinds, allow, seen)
        if finding is not None:
            f, line = finding
            problems.append(StudioError(
                f"the built site shows {f.label} {f.masked} unmasked", file=f"site/{rel}", line=line,
                rule="pii", hint="mask or drop the column it comes from ('pii: {mask: [...]}'), "
                                 "or allow a public value with 'pii: {allow: [...]}' (页面不得公开个人信息)"))
        if len(problems) >= MAX_LISTED:
            problems.append(StudioError("and possibly more; fix the ones above first", file="site/"))
            break
    if not problems and scanned and cache.enabled:
        # only a clean site is remembered: a line is scanned in the first file that holds it
        # (``seen``), so one file is known clean only when every file is
        cache.put(rules, frozenset(scanned))
        cache.prune()  # the digests kept under other rules
    return problems


def _first_finding(text: str, kinds: list[str], allow: list[str], seen: set[str]) -> tuple[pii.Finding, int] | None:
    """The first unallowed finding in the lines of ``text`` not scanned before, with its line."""
    numbers, lines = [], []
    for n, line in enumerate(text.split("\n"), 1):
        if line not in seen:
            seen.add(line)
            numbers.append(n)
            lines.append(line)
    if not lines:
        return None
    starts = list(accumulate((len(x) + 1 for x in lines), initial=0))
    for f in pii.find("\n".join(lines), kinds):
        if not pii.allowed(f, allow):
            return f, numbers[bisect_right(starts, f.start) - 1]
    return None
