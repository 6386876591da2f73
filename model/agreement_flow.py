"""Agreements with two keys: a change to data/agreements.toml is proposed by either head and takes
effect only when marketing and sales have both approved it. Proposals, approvals and every version
(its text, proposer, approvers and dates) live in the store (model/store.py); version 1 is the file
as the store first saw it.

When the second department approves, in one store transaction: the proposal becomes version N+1, and
data/agreements.toml is written atomically (a temporary file, then os.replace) with `version = N+1`,
`agreed_on` and `signed_by` in its header. Then the warehouse is rebuilt (etl.load.rebuild), which
records the version in build_meta, so the numbers move and every page and slide names the version.
A proposal made against an older version than the one in force is refused when it would take effect
(it would undo the other change): it is marked outdated and is proposed again.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl import config
from model import audit, store
from model.users import DEPARTMENT, User

DDL = """
create table if not exists agreement_versions (
    version integer primary key,
    text text not null,
    proposal_id integer,              -- null for the file as first seen
    proposed_by text not null,
    approved_by text not null,        -- JSON {"marketing": login, "sales": login}
    proposed_at text not null,        -- UTC, ISO 8601
    agreed_at text not null,
    note text not null
);
create table if not exists agreement_proposals (
    id integer primary key,
    base_version integer not null,    -- the version in force when it was proposed
    text text not null,
    note text not null,
    proposed_by text not null,
    proposed_at text not null,
    status text not null,             -- open, agreed, rejected, withdrawn, outdated
    closed_by text,
    closed_at text,
    version integer                   -- the version it became
);
create table if not exists agreement_approvals (
    proposal_id integer not null references agreement_proposals(id),
    department text not null,         -- one key per department: marketing, sales
    login text not null,
    at text not null,
    primary key (proposal_id, department)
);
"""
KEYS = ("marketing", "sales")          # both must approve
MANAGED = ("version", "agreed_on", "signed_by")   # header keys the flow writes, not proposed by people
_HEADER_KEY = re.compile(r"^\s*(" + "|".join(MANAGED) + r")\s*=")


class AgreementError(ValueError):
    """A refused step of the flow in one line; `code` and `fields` word it in the reader's language
    (ui/locales/agreements.toml: agr.err.<code>)."""

    def __init__(self, message: str, code: str, **fields: object):
        super().__init__(message)
        self.code = code
        self.fields = fields


@dataclass
class Outcome:
    """What one approval did: whether it counted as its department's key, which keys are still missing,
    the version it made (None while waiting) and the rebuild's result or its one-line error."""
    proposal: int
    department: str
    counted: bool
    approved_by: dict[str, str]
    waiting_for: list[str] = field(default_factory=list)
    version: int | None = None
    rebuild: dict | None = None
    rebuild_error: str | None = None


def agreements_path() -> Path:
    return config.config_dir() / "agreements.toml"




# The note of the version the store found in data/agreements.toml (no proposal made it): the pages word it
FIRST_SEEN = "first seen"


def _ensure_first(con: sqlite3.Connection) -> None:
    """Version 1 (or the number the file names): data/agreements.toml as the store first sees it.
    Call inside a transaction."""
    if con.execute("select 1 from agreement_versions limit 1").fetchone():
        return
    text = agreements_path().read_text(encoding="utf-8")
    number, _ = config.agreement_version(config.check_agreements(text, str(agreements_path())))
    now = store.now()
    con.execute("insert into agreement_versions values (?, ?, null, '', '{}', ?, ?, ?)",
                (number, text, now, now, FIRST_SEEN))


def _current(con: sqlite3.Connection) -> sqlite3.Row:
    return con.execute("select * from agreement_versions order by version desc limit 1").fetchone()


def current(path: Path | None = None) -> dict:
    """The version in force: version, text, proposed_by, approved_by (dict), proposed_at, agreed_at, note."""
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            _ensure_first(con)
        row = dict(_current(con))
    finally:
        con.close()
    return {**row, "approved_by": json.loads(row["approved_by"])}


def diff(old_text: str, new_text: str) -> list[tuple[str, Any, Any]]:
    """(key, old, new) for each agreed value that differs (None where absent), in the new file's order;
    the header the flow writes (version, agreed_on, signed_by) is not an agreed value."""
    old, new = config.flat_keys(tomllib.loads(old_text)), config.flat_keys(tomllib.loads(new_text))
    order = list(dict.fromkeys([*new, *old]))
    return [(k, old.get(k), new.get(k)) for k in order if k not in MANAGED and old.get(k) != new.get(k)]


