"""Benchmark: read a 1,000,000-row orders CSV and compute the orders KPIs.

Aim (issue 3): reading + KPIs in <= 3 s and <= 1 GB peak memory on 2 cores.
The CSV is generated first (not timed); the measurement runs in a fresh child process so
that its peak RSS counts only reading and KPIs.

    .venv/bin/python bench/orders_bench.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A WPS-style export: Chinese headers, money with a thousands separator on big orders."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    # ~40% of orders from a loyal pool, the rest spread thin: realistic repurchase rates.
    loyal = rng.random(rows) < 0.4
    customers = np.where(loyal, rng.integers(0, rows // 20, rows), rng.integers(0, rows, rows))
    start = np.datetime64("2023-01-01T00:00:00")
    seconds = rng.integers(0, 540 * 86400, rows)
    times = pd.Series(start + seconds.astype("timedelta64[s]")).dt.strftime("%Y-%m-%d %H:%M:%S")
    amount = np.round(rng.gamma(2.0, 30.0, rows), 2)
    frame = pd.DataFrame({
        "订单号": np.char.add("SO", np.arange(rows).astype(str)),
        "客户ID": np.char.add("wm", customers.astype(str)),
        "下单时间": times,
        "实付金额": amount,
        "渠道": rng.choice(["小程序", "社群", "门店", "App"], rows),
    })
    frame.to_csv(path, index=False, encoding="utf-8")


def measure(path: Path) -> dict:
    from studio.data import kpi
    from studio.data.reader import read_table

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    table = read_table(path)
    t1 = time.perf_counter()
    f = table.frame
    summary = kpi.summary(f, "orders")
    monthly = {n: kpi.series(f, kpi.BY_NAME[n], "M") for n in ("gmv", "buyers", "repurchase_rate")}
    retention = kpi.cohort_retention(f)
    ltv = kpi.ltv_curve(f)
    t2 = time.perf_counter()
    r2 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r2.ru_utime - r0.ru_utime) + (r2.ru_stime - r0.ru_stime)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": len(f), "kind": table.kind, "read_s": round(t1 - t0, 2), "kpi_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak_mb), "gmv": round(summary["gmv"], 2),
        "buyers": int(summary["buyers"]), "months": len(monthly["gmv"]), "cohorts": len(retention),
        "ltv_points": len(ltv),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "orders.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        out = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True,
                             check=True)
        result = json.loads(out.stdout)
    ok = result["total_s"] <= 3 and result["peak_rss_mb"] <= 1024
    print(f"read {result['read_s']} s + KPIs {result['kpi_s']} s = {result['total_s']} s; "
          f"(CPU {result['cpu_s']} s); peak RSS {result['peak_rss_mb']} MB  (target <= 3 s, <= 1024 MB: {'OK' if ok else 'MISSED'})")
    print(json.dumps(result, ensure_ascii=False))
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; timings are inflated")


if __name__ == "__main__":
    main()
