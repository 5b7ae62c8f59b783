"""Build speed and page weight at 1,000+ pages: Studio against plain MkDocs + Material.

One command (``make bench``) generates an N-page Chinese corpus (``bench/corpus.py``) plus
chart blocks over generated CSV files, then in the same run builds:

- plain Material (``language: zh``, Material's jieba search) on the same Markdown without
  chart blocks (``mkdocs-prune.yml`` beside it adds ``navigation.prune``, not timed);
- Studio cold (no ``.cache/``), then again with nothing changed (warm caches), then after a
  one-page edit (the cache kept, as CI restores it);

and prints wall times, their ratios, peak memory (the largest process of each build), HTML
bytes, search payload bytes, which pages load plotly.js, page load → first search result in
headless Chromium, and how long a one-page edit takes to show in a running ``studio serve``.
With several ``--pages`` sizes it does all that for each, in one run (the browser and
``serve`` timings for the first size only), and compares their cold builds. Ratios within one run are what count on a shared machine, not absolute times.

    .venv/bin/python bench/run.py                      # 1,000 pages, 100 charts
    .venv/bin/python bench/run.py --pages 1000 10000   # and 10,000 pages (1,000 charts)
    .venv/bin/python bench/run.py --pages 200 --charts 20 --keep /tmp/bench
    .venv/bin/python bench/run.py --no-browser --no-serve
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_project  # noqa: E402  (the search engineer's corpus generator)

BIN = Path(sys.executable).parent
CSV_FILES = 20  # charts share these data files, as a team's pages share their exports
CHART_TYPES = [("line", "gmv", "M"), ("bar", "orders", "W"), ("line", "aov", "M"), ("area", "buyers", "W"),
               ("line", "repurchase_rate", "M")]
# 1,000 pages: against plain Material; 10,000 pages: memory, and cold time against 1,000 pages'
TARGETS = {"cold_vs_plain": 0.25, "warm_vs_plain": 0.10, "edit_vs_plain": 0.15, "html_vs_plain": 0.10,
           "serve_edit_s": 1.0, "rss_10k_mb": 4096, "cold_10k_vs_1k": 11.0}


# corpus ----------------------------------------------------------------------------------
def orders_csv(path: Path, rng: random.Random, rows: int = 2000) -> None:
    """An orders export (WeCom mini-program style headers) over a year."""
    start = datetime(2025, 11, 1)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["订单编号", "会员ID", "下单时间", "实付金额(元)", "数量", "下单渠道"])
        for i in range(rows):
            t = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            w.writerow([f"OD{i:07d}", f"M{rng.randint(1, rows // 3):06d}", t.strftime("%Y/%m/%d %H:%M"),
                        f"{rng.uniform(9, 199):.2f}", rng.randint(1, 4), rng.choice(["小程序", "门店", "社群"])])


def chart_block(n: int) -> str:
    kind, y, freq = CHART_TYPES[n % len(CHART_TYPES)]
    return (f"```chart\ndata: ../data/orders-{n % CSV_FILES:02d}.csv\nkind: orders\ntype: {kind}\n"
            f"y: {y}\nfreq: {freq}\ntitle: 图表 {n}\n```\n")


def make_corpus(base: Path, pages: int, charts: int, kb: int) -> tuple[Path, Path]:
    """``base/studio`` (Studio project with charts) and ``base/plain`` (same Markdown, no charts)."""
    studio, plain = base / "studio", base / "plain"
    write_project(studio, pages, kb)
    rng = random.Random(11)
    data = studio / "content" / "data"
    data.mkdir()
    for i in range(min(CSV_FILES, charts)):
        orders_csv(data / f"orders-{i:02d}.csv", rng)
    articles = sorted((studio / "content" / "articles").glob("*.md"))
    step = max(1, len(articles) // charts) if charts else 0
    for n in range(charts):
        page = articles[(n * step) % len(articles)]
        text = page.read_text(encoding="utf-8")
        # after the first paragraph, so the page still opens with its title
        head, sep, rest = text.partition("\n\n## ")
        page.write_text(head + "\n\n" + chart_block(n) + sep + rest, encoding="utf-8")
    if plain.exists():
        shutil.rmtree(plain)
    shutil.copytree(studio / "content", plain / "content", ignore=shutil.ignore_patterns("data"))
    for page in (plain / "content" / "articles").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "```chart" in text:
            page.write_text(re.sub(r"```chart\n.*?```\n", "", text, flags=re.S), encoding="utf-8")
    yml = (studio / "mkdocs.yml").read_text(encoding="utf-8").replace("  - studio\n", "")
    (plain / "mkdocs.yml").write_text(yml, encoding="utf-8")
    (plain / "mkdocs-prune.yml").write_text(
        yml.replace("  font: false\n", "  font: false\n  features:\n    - navigation.prune\n"), encoding="utf-8")
    return studio, plain


def markdown_bytes(project: Path) -> int:
    return sum(p.stat().st_size for p in (project / "content").rglob("*.md"))


# builds ----------------------------------------------------------------------------------
def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak MB): the peak of the largest process among the command and the
    processes it waited for (Linux' accounting of the finished child)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            sys.exit(f"bench: {' '.join(cmd)} failed in {cwd}:\n{out.read()[-6000:].decode(errors='replace')}")
    return took, usage.ru_maxrss / 1024


def plain_build(plain: Path, config: str) -> tuple[float, float]:
    return timed([str(BIN / "mkdocs"), "build", "-q", "-f", config, "-d", "site"], plain)


def studio_build(studio: Path) -> tuple[float, float]:
    env = {**os.environ, "CI": "1"}  # no progress bars in the measured run
    return timed([str(BIN / "studio"), "build"], studio, env)


def edited_build(studio: Path) -> tuple[float, float]:
    """A build after one page's text changed, with the cache of the build before."""
    page = studio / "content" / "articles" / "a0001.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("\n\n", "\n\n一处修改：补充了一个社群运营的例子。\n\n", 1), encoding="utf-8")
    try:
        return studio_build(studio)
    finally:
        page.write_text(original, encoding="utf-8")