def value_of(doc: dict, key: str) -> Any:
    """The value of "section.key" in a parsed agreements.toml; an attribution parameter it does not name
    has the build's default (etl/config.py ATTRIBUTION_DEFAULTS)."""
    section, name = key.split(".", 1)
    default = config.ATTRIBUTION_DEFAULTS.get(name) if section == "attribution" else None
    return doc.get(section, {}).get(name, default)


def toml_value(value: Any) -> str:
    """A value as TOML writes it: true/false, numbers, "text", [lists]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def set_values(text: str, values: dict[str, Any]) -> str:
    """`text` with each {"section.key": value} set: the key's line in its [section] rewritten (comments and
    everything else kept as written), or added at the section's end; a missing section is appended."""
    lines = text.splitlines()
    for dotted, value in values.items():
        section, key = dotted.split(".", 1)
        line = f"{key} = {toml_value(value)}"
        start = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{section}]"), None)
        if start is None:
            lines += ["", f"[{section}]", line]
            continue
        end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
        found = next((i for i in range(start + 1, end) if re.match(rf"\s*{re.escape(key)}\s*=", lines[i])), None)
        if found is not None:
            lines[found] = line
        else:
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
            lines.insert(end, line)
    return "\n".join(lines) + "\n"


def with_header(text: str, version: int, day: dt.date, approved_by: dict[str, str]) -> str:
    """`text` with the header the flow owns: version, agreed_on and signed_by, right after the leading
    comments; the same keys already in the header are replaced, everything else is kept as written."""
    lines = text.splitlines()
    first_table = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")), len(lines))
    head = [ln for ln in lines[:first_table] if not _HEADER_KEY.match(ln)]
    comments = next((i for i, ln in enumerate(head) if not ln.lstrip().startswith("#")), len(head))
    signed = ", ".join(json.dumps(f"{dept}: {approved_by[dept]}", ensure_ascii=False) for dept in KEYS)
    header = [f"version = {version}", f"agreed_on = {day.isoformat()}", f"signed_by = [{signed}]"]
    return "\n".join(head[:comments] + header + head[comments:] + lines[first_table:]) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half: a temporary file beside it, then os.replace."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _allowed(user: User, action: str) -> str:
    if not user.can(action) or user.role not in DEPARTMENT:
        raise AgreementError(f"{user.login} ({user.role}) may not {action.replace('_', ' ')}: only the heads of "
                             "marketing and sales may", "not_allowed", login=user.login, role=user.role)
    return DEPARTMENT[user.role]


def propose(user: User, text: str, note: str = "", *, path: Path | None = None) -> int:
    """A proposal of the new agreements.toml text by a head; it counts as the proposer's department's key.
    Refused: a text etl/config.py's checks refuse (LoadError, one line), or one that changes nothing."""
    department = _allowed(user, "propose_agreement")
    config.check_agreements(text, "proposal")
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            _ensure_first(con)
            base = _current(con)
            changes = diff(base["text"], text)
            if not changes:
                raise AgreementError(f"the proposal changes nothing in version {base['version']}; edit a value",
                                     "unchanged", version=base["version"])
            now = store.now()
            cur = con.execute("insert into agreement_proposals (base_version, text, note, proposed_by, proposed_at, "
                              "status) values (?, ?, ?, ?, ?, 'open')", (base["version"], text, note, user.login, now))
            pid = int(cur.lastrowid or 0)
            con.execute("insert into agreement_approvals values (?, ?, ?, ?)", (pid, department, user.login, now))
        audit.record("agreement_propose", user.login, f"proposal {pid}",
                     {"base_version": base["version"], "department": department, "note": note,
                      "changes": [[k, o, n] for k, o, n in changes]}, con=con)
    finally:
        con.close()
    return pid


def _proposal(con: sqlite3.Connection, pid: int) -> sqlite3.Row:
    row = con.execute("select * from agreement_proposals where id = ?", (pid,)).fetchone()
    if row is None:
        raise AgreementError(f"there is no proposal {pid}", "unknown", proposal=pid)
    if row["status"] != "open":
        raise AgreementError(f"proposal {pid} is {row['status']}, not open: nothing to do", "not_open",
                             proposal=pid, status=row["status"])
    return row


def _approvals(con: sqlite3.Connection, pid: int) -> dict[str, str]:
    rows = con.execute("select department, login from agreement_approvals where proposal_id = ?", (pid,))
    return {r["department"]: r["login"] for r in rows.fetchall()}


