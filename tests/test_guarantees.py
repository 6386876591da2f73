"""What loading promises: idempotent, loss-free, atomic, one clear line per bad file, readers never disturbed."""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import etl.build
import etl.load
from etl.errors import LoadError
from etl.load import load_files, rebuild

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("deals", "leads", "touchpoints", "ad_spend", "campaigns", "plan", "activities", "sales", "traffic",
          "rejects", "cell_warnings", "dq_unknown_regions", "dq_unknown_stages", "dq_unknown_channels")

DEALS = ("ID;Бюджет;Дата создания;Этап сделки;Город\n"
         "1;100 000;03.01.2025;Переговоры;Москва\n"
         "2;50 000,50;04.01.2025;Успешно реализовано;Казань\n"
         "3;1 000;31.02.2025;Переговоры;Казань\n")       # rejected: no such day
LEADS = ("ID лида;Дата создания;Город;utm_source\n"
         "L1;02.01.2025 09:00;мск;yandex\n")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(db: Path) -> dict[str, list]:
    """Every table's rows, sorted; loads without their wall-clock time."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {t: sorted(con.execute(f"select * from {t}").fetchall(), key=repr) for t in TABLES}
        out["loads"] = con.execute("select * exclude (loaded_at) from loads order by load_id").fetchall()
        return out
    finally:
        con.close()


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if ".build-" in p.name or p.name.endswith(".wal"))


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARITY_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # callers read returncode


@pytest.fixture
def loaded(fresh_db, tmp_path) -> Path:
    """A warehouse holding DEALS and LEADS."""
    files = [write(tmp_path, "deals.csv", DEALS), write(tmp_path, "leads.csv", LEADS)]
    assert load_files(files, progress=False)["ok"]
    return fresh_db


# ---------------------------------------------------------------------------------------------
# Idempotence and the raw store.

def test_loading_twice_changes_nothing(loaded, tmp_path):
    before, mtime = digest(loaded), loaded.stat().st_mtime_ns
    again = load_files([tmp_path / "deals.csv"], progress=False)
    assert again["ok"] and again["files"][0]["status"] == "already loaded"
    renamed = write(tmp_path, "deals_copy_2025.csv", DEALS)   # same bytes, another name
    both = load_files([renamed, tmp_path / "leads.csv"], progress=False)
    assert [f["status"] for f in both["files"]] == ["already loaded", "already loaded"]
    assert (digest(loaded), loaded.stat().st_mtime_ns) == (before, mtime)
    assert query(loaded, "select count(*) from loads") == [(2,)]


def test_same_content_twice_in_one_command(fresh_db, tmp_path):
    files = [write(tmp_path, "a.csv", DEALS), write(tmp_path, "b.csv", DEALS)]
    result = load_files(files, progress=False)
    assert [f["status"] for f in result["files"]] == ["loaded", "already loaded"]
    assert query(fresh_db, "select count(*), sum(amount) from deals") == [(2, Decimal("150000.50"))]


def test_raw_store_keeps_the_file_byte_for_byte(loaded, tmp_path):
    raw = loaded.parent / "raw"
    for name in ("deals.csv", "leads.csv"):
        data = (tmp_path / name).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert (raw / f"{sha}.csv").read_bytes() == data
    manifest = [json.loads(line) for line in (raw / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(m["file_name"], m["stored"]) for m in manifest] == [
        (n, hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() + ".csv") for n in ("deals.csv", "leads.csv")]


def test_rebuild_gives_the_same_tables(copy_of_warehouse):
    before = snapshot(copy_of_warehouse)
    assert sum(len(v) for v in before.values()) > 30
    result = rebuild(progress=False)
    assert result["ok"] and result["files"] == len(before["loads"])
    assert snapshot(copy_of_warehouse) == before
    assert leftovers(copy_of_warehouse) == []


def test_a_rebuild_keeps_each_load_time(loaded, tmp_path):
    """A load's time is when its file was loaded: `etl rebuild` (and a vocabulary saved on the Data page,
    which rebuilds) replays raw/ later and must keep the time the manifest holds, not write its own."""
    manifest = [json.loads(line) for line in (loaded.parent / "raw" / "manifest.jsonl").read_text(
        encoding="utf-8").splitlines()]
    before = query(loaded, "select load_id, file_name, loaded_at from loads order by load_id")
    time.sleep(1.1)  # the rebuild runs in a later second than the loads
    assert rebuild(progress=False)["ok"]
    assert query(loaded, "select load_id, file_name, loaded_at from loads order by load_id") == before
    # the same time as the manifest's: a rebuild from raw/ alone has nothing else to take it from
    assert [(f, t.isoformat()) for _, f, t in before] == [(m["file_name"], m["loaded_at"]) for m in manifest]
    proc = cli("load", str(tmp_path / "deals.csv"), db=loaded)
    assert proc.returncode == 0, proc.stderr
    first = before[0][2].strftime("%Y-%m-%d %H:%M")
    assert proc.stdout.strip() == f"deals.csv: already loaded (load 1, {first}); nothing changed"


# ---------------------------------------------------------------------------------------------
# Atomicity: a build that fails leaves the previous file, byte for byte, and no temp files.

def test_failing_checks_leave_the_old_warehouse(loaded, tmp_path, monkeypatch):
    before = digest(loaded)
    manifest = (loaded.parent / "raw" / "manifest.jsonl").read_bytes()
    monkeypatch.setattr(etl.build, "run_checks", lambda con: {"deals_unique_key": 3})
    extra = write(tmp_path, "deals_more.csv", DEALS.replace("\n1;", "\n9;"))
    with pytest.raises(LoadError, match=r"deals_unique_key: 3 rows.*unchanged"):
        load_files([extra], progress=False)
    assert digest(loaded) == before and leftovers(loaded) == []
    # the manifest does not claim a file the warehouse never took (else `rebuild` replays it)
    assert (loaded.parent / "raw" / "manifest.jsonl").read_bytes() == manifest


def test_crash_after_staging_leaves_the_old_warehouse(loaded, tmp_path, monkeypatch):
    before = digest(loaded)
    real = etl.load.load_one

    def staged_then_crash(*args, **kwargs):
        real(*args, **kwargs)             # the file is staged and merged into the build copy...
        raise RuntimeError("disk full")   # ...then the process fails before the swap

    monkeypatch.setattr(etl.load, "load_one", staged_then_crash)
    with pytest.raises(RuntimeError):
        load_files([write(tmp_path, "deals_more.csv", DEALS.replace("\n1;", "\n9;"))], progress=False)
    assert digest(loaded) == before and leftovers(loaded) == []
    assert query(loaded, "select count(*) from deals where deal_id = '9'") == [(0,)]


def test_failed_merge_drops_only_that_file(fresh_db, tmp_path, monkeypatch):
    real = etl.load.run_file

    def run_file(con, path, params=None):
        if Path(path).name == "merge_deals.sql":
            real(con, path, params)  # half the merge is done when it fails
            raise duckdb.ConversionException("Conversion Error: simulated")
        return real(con, path, params)

    monkeypatch.setattr(etl.load, "run_file", run_file)
    result = load_files([write(tmp_path, "deals.csv", DEALS), write(tmp_path, "leads.csv", LEADS)], progress=False)
    assert [f["status"] for f in result["files"]] == ["failed", "loaded"]
    assert "deals.csv" in result["files"][0]["error"] and "nothing from it was kept" in result["files"][0]["error"]
    assert query(fresh_db, "select (select count(*) from deals), (select count(*) from leads), "
                           "(select count(*) from rejects), (select list(file_name) from loads)") == [
        (0, 1, 0, ["leads.csv"])]


# ---------------------------------------------------------------------------------------------
# Bad files: one line on stderr naming the file and what to do; nothing already loaded is lost.

BAD_FILES = {
    "empty": ("empty.csv", b""),
    "garbage": ("garbage.csv", random.Random(7).randbytes(4000)),
    "fake_workbook": ("report.xlsx", b"PK\x03\x04" + random.Random(8).randbytes(2000)),
    "no_entity": ("export.csv", b"foo;bar;baz\n1;2;3\n"),
}
HINTS = ("export", "save", "mapping", "check")


def test_bad_files_one_clear_line_each(loaded, tmp_path):
    before = snapshot(loaded)
    paths = [write(tmp_path, name, data) for name, data in BAD_FILES.values()]
    proc = cli("load", *map(str, paths), db=loaded)  # one process for all: each file fails alone
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == len(paths), proc.stderr
    for (case, (name, _)), line in zip(BAD_FILES.items(), lines, strict=True):
        assert name in line and any(h in line.lower() for h in HINTS), (case, line)
        assert not re.search(r"[0-9a-f]{64}", line), line  # named as the user knows it, not as raw/<sha256>
    assert snapshot(loaded) == before


def test_a_binary_file_is_refused_as_no_table(loaded):
    """The QA walkthrough's file (NUL, control bytes, a zip's magic after two bytes, 0xff 0xfe, a line of
    text) was read as a deals table whose header was its junk: the CLI printed control bytes and the file
    name twice, the Data page offered a column mapping. It is one line: not a text table or workbook."""
    path = Path(__file__).resolve().parent / "data" / "walkthrough" / "bad_not_a_table.csv"
    before = snapshot(loaded)
    proc = cli("load", str(path), db=loaded)
    assert proc.returncode != 0
    [line] = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert line.startswith("FAILED bad_not_a_table.csv: not a text table (CSV, TSV) or a workbook"), line
    assert line.count("bad_not_a_table.csv") == 1 and "export the report again" in line, line
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", proc.stderr + proc.stdout), repr(proc.stderr)
    assert snapshot(loaded) == before
    # the Data page: the reader's language from the code, and no column-mapping form for it
    from ui import upload
    [failed] = load_files([path], progress=False)["files"]
    assert (failed["status"], failed["code"]) == ("failed", "not_a_table")
    assert not upload.needs_mapping(failed)
    assert upload.error_line(failed, "ru").startswith("bad_not_a_table.csv: это не текстовая таблица")
    assert upload.error_line(failed, "en").startswith("bad_not_a_table.csv: not a text table")


def test_json_output(loaded, tmp_path):
    good = write(tmp_path, "deals_2.csv", DEALS.replace("\n1;", "\n7;").replace("\n2;", "\n8;").replace("\n3;", "\n9;"))
    bad = write(tmp_path, "empty.csv", b"")
    proc = cli("load", "--json", str(good), str(bad), db=loaded)
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)  # the whole of stdout is one JSON object
    assert out["ok"] is False
    first, second = out["files"]
    assert {k: first[k] for k in ("file", "status", "entity", "format", "container", "rows_read", "rows_loaded",
                                  "rows_rejected")} == {
        "file": "deals_2.csv", "status": "loaded", "entity": "deals", "format": "amocrm", "container": "csv",
        "rows_read": 3, "rows_loaded": 2, "rows_rejected": 1}
    assert first["reject_reasons"][0]["row"] == 4 and "31.02.2025" in first["reject_reasons"][0]["reason"]
    assert (second["file"], second["status"]) == ("empty.csv", "failed")
    assert second["error"].startswith("empty.csv: ") and "empty" in second["error"][11:]


def test_missing_columns_then_mapping(fresh_db, tmp_path):
    path = write(tmp_path, "crm_export.csv", "Номер;Деньги;Когда;Где\n1;5 000;03.01.2025;мск\n2;7 000;04.01.2025;СПб\n")
    proc = cli("load", str(path), db=fresh_db)
    assert proc.returncode != 0
    [line] = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert "crm_export.csv" in line and "Columns found: Номер, Деньги, Когда, Где" in line
    assert "--mapping" in line and "[columns]" in line
    mapping = write(tmp_path, "crm.toml", 'entity = "deals"\n[columns]\ndeal_id = "Номер"\namount = "Деньги"\n'
                                          'created_at = "Когда"\nregion = "Где"\n')
    result = load_files([path], mapping_path=mapping, progress=False)  # what `load --mapping crm.toml` calls
    assert result["ok"] and result["files"][0]["rows_loaded"] == 2, result
    assert query(fresh_db, "select deal_id, amount, region from deals order by 1") == [
        ("1", Decimal("5000.00"), "Москва"), ("2", Decimal("7000.00"), "Санкт-Петербург")]


# ---------------------------------------------------------------------------------------------
# Concurrency: readers on read-only connections while loads swap the file in.

READER = r"""
import collections, json, os, sys, time, duckdb
path, ready, stop = sys.argv[1:4]
seen, errors = collections.Counter(), []
while True:
    last = os.path.exists(stop)  # one more read after the last swap, then stop
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            n, total = con.execute("select count(*), sum(amount)::varchar from deals").fetchall()[0]
        finally:
            con.close()
        seen[f"{n}|{total}"] += 1
        if not os.path.exists(ready):
            open(ready, "w").close()
    except Exception as err:
        errors.append(f"{type(err).__name__}: {err}"[:300])
    if last:
        break
    time.sleep(0.002)  # hundreds of reads per swap still, without starving the loads of a core
