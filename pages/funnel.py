"""Funnel and SLA, both sides on one page: marketing's lead volume and quality, sales' first contact and
conversion, and the monthly scorecard of what each signed up to."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from model.views import load
from model.views.funnel import (
    BREAKDOWNS,
    STEPS,
    breakdown,
    quality,
    scorecard,
    sla,
    sla_target_share,
    sla_top,
    top_and_rest,
)
from ui import agreement, charts, db, fmt, nav, page, tables
from ui.filters import current
from ui.i18n import lang, named, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
SLA_TOP = 15   # manager x region pairs drawn by name (most leads); the rest as one bar, all of them in the table
st.title(t("funnel.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
agreement.caption()   # the agreement version the numbers follow
d = load("funnel", f, db.query)
a = d["agreement"].iloc[0]
base = a.base_currency


# numbers stay numbers under their on-screen text (a header click sorts 9 % before 10 %, "—" is a missing value,
# not a word among them); the Excel files' kinds of the columns shown as text: shares as 0.0 %, money with thousands
SHARES = dict.fromkeys(("to_qualified", "to_deal", "to_won", "lead_to_won", "qualified_share", "win_rate", "share",
                        "sla_share", "lead_to_deal", "min_qualified_share", "sla_target", "min_lead_to_deal"),
                       "percent")
MONEY = {"revenue": "money", "revenue_per_lead": "money"}
COUNT = tables.number(L)   # «20 221», as every count on the other pages
PCT, M = tables.percent(L), tables.money(L, base)


def pct(x, decimals=0):
    return fmt.percent(x, L, decimals)


def mark(met) -> str | None:
    """A commitment's mark in its own column beside its number: '✓' met, '✗' missed, None (shown «—»)
    nothing to judge. Text, not a bool: the grid would draw a bool as a checkbox."""
    return None if met is None or pd.isna(met) else "✓" if met else "✗"


def marks(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame.assign(**{c: [mark(m) for m in frame[c]] for c in columns})


# lead -> qualified -> deal -> won
st.subheader(t("funnel.steps"))
# the language is bound now: a format_func is also called outside the script run (AppTest, state sync)
by = st.segmented_control(t("funnel.by"), BREAKDOWNS, format_func=lambda b: t(f"funnel.by.{b}", L),
                          default="channel", key="funnel_by", required=True)
rows = breakdown(d, by, L)
rows = rows.assign(label=[named(v, L) for v in rows.label])   # a lead with no region or manager
steps = [t(f"funnel.step.{s}") for s in STEPS]
# the counts written by fmt, as in the table below ('19 149' / '19,149'), not plotly's '19,149k'
fig = go.Figure([go.Funnel(name=r.label, y=steps, x=[getattr(r, s) for s in STEPS], textinfo="text",
                           text=[fmt.number(getattr(r, s), L) for s in STEPS], customdata=[r.members] * len(STEPS),
                           hovertemplate="%{fullData.name}<br>" + ("%{customdata}<br>" if r.members else "")
                           + "%{y}: %{text}<extra></extra>")
                 for r in top_and_rest(rows.iloc[:-1], 7, t("funnel.other")).itertuples()])
fig.update_layout(funnelmode="stack", hovermode="closest", uniformtext={"minsize": 11, "mode": "hide"})
st.plotly_chart(charts.style(fig, L, t("funnel.chart", by=t(f"funnel.by.{by}").lower()), height=360),
                config=charts.plotly_config(L))
tables.show(rows.drop(columns="linked_leads").assign(label=rows.label.fillna(t("funnel.total"))), {
    **dict.fromkeys(STEPS, COUNT), **dict.fromkeys(("to_qualified", "to_deal", "to_won", "lead_to_won"), PCT)},
    kinds=SHARES, key="funnel", file_name=f"funnel_by_{by}",
    column_config={
    "label": t(f"funnel.by.{by}"), **dict(zip(STEPS, steps, strict=True)),
    "to_qualified": t("funnel.col.to_qualified"), "to_deal": t("funnel.col.to_deal"),
    "to_won": t("funnel.col.to_won"), "lead_to_won": t("funnel.col.lead_to_won")})

if rows.linked_leads.eq(0).all() and rows.leads.sum():   # no deal names a lead: its won figures unknown
    st.caption(t("funnel.no_link"))

# marketing's side: what the leads were worth
st.subheader(t("funnel.quality"))
q = quality(d, L)
owner_names = [t(f"owner.{o}") if isinstance(o, str) else fmt.DASH for o in q.owner]
tables.show(q.assign(owner=owner_names), {"leads": COUNT, "qualified_share": PCT, "win_rate": PCT, "revenue": M,
                                         "revenue_per_lead": M}, kinds={**SHARES, **MONEY}, key="lead_quality",
    file_name="lead_quality",
    column_config={
        "label": t("funnel.by.channel"), "owner": t("funnel.col.owner"), "leads": t("funnel.step.leads"),
        "qualified_share": t("funnel.col.qualified_share"), "win_rate": t("funnel.col.win_rate"),
        "revenue": t("funnel.col.revenue", currency=base),
        "revenue_per_lead": t("funnel.col.revenue_per_lead", currency=base)})
st.caption(t("funnel.quality.note"))

# sales' side: time to first contact against the agreement
target = sla_target_share(d)
hours = fmt.number(a.first_contact_hours, L, 0 if float(a.first_contact_hours).is_integer() else 1)
days = ", ".join(t(f"weekday.{w}") for w in a.working_days)
st.subheader(t("funnel.sla"))
st.markdown(t("funnel.sla.target", hours=hours, start=int(a.day_start), end=int(a.day_end), days=days,
              share=pct(target)))
s = sla(d, target)
s = s.assign(manager=[named(v, L) for v in s.manager], region=[named(v, L) for v in s.region])
top = sla_top(s, SLA_TOP)
who = [f"{r.manager} · {r.region}" if r.pairs == 1 else t("funnel.sla.rest", n=r.pairs) for r in top.itertuples()]
fig = go.Figure(go.Bar(x=[None if v is None else float(v) for v in top.share], y=who, orientation="h",
                       marker_color=[charts.FACT if n == 1 else charts.PLAN for n in top.pairs],
                       name=t("funnel.col.sla_share"), text=[pct(v) for v in top.share], textposition="auto",
                       customdata=[fmt.number(v, L) for v in top.leads],
                       hovertemplate="%{y}: %{text}<br>" + t("funnel.step.leads") + ": %{customdata}<extra></extra>"))
fig.add_vline(x=target, line_dash="dash", line_color=charts.PLAN,
              annotation_text=t("funnel.sla.line", share=pct(target)))
fig.update_layout(xaxis=charts.percent_axis(L, range=[0, 1.05]), yaxis={"autorange": "reversed"},
                  hovermode="closest")
title = t("funnel.sla.chart_top", n=len(top) - 1) if len(top) and top.pairs.iloc[-1] > 1 else t("funnel.sla.chart")
if top.empty:       # no lead in the period: nothing to chart (the table below says the same, empty)
    st.caption(t("funnel.sla.no_leads"))
else:
    st.plotly_chart(charts.style(fig, L, title, height=80 + 28 * len(top)), config=charts.plotly_config(L))
# the share a number and its mark a column of its own: a header click sorts 9 % before 10 %, not '✗ 9 %' after '✓'
sla_cols = ["manager", "region", "leads", "contacted", "within_sla", "share", "met", "mean_hours"]
tables.show(marks(s[sla_cols], ["met"]), {"leads": COUNT, "contacted": COUNT, "within_sla": COUNT, "share": PCT,
                                         "mean_hours": tables.number(L, 1)}, raw=s[sla_cols], key="sla",
    file_name="sla_first_contact", column_config={"met": t("funnel.x.met", share=pct(target)),
        "manager": t("funnel.by.manager"), "region": t("col.region"), "leads": t("funnel.step.leads"),
        "contacted": t("funnel.col.contacted"), "within_sla": t("funnel.col.within_sla"),
        "share": t("funnel.col.sla_share"), "mean_hours": t("funnel.col.mean_hours")})

# the scorecard: each side's commitments, month by month; its file has each fact, target and mark apart
st.subheader(t("funnel.scorecard"))
sc = scorecard(d)
sc_cols = ["month", "leads", "leads_plan", "leads_met", "qualified_share", "qualified_met", "sla_share", "sla_met",
           "lead_to_deal", "lead_to_deal_met"]
# each fact a number under its format, its mark a column beside it; the file adds each target
tables.show(marks(sc[sc_cols], ("leads_met", "qualified_met", "sla_met", "lead_to_deal_met")),
            {"month": lambda m: fmt.month(m, L), "leads": COUNT, "leads_plan": COUNT,
             **dict.fromkeys(("qualified_share", "sla_share", "lead_to_deal"), PCT)},
            raw=sc[["month", "leads", "leads_plan", "leads_met", "qualified_share", "min_qualified_share",
                    "qualified_met", "sla_share", "sla_target", "sla_met", "lead_to_deal", "min_lead_to_deal",
                    "lead_to_deal_met"]],
            key="scorecard", kinds=SHARES, file_name="sla_scorecard", column_config={
    **{c: t(f"funnel.x.{c}") for c in ("leads_plan", "min_qualified_share", "sla_target", "min_lead_to_deal",
                                       "leads_met", "qualified_met", "sla_met", "lead_to_deal_met")},
    "month": t("funnel.col.month"), "leads": t("funnel.sc.leads"),
    "qualified_share": t("funnel.sc.qualified", share=pct(a.min_qualified_share)),
    "sla_share": t("funnel.sc.sla", share=pct(target), hours=hours),
    "lead_to_deal": t("funnel.sc.lead_to_deal", share=pct(a.min_lead_to_deal))})
st.caption(t("funnel.sc.note", share=pct(target)))

page.freshness(d["fresh"])
