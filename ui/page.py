"""What every page has: the empty-warehouse guide, and data freshness at the bottom."""
from __future__ import annotations

import functools
import os

import streamlit as st

from etl import config
from etl.errors import log_path, log_unexpected
from model import agreements
from ui import auth, db, fmt
from ui.i18n import lang, t


def run_guarded(page) -> None:
    """Runs the chosen page; an unexpected error is logged with its traceback beside the warehouse and
    shown as one line with its reference, never as a traceback. PARITY_DEBUG=1 lets it through."""
    try:
        page.run()
    except auth.NotAllowed as err:  # a role's refusal (ui/auth.require): its own one line, nothing to log
        st.error(str(err), icon=":material/block:")
    except Exception as err:  # st.stop/st.rerun are BaseException: they pass
        if os.environ.get("PARITY_DEBUG"):
            raise
        ref = log_unexpected(err, f"page {getattr(page, 'url_path', '') or 'overview'}")
        st.error(t("err.page", ref=ref, log=log_path()), icon=":material/error:")


def config_banner() -> None:
    """Says so at the top of every page when the warehouse was built by an older version of the build steps
    (its derived tables may lack what the pages read), or data/ config changed after it was built (the numbers
    and the agreements shown still follow the old config): either way until `python -m etl rebuild`."""
    if db.has_data() and agreements.steps_stale(db.query):
        st.warning(t("build.stale"), icon=":material/sync_problem:")
    elif db.has_data() and agreements.config_stale(db.query, current_config_hash()):
        st.warning(t("config.stale"), icon=":material/sync_problem:")


def current_config_hash() -> str:
    """etl.config.config_hash(), read again only when a config file's stamp changed: every page run
    asks, and hashing every file of data/ each time cost a read of the whole folder."""
    return _config_hash(_config_stamps())


def _config_stamps() -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of each file config_hash() reads, in its order."""
    folder = config.config_dir()
    paths = [folder / name for name in config.CONFIG_FILES] + sorted((folder / "mappings").glob("*.toml"))
    return tuple((str(p), s.st_mtime_ns, s.st_size) for p in paths for s in (p.stat(),))


@functools.lru_cache(maxsize=8)
def _config_hash(stamps: tuple[tuple[str, int, int], ...]) -> str:
    return config.config_hash()     # keyed by the stamps: a changed, added or removed file misses


def require_data() -> None:
    """Stops the page with how to load data (and the demo) when there is nothing to show."""
    if not db.has_data():
        st.info(f"**{t('empty.title')}**\n\n" + t("empty.body").format(path=db.warehouse_path()),
                icon=":material/database:")
        st.stop()


def freshness(fresh=None) -> None:
    """Latest date per source and when the warehouse was built, in one line plus a table on demand."""
    L = lang()
    fresh = db.query("freshness") if fresh is None else fresh
    built = db.query("warehouse_built_at")
    when = fmt.timestamp(built.built_at.iloc[0], L) if len(built) else fmt.DASH
    parts = [f"{t('source.' + r.source)}: {fmt.date(r.latest, L)}" for r in fresh.itertuples() if r.row_count]
    st.caption(t("freshness.line", sources=" · ".join(parts), when=when))


def filters_caption(f) -> str:
    """The filters in words, for captions and files: period, regions, products (ui.fmt.filters)."""
    return fmt.filters(f, lang())


def open_tab(name: str, labels: dict[str, str]) -> str:
    """The key of the open tab among a page's tabs drawn only when open (`tabs`): the one the reader picked
    (the tabs' state is its label, kept per language under "<name>_<lang>"), else the one open before the
    language changed, else the first. A page asks it before it queries, and draws the tabs later."""
    state, key = st.session_state, f"{name}_{lang()}"
    opened = next((k for k, v in labels.items() if v == state.get(key)), None) or state.get(name)
    opened = opened if opened in labels else next(iter(labels))
    state[name] = opened        # language-free: a switch of language reopens the same tab
    if state.get(key) != labels[opened]:
        state[key] = labels[opened]     # before the tabs exist (a `default` would change their identity)
    return opened


def tabs(name: str, labels: dict[str, str]) -> dict:
    """st.tabs of `labels` ({key: label}) that rerun the page when one is picked, opened on the tab `open_tab`
    returned (it set their state); {key: tab}. The page draws into the open one only."""
    return dict(zip(labels, st.tabs(list(labels.values()), key=f"{name}_{lang()}", on_change="rerun"), strict=True))
