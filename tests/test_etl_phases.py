"""A load says where its time and memory went (etl/phases.py), and the build's pool grows only when
a statement cannot run in the small one (etl/build.py run_steps)."""
from __future__ import annotations

import time

import duckdb
import pytest

from etl.build import _run_growing
from etl.load import load_files
from etl.phases import phase, recording
from tests.conftest import TESTS

DEALS = TESTS / "data" / "wh" / "deals_amo.csv"


def test_load_reports_its_phases(fresh_db):
    started = time.perf_counter()
    result = load_files([DEALS], progress=False)
    elapsed = time.perf_counter() - started
    assert result["ok"], result
    phases = {p["phase"]: p for p in result["phases"]}
    for name in ("hash", "open", "decode", "stage", "stage/read", "validate", "lookups", "merge", "derived",
                 "derived/deal_facts", "derived/attribution_credit", "checks", "checkpoint", "swap"):
        assert name in phases, (name, list(phases))
    for p in phases.values():
        assert p["seconds"] >= 0 and p["cpu_seconds"] >= 0 and p["peak_rss_mb"] > 0
    top = [p for name, p in phases.items() if "/" not in name]
    assert sum(p["seconds"] for p in top) <= elapsed + 1e-3 * len(top)
    # a step runs inside the build: its time is part of derived's, its peak at most derived's
    steps = [p for name, p in phases.items() if name.startswith("derived/")]
    assert sum(p["seconds"] for p in steps) <= phases["derived"]["seconds"] + 1e-3 * len(steps)  # rounded to ms
    assert max(p["peak_rss_mb"] for p in steps) <= phases["derived"]["peak_rss_mb"]
    # listed in the order they ran, each step right after its parent
    names = list(phases)
    assert names.index("stage") < names.index("stage/read") < names.index("validate") < names.index("derived")
    assert names.index("derived") < names.index("derived/deal_facts") < names.index("checks")


def test_phases_outside_a_recording_cost_nothing_and_add_up_inside():
    with phase("nowhere"):  # no recording: a no-op
        pass
    with recording() as rec:
        for _ in range(2):
            with phase("outer"), phase("inner"):
                time.sleep(0.01)
    rows = {r["phase"]: r for r in rec.report()}
    assert list(rows) == ["outer", "outer/inner"]
    assert rows["outer/inner"]["seconds"] >= 0.02
    assert rows["outer"]["seconds"] >= rows["outer/inner"]["seconds"]


def test_build_statement_grows_the_pool_only_when_out_of_memory(monkeypatch):
    monkeypatch.setenv("PARITY_DERIVED_MEMORY", "256MB")
    con = duckdb.connect()
    con.execute("set memory_limit = '8MB'").fetchall()
    con.execute("set threads = 1").fetchall()
    _run_growing(con, "create table small as select 1 as x")
    assert con.execute("select current_setting('memory_limit')").fetchall()[0][0] == "7.6 MiB"
    # an ordered list aggregate cannot spill: 2M elements do not fit in 8MB, they do in 256MB
    big = "create table big as select list(i order by i desc) as l from range(2000000) t(i)"
    _run_growing(con, big)
    assert con.execute("select current_setting('memory_limit')").fetchall()[0][0] == "244.1 MiB"
    assert con.execute("select len(l), l[1] from big").fetchall() == [(2000000, 1999999)]
    # already in the derived pool: the error stands
    with pytest.raises(duckdb.OutOfMemoryException):
        _run_growing(con, "create table huge as select list(i order by i desc) as l from range(40000000) t(i)")
