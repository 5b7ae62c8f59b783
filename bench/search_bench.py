"""Search figures on a generated 1,000-page Chinese site, in headless Chromium.

Measures, for a session of five queries typed into Material's search box:
- time from the page's load event to the first ``.md-search-result__item`` (first query);
- time from typing each query to its first result;
- search data transferred (each response gzipped, as a server would send it; Pagefind's
  files are already compressed and are counted as they are);
- the build time and the size of the search files on disk.

    .venv/bin/python bench/search_bench.py                 # Studio search, 1,000 pages
    .venv/bin/python bench/search_bench.py --plain-search  # baseline: Material's own search
    .venv/bin/python bench/search_bench.py --pages 200 --keep /tmp/corpus

Targets (issue 5): first result ≤ 1.0 s after load; ≤ 1 MB gzipped for the session.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_project  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUERIES = ["私域运营", "復購率", "企业微信 SOP", "私域试验田0420号", "朋友圈GMV"]
TARGET_FIRST_S = 1.0
TARGET_BYTES = 1_000_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(directory: Path) -> socketserver.TCPServer:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build(project: Path, plain: bool) -> float:
    cmd = ([str(ROOT / ".venv/bin/mkdocs"), "build", "-q"] if plain
           else [sys.executable, "-m", "studio.cli", "build"])
    start = time.perf_counter()
    subprocess.run(cmd, cwd=project, check=True, capture_output=True)
    return time.perf_counter() - start


def search_files(site: Path) -> dict[str, int]:
    sizes = {}
    for path in [site / "search", site / "pagefind"]:
        if path.is_dir():
            files = [f for f in path.rglob("*") if f.is_file()]
            sizes[path.name] = sum(f.stat().st_size for f in files)
            sizes[path.name + " (files)"] = len(files)
    return sizes


def is_search_data(url: str) -> bool:
    return "/search/" in url or "/pagefind/" in url or "/workers/" in url or "studio-search" in url


def wire_size(body: bytes, url: str) -> int:
    """Bytes as a gzip-enabled server sends them (Pagefind's own files are gzipped already)."""
    if "/pagefind/" in url and not url.endswith((".js", ".json", ".css")):
        return len(body)
    return min(len(body), len(gzip.compress(body, 6)))


def measure(url: str, queries: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    transferred: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()

        def on_response(resp):
            if is_search_data(resp.url):
                try:
                    transferred[resp.url] = wire_size(resp.body(), resp.url)
                except Exception:  # redirects and aborted requests have no body
                    pass

        page.on("response", on_response)
        page.goto(url, wait_until="load")
        loaded = page.evaluate("performance.now()")
        times = []
        for i, query in enumerate(queries):
            box = page.locator(".md-search__input")
            box.click()
            box.fill("")
            box.press("End")  # Material reads the box on keyup
            if i:
                page.wait_for_function(
                    "document.querySelectorAll('.md-search-result__item').length === 0")
            started = page.evaluate("performance.now()")
            box.fill(query)
            box.press("End")  # one keyup: one query for the whole text, as after a paste
            # results, or Material's Chinese "no results" line (没有找到符合条件的结果)
            page.wait_for_function(
                """() => document.querySelectorAll('.md-search-result__item').length > 0
                    || (document.querySelector('.md-search-result__meta').textContent.includes('没有'))""",
                timeout=120_000)
            shown = page.evaluate("performance.now()")
            times.append(((shown - loaded) if i == 0 else (shown - started)) / 1000)
            items = page.locator(".md-search-result__item")
            first = items.first.inner_text()[:60].replace("\n", " / ") if items.count() else "(no result)"
            print(f"  {query!r}: {times[-1]:.2f} s -> {first}")
        browser.close()
    return {"first_result_after_load_s": times[0], "per_query_s": times,
            "search_bytes_gzip": sum(transferred.values()), "requests": len(transferred)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--plain-search", action="store_true", help="baseline: Material's own search")
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it")
    ap.add_argument("--no-build", action="store_true", help="reuse the site built in --keep")
    args = ap.parse_args()
    project = args.keep or Path(tempfile.mkdtemp(prefix="studio-search-bench-"))
    build_s = None
    if not args.no_build:
        write_project(project, args.pages, plain_search=args.plain_search)
        build_s = build(project, args.plain_search)
    site = project / "site"
    server = serve(site)
    try:
        result = measure(f"http://127.0.0.1:{server.server_address[1]}/", QUERIES)
    finally:
        server.shutdown()
    result.update({"engine": "material" if args.plain_search else "studio", "pages": args.pages,
                   "build_s": build_s, "search_files_bytes": search_files(site)})
    print(json.dumps(result, indent=2, ensure_ascii=False))
    ok = result["first_result_after_load_s"] <= TARGET_FIRST_S and result["search_bytes_gzip"] <= TARGET_BYTES
    print(f"targets (first ≤ {TARGET_FIRST_S} s, ≤ {TARGET_BYTES:,} B gzipped): {'met' if ok else 'NOT met'}")
    if not args.keep:
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