print(json.dumps({"seen": seen, "errors": errors[:20], "n_errors": len(errors)}))
"""


def test_reader_never_sees_a_half_built_warehouse(fresh_db, tmp_path):
    files = []
    for k in range(6):  # file k adds deals 10k+1 and 10k+2 worth 1000k + 1 and 1000k + 2,50
        files.append(write(tmp_path, f"deals_{k}.csv",
                           f"ID;Бюджет;Дата создания\n{10 * k + 1};{1000 * k + 1};03.01.2025\n"
                           f"{10 * k + 2};{1000 * k + 2},50;04.01.2025\n"))
    states, total = set(), Decimal(0)
    for k in range(6):
        total += Decimal(2000 * k) + Decimal("3.50")
        states.add(f"{2 * (k + 1)}|{total:.2f}")
    assert load_files(files[:1], progress=False)["ok"]
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(fresh_db), str(ready), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while not ready.exists() and reader.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert ready.exists(), reader.communicate()[1] if reader.poll() is not None else "reader not ready"
        for path in files[1:]:
            assert load_files([path], progress=False)["ok"]
        time.sleep(0.1)
    finally:
        stop.touch()
        out, _err = reader.communicate(timeout=60)
    report = json.loads(out)
    assert report["n_errors"] == 0, report["errors"]
    assert set(report["seen"]) <= states, report["seen"]
    assert f"12|{total:.2f}" in report["seen"] and len(report["seen"]) >= 2
    assert leftovers(fresh_db) == []