def approve(user: User, pid: int, *, rebuild: bool = True, path: Path | None = None) -> Outcome:
    """`user`'s department's key on proposal `pid`. A department that approved already is not counted
    again (whoever of it approves). The second department's key makes the next version: the file is
    written and (with `rebuild`) the warehouse rebuilt."""
    department = _allowed(user, "approve_agreement")
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            proposal = _proposal(con, pid)
            counted = department not in _approvals(con, pid)
            if counted:
                con.execute("insert into agreement_approvals values (?, ?, ?, ?)",
                            (pid, department, user.login, store.now()))
            keys = _approvals(con, pid)
            out = Outcome(pid, department, counted, keys, [k for k in KEYS if k not in keys])
            if counted and not out.waiting_for:
                out.version = _agree(con, proposal, keys)
                current_version = _current(con)["version"]
        audit.record("agreement_approve", user.login, f"proposal {pid}",
                     {"department": department, "counted": counted, "version": out.version}, con=con)
        if counted and not out.waiting_for and out.version is None:
            raise AgreementError(f"proposal {pid} was made against version {proposal['base_version']}, version "
                                 f"{current_version} is in force now; propose the change again", "outdated",
                                 proposal=pid, base=proposal["base_version"], current=current_version)
        if out.version is not None:
            audit.record("agreement_version", user.login, f"version {out.version}",
                         {"proposal": pid, "approved_by": keys}, con=con)
    finally:
        con.close()
    if out.version is not None and rebuild:
        from etl.errors import LoadError
        from etl.load import rebuild as rebuild_warehouse
        try:
            out.rebuild = rebuild_warehouse(progress=False)
        except LoadError as err:   # the version stands; the pages say a rebuild is due (config_stale)
            out.rebuild_error = str(err)
    return out


def _agree(con: sqlite3.Connection, proposal: sqlite3.Row, keys: dict[str, str]) -> int | None:
    """Inside approve's transaction: the proposal becomes the next version and the file is written; None
    (the proposal marked outdated) when another version took effect after it was proposed."""
    now, base = store.now(), _current(con)
    if base["version"] != proposal["base_version"]:
        con.execute("update agreement_proposals set status = 'outdated', closed_at = ? where id = ?",
                    (now, proposal["id"]))
        return None
    version = base["version"] + 1
    text = with_header(proposal["text"], version, dt.date.today(), keys)
    config.check_agreements(text, str(agreements_path()))
    con.execute("insert into agreement_versions values (?, ?, ?, ?, ?, ?, ?, ?)",
                (version, text, proposal["id"], proposal["proposed_by"], json.dumps(keys, ensure_ascii=False),
                 proposal["proposed_at"], now, proposal["note"]))
    con.execute("update agreement_proposals set status = 'agreed', closed_at = ?, version = ? where id = ?",
                (now, version, proposal["id"]))
    _write_atomically(agreements_path(), text)   # last: a failure before it leaves the store unchanged
    return version


def close(user: User, pid: int, status: str, note: str = "", *, path: Path | None = None) -> None:
    """'rejected' by either head, or 'withdrawn' by its proposer: the proposal closes, nothing changes."""
    _allowed(user, "approve_agreement" if status == "rejected" else "propose_agreement")
    if status not in ("rejected", "withdrawn"):
        raise ValueError(f"status {status!r}: rejected or withdrawn")
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            proposal = _proposal(con, pid)
            if status == "withdrawn" and proposal["proposed_by"] != user.login:
                raise AgreementError(f"only {proposal['proposed_by']}, who proposed it, may withdraw proposal {pid}",
                                     "not_proposer", proposal=pid, login=proposal["proposed_by"])
            con.execute("update agreement_proposals set status = ?, closed_by = ?, closed_at = ? where id = ?",
                        (status, user.login, store.now(), pid))
        audit.record(f"agreement_{status}", user.login, f"proposal {pid}", {"note": note}, con=con)
    finally:
        con.close()


def versions(path: Path | None = None) -> pd.DataFrame:
    """Every version, newest first: version, proposed_by, approved_by (dict), proposed_at, agreed_at, note, text."""
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            _ensure_first(con)
        rows = [dict(r) for r in con.execute("select * from agreement_versions order by version desc").fetchall()]
    finally:
        con.close()
    for r in rows:
        r["approved_by"] = json.loads(r["approved_by"])
    return pd.DataFrame(rows, columns=["version", "text", "proposal_id", "proposed_by", "approved_by",
                                       "proposed_at", "agreed_at", "note"])


def proposals(status: str | None = "open", path: Path | None = None) -> pd.DataFrame:
    """Proposals (the open ones by default), newest first, each with `approved_by` {department: login}."""
    con = store.open_with(DDL, path)
    try:
        rows = [dict(r) for r in con.execute(
            "select * from agreement_proposals where ? is null or status = ? order by id desc",
            (status, status)).fetchall()]
        for r in rows:
            r["approved_by"] = _approvals(con, r["id"])
    finally:
        con.close()
    return pd.DataFrame(rows, columns=["id", "base_version", "text", "note", "proposed_by", "proposed_at", "status",
                                       "closed_by", "closed_at", "version", "approved_by"])
