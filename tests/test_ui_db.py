"""ui/db.py reads whatever warehouse file is in place, even while an older connection is open."""
from __future__ import annotations

import os

import duckdb

from model.runner import connect as _connect


def _make(path, value):
    con = duckdb.connect(str(path))
    con.execute("create table t as select $v as v", {"v": value}).fetchall()
    con.close()


def test_connection_after_swap_sees_new_file_while_old_one_is_open(tmp_path):
    current, nxt = tmp_path / "warehouse.duckdb", tmp_path / "next.duckdb"
    _make(current, 1)
    _make(nxt, 2)
    old = _connect(current)
    try:
        assert old.execute("select v from t").fetchall() == [(1,)]
        os.replace(nxt, current)
        new = _connect(current)
        try:
            assert new.execute("select v from t").fetchall() == [(2,)]
            assert old.execute("select v from t").fetchall() == [(1,)]  # a reader mid-query keeps its file
        finally:
            new.close()
    finally:
        old.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]  # no links left behind


def test_config_hash_is_read_again_only_when_a_config_file_changes(config_copy, monkeypatch):
    """The stale-config banner asks on every page run; data/ is hashed again only when a file's
    (path, mtime_ns, size) stamp changed, and the answer is always etl.config.config_hash()'s."""
    from etl import config
    from ui import page

    calls = []
    real = config.config_hash
    monkeypatch.setattr(config, "config_hash", lambda: calls.append(1) or real())
    first = page.current_config_hash()
    assert page.current_config_hash() == first == real() and len(calls) == 1
    toml = config_copy / "agreements.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    second = page.current_config_hash()
    assert second == real() != first and len(calls) == 2
    (config_copy / "mappings").mkdir(exist_ok=True)
    (config_copy / "mappings" / "shop.toml").write_text("[columns]\n", encoding="utf-8")   # a profile saved
    assert page.current_config_hash() == real() != second and len(calls) == 3
