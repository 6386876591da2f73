"""The app's cached door to the warehouse: model.runner's named queries as the session's user (model/access.py
restricts them), one shared read-only connection per warehouse file version, results cached per SQL,
params, file stamp and the user's scope."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from etl.paths import db_path
from model import activities, views
from model.access import AccessDenied, Scope, scope_of
from model.runner import connect, prepare, read_as
from ui.auth import current_user


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
    """Rows of queries/app/<name>.sql with `params` bound as $name, as the session's user sees them; don't
    mutate the result (cached). A query the user may not run stops the page with one line saying why."""
    path = db_path()
    try:
        sql, bound, scope = prepare(name, {**(params or {}), **kw}, current_user())
    except AccessDenied as denied:
        refuse(denied)
        raise
    # activities entered in the app change without a new warehouse file: their last change is in the key
    stamp = _file_stamp(path) + ((activities.version(),) if activities.TABLE in sql else ())
    return _run(name, sql, bound, str(path), stamp, scope)


def deferred(name: str, params: dict | None = None) -> Callable[[], pd.DataFrame]:
    """queries/app/<name>.sql as the session's user may run it now, read only when the returned function
    is called (an export built on its click, in a thread of its own): the access check and the SQL are
    settled here, the rows are read then, on a connection of their own, uncached."""
    path = db_path()
    try:
        sql, bound, scope = prepare(name, params or {}, current_user())
    except AccessDenied as denied:
        refuse(denied)
        raise

    def rows() -> pd.DataFrame:
        con = connect(path)
        try:
            return read_as(con, name, sql, bound, scope)
        finally:
            con.close()
    return rows


def demo_mode() -> bool:
    """True when the warehouse is the demo company alone (etl/build.py's demo_build): the app then runs
    without sign-in. Asked before anyone is signed in (the query is declared "anonymous")."""
    try:
        return warehouse_exists() and bool(query("warehouse_mode").demo.iloc[0])
    except Exception:  # noqa: BLE001  an unreadable or older warehouse is no demo: sign-in is the safe side
        return False


def company_withheld() -> bool:
    """True when the session's user sees some regions only and no company totals: the queries declared
    "company" return no rows for them (model/access.py), and pages say so instead of showing nothing."""
    scope = scope_of(current_user())
    return scope.restricted and not scope.company


def refuse(denied: AccessDenied) -> None:
    """One line in the reader's language instead of the page (st.stop ends the run)."""
    from ui.i18n import t
    st.error(t(f"rls.denied.{denied.code}", **denied.fields), icon=":material/lock:")
    st.stop()


@st.cache_resource(show_spinner=False, max_entries=2)
def _shared(path: str, stamp: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    # One read-only connection per warehouse file version: a swapped-in file has a new stamp, so a
    # new connection; the old one is dropped from the cache and closed when its last cursor is done.
    return connect(Path(path))


@st.cache_data(show_spinner=False, max_entries=1024)
def _run(name: str, sql: str, params: dict, path: str, stamp: tuple[int, ...], scope: Scope) -> pd.DataFrame:
    # The name, SQL text, params, path, file stamp (and the entered activities' version) and the user's scope
    # are the cache key (two users never share rows the scope screens); model.runner.read takes its own cursor
    # of the file's shared connection (a cursor per thread is DuckDB's rule).
    return read_as(_shared(path, stamp[:3]), name, sql, params, scope)


def _attach_context(thread) -> None:
    ctx = get_script_run_ctx(suppress_warning=True)      # None outside a Streamlit script
    if ctx is not None:
        add_script_run_ctx(thread, ctx)


views.prepare_thread = _attach_context
