"""The project-wide PII scan: every page (``file:line:column``) and every data file
(``file:line`` and the column header as written).

Runs as a loader, so ``studio build``, ``studio serve`` and ``studio check`` all report the
same findings. The column rules it honours (``mask:``/``drop:``/``allow:``) are the ones the
project's data door applies to every table a page shows (``studio.core.datafiles``); the
detectors and masking are the ``studio.guard`` library.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Iterator

from studio.cache import Cache, file_hash, key_of
from studio.core.project import Project
from studio.data.reader import DATA_SUFFIXES, read_text
from studio.errors import StudioError, did_you_mean
from studio.guard.options import ColumnRules
from studio.guard.scan import column_matches, scan_data_file, scan_page


def walk(base: Path, suffixes: set[str] | frozenset[str]) -> Iterator[Path]:
    """Files under ``base`` with one of ``suffixes``, hidden folders and files left out."""
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).parts
        if path.is_file() and path.suffix.lower() in suffixes and not any(p.startswith(".") for p in rel):
            yield path


def roots(project: Project) -> list[Path]:
    return [project.config.content_path, project.config.case_studies_path]


SAMPLE_BYTES = 8 * 1024 * 1024  # of a large CSV read by the engine: what the PII scan reads


def guard_project(project: Project) -> None:
    """Add a problem for every piece of personal information found in pages and data files."""
    options = project.config.pii
    door = project.data
    page_rules = door.page_rules()  # validated even with detection off: the door applies them
    if not options.enabled:
        return
    uses = door.uses()
    data_files = {p.resolve() for root in roots(project) for p in walk(root, DATA_SUFFIXES)} | set(uses)
    problems: list[StudioError] = []
    headers_seen: dict[Path, list[str]] = {}
    # data files an earlier build found clean (same bytes, same rules, same options) are not
    # scanned again; a large file the engine reads is sampled, which costs less than a hash
    data_cache = Cache.for_project(project.config, "data-pii")
    for path in sorted(data_files):  # a large CSV the engine reads: a bounded sample of its rows
        sample = SAMPLE_BYTES if door.in_engine(path) else None
        rules = door.rules_for(path)
        key = _data_key(path, rules, options) if data_cache.enabled and sample is None else None
        clean = data_cache.get(key) if key else None  # (the file's headers,) when clean
        if clean is not None:
            if clean[0] is not None:
                headers_seen[path] = clean[0]
            continue
        found = scan_data_file(path, rules, options, headers_seen, sample)
        problems += found
        if key and not found:
            data_cache.put(key, (headers_seen.get(path),))
    data_cache.prune()
    # pages an earlier build found clean (same bytes, same allow list, same options) are not
    # read for PII again: on 1,000 long pages the scan is a second of every build
    cache = Cache.for_project(project.config, "pages-pii")
    settings = key_of("pages-pii", options.model_dump(mode="json"))
    known: frozenset[str] = cache.get(settings, frozenset())
    clean: set[str] = set()
    for root in roots(project):
        for path in walk(root, {".md"}):
            rules = page_rules.get(path.resolve())
            allow = list(options.allow) + (rules.allow if rules else [])
            try:
                text = read_text(path)
            except StudioError:
                continue  # the loader reports unreadable pages
            digest = hashlib.sha256(json.dumps([text, allow], ensure_ascii=False).encode()).hexdigest()
            if digest not in known:
                found = scan_page(path, allow, options, text)
                problems += found
                if found:
                    continue
            clean.add(digest)
    if cache.enabled and clean != known:
        cache.put(settings, frozenset(clean))
    cache.prune()  # entries of other options (the one read above counts as used)
    problems += unused_declarations(project, page_rules, uses, headers_seen)
    for p in problems:
        if p.rule == "pii" and p.severity == "error":
            p.severity = options.severity
    project.diagnostics.extend(problems)


def _data_key(path: Path, rules, options) -> str | None:
    """What a data file's scan depends on: its bytes, its column rules and the options."""
    try:
        digest = file_hash(path)
    except OSError:
        return None  # unreadable: scanned (and reported) as before
    return key_of("data-pii", digest, options.model_dump(mode="json"), sorted(rules.mask), sorted(rules.drop),
                  rules.allow, repr(rules.kinds))


def unused_declarations(project: Project, page_rules: dict[Path, ColumnRules], uses: dict[Path, list[Path]],
                        headers_seen: dict[Path, list[str]]) -> list[StudioError]:
    """A page's ``pii: {mask: [X]}`` where none of its data files has X is probably a typo."""
    problems = []
    files_of: dict[Path, list[Path]] = defaultdict(list)
    for data, pages in uses.items():
        for page in pages:
            files_of[page].append(data)
    for doc in project.documents:
        rules = page_rules.get(doc.path.resolve())
        if rules is None:
            continue
        headers = [h for f in files_of.get(doc.path.resolve(), []) for h in headers_seen.get(f, [])]
        for action in ("mask", "drop"):
            for i, name in enumerate(getattr(rules, action)):
                if not any(column_matches(name, h) for h in headers):
                    problems.append(StudioError(
                        f"pii.{action}: no column '{name}' in the data files this page uses"
                        f"{did_you_mean(name, headers)}",
                        file=doc.path, line=doc.source.line_of("pii", action, i), severity="warning",
                        hint="columns: " + (", ".join(dict.fromkeys(headers)) or "none (the page uses no data file)")))
    return problems
