"""Joint activities planned in the app: both departments add and edit them on the Joint plan page; each
change is kept with who and when. They live in the store (not derivable from exports, so rebuilds never
touch them); the runner hands them to the queries that read activities as `entered_activities`, which
union them with the loaded ones (an entered row with a loaded activity's id is that activity as edited).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa

from model import access, store
from model.access import AccessDenied, Scope

OWNERS = ("marketing", "sales")
STATUSES = ("planned", "in_progress", "done", "cancelled")
TABLE = "entered_activities"     # the name the queries read them by (queries/app/*activit*.sql)
DDL = """
create table if not exists activities (
    activity_id text primary key, owner text not null, kind text, title text not null, region text,
    product text, start_date text not null, end_date text not null, budget text, responsible text,
    status text not null, created_by text not null, created_at text not null,
    changed_by text not null, changed_at text not null);
create table if not exists activity_changes (
    id integer primary key, activity_id text not null, at text not null, who text not null,
    action text not null,          -- add, edit
    changes text not null);        -- JSON {field: [before, after]}
"""
SCHEMA = pa.schema([("activity_id", pa.string()), ("owner", pa.string()), ("kind", pa.string()),
                    ("title", pa.string()), ("region", pa.string()), ("product", pa.string()),
                    ("start_date", pa.date32()), ("end_date", pa.date32()), ("budget", pa.decimal128(18, 2)),
                    ("responsible", pa.string()), ("status", pa.string()), ("source", pa.string())])


class ActivityError(ValueError):
    """An activity that cannot be kept: one line saying what and what to do."""


@dataclass(frozen=True)
class Activity:
    owner: str
    title: str
    start_date: dt.date
    end_date: dt.date
    kind: str | None = None
    region: str | None = None       # None: company-wide
    product: str | None = None
    budget: Decimal | None = None
    responsible: str | None = None
    status: str = "planned"

    def check(self) -> None:
        if self.owner not in OWNERS:
            raise ActivityError(f"owner {self.owner!r} is not one of {', '.join(OWNERS)}")
        if not (self.title or "").strip():
            raise ActivityError("an activity needs a title: say what is done")
        if self.end_date < self.start_date:
            raise ActivityError(f"ends {self.end_date} before it starts {self.start_date}: swap the dates")
        if self.status not in STATUSES:
            raise ActivityError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")
        if self.budget is not None and self.budget < 0:
            raise ActivityError("a budget cannot be negative")

    def stored(self) -> dict:
        row = asdict(self)
        row.update(start_date=self.start_date.isoformat(), end_date=self.end_date.isoformat(),
                   budget=None if self.budget is None else str(Decimal(self.budget).quantize(Decimal("0.01"))))
        return {k: (v.strip() or None) if isinstance(v, str) and k not in ("owner", "status") else v
                for k, v in row.items()}




def save(a: Activity, who: str, activity_id: str | None = None, path: Path | None = None,
         was: Activity | None = None, *, scope: Scope) -> str:
    """Add `a` (activity_id None) or change the activity `activity_id` (entered, or loaded: then the entered
    row stands for it from now on, and `was` is the loaded one) as `who`, whose access is `scope`: an activity
    in a region outside it, before or after the change, is refused (access.AccessDenied); records what
    changed, by whom, when. Returns the id."""
    if not who:
        raise ActivityError("sign in first: every change to the joint plan is recorded with who made it")
    a.check()
    row, at = a.stored(), store.now()
    con = store.open_with(DDL, path)
    try:
        with store.transaction(con):
            old = con.execute("select * from activities where activity_id = ?", (activity_id,)).fetchone() \
                if activity_id else None
            new = activity_id is None
            if activity_id is None:
                n = con.execute("select count(*) from activity_changes where action = 'add'").fetchone()[0]
                activity_id = f"app-{n + 1}"
            aid: str = activity_id
            before = dict(old) if old else (was.stored() if was else {})
            if not all(access.within((r,), scope.regions) for r in (a.region, before.get("region"))):
                raise AccessDenied("activity", "the activity is in a region that is not yours: someone who sees "
                                   "that region may change it")
            changes = {k: [before.get(k), v] for k, v in row.items() if before.get(k) != v}
            if old and not changes:
                return aid
            con.execute("insert into activities (activity_id, owner, kind, title, region, product, start_date, "
                        "end_date, budget, responsible, status, created_by, created_at, changed_by, changed_at) "
                        "values (:activity_id, :owner, :kind, :title, :region, :product, :start_date, :end_date, "
                        ":budget, :responsible, :status, :who, :at, :who, :at) on conflict (activity_id) do update "
                        "set owner = :owner, kind = :kind, title = :title, region = :region, product = :product, "
                        "start_date = :start_date, end_date = :end_date, budget = :budget, "
                        "responsible = :responsible, status = :status, changed_by = :who, changed_at = :at",
                        {**row, "activity_id": aid, "who": who, "at": at})
            con.execute("insert into activity_changes (activity_id, at, who, action, changes) values (?, ?, ?, ?, ?)",
                        (aid, at, who, "add" if new else "edit",
                         json.dumps(changes, ensure_ascii=False)))
    finally:
        con.close()
    return aid


def history(scope: Scope, activity_id: str | None = None, path: Path | None = None) -> pd.DataFrame:
    """Every change `scope` may see, newest first: activity_id, at, who, action, field, before, after (one row
    per field).

    A change is the scope's when the activity's region before or after it is within the scope (model/access.py
    `within`: company-wide, or one of a regional manager's regions). So an activity moved from Казань to
    Москва shows its move to a manager of Казань, and its changes while it was in Казань, but not its changes
    once in Москва; a manager of Москва sees the move and what came after. Of the move itself the side outside
    the scope shows only the region: a manager of Казань does not see the budget or the title it got in Москва
    in the same change, a manager of Москва not those it had in Казань (their before is empty, as for an add).
    The region at each change is replayed from the activity's region now, back through the changes that set it."""
    cols = ["activity_id", "at", "who", "action", "field", "before", "after"]
    if not _exists(path):
        return pd.DataFrame(columns=cols)
    con = store.open_with(DDL, path)
    try:
        rows = con.execute("select * from activity_changes where ? is null or activity_id = ? order by id desc",
                           (activity_id, activity_id)).fetchall()
        region_after = {a["activity_id"]: a["region"]
                        for a in con.execute("select activity_id, region from activities")}
    finally:
        con.close()
    out = []
    for r in rows:      # newest first: the region after this change is the one before the next (newer) change
        changes = json.loads(r["changes"])
        after = region_after.get(r["activity_id"], _UNKNOWN)
        before = after if r["action"] == "add" or "region" not in changes else changes["region"][0]
        region_after[r["activity_id"]] = before
        inside = access.within((before,), scope.regions), access.within((after,), scope.regions)
        if any(inside):
            # a move across the scope's edge: the region says where it went (or came from); the other
            # fields' values on the far side describe an activity of another region, so they are left out
            out += [[r["activity_id"], r["at"], r["who"], r["action"], k, b if inside[0] or k == "region" else None,
                     a] for k, (b, a) in changes.items() if inside[1] or k == "region"]
    return pd.DataFrame(out, columns=cols)


# An activity the store has changes of but no row for (never written so): its region is unknown, so a user
# restricted to some regions does not see its changes (default deny); it is no region's name.
_UNKNOWN = "\x00unknown"


def _exists(path: Path | None) -> bool:
    return (path or store.store_path()).is_file()


def version(path: Path | None = None) -> int:
    """The number of the last change (0 for none): part of the app's cache key for activity queries. Read
    only, as `table`: every query reads them, a deck or a digest's dry run too, which must write nothing."""
    rows = store.read_only_rows(path, "activity_changes", "select coalesce(max(id), 0) from activity_changes")
    return int(rows[0][0]) if rows else 0


def table(path: Path | None = None) -> pa.Table:
    """The entered activities as the queries read them (`entered_activities`), typed like the warehouse's."""
    rows = [dict(r) for r in store.read_only_rows(path, "activities",
                                                  "select * from activities order by activity_id") or []]
    names = [f.name for f in fields(Activity)]
    data = {n: [r[n] for r in rows] for n in ["activity_id", *names]}
    for k in ("start_date", "end_date"):
        data[k] = [dt.date.fromisoformat(v) for v in data[k]]
    data["budget"] = [None if v is None else Decimal(v) for v in data["budget"]]
    data["source"] = ["app"] * len(rows)
    return pa.table({f.name: pa.array(data[f.name], f.type) for f in SCHEMA}, schema=SCHEMA)


def conflicts(acts: pd.DataFrame) -> pd.DataFrame:
    """What the plan leaves open, one row per finding: kind ('same_week': two activities in one region and
    week; 'no_follow_up': a marketing launch with no sales activity in its region starting within 14 days
    of its start; 'no_support': a sales push with no marketing activity in its region overlapping it or
    ending within 14 days before it), the activity (title, region, start) and the other one if any.
    Cancelled activities are left out; a company-wide one counts for every region."""
    out = []
    live = acts[acts.status != "cancelled"].copy()
    live["start"] = pd.to_datetime(live.start_date)
    live["end"] = pd.to_datetime(live.end_date.where(live.end_date.notna(), live.start_date))
    live["week"] = live.start.dt.to_period("W-SUN")
    rows = list(live.itertuples())
    same = lambda a, b: not isinstance(a.region, str) or not isinstance(b.region, str) or a.region == b.region  # noqa: E731
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if a.week == b.week and isinstance(a.region, str) and a.region == b.region:
                out.append(("same_week", a.title, a.region, a.start.date(), b.title))
        others = [b for b in rows if b.owner != a.owner and same(a, b)]
        window = pd.Timedelta(days=14)
        if a.owner == "marketing" and not any(a.start <= b.start <= a.end + window for b in others):
            out.append(("no_follow_up", a.title, a.region, a.start.date(), None))
        if a.owner == "sales" and not any(b.start <= a.end and b.end >= a.start - window for b in others):
            out.append(("no_support", a.title, a.region, a.start.date(), None))
    return pd.DataFrame(out, columns=["kind", "title", "region", "start_date", "other"])
