"""HTML to PDF with headless Chromium (Debian's ``chromium``), driven through Playwright.

Shared by every export that ends on paper (course handouts, reports). The page is laid
out at A4 width in print mode and printed only once its charts are drawn, so the PDF
shows them as the site does. Pages are numbered in the footer; an element with
``data-studio-toc="<anchor id>"`` is filled with the page its anchor lands on (the
document is printed twice: once to learn the pages, once with the numbers in place).
"""

from __future__ import annotations

import html
import io
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from studio.errors import StudioError

ENV = "STUDIO_CHROMIUM"  # path to a Chromium/Chrome binary, when it is not on PATH
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
WIDTH_PX = 680  # A4 (210 mm) less the side margins, in CSS pixels: charts are drawn at this width
# The site's own @page margins (Material: 25 mm) would narrow the page after the charts were
# drawn at WIDTH_PX and clip them; this style, added before any script runs, pins them.
_PIN_MARGINS = ("document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style');"
                f"s.textContent = '@page {{ margin: {MARGIN['top']} {MARGIN['right']} {MARGIN['bottom']} {MARGIN['left']} }}';"
                "document.head.appendChild(s); });")
INSTALL_HINT = ("install Debian's Chromium and a Chinese font: sudo apt-get install chromium fonts-wqy-zenhei "
                f"(or set {ENV}=/path/to/chrome)")

# True once every chart on the page is drawn and the fonts are loaded.
_READY = """() => document.fonts.status === 'loaded' &&
  [...document.querySelectorAll('.studio-chart__plot, .plotly-graph-div')].every(d => d.querySelector('.main-svg'))"""
_FILL_TOC = """pages => { for (const el of document.querySelectorAll('[data-studio-toc]')) {
  const n = pages[el.dataset.studioToc]; el.textContent = n ? String(n) : ''; } }"""


def check_chinese_font() -> None:
    """Stop before printing when no font on this machine has Chinese glyphs: Chromium would
    print every character as an empty box, silently. Asks fontconfig, as Chromium does."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return  # no fontconfig (not Linux): the browser finds its fonts another way
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return
    if not found.strip():
        raise StudioError("no Chinese font is installed: the PDF would show empty boxes instead of text",
                          hint="install one, e.g. sudo apt-get install fonts-wqy-zenhei (or fonts-noto-cjk) "
                               "(未安装中文字体)")


def find_chromium() -> str:
    """The browser to print with, or a StudioError saying how to get one."""
    chosen = os.environ.get(ENV)
    if chosen:
        if Path(chosen).is_file():
            return chosen
        raise StudioError(f"{ENV} is set to '{chosen}', which does not exist", hint=INSTALL_HINT)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise StudioError("no Chromium found: a PDF is printed with headless Chromium", hint=INSTALL_HINT)


def footer(title: str) -> str:
    """Page footer: the document title and 'page n / total' (Chromium fills the spans)."""
    style = ("width:100%;margin:0 15mm;font-size:8px;color:#777;display:flex;justify-content:space-between;"
             "font-family:'WenQuanYi Zen Hei','Noto Sans CJK SC',sans-serif")
    return (f'<div style="{style}"><span>{html.escape(title)}</span>'
            '<span>第 <span class="pageNumber"></span> / <span class="totalPages"></span> 页</span></div>')


def print_pdf(html_file: Path, pdf_file: Path, *, title: str = "", timeout_s: float = 60) -> Path:
    """Print ``html_file`` (a built page; its assets beside it) to ``pdf_file``; return the PDF path."""
    html_file, pdf_file = Path(html_file).resolve(), Path(pdf_file).resolve()
    if not html_file.is_file():
        raise StudioError(f"nothing to print: {html_file} does not exist", file=html_file)
    executable = find_chromium()
    check_chinese_font()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dependency
        raise StudioError("the 'playwright' package is missing", hint="pip install playwright") from None
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    options = dict(format="A4", margin=MARGIN, print_background=True, outline=True, tagged=True,
                   display_header_footer=True, header_template="<span></span>", footer_template=footer(title))
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(executable_path=executable, args=ARGS, headless=True)
            except PlaywrightError as exc:
                raise StudioError(f"Chromium ({executable}) did not start: {_first_line(exc)}", hint=INSTALL_HINT) from None
            try:
                page = browser.new_page(viewport={"width": WIDTH_PX, "height": 960})
                page.emulate_media(media="print")
                page.add_init_script(_PIN_MARGINS)
                page.goto(html_file.as_uri(), wait_until="load", timeout=timeout_s * 1000)
                try:
                    page.wait_for_function(_READY, timeout=timeout_s * 1000, polling=100)
                except PlaywrightError:
                    raise StudioError(f"{html_file.name}: charts were not drawn within {timeout_s:.0f} s",
                                      file=html_file, hint="open the page in a browser and check its console") from None
                page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
                if page.locator("[data-studio-toc]").count():
                    page.evaluate(_FILL_TOC, anchor_pages(page.pdf(**options)))
                page.pdf(path=str(pdf_file), **options)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise StudioError(f"printing {html_file.name} failed: {_first_line(exc)}", file=html_file) from None
    return pdf_file


def anchor_pages(pdf: bytes) -> dict[str, int]:
    """Named destinations of a Chromium PDF (one per linked anchor) -> 1-based page numbers."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        try:
            pages[str(name).lstrip("/")] = reader.get_destination_page_number(dest) + 1
        except Exception:  # noqa: BLE001 - a destination without a page is simply left out
            continue
    return pages


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or ["unknown error"])[0]


@contextmanager
def built_site(config_file: Path, site_dir: Path | None = None, strict: bool = False) -> Iterator[Path]:
    """A built site to print pages from: ``site_dir`` when given, else a fresh build in a temporary folder."""
    if site_dir is not None:
        if not (Path(site_dir) / "index.html").is_file():
            raise StudioError(f"'{site_dir}' holds no built site", hint="run `studio build` first, or leave out --site-dir")
        yield Path(site_dir)
        return
    from studio.engine import build as engine

    with tempfile.TemporaryDirectory(prefix="studio-export-") as tmp:
        yield engine.build(config_file, site_dir=Path(tmp) / "site", strict=strict, contained=False)


def page_file(site: Path, uri: str) -> Path:
    """The HTML file of page ``uri`` (e.g. 'courses/x/handout.md') in a built site, either URL style."""
    stem = uri[: -len(".md")] if uri.endswith(".md") else uri
    for candidate in (site / stem / "index.html", site / f"{stem}.html"):
        if candidate.is_file():
            return candidate
    raise StudioError(f"page '{uri}' is not in the built site {site}",
                      hint="rebuild the site (studio build), or leave out --site-dir")
