"""Page speed and accessibility of the built sample site: Lighthouse, mobile and desktop.

One command (``make page-bench``, which installs ``lighthouse@12.2.3`` with npm into
``.venv/npm``) builds the sample site, serves it on 127.0.0.1 the way nginx serves it with
``gzip_static on;`` (the ``.gz`` beside a file is sent when the browser accepts gzip), runs
Lighthouse in Debian's Chromium on the home, calendar, dashboard, report period and Luckin
pages, and prints a table: performance, accessibility, total blocking time, JavaScript
transferred. Targets (issue 16): mobile performance ≥ 90 and accessibility ≥ 95 on each
page, JavaScript on the heaviest chart page ≤ 500 KB, total blocking time ≤ 300 ms. On a
shared machine the timings vary: run it on a quiet one for the figures that count.

    .venv/bin/python bench/page_bench.py                  # build, then every page, both presets
    .venv/bin/python bench/page_bench.py --site site      # an already built site
    .venv/bin/python bench/page_bench.py --runs 3 --json out.json
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import mimetypes
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / ".venv" / "npm" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync")
PAGES = {
    "home": "",
    "calendar": "calendars/2026-11/",
    "dashboard": "dashboards/luckin-orders/",
    "report period": "reports/team-monthly/2026-11/",
    "luckin": "case_studies/luckin/",
}
CHART_PAGES = ("dashboard", "report period", "luckin")
TARGETS = {"performance": 90, "accessibility": 95, "tbt_ms": 300, "js_kb": 500}


class PrecompressedHandler(http.server.SimpleHTTPRequestHandler):
    """Like nginx ``gzip_static on;``: ``x.js.gz`` is sent for ``x.js`` to a browser that takes gzip."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        packed = path.with_name(path.name + ".gz")
        if "gzip" in self.headers.get("Accept-Encoding", "") and path.is_file() and packed.is_file():
            body = packed.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)
        return super().send_head()


class _Server(socketserver.ThreadingTCPServer):
    request_queue_size = 128  # a page asks for many files at once: the default 5 refuses some


def serve(site: Path) -> socketserver.ThreadingTCPServer:
    handler = functools.partial(PrecompressedHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build_sample(work: Path) -> Path:
    """The sample project, copied and built strict; its site folder."""
    work.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "content", "case_studies"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name)
        elif src.exists():
            shutil.copy2(src, work / name)
    subprocess.run([sys.executable, "-m", "studio.cli", "build", "--strict"], cwd=work, check=True,
                   capture_output=True, text=True)
    return work / "site"


