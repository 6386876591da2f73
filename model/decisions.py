"""What the joint meeting decided: commitments of either department (text, owner department and person,
regions, due date, optionally the registered metric and target it should move), kept in the store with
who recorded them and every later change; their status (done is set by a person, overdue is past due and
not done) and the linked metric's movement since the meeting, from the metric registry via the runner.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model import access, metrics, store
from model.access import AccessDenied, Scope
from model.filters import Filters
from model.runner import Runner

DEPARTMENTS = ("marketing", "sales")
STATUSES = ("done", "in_progress", "overdue")
DDL = """
create table if not exists commitments (
    id integer primary key, meeting_date text not null, department text not null, person text not null,
    text text not null, regions text not null,          -- JSON list; [] company-wide
    due_date text not null, metric text, target real,
    recorded_by text not null, recorded_at text not null, done_at text, done_by text);
create table if not exists commitment_changes (
    id integer primary key, commitment_id integer not null, at text not null, who text not null,
    action text not null, changes text not null);
"""
COLUMNS = ["id", "meeting_date", "department", "person", "text", "regions", "due_date", "metric", "target",
           "recorded_by", "recorded_at", "done_at", "done_by"]


class DecisionError(ValueError):
    """A commitment that cannot be kept: one line saying what and what to do."""


def metric_choices() -> list[str]:
    """Metrics a commitment may name: the registry's region-grain ones over the period (one value for any
    regions and window, so 'before' and 'since the meeting' compare like with like)."""
    return [k for k, m in metrics.REGISTRY.items()
            if m.grain == "region" and m.basis is None and "period" in m.filters]


@dataclass(frozen=True)
class Commitment:
    meeting_date: dt.date
    department: str
    person: str
    text: str
    due_date: dt.date
    regions: tuple[str, ...] = ()
    metric: str | None = None
    target: float | None = None

    def check(self) -> None:
        if self.department not in DEPARTMENTS:
            raise DecisionError(f"department {self.department!r} is not one of {', '.join(DEPARTMENTS)}")
        if not self.text.strip() or not self.person.strip():
            raise DecisionError("a commitment needs its text and the person who owns it")
        if self.due_date < self.meeting_date:
            raise DecisionError(f"due {self.due_date} is before the meeting {self.meeting_date}: pick a later date")
        if self.metric is not None and self.metric not in metric_choices():
            raise DecisionError(f"metric {self.metric!r} is not one a commitment can move: "
                                f"choose from {', '.join(metric_choices())}")




def _log(con, cid: int, who: str, action: str, changes: dict) -> None:
    con.execute("insert into commitment_changes (commitment_id, at, who, action, changes) values (?, ?, ?, ?, ?)",
                (cid, store.now(), who, action, json.dumps(changes, ensure_ascii=False, default=str)))


def _refuse_outside(scope: Scope, cid: int | None, regions) -> None:
    """A user restricted to some regions acts only on commitments within them (model/access.py `within`):
    refused in one line that names the commitment, not the regions it names."""
    if access.within(regions, scope.regions):
        return
    if cid is None:
        raise AccessDenied("commitment_new", "the commitment names regions that are not yours: "
                           "someone who sees all of them may record it")
    raise AccessDenied("commitment", f"commitment {cid} names regions that are not yours: "
                       "someone who sees all of them may mark it", id=cid)


def add(c: Commitment, who: str, scope: Scope, path: Path | None = None) -> int:
    """Record a commitment as `who`, whose access is `scope`; returns its id."""
    if not who:
        raise DecisionError("sign in first: a commitment is recorded with who recorded it")
    c.check()
    _refuse_outside(scope, None, c.regions)
    row = {"meeting_date": c.meeting_date.isoformat(), "department": c.department, "person": c.person.strip(),
           "text": c.text.strip(), "regions": json.dumps(list(c.regions), ensure_ascii=False),
           "due_date": c.due_date.isoformat(), "metric": c.metric, "target": c.target}
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            cur = con.execute("insert into commitments (meeting_date, department, person, text, regions, due_date, "
                              "metric, target, recorded_by, recorded_at) values (:meeting_date, :department, "
                              ":person, :text, :regions, :due_date, :metric, :target, :who, :at)",
                              {**row, "who": who, "at": store.now()})
            cid = int(cur.lastrowid or 0)
            _log(con, cid, who, "add", {k: [None, v] for k, v in row.items()})
    finally:
        con.close()
    return cid


def set_done(cid: int, who: str, scope: Scope, done: bool = True, on: dt.date | None = None,
             path: Path | None = None) -> None:
    """Mark a commitment done on `on` (today by default), or not done again, as `who` whose access is `scope`
    (a commitment outside it is refused: access.AccessDenied); the change is kept."""
    if not who:
        raise DecisionError("sign in first: a commitment's status is changed by a named person")
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            old = con.execute("select done_at, done_by, regions from commitments where id = ?", (cid,)).fetchone()
            if old is None:
                raise DecisionError(f"no commitment {cid}: `python -m decisions list` shows their numbers")
            _refuse_outside(scope, cid, json.loads(old["regions"]))
            new = ((on or dt.date.today()).isoformat(), who) if done else (None, None)
            con.execute("update commitments set done_at = ?, done_by = ? where id = ?", (*new, cid))
            _log(con, cid, who, "done" if done else "reopen", {"done_at": [old["done_at"], new[0]]})
    finally:
        con.close()


def listing(scope: Scope, path: Path | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Every commitment `scope` may see (model/access.py `within`: for a user restricted to some regions, the
    company-wide ones and those naming only their regions) with its status on `today`, newest meeting first."""
    # read only: a store with no commitments yet stays as it is (a digest's dry run writes nothing)
    rows = [dict(r) for r in store.read_only_rows(path, "commitments",
                                                  "select * from commitments order by meeting_date desc, id") or []]
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["regions"] = [tuple(json.loads(r)) for r in out.regions]
    # (a mask Series, not a list: an empty list would select no columns)
    out = out[out.regions.map(lambda r: access.within(r, scope.regions)).astype(bool)].reset_index(drop=True)
    for c in ("meeting_date", "due_date"):
        out[c] = [dt.date.fromisoformat(v) for v in out[c]]
    out["status"] = [status(d, due, today) for d, due in zip(out.done_at, out.due_date, strict=True)]
    return out


