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
    con.execute("pragma journal_mode=wal")
    con.execute("pragma synchronous=normal")
    con.execute("pragma foreign_keys=on")
    return con


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


def now() -> str:
    """The time an entry is stamped with: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def ensure(con: sqlite3.Connection, ddl: str) -> None:
    """Create a module's tables if missing (ddl: CREATE TABLE/INDEX IF NOT EXISTS statements)."""
    con.executescript(ddl)
