"""The audit trail: who did what and when (sign-ins and failures, loads, config and vocabulary edits,
agreement proposals and approvals, exports), append-only in the store, each entry chained to the
previous one by hash, so editing or deleting an entry is detectable by `verify`.

hash(n) = sha256(hash(n-1) + canonical JSON of entry n's fields); the first entry chains to "".
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from model import store

DDL = """
create table if not exists audit (
    id integer primary key,
    at text not null,            -- UTC, ISO 8601
    who text not null,           -- login ("" for an unknown one, e.g. a failed sign-in's name in detail)
    action text not null,        -- sign_in, sign_in_failed, sign_out, load, config_edit, vocab_edit, ...
    target text not null,        -- what it acted on: a file name, an agreement version, an export
    detail text not null,        -- JSON object
    prev text not null,
    hash text not null
);
create trigger if not exists audit_no_update before update on audit
begin select raise(abort, 'the audit trail is append-only'); end;
create trigger if not exists audit_no_delete before delete on audit
begin select raise(abort, 'the audit trail is append-only'); end;
"""
FIELDS = ("at", "who", "action", "target", "detail")


def _digest(prev: str, row: dict) -> str:
    body = json.dumps({k: row[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def _open(path: Path | None) -> sqlite3.Connection:
    con = store.connect(path)
    store.ensure(con, DDL)
    return con


def record(action: str, who: str, target: str = "", detail: dict | None = None, *,
           path: Path | None = None, con: sqlite3.Connection | None = None) -> int:
    """Append one entry (chained to the last one) and return its id."""
    own = con is None
    con = con or _open(path)
    if not own:
        store.ensure(con, DDL)
    try:
        row = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "who": who or "", "action": action,
               "target": target or "", "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True,
                                                            default=str)}
        with store.transaction(con):
            last = con.execute("select hash from audit order by id desc limit 1").fetchone()
            prev = last["hash"] if last else ""
            cur = con.execute("insert into audit (at, who, action, target, detail, prev, hash) "
                              "values (:at, :who, :action, :target, :detail, :prev, :hash)",
                              {**row, "prev": prev, "hash": _digest(prev, row)})
        return int(cur.lastrowid or 0)
    finally:
        if own:
            con.close()


def verify(path: Path | None = None) -> list[int]:
    """Ids of entries whose hash or link does not match (an edit, an insertion or a deletion before
    them); [] for an intact trail."""
    con = _open(path)
    try:
        rows = con.execute("select * from audit order by id").fetchall()
    finally:
        con.close()
    broken, prev = [], ""
    for r in rows:
        row = dict(r)
        if row["prev"] != prev or row["hash"] != _digest(prev, row):
            broken.append(row["id"])
        prev = row["hash"]
    return broken


def entries(limit: int | None = None, path: Path | None = None) -> pd.DataFrame:
    """The newest entries first: id, at, who, action, target, detail (all of them without `limit`)."""
    con = _open(path)
    try:
        sql = "select id, at, who, action, target, detail from audit order by id desc"
        rows = con.execute(sql + (" limit ?" if limit else ""), (limit,) if limit else ()).fetchall()
    finally:
        con.close()
    return pd.DataFrame([dict(r) for r in rows], columns=["id", "at", "who", "action", "target", "detail"])
