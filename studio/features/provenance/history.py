"""Last changes from git, and the 「编辑此页」 footer of every page.

One ``git log`` per build gives every file's last commit (the newest entry that names it), so
a 1,000-page site costs one process, not a thousand. Outside a git checkout, or without git,
pages simply carry no date. Links come from ``provenance.edit_url`` / ``history_url``
(``{path}`` is the file's path in the repository), which the engine adapter derives from
``repo_url`` and ``edit_uri`` in mkdocs.yml when they are not set.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

from studio.core.project import Document, Project

EXTRA = "provenance"  # project.extras key: repository path -> (date, short hash)


def load_history(project: Project) -> None:
    project.extras[EXTRA] = {}
    if not project.config.provenance.last_updated:
        return
    root = project.config.root.resolve()
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return
    command = [git, "-C", str(root), "log", "--format=%x01%cs %h", "--name-only", "--no-renames", "--",
               project.config.content_dir, project.config.case_studies_dir]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return
    if proc.returncode != 0:
        return
    found: dict[str, tuple[str, str]] = {}
    current = ("", "")
    for line in proc.stdout.splitlines():
        if line.startswith("\x01"):
            date, _, short = line[1:].partition(" ")
            current = (date, short)
        elif line.strip() and line not in found:
            found[line] = current  # newest first: the first commit naming a file is its last change
    project.extras[EXTRA] = found


def repo_path(project: Project, doc: Document) -> str:
    return doc.path.resolve().relative_to(project.config.root.resolve()).as_posix()


def footer(project: Project, doc: Document, markdown: str) -> str:
    """「最后更新 · 编辑此页 · 修改历史」 under the page, each part only when known."""
    options = project.config.provenance
    path = repo_path(project, doc)
    parts = []
    date, short = project.extras.get(EXTRA, {}).get(path, ("", ""))
    if date:
        parts.append(f'最后更新：<time datetime="{escape(date)}">{escape(date)}</time>'
                     + (f'（提交 <code>{escape(short)}</code>）' if short else ""))
    if options.edit_url:
        parts.append(f'<a href="{escape(options.edit_url.replace("{path}", path))}">编辑此页</a>')
    if options.history_url:
        parts.append(f'<a href="{escape(options.history_url.replace("{path}", path))}">修改历史</a>')
    if not parts:
        return markdown
    return markdown.rstrip() + '\n\n<p class="studio-provenance" data-search-exclude>' + " · ".join(parts) + "</p>\n"


def links_from(repo_url: str | None, edit_uri: str | None, content_dir: str) -> tuple[str | None, str | None]:
    """(edit_url, history_url) with ``{path}`` from MkDocs' ``repo_url`` and ``edit_uri``.

    MkDocs' ``edit_uri`` points into the docs folder (``edit/main/content/``); Studio links by
    the path in the repository, so case studies outside ``content/`` link right too. The
    history link follows GitHub's and GitLab's ``edit`` → ``commits`` convention.
    """
    if not repo_url or not edit_uri:
        return None, None
    if "://" in edit_uri:
        base = edit_uri
    else:
        base = repo_url.rstrip("/") + "/" + edit_uri.lstrip("/")
    base = base if base.endswith("/") else base + "/"
    suffix = f"/{content_dir.strip('/')}/"
    if base.endswith(suffix):
        base = base[: -len(suffix) + 1]
    history = base.replace("/edit/", "/commits/", 1) if "/edit/" in base else None
    return base + "{path}", (history + "{path}") if history else None
