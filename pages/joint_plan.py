"""Joint plan: marketing's and sales' activities on one timeline, planned vs done per owner, what comes in
the next 30 days, and the chosen region's weekly won revenue on the same dates."""
import dataclasses
import datetime as dt

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from model.views import latest_frame, load
from model.views.joint_plan import STATUSES, bar_spans, weekly_sales_regions
from ui import cards, charts, db, filters, fmt, nav, page, plan_edit, tables
from ui.i18n import TEXT, lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("jp.title"))
page.require_data()
f = filters.current()
on = filters.today()
st.caption(page.filters_caption(f))


def status(s) -> str:
    return t(f"jp.status.{s}") if s in STATUSES else str(s)


def kind(k) -> str:
    """An activity's kind in words ('call_blitz' -> «Обзвон»); a kind no locale names keeps its own text."""
    return t(f"jp.kind.{k}") if f"jp.kind.{k}" in TEXT[L] else (fmt.DASH if k is None else str(k))


def where(region) -> str:
    """An activity's region; one without (NULL, read as NaN) is company-wide."""
    return region if isinstance(region, str) and region else t("all_regions")


def row_label(a) -> str:
    """A timeline row: the title with its region, so the same exhibition in two cities reads as two rows."""
    return f"{a.title} · {where(a.region)}"


options = db.query("filter_options")
owners_all = db.query("activity_owners").owner.tolist()
regions, default = weekly_sales_regions(f.regions, options[options.kind == "region"].value.tolist())
c = st.columns([2, 1])
owners = c[0].multiselect(t("jp.owners"), owners_all, format_func=lambda o: t(f"owner.{o}", L),
                          placeholder=t("filter.all"), select_all=False, key="jp_owners")
region = c[1].selectbox(t("jp.sales_region"), regions, index=default, placeholder=t("widget.choose"),
                        format_func=lambda r: r or t("all_regions", L).capitalize())
d = load("joint_plan", f, db.query, on=on, owners=tuple(owners), region=region)
base = d["agreement"].base_currency.iloc[0]

# planned vs done, per owner
st.subheader(t("jp.by_owner"))
bo = d["by_owner"]
row = cards.row()
for r in bo.itertuples():
    cards.card(row, t(f"owner.{r.owner}"), t("jp.done_of", done=r.done, total=r.activities - r.cancelled),
               t("jp.budget_done", done=fmt.compact(r.budget_done, L, base),
                 planned=fmt.compact(r.budget_planned + r.budget_in_progress, L, base)), t("jp.by_owner.help"))
owner_names = [t(f"owner.{o}") for o in bo.owner]
# budgets stay numbers under their text: a header click sorts them as amounts, not as words
tables.show(bo.assign(owner=owner_names),
            {**{c_: tables.number(L) for c_ in ("activities", *STATUSES)},
             **{c_: tables.money(L, base) for c_ in bo.columns if c_.startswith("budget_")}},
            kinds={c_: "money" for c_ in bo.columns if c_.startswith("budget_")},
            key="jp_by_owner", file_name="joint_plan_by_owner", column_config={
                 "owner": t("jp.col.owner"), "activities": t("jp.col.activities"),
                 **{s: status(s) for s in STATUSES},
                 **{f"budget_{s}": t("jp.col.budget", status=status(s).lower(), currency=base) for s in STATUSES}})

# the timeline and the weekly sales on one date axis
acts = bar_spans(d["activities"])
w = d["weekly"]
fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.08)
for owner, g in acts.groupby("owner", sort=True):
    hover = [f"<b>{a.title}</b> ({kind(a.kind)})<br>{t('owner.' + a.owner)} · {a.responsible or fmt.DASH}<br>"
             f"{where(a.region)}<br>{fmt.date(a.start_date, L)} – {fmt.date(a.end_date, L)}<br>"
             f"{status(a.status)} · {fmt.money(a.budget, base, L)}" for a in g.itertuples()]
    fig.add_trace(go.Bar(x=list(g.length_ms), base=list(g.base), y=list(g.activity_id), orientation="h",
                         name=t(f"owner.{owner}"), marker={"color": charts.OWNER_COLORS.get(owner, "#888888"),
                                                           "opacity": list(g.opacity)},
                         hovertext=hover, hoverinfo="text"), row=1, col=1)
