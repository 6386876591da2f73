"""The Joint plan page's planning part: gaps in the plan, the form both departments add and change
activities with (kept in the store with who and when, model/activities.py), the change history, and the
commitments' due dates on the timeline."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from model import activities, decisions
from model.access import AccessDenied, scope_of
from model.users import DEPARTMENT
from ui import auth, charts, fmt
from ui.i18n import TEXT, t

NEW = ""   # the picker's "new activity"


def conflicts(acts: pd.DataFrame, lang: str) -> None:
    """The plan's gaps, one line each: two activities in a region and week, a launch with no sales
    follow-up, a sales push with no marketing support."""
    st.subheader(t("jp.conflicts"))
    found = activities.conflicts(acts)
    if found.empty:
        st.caption(t("jp.conflicts.none"))
        return
    st.markdown("\n".join(
        "- " + t(f"jp.conflict.{c.kind}", region=c.region if isinstance(c.region, str) else t("all_regions"),
                 title=c.title, other=c.other, date=fmt.date(c.start_date, lang)) for c in found.itertuples()))


def _value(row, name, default=None):
    v = getattr(row, name, default) if row is not None else default
    return default if v is None or (isinstance(v, float) and pd.isna(v)) else v


def _date(v) -> dt.date:
    return pd.Timestamp(v).date()


def label(a, lang: str) -> str:
    """The picker's name of an activity: what, where, where it came from (a format_func gets the language
    passed in: Streamlit may call it outside the session)."""
    if a is None:
        return t("jp.edit.new", lang)
    where = a.region if isinstance(a.region, str) else t("all_regions", lang)
    return f"{a.title} · {where} · {t('jp.source.' + a.source, lang)}"


def editor(acts: pd.DataFrame, regions: list[str], products: list[str], base: str, lang: str) -> None:
    """Add an activity, or change one of the period's (loaded or entered): every field of the contract."""
    st.subheader(t("jp.edit.title"))
    if done := st.session_state.pop("jp_edit_saved", None):
        st.success(t("jp.edit.saved", title=done))
    user = auth.editor()
    if user is None:
        st.info(t("jp.edit.sign_in"))
        return
    ph = t("widget.choose", lang)
    ids = [NEW, *acts.activity_id.astype(str)]
    by_id = {str(a.activity_id): a for a in acts.itertuples()}
    choice = st.selectbox(t("jp.edit.which"), ids, key="jp_edit_which", placeholder=ph,
                          format_func=lambda i: label(by_id.get(i), lang))
    row = by_id.get(choice)
    k = f"jp_edit_{choice or 'new'}"
    today = dt.date.today()
    with st.container(border=True):     # plain widgets, not a form: each field's value is kept as typed
        c = st.columns(3)
        mine = DEPARTMENT.get(user.role, "marketing")       # a head's own department first
        owner = c[0].selectbox(t("jp.edit.owner"), activities.OWNERS, key=f"{k}_owner",
                               placeholder=ph,
                               index=activities.OWNERS.index(_value(row, "owner", mine)),
                               format_func=lambda o: t(f"owner.{o}", lang))
        kind = c[1].text_input(t("jp.edit.kind"), _value(row, "kind", ""), key=f"{k}_kind")
        status = c[2].selectbox(t("jp.edit.status"), activities.STATUSES, key=f"{k}_status",
                                placeholder=ph,
                                index=activities.STATUSES.index(_value(row, "status", "planned")),
                                format_func=lambda s: t(f"jp.status.{s}", lang))
        title = st.text_input(t("jp.edit.title_field"), _value(row, "title", ""), key=f"{k}_title")
        c = st.columns(4)   # two date fields, not a range: a range field shows English quick-selects
        fmt_ = "DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD"
        start = c[0].date_input(t("jp.edit.start"), _date(_value(row, "start_date", today)), key=f"{k}_start",
                                format=fmt_)
        end = c[1].date_input(t("jp.edit.end"), _date(_value(row, "end_date", start)), key=f"{k}_end", format=fmt_)
        region_now = _value(row, "region", NEW)
        region_opts = [NEW, *regions, *([region_now] if region_now not in (NEW, *regions) else [])]
        region = c[2].selectbox(t("jp.edit.region"), region_opts, index=region_opts.index(region_now),
                                key=f"{k}_region", placeholder=ph, format_func=lambda r: r or t("all_regions", lang))
        product_now = _value(row, "product", NEW)
        product_opts = [NEW, *products, *([product_now] if product_now not in (NEW, *products) else [])]
        product = c[3].selectbox(t("jp.edit.product"), product_opts, index=product_opts.index(product_now),
                                 key=f"{k}_product", placeholder=ph, format_func=lambda p: p or fmt.DASH)
        c = st.columns(2)
        budget = c[0].number_input(t("jp.edit.budget", currency=base), min_value=0.0, step=1000.0, key=f"{k}_budget",
                                   value=float(_value(row, "budget")) if _value(row, "budget") is not None else None)
        responsible = c[1].text_input(t("jp.edit.responsible"), _value(row, "responsible", ""), key=f"{k}_resp")
        saved = st.button(t("jp.edit.save"), type="primary", key=f"{k}_save")
    if not saved:
        return
    a = activities.Activity(owner, title, start, end, kind or None, region or None, product or None,
                            None if budget is None else Decimal(str(budget)), responsible or None, status)
    was = None
    if row is not None and row.source == "file":
        was = activities.Activity(row.owner, row.title, _date(row.start_date), _date(row.end_date),
                                  _value(row, "kind"), _value(row, "region"), _value(row, "product"),
                                  None if _value(row, "budget") is None else Decimal(str(row.budget)),
                                  _value(row, "responsible"), row.status)
    try:
        activities.save(a, user.login, choice or None, was=was, scope=scope_of(user))
    except activities.ActivityError as e:
        st.error(t("jp.edit.error", what=e), icon=":material/error:")
        return
    except AccessDenied as e:
        st.error(t(f"rls.denied.{e.code}", lang, **e.fields), icon=":material/lock:")
        return
    st.session_state["jp_edit_saved"] = a.title
    for key in [key for key in st.session_state if str(key).startswith("jp_edit_new_")]:
        del st.session_state[key]       # the new-activity fields start empty again, not as a second copy
    st.rerun()      # the timeline, the tables and the gaps above are drawn again with the change


