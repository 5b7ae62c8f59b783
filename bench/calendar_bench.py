"""How long a big content calendar takes: a year for three personas (~6,600 rows).

    .venv/bin/python bench/calendar_bench.py

Times reading + validating + playbook checks (Project.load) and generating the pages and
ICS feeds (compile_project) in a temporary copy of the sample project. Target: under 5 s
each on a developer laptop.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.pipeline import compile_project  # noqa: E402
from studio.config import StudioConfig  # noqa: E402
from studio.core.project import Project  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "content" / "personas", root / "content" / "personas")
        cal = root / "content" / "calendars"
        cal.mkdir()
        pillars = ("生活", "工作", "促销", "互动", "生活")
        with open(cal / "year.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["日期", "时间", "渠道", "人设", "内容支柱", "形式", "标题", "活动类型", "状态"])
            day = dt.date(2026, 1, 1)
            while day.year == 2026:
                for persona in ("store-lucky", "expert-koc", "brand-ip"):
                    for k, pillar in enumerate(pillars):
                        w.writerow([day.isoformat(), f"{8 + 3 * k:02d}:00", "朋友圈", persona, pillar, "图文",
                                    f"{persona} 第 {k + 1} 条", "促活" if k == 3 and day.weekday() == 2 else "",
                                    "scheduled"])
                    w.writerow([day.isoformat(), "11:00", "社群", persona, "", "群发", "福利", "", "scheduled"])
                day += dt.timedelta(days=1)
        t0 = time.perf_counter()
        project = Project.load(StudioConfig(root=root))
        t1 = time.perf_counter()
        out = compile_project(project)
        t2 = time.perf_counter()
        [calendar] = project.extras["calendars"]
        page = len(out.pages["calendars/year.md"].encode())
        ics = sum(len(v) for k, v in out.assets.items() if k.endswith(".ics"))
        print(f"rows: {len(calendar.entries)}, findings: {len(project.extras['findings']['year'])}")
        print(f"load + validate + checks: {t1 - t0:.2f} s")
        print(f"pages + ICS feeds:        {t2 - t1:.2f} s  (page Markdown {page / 1e6:.1f} MB, ICS {ics / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
