"""Search figures on a generated site of long Chinese articles (default 10,000), in headless
Chromium (issue 15).

Measures:
- the build: wall time of ``studio build`` and the peak memory of its largest process
  (the build itself, a forked cutting process, or the Pagefind indexer);
- the size of the search files on disk;
- that nothing for search is requested before the search box gets focus;
- for each query, typed into Material's search box in a fresh tab (so the first query pays
  for starting search, as a visitor's does): the time from focusing the box and typing to
  the first result, and the search data transferred for that query (each response
  gzipped, as a server would send it; Pagefind's files are already compressed and are
  counted as they are); then the same queries again in the warm tab.

    .venv/bin/python bench/search_bench.py                        # 10,000 pages
    .venv/bin/python bench/search_bench.py --pages 1000 --keep /tmp/corpus
    .venv/bin/python bench/search_bench.py --keep /tmp/corpus --no-build   # reuse that site

Targets (issue 15): first result ≤ 0.5 s after typing, ≤ 300 KB transferred per query,
both for a query typed into a page that has loaded nothing for search yet.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import resource
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
QUERIES = ["私域运营", "復購率", "企业微信 SOP", "私域试验田0420号", "朋友圈GMV", "喜茶 会员 复购",
           "个微 企微 区别", "復(fù)購(gòu)"]
TARGET_FIRST_S = 0.5
TARGET_BYTES = 300_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _Server(socketserver.ThreadingTCPServer):
    # a first query asks for dozens of files at once: the default backlog (5) refuses some,
    # and a refused index chunk would be a query answered from less data than it needs
    request_queue_size = 128


def serve(directory: Path) -> socketserver.TCPServer:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build(project: Path) -> dict:
    """Wall time and peak memory (largest process's resident set) of ``studio build``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "studio.cli", "build"], cwd=project, check=True,
                   capture_output=True)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
    return {"build_s": round(seconds, 1), "build_peak_rss_mb": round(peak_kb / 1024, 1)}


def search_files(site: Path) -> dict[str, int]:
    files = [f for f in (site / "search").rglob("*") if f.is_file()]
    return {"search_bytes_on_disk": sum(f.stat().st_size for f in files), "search_files": len(files)}


def is_search_data(url: str) -> bool:
    return any(part in url for part in ("/search/", "/workers/", "studio-search", "studio-t2s", "pagefind"))


def wire_size(body: bytes, url: str) -> int:
    """Bytes as a gzip-enabled server sends them (Pagefind's own files are gzipped already)."""
    if "/pagefind/" in url and not url.split("?")[0].endswith((".js", ".json", ".css")):
        return len(body)
    return min(len(body), len(gzip.compress(body, 6)))


def type_query(page, query: str, first: bool) -> float:
    """Seconds from focusing the box and typing ``query`` to its first result."""
    box = page.locator(".md-search__input")
    if not first:
        box.fill("")
        box.press("End")
        page.wait_for_function("document.querySelectorAll('.md-search-result__item').length === 0")
    started = page.evaluate("performance.now()")
    box.focus()
    box.fill(query)
    box.press("End")  # Material reads the box on keyup: one query for the whole text
    # every benchmark query has results; 「没有找到」 may flash first (the answer to the
    # empty box Material sends on focus), so the end is the first result of this query
    # (the list says which query it answers: results.js; plain Material's does not)
    page.wait_for_function(
        """q => { const list = document.querySelector('.md-search-result__list')
                 return list && (list.dataset.query === q || !window.StudioSearchUI)
                   && list.querySelector('.md-search-result__item') }""",
        arg=query, timeout=120_000)
    return (page.evaluate("performance.now()") - started) / 1000


def kind(url: str) -> str:
    """Which part of search a response is, for the breakdown of bytes per query."""
    for part, name in (("/fragment/", "page snippets (fragments)"), ("/index/", "index chunks"),
                       ("/vocab/", "vocabulary shards"), ("studio-t2s", "traditional→simplified table"),
                       ("/pagefind/", "Pagefind runtime (js, wasm, meta)"), ("/workers/", "Studio worker + UI")):
        if part in url:
            return name
    return "other"


