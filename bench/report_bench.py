"""How long a big weekly report takes: two years of WeCom exports and 200,000 orders.

    .venv/bin/python bench/report_bench.py

Times reading the exports (Project.load) and computing and writing every period page
(104 weeks, each against the week before, with a cohort snapshot) in a temporary project.
Target: under 10 s for the pages on a developer laptop.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.pipeline import Output  # noqa: E402
from studio.config import StudioConfig  # noqa: E402
from studio.core.project import Project  # noqa: E402
from studio.features.reports.pages import report_pages  # noqa: E402

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START, DAYS, ORDERS = dt.date(2025, 1, 6), 728, 200_000


def write(folder: Path) -> None:
    rng = np.random.default_rng(0)
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    stamp = [int(dt.datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).timestamp()) for d in days]
    with open(folder / "contacts.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["stat_time", "userid", "new_contact_cnt", "chat_cnt", "reply_percentage", "negative_feedback_cnt"])
        for s in stamp:
            for user in ("a", "b", "c", "d", "e"):
                w.writerow([s, user, rng.poisson(30), rng.poisson(40), round(rng.uniform(70, 99), 1), rng.poisson(2)])
    with open(folder / "groups.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["stat_time", "chat_total", "new_member_cnt", "member_total", "member_has_msg"])
        for i, s in enumerate(stamp):
            w.writerow([s, 100 + i // 7, rng.poisson(80), 20000 + 30 * i, rng.poisson(3000)])
    with open(folder / "orders.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["客户ID", "下单时间", "实付金额", "渠道"])
        offsets = np.sort(rng.integers(0, DAYS * 86400, ORDERS))
        for i, off in enumerate(offsets):
            t = dt.datetime.combine(START, dt.time()) + dt.timedelta(seconds=int(off))
            w.writerow([f"C{int(rng.integers(0, 40_000))}", f"{t:%Y-%m-%d %H:%M}", f"{rng.choice([9.9, 15.9, 23]):.2f}",
                        rng.choice(["社群", "小程序", "朋友圈"])])
    (folder / "weekly.md").write_text(
        "---\ntype: report\ntitle: 周报\nperiod: week\ndatasets: [contacts.csv, groups.csv, orders.csv]\n"
        "targets: {group_activity: ≥ 15%}\n---\n\n# 周报\n", encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "content" / "reports"
        folder.mkdir(parents=True)
        write(folder)
        t0 = time.perf_counter()
        project = Project.load(StudioConfig(root=Path(tmp)))
        t1 = time.perf_counter()
        out = Output()
        report_pages(project, out)
        t2 = time.perf_counter()
        assert not project.diagnostics.errors, [p.format() for p in project.diagnostics.errors]
        weeks = [u for u in out.pages if "-W" in u]
        print(f"load (read exports): {t1 - t0:.2f} s")
        print(f"report pages: {len(weeks)} weeks in {t2 - t1:.2f} s ({(t2 - t1) / max(1, len(weeks)) * 1000:.0f} ms/week)")


if __name__ == "__main__":
    main()