# A change's field by its contract name in words (ui/locales/fields.toml); `kind` is the mapping's activity_kind
FIELD_KEYS = {"kind": "activity_kind"}


def change_value(field: str, v, base: str, lang: str) -> str:
    """A value of the history in words: a department, a status, a kind, a date, an amount; nothing is a dash,
    except a region, where nothing is the whole company."""
    if v is None:
        return t("all_regions", lang) if field == "region" else fmt.DASH
    if field == "owner":
        return t(f"owner.{v}", lang)
    if field == "status":
        return t(f"jp.status.{v}", lang)
    if field == "kind":
        return t(f"jp.kind.{v}", lang) if f"jp.kind.{v}" in TEXT[lang] else str(v)
    if field in ("start_date", "end_date"):
        return fmt.date(dt.date.fromisoformat(v), lang)
    if field == "budget":
        return fmt.money(Decimal(v), base, lang)
    return str(v)


def history(base: str, lang: str) -> None:
    """Who changed what in the plan and when, newest first: only the changes the user's scope holds
    (model/activities.py: the activity's region before or after the change is theirs, or company-wide)."""
    with st.expander(t("jp.history", lang)):
        h = activities.history(scope_of(auth.current_user()))
        if h.empty:
            st.caption(t("jp.history.none", lang))
            return
        shown = h.assign(
            at=[fmt.timestamp(a, lang) for a in h["at"]],
            action=[t(f"jp.action.{a}", lang) for a in h.action],
            field=[t(f"field.{FIELD_KEYS.get(f, f)}", lang) for f in h.field],
            # an added activity had nothing before
            before=[fmt.DASH if a == "add" else change_value(f, v, base, lang)
                    for a, f, v in zip(h.action, h.field, h.before, strict=True)],
            after=[change_value(f, v, base, lang) for f, v in zip(h.field, h.after, strict=True)])
        st.dataframe(shown, hide_index=True, key="jp_history",
                     column_config={"activity_id": t("jp.edit.which", lang), "at": t("jp.col.at", lang),
                                    "who": t("jp.col.who", lang), "action": t("jp.col.action", lang),
                                    "field": t("jp.col.field", lang), "before": t("jp.col.before", lang),
                                    "after": t("jp.col.after", lang)})


def commitments(f, lang: str) -> pd.DataFrame:
    """The commitments due inside the period that the user may see, in the chosen regions (or company-wide):
    the timeline's rows."""
    c = decisions.listing(scope_of(auth.current_user()))
    c = c[(c.due_date >= f.date_from) & (c.due_date <= f.date_to)]
    if f.regions:
        c = c[c.regions.map(lambda r: not r or bool(set(r) & set(f.regions))).astype(bool)]
    return c.reset_index(drop=True)


def mark_commitments(fig: go.Figure, c: pd.DataFrame, lang: str) -> tuple[list[str], list[str]]:
    """Each commitment a diamond on its due date in its own timeline row; returns the rows' (ids, labels)."""
    ids = [f"c{i}" for i in c.id]
    for dep, g in c.groupby("department", sort=True):
        fig.add_trace(go.Scatter(
            x=[str(d) for d in g.due_date], y=[f"c{i}" for i in g.id], mode="markers",
            marker={"symbol": "diamond", "size": 12, "color": charts.OWNER_COLORS.get(dep, "#888888")},
            name=t("jp.commitments") + " · " + t(f"owner.{dep}"),
            hovertext=[f"<b>{r.text}</b><br>{r.person} · {t('dec.status.' + r.status)}<br>{fmt.date(r.due_date, lang)}"
                       for r in g.itertuples()], hoverinfo="text"), row=1, col=1)
    return ids, [f"◆ {x}" for x in c.text]
