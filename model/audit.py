"""The audit trail: who did what and when (sign-ins and failures, loads, config and vocabulary edits,
agreement proposals and approvals, exports), append-only in the store, each entry chained to the
previous one by hash, so editing or deleting an entry is detectable by `verify`.

hash(n) = sha256(hash(n-1) + canonical JSON of entry n's fields); the first entry chains to "".

When the store cannot be written, an action is not lost silently. Before a change (a load, an edit)
`check` refuses it in one line while nothing has happened yet; an export is refused the same way (its
entry is written before the file is handed out). An entry that fails after its action succeeded (a load
that committed) cannot undo the action: `record_or_keep` keeps it in a pending file beside the store, says
so in one line, and the next entry written moves it into the chain with its own time ("late": true).
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
import uuid
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
COLUMNS = ["id", "at", "who", "action", "target", "detail"]


class AuditError(RuntimeError):
    """The audit trail cannot be written: one line saying where, why and what to do."""


def _failed(err: Exception, path: Path | None, outcome: str = "") -> AuditError:
    where = path or store.store_path()
    why = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return AuditError(f"the audit trail {where} cannot be written ({why}){outcome}; free disk space or fix the "
                      f"file's permissions, then try again")


def pending_path(path: Path | None = None) -> Path:
    """Entries whose action happened while the store could not be written, one JSON object a line."""
    path = path or store.store_path()
    return path.with_name(path.name + ".pending.jsonl")


def who_cli(login: str | None = None) -> str:
    """Who acts from a command line: --as LOGIN if given, else the operating-system user."""
    if login:
        return login
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):   # no passwd entry (a container's numeric uid)
        return f"uid:{os.getuid()}"


def _digest(prev: str, row: dict) -> str:
    body = json.dumps({k: row[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()



def _row(action: str, who: str, target: str, detail: dict | None) -> dict:
    return {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "who": who or "", "action": action,
            "target": target or "", "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True,
                                                         default=str)}


def record(action: str, who: str, target: str = "", detail: dict | None = None, *,
           path: Path | None = None, con: sqlite3.Connection | None = None) -> int:
    """Append one entry (chained to the last one, after any pending ones) and return its id; AuditError
    when the store cannot be written."""
    own = con is None
    try:
        con = con or store.open_with(DDL, path)
        if not own:
            store.ensure(con, DDL)
            path = path or _file_of(con)   # the pending entries are those of the store `con` writes
        try:
            row = _row(action, who, target, detail)
            taken = None
            try:
                with store.transaction(con):
                    taken, rows = _take_pending(path)
                    for late in rows:
                        _append(con, late)
                    rowid = _append(con, row)
            except BaseException:   # rolled back: the pending entries stay pending
                _give_back(taken, path)
                raise
            if taken:
                taken.unlink(missing_ok=True)
            return rowid
        finally:
            if own:
                con.close()
    except (sqlite3.Error, OSError) as err:
        raise _failed(err, path) from err


def _file_of(con: sqlite3.Connection) -> Path | None:
    """The file a connection writes (None for an in-memory database)."""
    name = next((r[2] for r in con.execute("pragma database_list").fetchall() if r[1] == "main"), "")
    return Path(name) if name else None


def _append(con: sqlite3.Connection, row: dict) -> int:
    last = con.execute("select hash from audit order by id desc limit 1").fetchone()
    prev = last["hash"] if last else ""
    cur = con.execute("insert into audit (at, who, action, target, detail, prev, hash) "
                      "values (:at, :who, :action, :target, :detail, :prev, :hash)",
                      {**row, "prev": prev, "hash": _digest(prev, row)})
    return int(cur.lastrowid or 0)


def _take_pending(path: Path | None) -> tuple[Path | None, list[dict]]:
    """The pending entries, moved aside (inside the store's write lock, so one writer takes them)."""
    pending = pending_path(path)
    if not pending.exists():
        return None, []
    taken = pending.with_name(f"{pending.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.replace(pending, taken)
    except FileNotFoundError:
        return None, []
    rows = []
    for line in taken.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            r = json.loads(line) if line.strip() else None
        except ValueError:   # a torn or edited line: kept as it is, it must not block the trail
            r = _row("pending_unreadable", "", pending.name, {"line": line[:2000]})
        if isinstance(r, dict):
            rows.append({k: str(r.get(k, "")) for k in FIELDS})
    return taken, rows


def _give_back(taken: Path | None, path: Path | None) -> None:
    if taken and taken.exists():
        with open(pending_path(path), "a", encoding="utf-8") as fh:
            fh.write(taken.read_text(encoding="utf-8"))
        taken.unlink()


def check(path: Path | None = None) -> None:
    """Refuses (AuditError) when the store cannot be written now: asked before a change, so that a
    change is not made that its entry could not follow."""
    try:
        con = store.open_with(DDL, path)
        try:
            with store.transaction(con):
                pass
        finally:
            con.close()
    except (sqlite3.Error, OSError) as err:
        raise _failed(err, path, "; nothing was done") from err


def record_or_keep(action: str, who: str, target: str = "", detail: dict | None = None, *,
                   path: Path | None = None) -> str | None:
    """`record` for an action that has already happened and stands (a committed load): when the store
    cannot be written, the entry is kept in the pending file instead, and the one line returned says so
    (None when recorded). Only when even that file cannot be written is AuditError raised."""
    try:
        record(action, who, target, detail, path=path)
        return None
    except AuditError as err:
        row = {**_row(action, who, target, {**(detail or {}), "late": True})}
        try:
            with open(pending_path(path), "a", encoding="utf-8") as fh:
                # on a line of its own even after a line a crash left unfinished
                fh.write("\n" + json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as again:
            raise _failed(again, path) from err
        return f"{err}; the entry is kept in {pending_path(path)} and joins the trail with the next one written"


def _reader(path: Path | None) -> sqlite3.Connection:
    """A connection to read the trail: the usual one, or, where the store's folder cannot be written (a
    read-only mount: WAL mode needs its -shm file), the file opened read-only as it stands."""
    try:
        return store.open_with(DDL, path)
    except sqlite3.OperationalError:
        where = (path or store.store_path()).resolve()
        for how in ("mode=ro", "immutable=1"):   # immutable: no -shm to be had, the file as last written
            con = sqlite3.connect(f"{where.as_uri()}?{how}", uri=True)
            try:
                con.execute("select count(*) from sqlite_master").fetchone()
                return con
            except sqlite3.OperationalError:
                con.close()
        raise


def verify(path: Path | None = None) -> list[int]:
    """Ids of entries whose hash or link does not match (an edit, an insertion or a deletion before
    them); [] for an intact trail."""
    con = _reader(path)
    con.row_factory = sqlite3.Row
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


def entries(limit: int | None = None, path: Path | None = None, hashes: bool = False,
            actions: tuple[str, ...] = (), whos: tuple[str, ...] = ()) -> pd.DataFrame:
    """The newest entries first: id, at, who, action, target, detail (all of them without `limit`), only
    of `actions` and `whos` when given, and prev and hash with `hashes` (what a copy needs to be checked)."""
    columns = COLUMNS + (["prev", "hash"] if hashes else [])
    where, params = [], []
    for column, values in (("action", actions), ("who", whos)):
        if values:
            where.append(column + " in (" + ", ".join("?" * len(values)) + ")")
            params += list(values)
    # column names from COLUMNS and placeholders only: the values are parameters
    sql = ("select " + ", ".join(columns) + " from audit" + (" where " + " and ".join(where) if where else "")
           + " order by id desc" + (" limit ?" if limit else ""))
    con = store.open_with(DDL, path)
    try:
        rows = con.execute(sql, params + ([limit] if limit else [])).fetchall()
    finally:
        con.close()
    return pd.DataFrame([dict(r) for r in rows], columns=columns)


def facets(path: Path | None = None) -> dict:
    """The actions and the people the trail names, for its filters; and how many entries it holds."""
    con = store.open_with(DDL, path)
    try:
        return {"action": [r[0] for r in con.execute("select distinct action from audit order by 1")],
                "who": [r[0] for r in con.execute("select distinct who from audit order by 1")],
                "count": con.execute("select count(*) from audit").fetchone()[0]}
    finally:
        con.close()


def summary(path: Path | None = None) -> dict:
    """Where the store is and whether the chain is intact, for `python -m etl status`."""
    where = path or store.store_path()
    pending = pending_path(path)
    late = sum(1 for line in pending.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()) \
        if pending.exists() else 0
    if not where.exists():
        return {"store": str(where), "exists": False, "entries": 0, "chain": "no entries yet", "pending": late}
    broken = verify(path)
    con = _reader(path)
    try:
        n = con.execute("select count(*) from audit").fetchone()[0]
    finally:
        con.close()
    return {"store": str(where), "exists": True, "entries": n, "pending": late, "broken": broken,
            "chain": "intact" if not broken else f"broken at entries {', '.join(map(str, broken[:20]))}"}
