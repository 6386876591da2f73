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


def warehouse_path() -> Path:
    """Where the warehouse is expected ($PARITY_DB or data/warehouse.duckdb), read at call time."""
    return db_path()


def warehouse_exists() -> bool:
    """True when the warehouse file is there (the ETL swaps in whole files, so there means usable)."""
    return db_path().is_file()


def _file_stamp(path: Path) -> tuple[int, int, int]:
    # The ETL os.replace()s a new file in: a new inode/mtime makes a new cache key, so new data shows.
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def query(name: str, **params) -> pd.DataFrame:
    """Rows of queries/app/<name>.sql with `params` bound as $name; don't mutate the result (cached)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a query name: {name!r}")
    sql = (APP_QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    path = db_path()
    return _run(sql, params, str(path), _file_stamp(path))


@st.cache_data(show_spinner=False, max_entries=512)
def _run(sql: str, params: dict, path: str, stamp: tuple[int, int, int]) -> pd.DataFrame:
    # The SQL text, params, path and file stamp are the cache key; `stamp` is unused otherwise.
    # A fresh read-only connection per query: the ETL never waits on us, and a swapped file is
    # opened anew. .df() fetches everything, so no unfetched result holds the connection.
    con = _connect(Path(path))
    try:
        return con.execute(sql, params).df()
    finally:
        con.close()


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file that is at `path` right now.

    DuckDB shares one database instance per path while any connection to it is open, so after an
    os.replace() swap a new connection to the same path could still read the old file. A private
    hard link gives each connection its own instance; the name goes as soon as the file is open.
    """
    link = path.with_name(f".{path.name}.read-{uuid.uuid4().hex}")
    try:
        os.link(path, link)
    except OSError:  # a file system without hard links: fall back to the shared instance
        return duckdb.connect(str(path), read_only=True)
    try:
        return duckdb.connect(str(link), read_only=True)
    finally:
        link.unlink(missing_ok=True)