def lighthouse(url: str, preset: str, out: Path) -> dict:
    """One Lighthouse run; the figures the table shows."""
    cmd = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           "--only-categories=performance,accessibility", f"--chrome-flags={FLAGS}"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not out.is_file():
        raise SystemExit(f"lighthouse failed on {url} ({preset}): {(proc.stderr or proc.stdout).strip()[-400:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    scripts = [i for i in audits["resource-summary"]["details"]["items"] if i.get("resourceType") == "script"]
    return {
        "performance": round(100 * (report["categories"]["performance"]["score"] or 0)),
        "accessibility": round(100 * (report["categories"]["accessibility"]["score"] or 0)),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "js_kb": round((scripts[0]["transferSize"] if scripts else 0) / 1024),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
    }


_SCRIPT_BYTES = """() => performance.getEntriesByType('resource')
  .filter(e => e.initiatorType === 'script' || e.name.endsWith('.js'))
  .reduce((n, e) => n + (e.transferSize || 0), 0)"""


def js_after_scrolling(url: str) -> int:
    """KB of script a reader's browser has fetched once every chart on the page is drawn
    (Lighthouse stops before a chart below the fold asks for plotly.js)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS.split()[1:], headless=True)
        try:
            page = browser.new_page(viewport={"width": 412, "height": 823})
            page.goto(url, wait_until="load")
            charts = page.locator("figure.studio-chart")
            for i in range(charts.count()):
                charts.nth(i).scroll_into_view_if_needed()
                charts.nth(i).locator("svg.main-svg").first.wait_for(state="attached", timeout=60_000)
            return round(page.evaluate(_SCRIPT_BYTES) / 1024)
        finally:
            browser.close()


def median_of(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs)) for k in runs[0]}


def verdicts(results: dict) -> list[str]:
    """Which targets were missed, in words (empty: all met)."""
    missed = []
    for (name, preset), r in results.items():
        if preset == "mobile" and r["performance"] < TARGETS["performance"]:
            missed.append(f"{name} mobile performance {r['performance']} < {TARGETS['performance']}")
        if preset == "mobile" and r["accessibility"] < TARGETS["accessibility"]:
            missed.append(f"{name} mobile accessibility {r['accessibility']} < {TARGETS['accessibility']}")
        if r["tbt_ms"] > TARGETS["tbt_ms"]:
            missed.append(f"{name} {preset} total blocking time {r['tbt_ms']} ms > {TARGETS['tbt_ms']} ms")
    heaviest = max((r["js_all_kb"] for (n, _), r in results.items() if n in CHART_PAGES), default=0)
    if heaviest > TARGETS["js_kb"]:
        missed.append(f"JavaScript on the heaviest chart page {heaviest} KB > {TARGETS['js_kb']} KB")
    return missed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, help="an already built site folder (default: build the sample)")
    ap.add_argument("--runs", type=int, default=1, help="runs per page and preset; the median is shown")
    ap.add_argument("--presets", default="mobile,desktop")
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated: " + ", ".join(PAGES))
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print(f"lighthouse is not installed at {LIGHTHOUSE}: run `make page-bench`", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="studio-page-bench-") as tmp:
        work = Path(tmp)
        site = args.site.resolve() if args.site else build_sample(work / "project")
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        results: dict[tuple[str, str], dict] = {}
        try:
            for name in [p.strip() for p in args.pages.split(",") if p.strip()]:
                for preset in [p.strip() for p in args.presets.split(",") if p.strip()]:
                    runs = [lighthouse(base + PAGES[name], preset, work / f"lh-{len(results)}-{i}.json")
                            for i in range(args.runs)]
                    results[(name, preset)] = median_of(runs)
                    r = results[(name, preset)]
                    r["js_all_kb"] = js_after_scrolling(base + PAGES[name]) if name in CHART_PAGES else r["js_kb"]
                    print(f"  {name} ({preset}): performance {r['performance']}, accessibility {r['accessibility']}",
                          file=sys.stderr, flush=True)
        finally:
            server.shutdown()
    head = (f"{'page':<15}{'preset':<9}{'perf':>6}{'a11y':>6}{'TBT ms':>8}{'FCP ms':>8}{'LCP ms':>8}{'JS KB':>7}"
            f"{'JS KB*':>8}")
    print(head)
    print("-" * len(head))
    for (name, preset), r in results.items():
        print(f"{name:<15}{preset:<9}{r['performance']:>6}{r['accessibility']:>6}{r['tbt_ms']:>8}"
              f"{r['fcp_ms']:>8}{r['lcp_ms']:>8}{r['js_kb']:>7}{r['js_all_kb']:>8}")
    print("JS KB: transferred during Lighthouse's load; JS KB*: once every chart has been scrolled to and drawn")
    missed = verdicts(results)
    print()
    print("targets: mobile performance ≥ 90, accessibility ≥ 95, TBT ≤ 300 ms, JS on the heaviest chart page ≤ 500 KB")
    print("all targets met" if not missed else "missed:\n  " + "\n  ".join(missed))
    if args.json:
        args.json.write_text(json.dumps({f"{n} {p}": r for (n, p), r in results.items()}, ensure_ascii=False, indent=2),
                             encoding="utf-8")
    return 0 if not missed else 1


if __name__ == "__main__":
    raise SystemExit(main())
