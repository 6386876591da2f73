"""The mapping step for a file no format recognises: pick each field's column, preview the rows as
they will be read, save the mapping as a profile in data/mappings/ and load the file with it."""
from __future__ import annotations

import streamlit as st

from etl import profiles
from etl.errors import LoadError
from etl.stage import Mapping, constant_values
from model import audit
from ui import auth, fmt, trail, upload
from ui.i18n import lang, t
from ui.reasons import words

NONE = "—"
DECIMALS = ("", ",", ".")
DATE_ORDERS = ("", "dmy", "mdy", "ymd")
# Fields a file may lack that one value can stand for, for every row ([constants] of the mapping).
CONSTANTS = ("status", "currency", "region", "channel")


def _mapping(name: str, header: list[str]) -> Mapping:
    """The mapping as the widgets hold it now."""
    s = st.session_state
    entity = s["map_entity"]
    need, other = upload.entity_fields()[entity]
    columns = {f: s[f"map_col_{entity}_{f}"] for f in need + other if s.get(f"map_col_{entity}_{f}", NONE) != NONE}
    options = {k: s[f"map_opt_{k}"] for k in ("decimal", "date_order") if s.get(f"map_opt_{k}")}
    constants = {f: s[f"map_const_{entity}_{f}"] for f in CONSTANTS
                 if f not in columns and s.get(f"map_const_{entity}_{f}", NONE) != NONE}
    return Mapping(entity, columns, options, constants)


def _constants(entity: str, fields: list[str], L: str) -> None:
    """'Every row is: ...' for the looked-up fields no column gives: status, currency, region, channel."""
    s = st.session_state
    lacking = [f for f in CONSTANTS if f in fields and s.get(f"map_col_{entity}_{f}", NONE) == NONE]
    if not lacking:
        return
    st.caption(t("map.constants", L))
    cols = st.columns(len(lacking))
    for col, fld in zip(cols, lacking, strict=True):
        values = sorted(set(constant_values(entity, fld)[1].values()))
        col.selectbox(t(f"map.const.{fld}", L), [NONE, *values], placeholder=t("widget.choose"),
                      key=f"map_const_{entity}_{fld}")


def mapping_step(name: str, data: bytes) -> None:
    L = lang()
    st.subheader(t("map.title", file=name))
    st.caption(t("map.note"))
    header = upload.header_of(name, data)
    fields = upload.entity_fields()
    entity = st.selectbox(t("map.entity"), list(fields), placeholder=t("widget.choose"), key="map_entity",
                          format_func=lambda e: upload.entity_name(e, L))   # bound: AppTest calls it later
    need, other = fields[entity]
    cols = st.columns(3)
    for i, fld in enumerate(need + other):
        label = f"{t(f'field.{fld}', L)} · {fld}" + (" *" if fld in need else "")
        cols[i % 3].selectbox(label, [NONE, *header], placeholder=t("widget.choose"), key=f"map_col_{entity}_{fld}")
    o = st.columns(3)
    o[0].selectbox(t("map.decimal"), DECIMALS, placeholder=t("widget.choose"), key="map_opt_decimal",
                   format_func=lambda v: v if v else t("map.auto", L))
    o[1].selectbox(t("map.date_order"), DATE_ORDERS, placeholder=t("widget.choose"), key="map_opt_date_order",
                   format_func=lambda v: v if v else t("map.auto", L))
    _constants(entity, need + other, L)
    mapping = _mapping(name, header)
    missing = [f for f in need if f not in mapping.columns]
    if missing:
        st.caption(t("map.missing", fields=", ".join(t(f"field.{f}", L) for f in missing)))
        return
    try:
        pv = upload.preview(name, data, mapping)
    except LoadError as err:
        st.error(upload.error_line(upload.error_of(err)), icon=":material/error:")
        return
    st.markdown(t("map.preview", read=fmt.number(pv["rows_read"], L), loaded=fmt.number(pv["rows_loaded"], L),
                  rejected=fmt.number(pv["rows_rejected"], L), warned=fmt.number(pv["cells_warned"], L)))
    st.dataframe(_in_words(pv["rows"], L), hide_index=True, placeholder=fmt.DASH, column_config={
        "line": t("data.col.row_number", L), "reason": t("data.col.reason", L), "warning": t("map.col.warning", L),
        **{f: f"{t(f'field.{f}', L)} · {f}" for f in need + other}})
    profile = st.text_input(t("map.name"), key="map_name", placeholder="crm_orders")
    if st.button(t("map.save"), type="primary", disabled=not profile):
        auth.require("map")     # server-side: saving a profile and loading with it is data_admin's
        try:
            audit.check()   # a config edit the trail cannot record is not made
        except audit.AuditError:
            st.error(t("audit.unwritable.edit", path=str(audit.store.store_path())), icon=":material/error:")
            return
        try:
            path = profiles.save(profile, header, mapping)
        except LoadError as err:
            st.error(upload.error_line(upload.error_of(err)), icon=":material/error:")
            return
        note = trail.kept("mapping_save", path.stem, {"file": upload.label(name), "entity": mapping.entity,
                                                      "columns": mapping.columns, "constants": mapping.constants,
                                                      "saved": str(path)})
        result = upload.load_uploads([(name, data)], mapping=mapping,
                                     period=upload.period_of(upload.period_state()))
        # the load tab says, after the rerun, when an entry of the two waits in the pending file
        st.session_state["last_audit"] = note or upload.audit_note(result)
        st.session_state["last_load"] = result["files"]
        st.session_state["last_load_error"] = result.get("error")
        st.session_state["to_map"] = [x for x in st.session_state.get("to_map", []) if x[0] != name]
        st.session_state["map_saved"] = str(path)
        st.rerun()


def _in_words(rows, L: str):
    """The preview's reasons (a row refused, a cell left empty) in the reader's language."""
    return rows.assign(**{c: rows[c].map(lambda r: words(r, L), na_action="ignore")
                          for c in ("reason", "warning") if c in rows})
