"""Agreements with two keys: the version in force and its history; a head proposes a change, sees what it
changes and what it moves, and it takes effect only when the other head approves it. Others read."""
import tomllib

import streamlit as st

from analysis.attribution import MODELS
from etl.config import ATTRIBUTION_DEFAULTS
from etl.errors import LoadError
from model import agreement_flow as flow
from model import agreements
from model.users import DEPARTMENT
from ui import agreement, db, fmt, nav, page, tables
from ui.agreement import refusal
from ui.attribution import model_names
from ui.auth import current_user
from ui.i18n import lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
user = current_user()
head = user is not None and user.can("approve_agreement")
SIDE = {"marketing": t("owner.marketing"), "sales": t("owner.sales")}
st.title(t("agr.title"))
st.caption(t("agr.intro"))


def act(kind: str, pid: int) -> None:
    """A button's callback: approve, reject or withdraw; the outcome is shown on the next run."""
    try:
        if kind == "approve":
            out = flow.approve(user, pid)
            side = SIDE[out.department]
            if out.version is not None:
                msg = ("success", t("agr.done.agreed", version=out.version)) if out.rebuild_error is None else (
                    "warning", t("agr.done.rebuild_failed", version=out.version, error=out.rebuild_error))
            elif not out.counted:
                msg = ("info", t("agr.done.same", side=side))
            else:
                msg = ("success", t("agr.done.waiting", side=side, waiting=", ".join(SIDE[w] for w in out.waiting_for)))
        else:
            flow.close(user, pid, kind)
            msg = ("success", t(f"agr.done.{kind}", id=pid))
    except (flow.AgreementError, LoadError) as err:
        msg = ("error", refusal(err))
    st.session_state["agr_said"] = msg


if said_before := st.session_state.pop("agr_said", None):
    getattr(st, said_before[0])(said_before[1])

now = flow.current()
who = t("agr.in_force.signed", signed=agreement.approvers(now["approved_by"], L)) if now["approved_by"] else \
    t("agr.in_force.first")
st.markdown(t("agr.in_force", label=agreement.words(now["version"], tomllib.loads(now["text"]).get("agreed_on"), L),
              who=who))
if db.has_data():
    built, _ = agreements.version(db.query)
    if built != now["version"]:
        st.warning(t("agr.built", built=built, version=now["version"]), icon=":material/sync_problem:")
if not agreement.file_matches(now["text"]):
    st.warning(t("agr.file_changed", version=now["version"]), icon=":material/gpp_maybe:")

open_ = flow.proposals()
tab_open, tab_propose, tab_history = st.tabs([t("agr.tab.open", n=len(open_)), t("agr.tab.propose"),
                                              t("agr.tab.history")])


with tab_open:
    if open_.empty:
        st.info(t("agr.none"))
    for p in open_.itertuples():
        with st.container(border=True):
            st.markdown(t("agr.proposal", id=p.id, who=p.proposed_by, when=agreement.when(p.proposed_at, L),
                          base=p.base_version))
            if p.note:
                st.caption(t("agr.note", note=p.note))
            st.markdown("  \n".join(t("agr.key.done", side=SIDE[d], login=p.approved_by[d]) if d in p.approved_by
                                    else t("agr.key.waiting", side=SIDE[d]) for d in flow.KEYS))
            if p.base_version != now["version"]:
                st.warning(t("agr.outdated", version=now["version"], base=p.base_version))
            st.markdown(f"**{t('agr.changes')}**")
            st.dataframe(agreement.changes(flow.diff(now["text"], p.text), L), hide_index=True, placeholder=fmt.DASH)
            agreement.show_effect(p.text, str(p.id))
            mine = head and DEPARTMENT.get(user.role) in p.approved_by
            cols = st.columns(3)
            if head:
                side = SIDE[DEPARTMENT[user.role]]
                cols[0].button(t("agr.approve", side=side), key=f"agr_approve_{p.id}", type="primary", disabled=mine,
                               on_click=act, args=("approve", p.id))
                cols[1].button(t("agr.reject"), key=f"agr_reject_{p.id}", on_click=act, args=("rejected", p.id))
                if mine:
                    st.caption(t("agr.approved_already", side=side,
                                 login=p.approved_by[DEPARTMENT[user.role]]))
            if user is not None and user.login == p.proposed_by:
                cols[2].button(t("agr.withdraw"), key=f"agr_withdraw_{p.id}", on_click=act, args=("withdrawn", p.id))

with tab_propose:
    if not head:
        st.info(t("agr.read_only"))
    else:
        doc = tomllib.loads(now["text"])
        sla, attr = doc.get("sla", {}), {**ATTRIBUTION_DEFAULTS, **doc.get("attribution", {})}
        mode = st.segmented_control(t("agr.form.mode"), ["fields", "text"], default="fields", key="agr_mode",
                                    format_func=lambda m: t(f"agr.form.{m}", L), required=True)
        with st.form("agr_propose"):
            if mode == "text":
                text = st.text_area(t("agr.form.toml"), now["text"], height=400, key="agr_toml")
            else:
                hours = sla.get("working_hours", [9, 19])
                c1, c2, c3 = st.columns(3)
                values = {
                    "sla.first_contact_hours": c1.number_input(t("agr.form.hours"), 0.5, 240.0,
                                                               float(sla.get("first_contact_hours", 2)), 0.5),
                    "sla.working_hours": [c2.number_input(t("agr.form.day_start"), 0, 23, int(hours[0])),
                                          c3.number_input(t("agr.form.day_end"), 1, 24, int(hours[1]))],
                    "sla.min_qualified_share": c1.number_input(t("agr.form.qualified"), 0, 100, round(
                        100 * sla.get("min_qualified_share", 0))) / 100,
                    "sla.min_lead_to_deal": c2.number_input(t("agr.form.lead_to_deal"), 0, 100, round(
                        100 * sla.get("min_lead_to_deal", 0))) / 100,
                    "attribution.model": c3.selectbox(t("agr.form.model"), MODELS, MODELS.index(attr["model"]),
                                                      format_func=model_names(L).get, placeholder=t("widget.choose")),
                    **{f"attribution.{k}_weight": col.number_input(t(f"agr.form.{k}"), 0.0, 1.0,
                                                                   float(attr[f"{k}_weight"]), 0.05)
                       for col, k in zip((c1, c2, c3), ("first", "last", "middle"), strict=True)}}
            note = st.text_input(t("agr.form.note"), key="agr_note")
            sent = st.form_submit_button(t("agr.form.submit"), type="primary")
        if sent:
            try:
                changed = {k: v for k, v in values.items() if flow.value_of(doc, k) != v} if mode == "fields" else {}
                pid = flow.propose(user, text if mode == "text" else flow.set_values(now["text"], changed), note)
                st.session_state["agr_said"] = ("success", t("agr.done.proposed", id=pid,
                                                             side=SIDE[DEPARTMENT[user.role]]))
                st.rerun()
            except (flow.AgreementError, LoadError) as err:
                st.error(refusal(err), icon=":material/error:")

with tab_history:
    hist = flow.versions()
    tables.show(agreement.history_rows(hist, L), key="agr_history", file_name="agreement_versions",
                scope=t("agr.tab.history"),
        column_config={c: t(f"agr.history.col.{c}") for c in ("version", "agreed_at", "proposed_by", "approved_by",
                                                             "note")})
    shown = st.selectbox(t("agr.history.show"), list(hist.version), format_func=lambda v: f"v{v}", key="agr_show",
                         placeholder=t("widget.choose"))
    st.code(hist.set_index("version").text[shown], language="toml")

if db.has_data():
    page.freshness()