def status(done_at, due: dt.date, today: dt.date | None = None) -> str:
    if isinstance(done_at, str) and done_at:
        return "done"
    return "overdue" if due < (today or dt.date.today()) else "in_progress"


def history(scope: Scope, path: Path | None = None) -> pd.DataFrame:
    """Every change to a commitment `scope` may see (the rule of `listing`: model/access.py `within`), newest
    first: commitment_id, at, who, action, changes (JSON). A commitment's regions are set when it is recorded
    and never change, so a change is the scope's when its commitment is."""
    cols = ["commitment_id", "at", "who", "action", "changes"]
    if not (path or store.store_path()).is_file():
        return pd.DataFrame(columns=cols)
    con = store.open_with(DDL, path)
    try:
        rows = [dict(r) for r in con.execute(
            "select h.*, c.regions from commitment_changes h join commitments c on c.id = h.commitment_id "
            "order by h.id desc")]
    finally:
        con.close()
    rows = [r for r in rows if access.within(tuple(json.loads(r["regions"])), scope.regions)]
    return pd.DataFrame(rows, columns=["id", *cols, "regions"])[cols].reset_index(drop=True)


def last_meeting(table: pd.DataFrame, regions: tuple[str, ...] = ()) -> pd.DataFrame:
    """The commitments of the latest meeting that recorded any; when regions are given, those within them
    and the company-wide ones: a commitment that also names another region is not shown, since a deck for
    some regions (a regional manager's, whose access ends there) must not name the others."""
    if regions:
        table = table[table.regions.map(lambda r: access.within(r, regions)).astype(bool)]
    if table.empty:
        return table
    return table[table.meeting_date == table.meeting_date.max()].reset_index(drop=True)


def movement(run: Runner, c, data_to: dt.date) -> dict | None:
    """The linked metric over the days since the meeting (the day after it to `data_to`, the data's latest
    day) and over as many days just before it, in the commitment's regions: {metric, before, since,
    change, days, target}; None without a metric or before a day of data since the meeting."""
    if not isinstance(c.metric, str) or not c.metric:
        return None
    start = c.meeting_date + dt.timedelta(days=1)
    if data_to < start:
        return None
    days = (data_to - start).days + 1
    before_from = start - dt.timedelta(days=days)
    values = []
    for a, b in ((before_from, c.meeting_date), (start, data_to)):
        total = metrics.totals(metrics.region_table(run, Filters("custom", a, b, tuple(c.regions))))
        values.append(total.get(c.metric))
    before, since = values
    change = None if before is None or since is None else since - before
    target = None if c.target is None or pd.isna(c.target) else float(c.target)
    return {"metric": c.metric, "before": before, "since": since, "change": change, "days": days,
            "target": target, "window": (before_from, c.meeting_date, start, data_to)}
