"""The whole demo loaded end to end (`python -m bench etl --demo N`): every export file plus the derived
build, against DuckDB's bare read_csv of the same files, with generation and load measured apart.

Three children, one after another, each timing itself and reporting its own peak RSS (so a big parent
or the generator never leaks into the load's figure):
1. generation: etl.demo.generate writes the company's export files (not part of the load);
2. bare: DuckDB reads every file (all columns as text) into a table of a scratch database, as the load's
   floor: a 1C report saved in cp1251 is read as latin-1 (one byte a character, what decoding costs
   DuckDB nothing), its title lines skipped like the load does;
3. load: `load_files` on those files in `etl demo`'s order into an empty warehouse, derived build and
   swap included.
"""
from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"ratio": 2.5, "load_peak_rss_mb": 2048}

GENERATE = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from etl.demo import generate
    t = time.perf_counter()
    generate(Path(sys.argv[1]), deals=int(sys.argv[2]), end=None)
    print(json.dumps({"seconds": time.perf_counter() - t,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")

BARE = textwrap.dedent("""
    import duckdb, json, resource, sys, time
    files = json.loads(sys.argv[2])
    t = time.perf_counter()
    con = duckdb.connect(sys.argv[1])
    rows = 0
    for i, (path, encoding) in enumerate(files):
        table = "t" + str(i)    # one table per file, named here; the file's path and encoding are parameters
        create = ("create table " + table + " as select * from read_csv($p, all_varchar = true, encoding = $e, "
                  "null_padding = true, ignore_errors = true)")
        con.execute(create, {"p": path, "e": encoding}).fetchall()
        rows += con.execute("select count(*) from " + table).fetchall()[0][0]
    con.execute("checkpoint").fetchall()
    con.close()
    print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")

LOAD = textwrap.dedent("""
    import json, resource, sys, time
    from etl.load import load_files
    t = time.perf_counter()
    # the demo's own files, loaded as `etl demo` loads them: not held to the upload size limit
    result = load_files(json.loads(sys.argv[1]), progress=False, size_limit=False)
    bad = [f["file"] for f in result["files"] if f["status"] != "loaded"]
    print(json.dumps({"seconds": time.perf_counter() - t, "failed": bad,
                      "rows": sum(f.get("rows_loaded") or 0 for f in result["files"]),
                      "phases": result.get("phases"),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")


def _child(code: str, *args: str, env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=False, cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})))
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)   # a character cut at the end is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def run(deals: int, keep: Path | None = None) -> dict:
    """Generate, read bare, load; the report with the ratio load / bare and each child's peak RSS."""
    from etl.demo_load import ORDER
    with tempfile.TemporaryDirectory(dir=ROOT / "data", prefix="bench-demo-") as tmp:
        work = Path(tmp)
        files_dir = work / "files"
        gen = _child(GENERATE, str(files_dir), str(deals))
        files = [files_dir / n for n in ORDER if (files_dir / n).exists()]
        bare = _child(BARE, str(work / "bare.duckdb"), json.dumps([[str(p), _encoding(p)] for p in files]))
        (work / "bare.duckdb").unlink(missing_ok=True)
        load = _child(LOAD, json.dumps([str(p) for p in files]),
                      env={"PARITY_DB": str(work / "wh" / "warehouse.duckdb")})
        report = {"deals": deals, "files": {p.name: round(p.stat().st_size / 2**20, 1) for p in files},
                  "generation": gen, "bare_read_csv": bare, "load": load,
                  "ratio": round(load["seconds"] / bare["seconds"], 2), "targets": TARGETS}
        # a load that refused a file did less work than the bare read: never a met target
        report["met"] = (not load["failed"] and report["ratio"] <= TARGETS["ratio"]
                         and load["peak_rss_mb"] <= TARGETS["load_peak_rss_mb"])
        if keep is not None:
            shutil.copytree(work / "wh", keep, dirs_exist_ok=True)
    return report


def show(report: dict) -> None:
    g, b, lo = report["generation"], report["bare_read_csv"], report["load"]
    print(f"demo {report['deals']:,} deals; files (MB): "
          + ", ".join(f"{k} {v}" for k, v in report["files"].items()))
    print(f"generation      {g['seconds']:8.1f} s  peak RSS {g['peak_rss_mb']:7.0f} MB  (not part of the load)")
    print(f"bare read_csv   {b['seconds']:8.1f} s  peak RSS {b['peak_rss_mb']:7.0f} MB  rows {b['rows']:,}")
    print(f"parity load     {lo['seconds']:8.1f} s  peak RSS {lo['peak_rss_mb']:7.0f} MB  rows {lo['rows']:,}"
          + (f"  FAILED {lo['failed']}" if lo["failed"] else ""))
    print(f"ratio {report['ratio']} (target <= {TARGETS['ratio']}), load peak RSS target <= "
          f"{TARGETS['load_peak_rss_mb']} MB: {'met' if report['met'] else 'NOT met'}"
          + (" (files failed: the ratio compares less work)" if lo["failed"] else ""))
    print(f"{'phase (the load, etl/phases.py)':40} {'s':>8} {'x bare':>7} {'CPU s':>8} {'peak MB':>8}")
    for p in lo.get("phases") or []:
        depth = p["phase"].count("/")
        if depth <= 1 and p["seconds"] >= 0.05 * lo["seconds"] / 10:
            print(f"{'  ' * depth + p['phase'].split('/')[-1]:40} {p['seconds']:8.1f} "
                  f"{p['seconds'] / b['seconds']:7.2f} {p['cpu_seconds']:8.1f} {p['peak_rss_mb']:8.0f}")
