"""A big touchpoints export loads within a small DuckDB pool: staging and the merge spill to disk.

At 10M demo deals, touchpoints.csv (80M rows) ran out of the 640MB load pool: finding repeated
lines (staging) and repeated touches (the merge's `select distinct`) used hash aggregates holding
one group per row. Both now sort hashes, which spills. Here a 1M-row export goes through the same
load path in a 32MB pool, where the old merge ran out of memory.

The file is Parquet: a CSV needs two 32MB read buffers before any of those statements run, so a
CSV that breaks them in a pool it can be read in would take a minute to load.
"""
from __future__ import annotations

import duckdb
import pytest

from etl.build import Builder, load_memory
from etl.errors import LoadError
from etl.load import load_one
from etl.sqlfiles import run
from etl.stage import Mapping

ROWS = 1_000_000


def write_touchpoints(path) -> None:
    """ROWS distinct touches as an export's text, plus an exact repeat of line 12, a repeat of
    line 22 with its campaign written in capitals, and an unreadable date 5 lines from the end."""
    con = duckdb.connect()
    try:
        con.execute(f"""
            copy (
                with base as (
                    select i::double as k,
                           strftime(timestamp '2024-01-01' + to_seconds(i * 37), '%Y-%m-%d %H:%M:%S') as touch_at,
                           (1000000 + i // 8)::varchar as lead_id,
                           case when i % 3 = 0 then (50000000 + i // 24)::varchar end as deal_id,
                           ['yandex_direct', 'vk_ads', 'google_ads', 'email', 'seo'][i % 5 + 1] as channel,
                           'camp_' || (i % 41) as campaign
                    from range({ROWS}) r(i)
                ),
                extra as (
                    select 500000.5 as k, touch_at, lead_id, deal_id, channel, campaign from base where k = 10
                    union all
                    select 600000.5, touch_at, lead_id, deal_id, channel, upper(campaign) from base where k = 20
                    union all
                    select {ROWS} - 5.5, 'not a date', '1', null, 'seo', 'camp_1'
                )
                select touch_at, lead_id, deal_id, channel, campaign
                from (select * from base union all select * from extra) order by k
            ) to '{path}' (format parquet)""")
    finally:
        con.close()


def test_big_touchpoints_load_in_a_small_pool(tmp_path, monkeypatch):
    path = tmp_path / "touchpoints.parquet"
    write_touchpoints(path)
    monkeypatch.setenv("PARITY_LOAD_MEMORY", "32MB")
    db = tmp_path / "warehouse.duckdb"
    with Builder(db) as b:
        # the pool is per DuckDB thread as much as per load: the same two threads on any machine
        run(b.con, "set threads = 2")
        assert b.con.execute("select current_setting('memory_limit')").fetchall()[0][0] == "30.5 MiB"
        result = load_one(b, path, path.name, "0" * 64, None, Mapping(), tmp_path)
        touches, line22 = b.con.execute(
            "select count(*), count(*) filter (where touch_at = timestamp '2024-01-01' + interval 740 second) "
            "from touchpoints").fetchall()[0]
    assert result["status"] == "loaded"
    assert result["rows_read"] == ROWS + 3
    assert result["rows_duplicate"] == 1                     # line 12 again
    assert result["rows_rejected"] == 1
    # rows are numbered in file order across row groups: the bad date is reported at its own line
    assert result["reject_reasons"][0]["row"] == ROWS + 3 - 5 + 1
    assert "invalid date" in result["reject_reasons"][0]["reason"]
    assert result["rows_loaded"] == ROWS + 1
    assert touches == ROWS                                   # 'CAMP_20' is the touch of line 22
    assert line22 == 1


def test_load_memory_setting(monkeypatch):
    monkeypatch.delenv("PARITY_LOAD_MEMORY", raising=False)
    assert load_memory() == "640MB"
    # by the size of the files a build reads: small up to 1 GB (the 1M-row bench file is 160 MB), at most
    # 1280MB from 10 GB (the 10M-deal demo's 12 GB), never shrinking as files grow
    sizes = [0, 160 << 20, 1 << 30, 3 << 30, 5 << 30, 10 << 30, 12 << 30, 1 << 40]
    pools = [int(load_memory(n).removesuffix("MB")) for n in sizes]
    assert pools[:3] == [640, 640, 640] and pools[-3:] == [1280, 1280, 1280]
    assert pools == sorted(pools) and 640 < pools[3] < pools[4] < 1280
    monkeypatch.setenv("PARITY_LOAD_MEMORY", "2GB")
    assert load_memory() == "2GB"
    monkeypatch.setenv("PARITY_LOAD_MEMORY", "lots")
    with pytest.raises(LoadError, match="PARITY_LOAD_MEMORY"):
        load_memory()


def test_a_build_sizes_its_pool_by_the_files_it_reads(tmp_path, monkeypatch):
    """A load's pool follows its files; a rebuild's, the raw files it replays (here a stand-in of 4 GB)."""
    monkeypatch.delenv("PARITY_LOAD_MEMORY", raising=False)
    db = tmp_path / "warehouse.duckdb"
    setting = "select current_setting('memory_limit')"
    with Builder(db) as b:
        small = b.con.execute(setting).fetchall()[0][0]
    with Builder(db, input_bytes=12 << 30) as b:
        big = b.con.execute(setting).fetchall()[0][0]
        b.size_pool(4 << 30)
        middle = b.con.execute(setting).fetchall()[0][0]
    assert (small, big) == (pool_of("640MB"), pool_of("1280MB"))
    assert middle == pool_of(load_memory(4 << 30))


def pool_of(size: str) -> str:
    """DuckDB's own spelling of a memory limit (it reports 640MB as '610.3 MiB')."""
    con = duckdb.connect()
    try:
        con.execute(f"set memory_limit = '{size}'")
        return con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()


def test_load_files_and_rebuild_size_the_pool_by_their_files(fresh_db, monkeypatch):
    from etl import build
    from etl.load import load_files, rebuild
    from tests.conftest import WH_FILES

    asked: list[int] = []
    monkeypatch.setattr(build, "load_memory", lambda n=0: asked.append(n) or "640MB")
    files = [p for p in WH_FILES if p.name in ("deals_amo.csv", "leads.csv")]
    assert load_files(files, progress=False)["ok"]
    assert asked == [sum(p.stat().st_size for p in files)]
    asked.clear()
    assert rebuild(progress=False)["ok"]
    assert asked[-1] == sum(p.stat().st_size for p in (fresh_db.parent / "raw").glob("*.csv"))
