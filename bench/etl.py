"""ETL benchmark: our load of a 1M-row deals export vs DuckDB's bare read_csv, in one run.

Each measurement runs in its own process (so peak RSS is that load's alone) and times itself
inside the process, so interpreter start-up is not counted on either side. Our load reports its
phases (etl/phases.py: decode, stage, validate, lookups, merge, derived and each build step, checks,
checkpoint, swap); the report gives each phase's seconds, its ratio to the bare read_csv and the
peak RSS seen inside it, so a regression names its phase.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["Москва", "г. Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Самара"]
STAGES = ["Успешно реализовано", "Закрыто и не реализовано", "Переговоры", "Первичный контакт"]


def make_deals(rows: int, seed: int = 7) -> pd.DataFrame:
    """A deals export as amoCRM writes it: Russian headers, comma decimals, dd.mm.yyyy dates."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730 * 86400, rows), unit="s")
    closed = created + pd.to_timedelta(rng.integers(86400, 60 * 86400, rows), unit="s")
    amount = np.round(rng.lognormal(11.5, 0.8, rows), 2)
    return pd.DataFrame({
        "ID": np.arange(1, rows + 1),
        "Название сделки": [f"Сделка {i}" for i in range(rows)],
        "Бюджет": [f"{a:,.2f}".replace(",", " ").replace(".", ",") for a in amount],
        "Ответственный": rng.choice(["Анна Смирнова", "Олег Петров", "Ирина Ли", "Павел Орлов"], rows),
        "Дата создания": created.strftime("%d.%m.%Y %H:%M:%S"),
        "Дата закрытия": closed.strftime("%d.%m.%Y"),
        "Этап сделки": rng.choice(STAGES, rows),
        "Город": rng.choice(REGIONS, rows),
        "utm_source": rng.choice(["yandex", "vk", "google", ""], rows),
        "utm_medium": rng.choice(["cpc", "organic", ""], rows),
        "utm_campaign": rng.choice([f"camp_{i}" for i in range(40)], rows),
    })


def write_files(folder: Path, rows: int) -> tuple[Path, Path]:
    frame = make_deals(rows)
    utf8 = folder / "deals_utf8.csv"
    frame.to_csv(utf8, sep=";", index=False, encoding="utf-8")
    cp = folder / "deals_cp1251.csv"
    with open(utf8, encoding="utf-8") as fin, open(cp, "w", encoding="cp1251", newline="") as fout:
        while chunk := fin.read(1 << 22):
            fout.write(chunk)
    return utf8, cp


