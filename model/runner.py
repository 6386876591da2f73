"""The one door to the warehouse: read-only connections, one named SQL file per query, values only as
$parameters, each run as a user under model/access.py's rules (default deny). ui/db.py caches on top of
it for the app; reports, benchmarks and CLIs use it directly."""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from etl.paths import QUERIES_DIR
from model import access, activities, catalog, metrics
from model.users import User

APP_QUERIES = QUERIES_DIR / "app"
_NAME = re.compile(r"[a-z0-9_]+")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
# Surfaces read small aggregates: a bounded buffer pool keeps a reading process well under 1.5 GiB
# whatever the warehouse's size (DuckDB would otherwise take up to 80% of the machine's memory).
APP_CONFIG: dict[str, str | bool | int | float | list[str]] = {"memory_limit": "768MB"}

# run(name, params) -> rows of queries/app/<name>.sql; views, metrics and the deck take one.
Runner = Callable[[str, dict], pd.DataFrame]


def sql_of(name: str) -> str:
    """The text of queries/app/<name>.sql; a name that is not a plain identifier, or a query that
    model/catalog.py does not declare (a metric source or a listing), is refused."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a query name: {name!r}")
    if not catalog.declared(name):
        raise ValueError(f"queries/app/{name}.sql is not in model/catalog.py: declare which registered metric "
                         "each of its number columns is, or what it lists")
    return (APP_QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def used(sql: str, params: dict) -> dict:
    """The params the SQL names: views pass one filter set to queries that need parts of it."""
    names = set(_PARAM.findall(re.sub(r"--[^\n]*", "", sql)))  # a comment's "$x" is not a use
    return {k: v for k, v in params.items() if k in names}


# Parsed statements by SQL text. Parsing a page query costs DuckDB about 2 ms (metrics_region: 1.9 of
# its 10.4 ms at 10M deals, where the rows it reads cost less), every time it runs; a parsed statement
# is copied for each execution (DuckDBPyStatement.GetStatement), so one can serve every cursor and
# thread. The texts are the app's query files as access.prepare writes them per kind of scope: a few
# hundred at most, and the cap only guards against a caller that writes SQL per call.
_PARSED: dict[str, object] = {}
_PARSED_CAP = 1024


def statement(con: duckdb.DuckDBPyConnection, sql: str):
    """`sql` parsed once (a duckdb Statement), or the text itself when it is not exactly one statement."""
    parsed = _PARSED.get(sql)
    if parsed is None:
        found = con.extract_statements(sql)
        if len(found) != 1:
            return sql
        if len(_PARSED) >= _PARSED_CAP:
            _PARSED.clear()
        parsed = _PARSED[sql] = found[0]
    return parsed


def read(con: duckdb.DuckDBPyConnection, name: str, sql: str, params: dict) -> pd.DataFrame:
    """`sql` (queries/app/<name>.sql) on its own cursor of `con`, with the formula columns model/catalog.py
    declares for it computed by the registry: every reader, cached or not, gets the same ratios."""
    cur = con.cursor()
    try:
        if activities.TABLE in sql:     # activities entered in the app, from the store (model/activities.py)
            cur.register(activities.TABLE, activities.table())
        # .df() drains the result before the cursor closes
        rows = cur.execute(statement(cur, sql), params or None).df()
    finally:
        cur.close()
    return metrics.with_formulas(name, rows)


def prepare(name: str, params: dict, user: User | None) -> tuple[str, dict, access.Scope]:
    """The SQL and params `name` runs with for `user`, and the user's scope (what `screen` keeps of the
    rows); raises access.AccessDenied when the user may not run it (nobody signed in: nothing runs)."""
    sql = sql_of(name)
    scope = access.NOBODY if access.rule_of(name) == "anonymous" else access.scope_of(user)
    sql, bound = access.prepare(scope, name, sql, used(sql, params))
    return sql, bound, scope


def read_as(con: duckdb.DuckDBPyConnection, name: str, sql: str, params: dict, scope: access.Scope) -> pd.DataFrame:
    """`read` of a prepared query, its rows screened for the scope."""
    return access.screen(scope, name, read(con, name, sql, params))


def run_on(con: duckdb.DuckDBPyConnection, name: str, params: dict, user: User | None) -> pd.DataFrame:
    """One named query on `con` as `user` (uncached: benchmarks time this)."""
    sql, bound, scope = prepare(name, params, user)
    return read_as(con, name, sql, bound, scope)


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


def runner(con: duckdb.DuckDBPyConnection, user: User | None) -> Runner:
    """An uncached Runner over one open connection, bound to `user` (the deck, CLIs, tests)."""
    return lambda name, params: run_on(con, name, params, user)
