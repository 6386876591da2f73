"""The start-up sweep: what a load killed mid-way leaves goes at the next load or `etl status`; a live
build's files and look-alikes that are not ours stay."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from etl.load import load_files
from etl.status import status
from tests.test_guarantees import cli, digest, query

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "data" / "formats"
# deals as amoCRM's old export (cp1251, commas) and Pipedrive's write them; ids the fixture does not hold
NEW_FILES = [FORMATS / "amocrm_old.csv", FORMATS / "pipedrive_deals.csv"]
# tables the new deals files cannot change
UNTOUCHED = ("leads", "touchpoints", "ad_spend", "campaigns", "plan", "activities", "sales", "traffic")


def build_names(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if ".build-" in p.name) + sorted(
        "raw/" + p.name for p in (db.parent / "raw").iterdir() if p.name.endswith(".part"))


def rows(db: Path, table: str) -> list[tuple]:
    return sorted(query(db, "select * from " + table), key=repr)  # table names from this file


def wait_for(paths: list[Path], proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not all(p.exists() for p in paths):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.time() < deadline, f"{[p.name for p in paths]} did not appear"
        time.sleep(0.01)


def test_a_killed_load_is_swept_by_the_next(copy_of_warehouse):
    db = copy_of_warehouse
    before, deals_before = digest(db), rows(db, "deals")
    untouched = {t: rows(db, t) for t in UNTOUCHED}
    loads_before = query(db, "select load_id, file_name from loads order by load_id")
    env = {**os.environ, "PARITY_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", *map(str, NEW_FILES)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    build = db.with_name(f"{db.name}.build-{proc.pid}")
    try:  # mid-way: DuckDB has the build file open and its log written, the load not committed
        wait_for([build, build.with_name(build.name + ".wal")], proc)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    litter = build_names(db)
    assert {build.name, build.name + ".wal", build.name + ".work"} <= set(litter)
    assert digest(db) == before  # the live warehouse untouched by the crash
    sizes = {Path(p).name: p.stat().st_size for p in db.parent.iterdir() if p.name in litter and p.is_file()}
    assert sizes[build.name] > 0

    result = load_files(NEW_FILES, progress=False)

    assert result["ok"], result["files"]
    assert build_names(db) == []
    swept = {Path(r["path"]).relative_to(db.parent).as_posix(): r["bytes"] for r in result["swept"]}
    assert sorted(swept) == litter
    assert all(swept[name] == size for name, size in sizes.items())
    # what it held before, plus the new files: loads appended, old deals kept, the other tables as they were
    loads = query(db, "select load_id, file_name from loads order by load_id")
    assert loads[:len(loads_before)] == loads_before
    assert [n for _, n in loads[len(loads_before):]] == [p.name for p in NEW_FILES]
    deals = rows(db, "deals")
    new = {r["load_id"]: r["rows_inserted"] for r in result["files"]}
    assert len(deals) == len(deals_before) + sum(new.values())
    old_ids = {r[0] for r in deals_before}
    assert sorted((r for r in deals if r[0] in old_ids), key=repr) == deals_before
    assert {t: rows(db, t) for t in UNTOUCHED} == untouched


HOLD = """
import sys, time
from pathlib import Path
from etl.build import Builder
with Builder(Path(sys.argv[1])) as b:
    Path(sys.argv[2]).touch()
    while not Path(sys.argv[3]).exists():
        time.sleep(0.02)
