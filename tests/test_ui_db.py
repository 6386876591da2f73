"""ui/db.py reads whatever warehouse file is in place, even while an older connection is open."""
from __future__ import annotations

import os

import duckdb

from ui.db import connect


def _make(path, value):
    con = duckdb.connect(str(path))
    con.execute("create table t as select $v as v", {"v": value}).fetchall()
    con.close()


def test_connection_after_swap_sees_new_file_while_old_one_is_open(tmp_path):
    current, nxt = tmp_path / "warehouse.duckdb", tmp_path / "next.duckdb"
    _make(current, 1)
    _make(nxt, 2)
    old = connect(current)
    try:
        assert old.execute("select v from t").fetchall() == [(1,)]
        os.replace(nxt, current)
        new = connect(current)
        try:
            assert new.execute("select v from t").fetchall() == [(2,)]
            assert old.execute("select v from t").fetchall() == [(1,)]  # a reader mid-query keeps its file
        finally:
            new.close()
    finally:
        old.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]  # no links left behind
