"""The Data page's audit log tab (data_admin and ceo): the trail newest first, filtered by action and
person, each entry's place in the hash chain, and the filtered entries as CSV or Excel with their hashes."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from model import audit
from ui import export, fmt, trail
from ui.auth import current_user
from ui.i18n import TEXT, lang, t

SHOWN = 500   # the newest matching entries on screen; the downloads hold every matching one


def action_label(action: str, lang_: str) -> str:
    """An action in the reader's words; one no locale names (a newer feature's) keeps its code."""
    key = f"audit.action.{action}"
    return t(key, lang_) if key in TEXT[lang_] else action


def _when(at: str, lang_: str) -> str:
    moment = dt.datetime.fromisoformat(at)
    return moment.strftime("%d.%m.%Y %H:%M:%S" if lang_ == "ru" else "%Y-%m-%d %H:%M:%S")


def _chain_status(broken: list[int], count: int) -> None:
    if broken:
        ids = ", ".join(map(str, broken[:20])) + ("…" if len(broken) > 20 else "")
        st.error(t("audit.broken", n=len(broken), ids=ids), icon=":material/link_off:")
    else:
        st.success(t("audit.intact", n=fmt.number(count, lang())), icon=":material/link:")
    pending = audit.pending_path()
    if pending.exists():
        st.warning(t("audit.pending", path=str(pending)), icon=":material/warning:")


def _downloads(actions: tuple, whos: tuple, L: str) -> None:
    """Every matching entry with prev and hash: the CSV as stored (to check the chain), the Excel file
    for reading (text a spreadsheet would run as a formula is kept as text)."""
    def frame() -> pd.DataFrame:
        return audit.entries(hashes=True, actions=actions, whos=whos)

    detail = {"actions": list(actions), "who": list(whos)}
    st.caption(t("audit.downloads"))
    c = st.container(horizontal=True)
    c.download_button(t("audit.csv"), trail.exported(lambda: frame().to_csv(index=False).encode("utf-8"),
                                                     "audit.csv", {**detail, "kind": "csv"}, L),
                      file_name="audit.csv", mime="text/csv", key="audit_csv", on_click="ignore",
                      icon=":material/download:", type="tertiary")
    c.download_button(t("export.xlsx"), trail.exported(lambda: export.to_xlsx(frame(), sheet="audit", lang=L),
                                                      "audit.xlsx", {**detail, "kind": "xlsx"}, L),
                      file_name="audit.xlsx", mime=export.XLSX, key="audit_xlsx", on_click="ignore",
                      icon=":material/download:", type="tertiary")


def audit_tab() -> None:
    user = current_user()
    if not (user and user.can("view_audit")):   # the page shows no tab to others; this says no again
        st.info(t("audit.denied"))
        return
    L = lang()
    st.caption(t("audit.note", path=str(audit.store.store_path())))
    facets = audit.facets()
    broken = audit.verify()
    _chain_status(broken, facets["count"])
    c = st.columns(2)
    actions = tuple(c[0].multiselect(t("audit.filter.action"), facets["action"], key="audit_actions",
                                     format_func=lambda a: action_label(a, L), placeholder=t("filter.all"),
                                     select_all=False))
    whos = tuple(c[1].multiselect(t("audit.filter.who"), facets["who"], key="audit_who",
                                  format_func=lambda w: w or fmt.DASH, placeholder=t("filter.all"),
                                  select_all=False))
    rows = audit.entries(limit=SHOWN, actions=actions, whos=whos)
    bad = set(broken)
    shown = pd.DataFrame({
        t("audit.col.id"): rows.id, t("audit.col.at"): [_when(a, L) for a in rows["at"]],
        t("audit.col.who"): rows.who.replace("", fmt.DASH),
        t("audit.col.action"): [action_label(a, L) for a in rows.action],
        t("audit.col.target"): rows.target, t("audit.col.detail"): rows.detail,
        t("audit.col.chain"): [t("audit.chain.broken") if i in bad else t("audit.chain.ok") for i in rows.id]})
    st.dataframe(shown, hide_index=True, placeholder=fmt.DASH, key="audit_table")
    if len(rows) == SHOWN:
        st.caption(t("audit.shown", n=fmt.number(SHOWN, L)))
    _downloads(actions, whos, L)
