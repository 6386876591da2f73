"""The Data page's cell-level parts: cells read as empty per load, won deals without an amount, deals
that took their lead's channel; and how its longer lists read on screen and in their exports. Kept
apart so the page stays one screen."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ui import cards, fmt, tables
from ui.i18n import lang, t
from ui.reasons import words


def without_count(rows: pd.DataFrame) -> pd.DataFrame:
    """A data-quality list's rows without `all_rows`, the count of the whole list each row carries."""
    return rows.drop(columns="all_rows")


def readable_lines(rows: pd.DataFrame, L: str) -> pd.DataFrame:
    """Reconciliation lines as shown and exported: without the `lines` count, each kind in words in
    language `L` (the export reads them on its click, in a thread without the session)."""
    return rows.drop(columns="lines").assign(kind=[t(f"data.kind.{k}", L) for k in rows.kind])


def dq_list(name: str, rows: pd.DataFrame, query: str, key: str, shown=None, formats: dict | None = None) -> None:
    """Quality tab: one of its lists (values no rule matched, campaigns without a region or channel) under
    its heading and note; the first rows on screen (`shown` makes them readable), the whole list in the
    file (read on the click), or a line saying there is none."""
    st.subheader(t(f"data.dq.{name}"))
    st.caption(t(f"data.dq.{name}.note"))
    if rows.empty:
        st.caption(t("data.dq.none"))
        return
    total, rows = int(rows.all_rows.iloc[0]), without_count(rows)
    # the file reads as the screen: `shown` (which takes its language, not the session's: a click builds
    # the file in a thread of its own) applied to every row of it too; it held the codes (region, deals)
    readable = shown or (lambda r: r)
    every = tables.first_rows(rows, total, query, {}, then=lambda r: readable(without_count(r)))
    tables.show(readable(rows), formats, raw=every or readable(rows), scope=t("export.scope.warehouse"),
                key=key, file_name=key, column_config={c: t(f"data.col.{c}") for c in rows.columns})


def with_reasons(rows: pd.DataFrame, L: str) -> pd.DataFrame:
    """Rejected rows, cell warnings or reason kinds with each reason in language `L` (ui/reasons.py), on
    screen and in their exports (read on the click, in a thread without the session)."""
    return rows.assign(reason=[words(r, L) for r in rows.reason])


def cell_warnings(history: pd.DataFrame, warnings: pd.DataFrame) -> None:
    """History tab: pick a load with cells read as empty; its cells, as the file had them."""
    st.subheader(t("data.warnings"))
    loads = history[history.cells_warned > 0]
    if loads.empty:
        st.caption(t("data.warnings.none"))
        return
    st.caption(t("data.warnings.note"))
    names = dict(zip(loads.load_id, loads.file_name, strict=True))
    st.selectbox(t("data.warnings.pick"), loads.load_id.tolist(), placeholder=t("widget.choose"), key="warn_load",
                 format_func=lambda i: f"{i}: {names[i]}")
    picked = st.session_state.get("warn_load")
    # the first cells on screen; the download has all of the load's (read on the click)
    total = int(loads.set_index("load_id").cells_warned.get(picked or loads.load_id.iloc[0], 0))
    L = lang()
    warnings = with_reasons(warnings, L)
    every = tables.first_rows(warnings, total, "cell_warnings_of_load", {"load_id": picked},
                              then=partial(with_reasons, L=L))
    tables.show(warnings, scope=t("export.scope.warehouse"), key="cell_warnings", file_name="cell_warnings",
                raw=every, column_config={
        "row_number": t("data.col.row_number"), "column": t("data.col.column"), "raw": t("data.col.raw"),
        "reason": t("data.col.reason")})


def cells_quality(cells: pd.Series, won_no_amount: pd.DataFrame) -> None:
    """Quality tab: cells read as empty, deals that took their lead's channel, won deals with no amount
    (revenue unknown, not zero) per currency and region."""
    L = lang()
    row = cards.row()
    cards.card(row, t("data.dq.won_no_amount"), fmt.number(cells.won_no_amount, L),
               help_=t("data.dq.won_no_amount.help"))
    cards.card(row, t("data.dq.from_lead"), fmt.number(cells.channel_from_lead, L), help_=t("data.dq.from_lead.help"))
    cards.card(row, t("data.dq.cells_warned"), fmt.number(cells.cells_warned, L))
    if not won_no_amount.empty:
        st.subheader(t("data.dq.won_no_amount.table"))
        st.caption(t("data.dq.won_no_amount.note"))
        tables.show(won_no_amount, {"deals": tables.number(L)}, scope=t("export.scope.warehouse"),
                    key="dq_won_no_amount",
                    file_name="won_deals_without_amount",
                    column_config={c_: t(f"data.col.{c_}") for c_ in won_no_amount.columns})