def measure(url: str, queries: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    cold, warm = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        for query in queries:  # a fresh tab each: a visitor's first query
            context = browser.new_context()
            page = context.new_page()
            got: dict[str, int] = {}

            def on_response(resp, got=got):
                if is_search_data(resp.url):
                    try:
                        got[resp.url] = wire_size(resp.body(), resp.url)
                    except Exception:  # redirects and aborted requests have no body
                        pass

            failed: list[str] = []  # a figure from a query that lost a file would be too small
            page.on("response", on_response)
            page.on("response", lambda resp, failed=failed: resp.status >= 400 and failed.append(resp.url))
            page.on("requestfailed", lambda req, failed=failed: failed.append(req.url))
            page.goto(url, wait_until="networkidle")
            before = len(got)
            seconds = type_query(page, query, first=True)
            items = page.locator(".md-search-result__item")
            meta = page.locator(".md-search-result__meta").inner_text()
            first = items.first.inner_text()[:50].replace("\n", " / ") if items.count() else "(no result)"
            parts: dict[str, int] = {}
            for u, n in got.items():
                parts[kind(u)] = parts.get(kind(u), 0) + n
            cold.append({"query": query, "first_result_s": round(seconds, 3), "bytes": sum(got.values()),
                         "requests": len(got), "before_focus": before, "count": meta, "bytes_by_kind": parts})
            cold[-1]["failed_requests"] = len(failed)
            print(f"  cold {query!r}: {seconds:.2f} s, {sum(got.values()) / 1000:.0f} KB, {meta} -> {first}"
                  + (f"  ({len(failed)} requests failed)" if failed else ""))
            if query == queries[-1]:  # the same tab, warm: every query once more
                for q in queries:
                    got.clear()
                    s = type_query(page, q, first=False)
                    warm.append({"query": q, "first_result_s": round(s, 3), "bytes": sum(got.values())})
                    print(f"  warm {q!r}: {s:.2f} s, {sum(got.values()) / 1000:.0f} KB")
            context.close()
        browser.close()
    # bench/run.py reads this one: a visitor's first query, from focusing the box
    return {"cold": cold, "warm": warm, "first_result_after_load_s": cold[0]["first_result_s"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it")
    ap.add_argument("--no-build", action="store_true", help="reuse the site built in --keep")
    args = ap.parse_args()
    project = args.keep or Path(tempfile.mkdtemp(prefix="studio-search-bench-"))
    result: dict = {"pages": args.pages, "cores": len(os.sched_getaffinity(0))}
    if not args.no_build:
        started = time.perf_counter()
        write_project(project, args.pages)
        result["corpus_s"] = round(time.perf_counter() - started, 1)
        result.update(build(project))
        print(f"  built {args.pages} pages in {result['build_s']} s, peak {result['build_peak_rss_mb']} MB")
    site = project / "site"
    result.update(search_files(site))
    server = serve(site)
    try:
        result.update(measure(f"http://127.0.0.1:{server.server_address[1]}/", QUERIES))
    finally:
        server.shutdown()
    cold = result["cold"]
    result["worst_first_result_s"] = max(c["first_result_s"] for c in cold)
    result["worst_bytes_per_query"] = max(c["bytes"] for c in cold)
    result["requests_before_focus"] = max(c["before_focus"] for c in cold)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    ok = (result["worst_first_result_s"] <= TARGET_FIRST_S and result["worst_bytes_per_query"] <= TARGET_BYTES
          and result["requests_before_focus"] == 0)
    print(f"targets (first result ≤ {TARGET_FIRST_S} s after typing, ≤ {TARGET_BYTES:,} B per query, "
          f"nothing before focus): {'met' if ok else 'NOT met'}")
    if not args.keep:
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
