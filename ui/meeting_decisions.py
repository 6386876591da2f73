"""The Meeting page's decisions: both departments' commitments side by side with their status, the form
that records one (kept in the store with who recorded it, model/decisions.py), and marking one done. All of
them as the session's user may see and act on them (model/access.py `within`: a regional manager's regions
and company-wide ones); the store refuses the rest whatever the widgets send."""
from __future__ import annotations

import datetime as dt
from functools import partial

import streamlit as st

from model import decisions, metrics
from model.access import AccessDenied, scope_of
from model.users import DEPARTMENT
from ui import auth, fmt, tables
from ui.i18n import t


def listing(lang: str) -> None:
    """Both departments' commitments the user may see, side by side, newest meeting first."""
    table = decisions.listing(scope_of(auth.current_user()))
    cols = st.columns(2)
    for col, dep in zip(cols, decisions.DEPARTMENTS, strict=True):
        col.markdown(f"**{t('owner.' + dep, lang)}**")
        g = table[table.department == dep]
        if g.empty:
            col.caption(t("dec.none", lang))
            continue
        shown = g.assign(regions=[", ".join(r) or t("all_regions", lang) for r in g.regions],
                         status=[t(f"dec.status.{s}", lang) for s in g.status],
                         metric=[metrics.text(m, lang) if isinstance(m, str) else fmt.DASH for m in g.metric])
        day = partial(fmt.date, lang=lang)      # «30.11.2026», not the grid's «2026-11-30»; still sorts by date
        col.dataframe(tables.styled(shown[["id", "meeting_date", "person", "text", "regions", "due_date", "status",
                                           "metric", "target", "recorded_by"]],
                                    {"meeting_date": day, "due_date": day}),
                      hide_index=True, key=f"dec_list_{dep}",
                      column_config={k: t(f"dec.col.{v}", lang) for k, v in (
                          ("id", "id"), ("meeting_date", "meeting"), ("person", "who"), ("text", "what"),
                          ("regions", "where"), ("due_date", "due"), ("status", "status"), ("metric", "metric"),
                          ("target", "target"), ("recorded_by", "recorded_by"))})


def form(regions: list[str], lang: str) -> None:
    """Record a commitment; mark one done. Both need a signed-in user: the store keeps who."""
    user = auth.editor()
    if user is None:
        st.info(t("dec.sign_in", lang))
        return
    if saved := st.session_state.pop("dec_saved", None):
        st.success(saved)
    choices = [None, *decisions.metric_choices()]
    ph = t("widget.choose", lang)
    with st.expander(t("dec.form", lang)), st.form("dec_form", clear_on_submit=True):
        c = st.columns(3)
        meeting = c[0].date_input(t("dec.meeting_date", lang), dt.date.today(), key="dec_meeting")
        dep = c[1].selectbox(t("dec.department", lang), decisions.DEPARTMENTS, key="dec_department",
                             placeholder=ph,
                             index=decisions.DEPARTMENTS.index(DEPARTMENT.get(user.role, "marketing")),
                             format_func=lambda o: t(f"owner.{o}", lang))
        due = c[2].date_input(t("dec.due", lang), dt.date.today() + dt.timedelta(days=30), key="dec_due")
        person = st.text_input(t("dec.person", lang), key="dec_person")
        text = st.text_input(t("dec.text", lang), key="dec_text")
        where = st.multiselect(t("dec.regions", lang), regions, key="dec_regions", select_all=False,
                               placeholder=t("filter.all", lang))
        c = st.columns(2)
        metric = c[0].selectbox(t("dec.metric", lang), choices, key="dec_metric", placeholder=ph,
                                format_func=lambda m: metrics.text(m, lang) if m else fmt.DASH)
        target = c[1].number_input(t("dec.target", lang), value=None, key="dec_target")
        if st.form_submit_button(t("dec.save", lang), type="primary"):
            try:
                decisions.add(decisions.Commitment(meeting, dep, person, text, due, tuple(where), metric, target),
                              user.login, scope_of(user))
            except decisions.DecisionError as e:
                st.error(t("dec.error", lang, what=e), icon=":material/error:")
            except AccessDenied as e:
                st.error(t(f"rls.denied.{e.code}", lang, **e.fields), icon=":material/lock:")
            else:
                st.session_state["dec_saved"] = t("dec.saved", lang)
                st.rerun()
    open_ = decisions.listing(scope_of(user))
    open_ = open_[open_.status != "done"]
    if open_.empty:
        return
    c = st.columns([3, 1], vertical_alignment="bottom")
    which = c[0].selectbox(t("dec.mark_which", lang), list(open_.id), key="dec_mark_which",
                           placeholder=ph,
                           format_func=lambda i: f"{i}. {open_.set_index('id').text[i]}")
    if c[1].button(t("dec.mark", lang), key="dec_mark"):
        try:
            decisions.set_done(int(which), user.login, scope_of(user))
        except AccessDenied as e:
            st.error(t(f"rls.denied.{e.code}", lang, **e.fields), icon=":material/lock:")
            return
        except decisions.DecisionError as e:
            st.error(t("dec.error", lang, what=e), icon=":material/error:")
            return
        st.rerun()


def show(regions: list[str], lang: str) -> None:
    st.subheader(t("dec.title", lang))
    st.caption(t("dec.intro", lang))
    listing(lang)
    form(regions, lang)