# a week the period's dates or the latest data cut is hatched: its bar is not a drop in sales
partial = charts.partial_weeks(w.week, f.date_from, f.date_to, latest_frame(d["fresh"]).latest.iloc[0])
offsets, widths = charts.week_bars(w.week, partial)
charts.period_bars(fig, [str(x) for x in w.week], w.revenue, partial, L, t("jp.weekly", currency=base),
                   charts.BESIDE_OWNERS, unit="week", offset=offsets, width=widths,
                   hovertext=[t("jp.weekly.hover", week=fmt.date(x, L), revenue=fmt.money(v, base, L), deals=n)
                              for x, v, n in zip(w.week, w.revenue, w.deals_won, strict=True)],
                   hoverinfo="text", row=2, col=1)
# a name says where: several regions hold activities of the same name ("Обзвон участников выставки")
names = [row_label(a) for a in acts.itertuples()]
due = plan_edit.commitments(f, L)     # the meeting's commitments on their due dates, rows under the activities
due_ids, due_names = plan_edit.mark_commitments(fig, due, L)
# ids as categories: numeric ids ('66', '69') would otherwise space the rows by their values
fig.update_yaxes(type="category", tickvals=list(acts.activity_id) + due_ids, ticktext=names + due_names,
                 autorange="reversed", row=1, col=1)
fig.update_yaxes(charts.value_axis(w.revenue, L, title=base), row=2, col=1)
fig.update_xaxes(charts.date_axis(f.date_from, f.date_to, L))
where = region or ", ".join(f.regions) or t("all_regions")     # the picker's "all" is the sidebar's regions
charts.style(fig, L, t("jp.chart", region=where), height=360 + 26 * (len(acts) + len(due)))
fig.update_layout(hovermode="closest", barmode="overlay")
st.plotly_chart(fig, config=charts.plotly_config(L))
st.caption(t("jp.chart.note"))

# planning: the plan's gaps, adding and changing activities (kept with who and when), the history
plan_edit.conflicts(d["activities"], L)
plan_edit.editor(d["activities"], options[options.kind == "region"].value.tolist(),
                 options[options.kind == "product"].value.tolist(), base, L)
plan_edit.history(base, L)

# what comes next
st.subheader(t("jp.next", date=fmt.date(on, L)))
nxt = d["next"]
if nxt.empty:
    st.caption(t("jp.next.none"))
else:
    # owners, kinds and statuses in words on screen and in the Excel file alike; dates and budgets stay raw there
    words = nxt.assign(owner=[t(f"owner.{o}") for o in nxt.owner], kind=[kind(k) for k in nxt.kind],
                       region=nxt.region.fillna(t("all_regions")), status=[status(s) for s in nxt.status],
                       source=[t(f"jp.source.{s}") for s in nxt.source])
    ahead = dataclasses.replace(f, date_from=on, date_to=on + dt.timedelta(days=30))
    tables.show(words.assign(
        when=[f"{fmt.date(a, L)} – {fmt.date(b, L)}" for a, b in zip(nxt.start_date, nxt.end_date, strict=True)])[
        ["when", "owner", "kind", "title", "region", "responsible", "budget", "status", "source"]],
        {"budget": tables.money(L, base)}, raw=words, kinds={"budget": "money"}, scope=page.filters_caption(ahead),
        key="jp_next",
        file_name="joint_plan_next_30_days", column_config={
            "when": t("jp.col.when"), "owner": t("jp.col.owner"), "kind": t("jp.col.kind"),
            "title": t("jp.col.title"), "region": t("col.region"), "responsible": t("jp.col.responsible"),
            "budget": t("jp.col.budget_any", currency=base), "status": t("jp.col.status"),
            "source": t("jp.col.source"), **{c: t(f"field.{c}") for c in ("activity_id", "product", "start_date",
                                                                           "end_date")}})

page.freshness(d["fresh"])
