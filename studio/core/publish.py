"""Which of the authors' own files reach the site: an allow-list, not a deny-list.

Folders beside pages fill up with whatever a team has: exports, screenshots, a WPS file, a
``.txt`` that is really a CSV with phone numbers, an ``.html`` saved from the web. Only files
meant to be shown or downloaded are published — images, PDFs, fonts, audio and video,
stylesheets, office documents — and each of them only when it lies inside the project
(a symlink to ``/etc`` publishes nothing). An SVG is published only when it holds no script,
event handler, ``javascript:`` link or outside reference; raw ``.html`` files only when the
``html.publish_html_files`` option says so. Data files are never published (the PII scan
reads them); anything else is left out with a warning that names it.

Every engine publishes exactly :attr:`Output.files <studio.core.pipeline.Output>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

from studio.data.reader import DATA_SUFFIXES, PRIVATE_SUFFIXES
from studio.errors import display_path

IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".bmp", ".svg"}
DOCUMENTS = {".pdf", ".docx", ".pptx", ".key", ".pages"}
FONTS = {".woff", ".woff2", ".ttf", ".otf"}
MEDIA = {".mp3", ".m4a", ".wav", ".ogg", ".mp4", ".webm", ".mov"}
ASSET_SUFFIXES = frozenset(IMAGES | DOCUMENTS | FONTS | MEDIA | {".css"})
MAX_WARNINGS = 20

_SVG_DANGER = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_SAFE_REF = re.compile(r"^\s*(#|data:image/(png|jpe?g|gif|webp);)", re.IGNORECASE)


def authored_files(project) -> Iterator[tuple[str, Path]]:
    """(site uri, path) of every non-Markdown file under the content and case-study folders."""
    cfg = project.config
    for base, prefix in ((cfg.content_path, ""), (cfg.case_studies_path, cfg.case_studies_dir + "/")):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base)
            if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() == ".md" or path.is_dir():
                continue
            yield prefix + rel.as_posix(), path


def files_to_publish(project) -> dict[str, Path]:
    """The authors' files the site may hold; problems go to the project's diagnostics."""
    options = project.config.html
    extra = {s.lower() if s.startswith(".") else "." + s.lower() for s in options.publish_suffixes}
    out: dict[str, Path] = {}
    warned = 0
    hidden = [u[: -len("index.md")] for u in project.left_out if u.endswith("/index.md")]  # left-out folders
    for uri, path in authored_files(project):
        if any(uri.startswith(folder) for folder in hidden):
            continue
        suffix = path.suffix.lower()
        if any("\\" in part or ":" in part or any(ord(c) < 32 for c in part) for part in uri.split("/")):
            project.diagnostics.error("file name holds '\\', ':' or a control character; Studio does not publish it",
                                      file=path, hint="rename the file (letters, digits, '-', '_' and '.')")
            continue
        if not project.contains(path):
            project.diagnostics.error(
                f"'{display_path(path)}' is a link to a file outside the project; Studio does not publish it",
                file=path, hint="copy the file into the project instead of linking to it (不读取项目外的文件)")
            continue
        if suffix in PRIVATE_SUFFIXES or (suffix in DATA_SUFFIXES and suffix not in extra):
            continue  # data: read by the pages that use it and by the PII scan, never published
        if suffix == ".svg":
            problem = svg_problem(path)
            if problem:
                project.diagnostics.error(f"SVG image {problem}; Studio does not publish it", file=path,
                                          hint="export the image again without scripts, or save it as PNG")
                continue
        elif suffix in (".html", ".htm") and not options.publish_html_files:
            problem = ("raw HTML file is not published: its scripts would run for every reader",
                       "write it as a Markdown page, or set 'html: {publish_html_files: true}' to publish such files knowingly")
            warned = _warn(project, path, *problem, warned)
            continue
        elif suffix not in ASSET_SUFFIXES and suffix not in extra and not (suffix in (".html", ".htm")):
            warned = _warn(project, path, f"'{suffix or path.name}' files are not published",
                           "only images, PDFs, fonts, audio/video, stylesheets and office documents are; "
                           "allow more with 'html: {publish_suffixes: [...]}'", warned)
            continue
        out[uri] = path
    return out


def _warn(project, path: Path, message: str, hint: str, warned: int) -> int:
    if warned < MAX_WARNINGS:
        project.diagnostics.warn(message, file=path, hint=hint)
    elif warned == MAX_WARNINGS:
        project.diagnostics.warn("more files are not published; fix the ones above first", file=path)
    return warned + 1


def svg_problem(path: Path) -> str | None:
    """Why an SVG file must not be published (a script, a handler, an outside link), or None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if len(data) > 10_000_000:
        return "is larger than 10 MB"
    text = data.decode("utf-8", errors="replace")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        return "declares a DOCTYPE or entities"
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return f"is not well-formed XML ({exc})"
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""
        if tag in _SVG_DANGER:
            return f"holds a <{tag}> element"
        for name, value in el.attrib.items():
            attr = name.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                return f"holds an event handler ({attr}=)"
            if attr in ("href", "src") and value.strip() and not _SAFE_REF.match(value):
                return f"links to '{value[:60]}'"
            if attr == "style" and re.search(r"url\s*\(|expression|javascript:", value, re.IGNORECASE):
                return "loads a resource from its style"
    return None