BARE = textwrap.dedent("""
    import duckdb, json, os, resource, sys, time
    t, c = time.perf_counter(), sum(os.times()[:2])
    con = duckdb.connect(sys.argv[2])
    con.execute("create table t as select * from read_csv($p)", {"p": sys.argv[1]}).fetchall()
    con.execute("checkpoint").fetchall()
    n = con.execute("select count(*) from t").fetchall()[0][0]
    con.close()
    print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": sum(os.times()[:2]) - c, "rows": n,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")

OURS = textwrap.dedent("""
    import json, os, resource, sys, time
    from etl.load import load_files
    t, c = time.perf_counter(), sum(os.times()[:2])
    result = load_files([sys.argv[1]], progress=False)
    f = result["files"][0]
    print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": sum(os.times()[:2]) - c,
                      "rows": f.get("rows_loaded"),
                      "status": f["status"], "error": f.get("error"), "phases": result["phases"],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")


def _measure(code: str, path: Path, work: Path, i: int) -> dict:
    db = work / f"run{i}" / "warehouse.duckdb"
    db.parent.mkdir()
    env = dict(os.environ, PARITY_DB=str(db), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, str(path), str(db)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    shutil.rmtree(db.parent)  # a warehouse and a raw copy per run: gigabytes over the repeats
    return json.loads(out.stdout.strip().splitlines()[-1])


def _phases(runs: list[list[dict]]) -> list[dict]:
    """Per phase over the runs: the median seconds, the highest peak RSS (phases in first-run order)."""
    names = list(dict.fromkeys(p["phase"] for phases in runs for p in phases))
    out = []
    for name in names:
        rows = [p for phases in runs for p in phases if p["phase"] == name]
        secs = [next((p["seconds"] for p in phases if p["phase"] == name), 0.0) for phases in runs]
        cpu = [next((p["cpu_seconds"] for p in phases if p["phase"] == name), 0.0) for phases in runs]
        out.append({"phase": name, "seconds": round(statistics.median(secs), 3),
                    "cpu_seconds": round(statistics.median(cpu), 3),
                    "peak_rss_mb": round(max(p["peak_rss_mb"] for p in rows))})
    return out


def print_phases(report: dict) -> None:
    """One line per phase: seconds, ratio to the bare read_csv and peak RSS, UTF-8 beside cp1251."""
    base = report["bare_duckdb_utf8"]["seconds"]
    utf8 = {p["phase"]: p for p in report["parity_utf8"].get("phases", [])}
    cp = {p["phase"]: p for p in report["parity_cp1251"].get("phases", [])}
    print(f"phases (median of {report['repeat']}; ratio = phase seconds / bare read_csv {base:.2f} s; cpu = "
          f"CPU seconds, all threads, bare read_csv {report['bare_duckdb_utf8']['cpu_seconds']:.2f}; "
          f"RSS = peak MB inside the phase)")
    print(f"{'phase':30} {'utf8 s':>7} {'ratio':>6} {'cpu':>6} {'RSS':>5}   "
          f"{'cp1251 s':>8} {'ratio':>6} {'cpu':>6} {'RSS':>5}")

    def cells(p: dict | None, width: int) -> str:
        if p is None:
            return f"{'-':>{width}} {'-':>6} {'-':>6} {'-':>5}"
        return f"{p['seconds']:{width}.2f} {p['seconds'] / base:6.2f} {p['cpu_seconds']:6.2f} {p['peak_rss_mb']:5}"
    for name in dict.fromkeys([*utf8, *cp]):
        depth = name.count("/")
        label = "  " * depth + name.split("/")[-1]
        print(f"{label:30} {cells(utf8.get(name), 7)}   {cells(cp.get(name), 8)}")
    print()


def add_arguments(p) -> None:
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    p.add_argument("--json", action="store_true")
    p.add_argument("--demo", type=int, metavar="DEALS",
                   help="instead: the whole demo of DEALS deals loaded end to end (every file and the derived "
                        "build) against the bare read_csv of the same files (bench/demo_e2e.py)")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="--demo: keep the loaded warehouse in DIR (for bench pages --db DIR/warehouse.duckdb)")


def main(args) -> int:
    if args.demo:
        from bench import demo_e2e
        report = demo_e2e.run(args.demo, keep=args.keep)
        if args.json:
            print(json.dumps(report, indent=2, default=str))
        else:
            demo_e2e.show(report)
        return 0
    return run(args.rows, args.repeat, args.json)


def run(rows: int, repeat: int, as_json: bool) -> int:
    with tempfile.TemporaryDirectory(dir=ROOT / "data", prefix="bench-etl-") as tmp:
        work = Path(tmp)
        # generated in a child: a big parent would leak its RSS into the children's ru_maxrss
        subprocess.run([sys.executable, "-c", ("import sys; from pathlib import Path; "
                                               "from bench.etl import write_files; "
                                               "write_files(Path(sys.argv[1]), int(sys.argv[2]))"),
                        str(work), str(rows)], cwd=ROOT, check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        utf8, cp = work / "deals_utf8.csv", work / "deals_cp1251.csv"
        runs: dict[str, list[dict]] = {"bare_duckdb_utf8": [], "parity_utf8": [], "parity_cp1251": []}
        for i in range(repeat):  # interleaved, so drift of the machine hits all three alike
            runs["bare_duckdb_utf8"].append(_measure(BARE, utf8, work, 3 * i))
            runs["parity_utf8"].append(_measure(OURS, utf8, work, 3 * i + 1))
            runs["parity_cp1251"].append(_measure(OURS, cp, work, 3 * i + 2))
        report = {"rows": rows, "file_mb": round(utf8.stat().st_size / 2**20, 1), "repeat": repeat}
        for name, rs in runs.items():
            secs = statistics.median(r["seconds"] for r in rs)
            report[name] = {"seconds": round(secs, 3), "rows_per_s": round(rows / secs),
                            "cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in rs), 3),
                            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in rs)),
                            "rows_loaded": rs[0]["rows"]}
        for name, rs in runs.items():
            if "phases" in rs[0]:
                report[name]["phases"] = _phases([r["phases"] for r in rs])
        base = report["bare_duckdb_utf8"]["seconds"]
        report["ratio_utf8"] = round(report["parity_utf8"]["seconds"] / base, 2)
        report["ratio_cp1251"] = round(report["parity_cp1251"]["seconds"] / base, 2)
        report["targets"] = {"ratio_utf8": 1.5, "ratio_cp1251": 3.0, "peak_rss_mb": 1024}
        report["met"] = (report["ratio_utf8"] <= 1.5 and report["ratio_cp1251"] <= 3.0 and
                         max(report[k]["peak_rss_mb"] for k in runs) <= 1024)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_phases(report)
        for name in runs:
            r = report[name]
            print(f"{name:18} {r['seconds']:7.2f} s  cpu {r['cpu_seconds']:6.2f} s  {r['rows_per_s']:>9,} rows/s  "
                  f"peak RSS {r['peak_rss_mb']:5} MB  rows loaded {r['rows_loaded']}")
        print(f"bare read_csv {report['bare_duckdb_utf8']['seconds']:.2f} s: "
              f"ratio utf8 {report['ratio_utf8']} (target <= 1.5), cp1251 {report['ratio_cp1251']} "
              f"(target <= 3), targets {'met' if report['met'] else 'NOT met'}")
    return 0
