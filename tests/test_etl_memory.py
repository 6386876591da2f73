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
    monkeypatch.setenv("PARITY_LOAD_MEMORY", "2GB")
    assert load_memory() == "2GB"
    monkeypatch.setenv("PARITY_LOAD_MEMORY", "lots")
    with pytest.raises(LoadError, match="PARITY_LOAD_MEMORY"):
        load_memory()
