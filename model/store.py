"""The store for what people enter: audit entries, agreement proposals and approvals, decisions,
activities and subscriptions. These are not derived from exports, so they live beside the warehouse in
SQLite (WAL mode, standard library), survive `python -m etl rebuild`, and several app sessions and
processes write them at once. The warehouse stays derived and read-only to the app.

Each module that keeps something here declares its tables with `ensure(con, ddl)` on first use
(CREATE TABLE IF NOT EXISTS ...), so the store grows with the features and never needs a migration
step to be run by hand.
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from etl.paths import db_path

BUSY_MS = 30_000


def store_path() -> Path:
    """$PARITY_STORE if set, else parity-store.sqlite beside the warehouse file."""
    env = os.environ.get("PARITY_STORE")
    return Path(env).expanduser().resolve() if env else db_path().parent / "parity-store.sqlite"


def connect(path: Path | None = None) -> sqlite3.Connection:
    """A connection in WAL mode with a busy timeout (sqlite3's `timeout` sets SQLite's busy handler),
    autocommit off only inside `transaction`."""
    path = path or store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    try:
        _wal(con)
    except BaseException:
        con.close()
        raise
    con.execute("pragma synchronous=normal")
    con.execute("pragma foreign_keys=on")
    return con


def _wal(con: sqlite3.Connection) -> None:
    """Put the file in WAL mode. Converting the journal takes the file exclusively and SQLite does not
    run the busy handler for it, so processes opening a new store at once got "database is locked" at
    once (8 of 150 fresh files opened by 12 threads together). WAL is kept in the file: once set, the
    mode is only read; until then a conversion refused as busy is retried within BUSY_MS (another
    connection's conversion in the meantime is as good as our own). A file that cannot be WAL at all
    answers with its old mode and no error, and is used as it is, as before."""
    deadline = time.monotonic() + BUSY_MS / 1000
    pause = 0.005
    while True:
        try:
            if con.execute("pragma journal_mode").fetchone()[0] != "wal":
                con.execute("pragma journal_mode=wal").fetchone()
            return
        except sqlite3.OperationalError as err:
            if ("locked" not in str(err) and "busy" not in str(err)) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock first, so read-then-write sequences (the audit
    chain's previous hash, a version number) are serialised across processes."""
    con.execute("begin immediate")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def open_with(ddl: str, path: Path | None = None) -> sqlite3.Connection:
    """A connection (see `connect`) with a module's tables ensured: each module's one way in."""
    con = connect(path)
    ensure(con, ddl)
    return con


def read_only_rows(path: Path | None, table: str, sql: str, params: tuple = ()) -> list[sqlite3.Row] | None:
    """The rows `sql` reads from a store that is there, without writing to it: None when there is no store
    file, or no `table` in it yet (a reader, e.g. a digest dry run, creates neither: `open_with` would)."""
    path = path or store_path()
    if not path.is_file():
        return None
    con = connect(path)
    try:
        if con.execute("select 1 from sqlite_master where type = 'table' and name = ?", (table,)).fetchone() is None:
            return None
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def now() -> str:
    """The time an entry is stamped with: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def ensure(con: sqlite3.Connection, ddl: str) -> None:
    """Create a module's tables if missing (ddl: CREATE TABLE/INDEX IF NOT EXISTS statements)."""
    con.executescript(ddl)