"""


def test_a_live_build_is_left_alone(copy_of_warehouse, tmp_path):
    """A real Builder in another process holds the writer lock: `etl status` removes none of its files,
    and a concurrent load waits for it instead of sweeping them."""
    db = copy_of_warehouse
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    env = {**os.environ, "PARITY_DB": str(db)}
    live = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(ready), str(stop)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    thread = None
    try:
        build = db.with_name(f"{db.name}.build-{live.pid}")
        wait_for([ready], live)
        held = build_names(db)
        assert {build.name, build.name + ".work"} <= set(held)
        out = cli("status", "--json", db=db)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["swept"] == [] and "removed" not in out.stderr
        assert build_names(db) == held

        done: dict = {}
        thread = threading.Thread(target=lambda: done.update(load_files(NEW_FILES[:1], progress=False)))
        thread.start()
        time.sleep(1.0)
        assert not done and build_names(db) == held  # waiting for the lock, nothing swept
    finally:
        stop.touch()
        _, err = live.communicate(timeout=60)
        if thread:
            thread.join(timeout=120)
    assert live.returncode == 0, err
    assert done["ok"] and done["swept"] == []  # the live build cleaned up after itself
    assert build_names(db) == []


def test_status_sweeps_a_dead_build_and_leaves_look_alikes(copy_of_warehouse):
    db = copy_of_warehouse
    folder = db.parent
    # the shape a dead build leaves: a DuckDB file, its log, a spill folder of DuckDB's files, a work folder
    dead = folder / f"{db.name}.build-4999999"  # above Linux's largest pid_max: no process has it
    con = duckdb.connect(str(dead))
    con.execute("set checkpoint_threshold = '1TB'")
    con.execute("create table t as select range as i from range(1000)").fetchall()
    con.close()
    dead.with_name(dead.name + ".wal").write_bytes(b"\x00" * 300)
    (spill := folder / (dead.name + ".tmp")).mkdir()
    (spill / "duckdb_temp_4999999_0_storage_DEFAULT-0.tmp").write_bytes(b"\x00" * 4096)
    (folder / (dead.name + ".work")).mkdir()
    (folder / (dead.name + ".work") / "decoded.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    part = folder / "raw" / ("ab" * 32 + ".csv.part")
    part.write_bytes(b"ID;x\n1;")
    # look-alikes that are not ours
    strays = [folder / f"{db.name}.build-4999998", folder / f"{db.name}.build-12.bak", folder / f"{db.name}.builder-3",
              folder / "other.duckdb.build-4999999", folder / f"{db.name}.build-4999997.tmp",
              folder / "raw" / "notes.part"]
    strays[0].write_text("my notes on the build\n", encoding="utf-8")  # not a DuckDB file
    for p in (strays[1], strays[2], strays[3], strays[5]):
        p.write_bytes(b"\x00" * 10)
    strays[4].mkdir()
    (strays[4] / "holiday.jpg").write_bytes(b"\xff\xd8")  # a folder with someone else's files
    before = digest(db)

    result = status()

    removed = {Path(r["path"]).name: r["bytes"] for r in result["swept"]}
    assert sorted(removed) == sorted([dead.name, dead.name + ".wal", dead.name + ".tmp", dead.name + ".work",
                                      part.name])
    assert removed[dead.name] > 0 and removed[dead.name + ".wal"] == 300
    assert removed[dead.name + ".tmp"] == 4096 and removed[dead.name + ".work"] == 8
    assert all(p.exists() for p in strays)
    assert not dead.exists() and not part.exists()
    assert digest(db) == before and result["exists"] and result["tables"]["deals"]["rows"] > 0
    assert status()["swept"] == []  # nothing twice


def test_status_sweeps_before_the_first_warehouse(fresh_db):
    """A first load killed before its swap: no warehouse yet, its build file is still an orphan."""
    fresh_db.parent.mkdir(parents=True, exist_ok=True)
    dead = fresh_db.with_name(fresh_db.name + ".build-4999999")
    dead.write_bytes(b"")  # killed before copying its first byte
    result = status()
    assert not result["exists"] and [Path(r["path"]).name for r in result["swept"]] == [dead.name]
    assert not dead.exists()


def test_the_data_page_says_what_an_upload_swept(copy_of_warehouse):
    from tests.apptest import Q1_2025, run_app, texts
    from ui import upload

    dead = copy_of_warehouse.with_name(copy_of_warehouse.name + ".build-4999999")
    dead.write_bytes(copy_of_warehouse.read_bytes()[:1_500_000])  # a copy killed 1.5 MB in
    data = "ID;Бюджет;Дата создания;Этап сделки;Город\n9001;1 000;03.03.2025;Переговоры;Москва\n".encode()
    result = upload.load_uploads([("deals_extra.csv", data)])
    assert result["ok"] and result["swept"] == [{"path": str(dead), "bytes": 1_500_000}] and not dead.exists()
    at = run_app("data", "ru", **Q1_2025)
    at.session_state["last_swept"] = result["swept"]  # as the page keeps its last upload's result
    at.run()
    assert "Удалено то, что оставили прерванные загрузки: warehouse.duckdb.build-4999999 (1,5 МБ)." in texts(at)
