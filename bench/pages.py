"""Pages benchmark: every page's queries at N deals against a bare scan of deals, in one run.

For each page, the queries its view issues (model/views/<page>.py, the same functions the pages call)
run on a read-only connection: "cold" on a fresh connection each time (DuckDB's buffer pool empty),
"warm" repeated on one connection; the median of --repeat runs is reported. A page's time is the
wall time of its view loading all its queries, concurrently as the app does (model.views.fetch); the
same warm load with one query at a time is reported beside it ("serial"). In the same run, a bare
`select sum(amount) from deals` is timed the same ways, and the target is every page's warm time
under 5x that scan. Rows loaded into pandas are counted per page (target: at most 10,000). With
--rss the app itself is started on the warehouse and every page opened in Debian's chromium; the
server's peak RSS (VmHWM) is reported (target: under 1.5 GiB).

A view that loads a tab's queries only when the tab is open lists those states (STATES); each is
reported as its own row, the page opened on that tab, under the same targets.

The warehouse comes from `python -m etl demo --deals N` (pass --db to reuse one built before).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from model.access import OPERATOR

ROOT = Path(__file__).resolve().parent.parent
BARE = "select sum(amount) from deals"
TARGET_RATIO, MAX_ROWS, MAX_RSS = 5.0, 10_000, 1.5 * 2**30


def add_arguments(p) -> None:
    p.add_argument("--deals", type=int, default=1_000_000, help="demo size when --db is not given")
    p.add_argument("--db", type=Path, help="an existing warehouse to measure (skips building a demo)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--period", default="last12", help="sidebar period the pages are measured with")
    p.add_argument("--rss", action="store_true", help="also open every page in chromium and report peak RSS")
    p.add_argument("--json", action="store_true")


def main(args) -> int:
    db = args.db
    if db is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-pages-", dir=ROOT / "data"))
        db = folder / "warehouse.duckdb"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "etl", "demo", "--deals", str(args.deals)], cwd=ROOT, check=True,
                       env={**os.environ, "PARITY_DB": str(db)}, stdout=subprocess.DEVNULL)
        print(f"demo with {args.deals:,} deals built in {time.perf_counter() - t0:.0f} s at {db}", file=sys.stderr)
    report = measure(Path(db), args.repeat, args.period)
    if args.rss:
        report["app_peak_rss_bytes"] = app_peak_rss(Path(db), args.period)
    report["ok"] = (all(p["warm_ratio"] <= TARGET_RATIO and p["rows"] <= MAX_ROWS for p in report["pages"].values())
                    and report.get("app_peak_rss_bytes", 0) <= MAX_RSS)
    print(json.dumps(report, indent=2, default=str) if args.json else text(report))
    return 0


def _timed(con, name: str, params: dict, log: list) -> object:
    from model.runner import run_on
    t0 = time.perf_counter()
    frame = run_on(con, name, params, OPERATOR)
    log.append((name, time.perf_counter() - t0, len(frame)))   # list.append is atomic: fetch's threads
    return frame


def _page_once(con, page: str, f, workers: int | None = None, extra: dict | None = None) -> tuple[float, int, list]:
    """(wall seconds of the view loading its queries, rows loaded, [(query, seconds, rows)]);
    `workers` overrides model.views.WORKERS (1: one query at a time); `extra`: the view's keywords for
    one of its STATES."""
    from model import views
    log: list = []
    saved = views.WORKERS
    views.WORKERS = workers or saved
    try:
        t0 = time.perf_counter()
        views.load(page, f, lambda name, params: _timed(con, name, params, log), **(extra or {}))
        seconds = time.perf_counter() - t0
    finally:
        views.WORKERS = saved
    return seconds, sum(n for _, _, n in log), log


def _bare_once(con) -> float:
    t0 = time.perf_counter()
    con.execute(BARE).fetchall()
    return time.perf_counter() - t0


def states() -> list[tuple[str, str, dict]]:
    """(row name, page, view keywords): every page as it opens, then each state a view lists in STATES
    (a tab whose queries run only when it is open), measured as the whole page opened in that state."""
    import importlib

    from model.pages import VIEWS
    out = []
    for page in VIEWS:
        out.append((page, page, {}))
        view = importlib.import_module(f"model.views.{page}")
        out += [(f"{page} {name}", page, extra) for name, extra in getattr(view, "STATES", {}).items()]
    return out


def measure(db: Path, repeat: int, period: str) -> dict:
    from model import runner
    from model.filters import from_query, today
    f = from_query({"period": period}, today())
    warm_con = runner.connect(db)
    deals = warm_con.execute("select count(*) from deals").fetchall()[0][0]
    bare_cold, bare_warm = [], []
    for _ in range(repeat):
        con = runner.connect(db)
        bare_cold.append(_bare_once(con))
        con.close()
        bare_warm.append(_bare_once(warm_con))
    pages = {}
    for row, page, extra in states():
        cold, warm = [], []
        for _ in range(repeat):
            con = runner.connect(db)
            cold.append(_page_once(con, page, f, extra=extra)[0])
            con.close()
        _page_once(warm_con, page, f, extra=extra)          # first warm-up fills the buffer pool
        serial = []
        for _ in range(repeat):
            seconds, rows, log = _page_once(warm_con, page, f, extra=extra)
            warm.append(seconds)
            serial.append(_page_once(warm_con, page, f, workers=1, extra=extra)[0])
        pages[row] = {"queries": len(log), "rows": rows, "cold_s": statistics.median(cold),
                       "warm_s": statistics.median(warm), "serial_warm_s": statistics.median(serial),
                       "slowest": max(log, key=lambda x: x[1])[0] if log else None}
    warm_con.close()
    bare_w, bare_c = statistics.median(bare_warm), statistics.median(bare_cold)
    for p in pages.values():
        p["warm_ratio"] = p["warm_s"] / bare_w
        p["serial_ratio"] = p["serial_warm_s"] / bare_w
        p["cold_ratio"] = p["cold_s"] / bare_c
    return {"warehouse": str(db), "deals": deals, "period": [f.date_from, f.date_to], "repeat": repeat,
            "bare_scan_cold_s": bare_c, "bare_scan_warm_s": bare_w, "pages": pages,
            "measured_at": dt.datetime.now().isoformat(timespec="seconds")}


def app_peak_rss(db: Path, period: str) -> int:
    """Starts the app on `db`, opens every page in chromium, returns the server's VmHWM in bytes."""
    import socket

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "PARITY_DB": str(db)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for _ in range(60):
                try:
                    page.goto(f"{url}/?period={period}", timeout=5000)
                    break
                except PlaywrightError:     # connection refused or a timeout while the server starts
                    time.sleep(1)
            page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
            links = page.locator('[data-testid="stSidebarNav"] a')
            for i in range(links.count()):
                links.nth(i).click()
                page.wait_for_load_state("networkidle")
                page.locator('[data-testid="stMain"]').wait_for(timeout=60_000)
                time.sleep(2)
            browser.close()
        with open(f"/proc/{proc.pid}/status") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM"))
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def text(r: dict) -> str:
    lines = [(f"warehouse {r['warehouse']}: {r['deals']:,} deals; period {r['period'][0]} .. {r['period'][1]}; "
              f"median of {r['repeat']}"),
             (f"bare scan ({BARE}): cold {r['bare_scan_cold_s'] * 1000:.1f} ms, "
              f"warm {r['bare_scan_warm_s'] * 1000:.1f} ms"),
             (f"{'page':<22}{'queries':>8}{'rows':>8}{'cold ms':>10}{'warm ms':>10}{'warm/bare':>11}"
              f"{'serial ms':>11}{'serial/bare':>13}  slowest")]
    for name, p in r["pages"].items():
        lines.append(f"{name:<22}{p['queries']:>8}{p['rows']:>8}{p['cold_s'] * 1000:>10.1f}{p['warm_s'] * 1000:>10.1f}"
                     f"{p['warm_ratio']:>11.2f}{p['serial_warm_s'] * 1000:>11.1f}{p['serial_ratio']:>13.2f}"
                     f"  {p['slowest']}")
    if "app_peak_rss_bytes" in r:
        lines.append(f"app peak RSS {r['app_peak_rss_bytes'] / 2**20:,.0f} MB (target < 1536 MB)")
    lines.append(f"targets (warm <= {TARGET_RATIO}x bare scan, <= {MAX_ROWS:,} rows per page"
                 f"{', RSS < 1.5 GiB' if 'app_peak_rss_bytes' in r else ''}): {'met' if r['ok'] else 'NOT met'}")
    return "\n".join(lines)
