"""Shared fixtures: a small warehouse built by the real ETL from tests/data/wh, per test session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
WH_FILES = sorted((TESTS / "data" / "wh").iterdir())


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    """The fixture company loaded through `etl.load.load_files`; treat as read-only."""
    from etl.load import load_files

    folder = tmp_path_factory.mktemp("wh")
    old = os.environ.get("PARITY_DB")
    os.environ["PARITY_DB"] = str(folder / "warehouse.duckdb")
    try:
        result = load_files(WH_FILES, progress=False)
        assert result["ok"], result
    finally:
        if old is None:
            os.environ.pop("PARITY_DB", None)
        else:
            os.environ["PARITY_DB"] = old
    return folder / "warehouse.duckdb"


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Path:
    """A small demo company (6,000 deals to 2026-10-31) with its planted flights, built by the real
    demo path; treat as read-only."""
    from etl.demo_load import run_demo

    folder = tmp_path_factory.mktemp("small_demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("PARITY_DB", str(folder / "warehouse.duckdb"))
    try:
        assert run_demo(seed=7, deals=6000, end="2026-10-31")["ok"]
    finally:
        mp.undo()
    return folder / "warehouse.duckdb"


@pytest.fixture(scope="session")
def demo_view(built_warehouse, tmp_path_factory) -> Path:
    """The fixture company marked as the demo in its build meta (the key etl/build.py writes), for
    browser tests about pages rather than access: the app opens it without sign-in, as `make run` opens
    the demo. Treat as read-only."""
    import duckdb

    path = tmp_path_factory.mktemp("demo_view") / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("update meta set value = 'true' where key = 'demo'")
    finally:
        con.close()
    return path


@pytest.fixture
def warehouse(built_warehouse, monkeypatch) -> Path:
    """PARITY_DB pointed at the shared fixture warehouse for one test."""
    monkeypatch.setenv("PARITY_DB", str(built_warehouse))
    return built_warehouse


@pytest.fixture
def fresh_db(tmp_path, monkeypatch) -> Path:
    """An empty place for a warehouse of the test's own (its raw/ folder lands beside it)."""
    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("PARITY_DB", str(path))
    return path


@pytest.fixture
def copy_of_warehouse(built_warehouse, tmp_path, monkeypatch) -> Path:
    """A private copy of the fixture warehouse (and its raw store) a test may change."""
    shutil.copyfile(built_warehouse, tmp_path / "warehouse.duckdb")
    shutil.copytree(built_warehouse.parent / "raw", tmp_path / "raw")
    monkeypatch.setenv("PARITY_DB", str(tmp_path / "warehouse.duckdb"))
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def config_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of data/ config ($PARITY_CONFIG), so saved mapping profiles never land in the repo."""
    from etl.paths import DATA_DIR
    cfg = tmp_path / "config"
    shutil.copytree(DATA_DIR, cfg, ignore=shutil.ignore_patterns("raw", "demo", "*.duckdb*", "mappings", "bench-*"))
    monkeypatch.setenv("PARITY_CONFIG", str(cfg))
    return cfg


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Cached query results must not leak between tests that point at different warehouses."""
    yield
    try:
        import streamlit as st
    except ImportError:  # streamlit absent: nothing was cached
        return
    # clear() works without a running server too (it falls back to the in-memory cache storage)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _navigation_not_pages_folder(monkeypatch):
    """Run app.py's st.navigation on every AppTest run, as the server does after its first run.

    AppTest (streamlit 1.67) re-detects the pages/ folder before each run and then takes the legacy
    multipage path, which on a rerun executes pages/overview.py alone: no app.py, no sidebar, and the
    language widget's state is dropped. The server sets the flag to False once st.navigation runs.
    """
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", NavigationPagesManager)


@pytest.fixture(autouse=True)
def _page_errors_raise(monkeypatch):
    """Pages and uploads turn an unexpected error into one line with a log reference; in tests it
    propagates (PARITY_DEBUG), so AppTest sees it. Tests of that one line unset it."""
    monkeypatch.setenv("PARITY_DEBUG", "1")


@pytest.fixture(autouse=True)
def _no_access_file(monkeypatch):
    """No data/access.toml of the machine's own reaches a test: a test of access names its own file."""
    monkeypatch.setenv("PARITY_ACCESS", str(TESTS / "data" / "access-none.toml"))