def site_figures(site: Path) -> dict:
    html = [p for p in site.rglob("*.html")]
    search = [p for d in ("search",) if (site / d).is_dir() for p in (site / d).rglob("*") if p.is_file()]
    plotly_pages = chart_pages = 0
    for p in html:
        text = p.read_text(encoding="utf-8", errors="replace")
        # charts.js fetches plotly.js once a chart is on screen (issue 16): a page loads it through charts.js
        has_plotly = re.search(r'<script src="[^"]*(plotly|assets/studio/charts)[^"]*\.js', text) is not None
        has_chart = "studio-chart__figure" in text
        plotly_pages += bool(has_plotly)
        chart_pages += has_chart
        if has_plotly and not has_chart:
            chart_pages -= 10**6  # flagged below
    sizes = sorted(p.stat().st_size for p in html)
    return {"html_bytes": sum(sizes), "html_files": len(html), "median_page_bytes": sizes[len(sizes) // 2] if sizes else 0,
            "search_bytes": sum(p.stat().st_size for p in search), "search_files": len(search),
            "plotly_pages": plotly_pages, "chart_pages": chart_pages}


# browser: page load -> first search result --------------------------------------------------
def first_result(site: Path, query: str) -> float | None:
    from bench.search_bench import measure, serve

    server = serve(site)
    try:
        return measure(f"http://127.0.0.1:{server.server_address[1]}/", [query])["first_result_after_load_s"]
    finally:
        server.shutdown()


# serve: a one-page edit until the server answers with it ----------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return None


def serve_edit(studio: Path, timeout: float = 300) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/articles/a0001/"
    env = {**os.environ, "CI": "1"}
    proc = subprocess.Popen([str(BIN / "studio"), "serve", "-a", f"127.0.0.1:{port}"], cwd=studio, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    page = studio / "content" / "articles" / "a0001.md"
    original = page.read_text(encoding="utf-8")
    try:
        start = time.perf_counter()
        while get(url) is None:
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                return {"serve_first_build_s": None, "edit_visible_s": None}
            time.sleep(0.1)
        first = time.perf_counter() - start
        time.sleep(1.5)  # let the watcher settle
        marker = f"bench-edit-{int(time.time())}"
        page.write_text(original.replace("\n\n", f"\n\n{marker}\n\n", 1), encoding="utf-8")
        edited = time.perf_counter()
        while True:
            text = get(url)
            if text and marker in text:
                return {"serve_first_build_s": first, "edit_visible_s": time.perf_counter() - edited}
            if time.perf_counter() - edited > timeout:
                return {"serve_first_build_s": first, "edit_visible_s": None}
            time.sleep(0.05)
    finally:
        page.write_text(original, encoding="utf-8")
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# report ----------------------------------------------------------------------------------
def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "ok" if value <= limit else "NOT MET"


def run_size(base: Path, pages: int, charts: int, args, first: bool = True) -> dict:
    """Every figure for one corpus size."""
    base.mkdir(parents=True, exist_ok=True)
    print(f"bench: {pages} pages, {charts} charts, {os.cpu_count()} cores, in {base}", flush=True)
    studio, plain = make_corpus(base, pages, charts, args.kb)
    r: dict = {"pages": pages, "charts": charts, "markdown_bytes": markdown_bytes(studio)}

    with_plain = pages <= args.plain_upto
    if with_plain:
        r["plain_s"], r["plain_mb"] = plain_build(plain, "mkdocs.yml")
        plain_fig = site_figures(plain / "site")
    shutil.rmtree(studio / ".cache", ignore_errors=True)
    r["studio_cold_s"], r["studio_cold_mb"] = studio_build(studio)
    r["studio_warm_s"], r["studio_warm_mb"] = studio_build(studio)
    studio_fig = site_figures(studio / "site")
    r["studio_edit_s"], r["studio_edit_mb"] = edited_build(studio)
    print(f"  builds: plain {r.get('plain_s', 0):.1f} s · studio cold {r['studio_cold_s']:.1f} s · "
          f"warm {r['studio_warm_s']:.1f} s · one-page edit {r['studio_edit_s']:.1f} s", flush=True)

    if not args.no_browser and first and with_plain:
        r["plain_first_result_s"] = first_result(plain / "site", args.query)
        r["studio_first_result_s"] = first_result(studio / "site", args.query)
    if not args.no_serve and first:
        r.update(serve_edit(studio))

    r["studio"] = studio_fig
    if with_plain:
        r["ratio_cold_vs_plain"] = r["studio_cold_s"] / r["plain_s"]
        r["ratio_warm_vs_plain"] = r["studio_warm_s"] / r["plain_s"]
        r["ratio_edit_vs_plain"] = r["studio_edit_s"] / r["plain_s"]
        r["ratio_html_vs_plain"] = studio_fig["html_bytes"] / plain_fig["html_bytes"]
        r["plain"] = plain_fig
    print(json.dumps(r, indent=2, ensure_ascii=False))
    return r


def table(results: list[dict]) -> None:
    mb = 1024 * 1024
    cols = [f"{r['pages']:,} pages" for r in results]
    print("\n" + f"{'':<34}" + "".join(f"{c:>16}" for c in cols))

    def line(label: str, values: list[str]) -> None:
        print(f"{label:<34}" + "".join(f"{v:>16}" for v in values))

    line("plain Material + jieba (s)", [f"{r['plain_s']:.1f}" if "plain_s" in r else "not built" for r in results])
    line("Studio cold (s)", [f"{r['studio_cold_s']:.1f}" for r in results])
    line("Studio warm (s)", [f"{r['studio_warm_s']:.1f}" for r in results])
    line("Studio after a one-page edit (s)", [f"{r['studio_edit_s']:.1f}" for r in results])
    line("HTML plain / Studio (MB)", [f"{r['plain']['html_bytes'] / mb if 'plain' in r else 0:.1f} / "
                                      f"{r['studio']['html_bytes'] / mb:.1f}" for r in results])
    line("peak RSS plain / Studio cold (MB)", [f"{r.get('plain_mb', 0):.0f} / {r['studio_cold_mb']:.0f}"
                                               for r in results])
    line("search payload on disk (MB)", [f"{r['studio']['search_bytes'] / mb:.1f}" for r in results])
    if any("studio_first_result_s" in r for r in results):
        line("first search result plain/Studio (s)", [
            f"{r.get('plain_first_result_s') or 0:.2f} / {r.get('studio_first_result_s') or 0:.2f}" for r in results])
    for r in results:
        fig = r["studio"]
        ok = fig["plotly_pages"] == fig["chart_pages"] >= 0
        print(f"{r['pages']:,} pages: chart script (plotly.js on demand) on {fig['plotly_pages']} pages, charts on "
              f"{fig['chart_pages']}: {'ok' if ok else 'NOT MET'}")

    print()
    checks = []
    one = next((r for r in results if r["pages"] == 1000), None)
    ten = next((r for r in results if r["pages"] == 10000), None)
    for r in (r for r in results if "plain" in r):
        checks += [(f"{r['pages']:,}: cold build / plain Material", r["ratio_cold_vs_plain"],
                    TARGETS["cold_vs_plain"] if r is one else None),
                   (f"{r['pages']:,}: warm build / plain Material", r["ratio_warm_vs_plain"],
                    TARGETS["warm_vs_plain"] if r is one else None),
                   (f"{r['pages']:,}: one-page edit / plain Material", r["ratio_edit_vs_plain"],
                    TARGETS["edit_vs_plain"] if r is one else None),
                   (f"{r['pages']:,}: HTML bytes / plain Material", r["ratio_html_vs_plain"],
                    TARGETS["html_vs_plain"] if r is one else None),
                   (f"{r['pages']:,}: edit visible in studio serve (s)", r.get("edit_visible_s"),
                    TARGETS["serve_edit_s"] if r is one else None)]
    if ten is not None:
        checks.append(("10,000: peak RSS of the cold build (MB)", ten["studio_cold_mb"], TARGETS["rss_10k_mb"]))
        if one is not None:
            checks.append(("10,000 / 1,000 pages: cold build", ten["studio_cold_s"] / one["studio_cold_s"],
                           TARGETS["cold_10k_vs_1k"]))
    for name, value, limit in checks:
        shown = "n/a" if value is None else f"{value:.3f}"
        target = f"target ≤ {limit:<6g}  {verdict(value, limit)}" if limit is not None else ""
        print(f"{name:<44} {shown:>9}  {target}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[1000], help="one or more corpus sizes")
    ap.add_argument("--charts", type=int, help="chart blocks (default: one per 10 pages)")
    ap.add_argument("--kb", type=int, default=12, help="size of each page")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--no-browser", action="store_true", help="skip the headless Chromium search timing")
    ap.add_argument("--no-serve", action="store_true", help="skip the studio serve edit timing")
    ap.add_argument("--query", default="私域试验田0420号")
    ap.add_argument("--plain-upto", type=int, default=1000,
                    help="build plain Material only up to this many pages (every page of it carries the whole "
                         "navigation: 10,000 pages take it most of an hour)")
    args = ap.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="studio-bench-"))
    results = []
    try:
        for pages in args.pages:
            results.append(run_size(base / str(pages), pages, args.charts if args.charts is not None else pages // 10,
                                    args, first=not results))
            if not args.keep:
                shutil.rmtree(base / str(pages), ignore_errors=True)
    finally:
        if results:
            table(results)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
