"""The app's only door to the warehouse: read-only, one named SQL file per query, results cached."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl.paths import QUERIES_DIR, db_path

APP_QUERIES = QUERIES_DIR / "app"
_NAME = re.compile(r"[a-z0-9_]+")
# Pages read small aggregates: a bounded buffer pool keeps the app process well under 1.5 GiB
# whatever the warehouse's size (DuckDB would otherwise take up to 80% of the machine's memory).
APP_CONFIG = {"memory_limit": "768MB"}
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def warehouse_path() -> Path:
    """Where the warehouse is expected ($PARITY_DB or data/warehouse.duckdb), read at call time."""
    return db_path()


def warehouse_exists() -> bool:
    """True when the warehouse file is there (the ETL swaps in whole files, so there means usable)."""
    return db_path().is_file()


def has_data() -> bool:
    """True when the warehouse holds deals and the tables pages read; anything else shows the
    how-to-load guide (a file from an older build or a bare schema is "no data", not an error)."""
    if not warehouse_exists():
        return False
    try:
        return bool(query("warehouse_status").at[0, "deals"]) and not query("filter_options").empty
    except duckdb.Error:
        return False


def _file_stamp(path: Path) -> tuple[int, int, int]:
    # The ETL os.replace()s a new file in: a new inode/mtime makes a new cache key, so new data shows.
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def query(name: str, params: dict | None = None, **kw) -> pd.DataFrame:
    """Rows of queries/app/<name>.sql with `params` bound as $name; don't mutate the result (cached)."""
    path = db_path()
    sql = sql_of(name)
    return _run(sql, used(sql, {**(params or {}), **kw}), str(path), _file_stamp(path))


def sql_of(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a query name: {name!r}")
    return (APP_QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def used(sql: str, params: dict) -> dict:
    """The params the SQL names: views pass one filter set to queries that need parts of it."""
    names = set(_PARAM.findall(re.sub(r"--[^\n]*", "", sql)))  # a comment's "$x" is not a use
    return {k: v for k, v in params.items() if k in names}


def run_on(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """One named query on `con` through its own cursor (uncached: benchmarks time this)."""
    sql = sql_of(name)
    cur = con.cursor()
    try:
        return cur.execute(sql, used(sql, params) or None).df()
    finally:
        cur.close()


@st.cache_resource(show_spinner=False, max_entries=2)
def _shared(path: str, stamp: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    # One read-only connection per warehouse file version: a swapped-in file has a new stamp, so a
    # new connection; the old one is dropped from the cache and closed when its last cursor is done.
    return connect(Path(path))


@st.cache_data(show_spinner=False, max_entries=1024)
def _run(sql: str, params: dict, path: str, stamp: tuple[int, int, int]) -> pd.DataFrame:
    # The SQL text, params, path and file stamp are the cache key. Each call takes its own cursor of
    # the file's shared connection (a cursor per thread is DuckDB's rule); .df() drains the result.
    cur = _shared(path, stamp).cursor()
    try:
        return cur.execute(sql, params or None).df()
    finally:
        cur.close()


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file that is at `path` right now.

    DuckDB shares one database instance per path while any connection to it is open, so after an
    os.replace() swap a new connection to the same path could still read the old file. A private
    hard link gives each connection its own instance; the name goes as soon as the file is open.
    """
    link = path.with_name(f".{path.name}.read-{uuid.uuid4().hex}")
    try:
        os.link(path, link)
    except OSError:  # a file system without hard links: fall back to the shared instance
        return duckdb.connect(str(path), read_only=True, config=APP_CONFIG)
    try:
        return duckdb.connect(str(link), read_only=True, config=APP_CONFIG)
    finally:
        link.unlink(missing_ok=True)
