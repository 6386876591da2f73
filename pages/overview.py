"""Overview, the CEO's landing: the period's revenue against plan, forecast, marketing's share,
spend and its return, leads and their cost; by month with the joint activities; the largest gaps."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.forecast import run_rate
from model import metrics
from model.views import load
from model.views.overview import headline
from ui import agreement, alerts, cards, charts, db, fmt, nav, page, tables
from ui.dq import unrecognised_line
from ui.filters import current
from ui.i18n import lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("overview.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
agreement.caption()   # the agreement version the numbers follow
d = load("overview", f, db.query)
if dq := unrecognised_line(d["unrecognised"], d["cells"], L):
    st.warning(dq, icon=":material/help:")
h = headline(d)
base = h["base_currency"]
if not any(h[k] for k in ("revenue", "leads", "spend", "deals_created")):   # nothing happened, or nothing loaded
    st.info(t("overview.no_facts", latest=fmt.date(d["latest"].latest.iloc[0], L)), icon=":material/event_busy:")
rr = run_rate(h["revenue"], f.date_from, f.date_to, d["latest"].latest.iloc[0])

BASIS = {b: metrics.text(f"basis.{b}", L) for b in metrics.BASES}


def of_plan(share, basis: str) -> str | None:
    return None if share is None else t("kpi.of_plan", share=fmt.percent(share, L, 0), basis=BASIS[basis])


def plan_part(p: str, money: bool = True) -> dict | None:
    """A plan of part of the period (November of 01.11-31.12) for plan metric `p`: the days it covers and
    those it does not, or None where it covers all (or there is none): the registry leaves the share out."""
    if not h[f"{p}_plan_gaps"]:
        return None
    plan = h[f"{p}_plan_period"]
    return {"covered": fmt.number(h[f"{p}_plan_days"], L), "days": h["period_days"],
            "days_word": fmt.days_after_of(h["period_days"], L), "gaps": fmt.date_ranges(h[f"{p}_plan_gaps"], L),
            "plan": fmt.money(plan, base, L) if money else fmt.number(plan, L)}


# said on the revenue and forecast cards (the forecast not compared with it), and on spend's and leads'
part, spend_part, leads_part = plan_part("revenue"), plan_part("spend"), plan_part("leads", money=False)
# ... and the revenue not compared with it either (the registry leaves its share of plan out): the days said
to_date = {"plan_to_date": fmt.money(h["revenue_plan_to_date"], base, L),
           "date": fmt.date(d["metrics"].data_to.iloc[0], L),
           "share_to_date": fmt.percent(h["revenue_vs_plan_to_date"], L, 0)}
# three rows that wrap, never cut: what is held to a plan; what marketing brought and returned; unit costs
row = cards.row()
cards.card(row, t("kpi.revenue", currency=base), fmt.compact(h["revenue"], L, base),
           t("kpi.plan_part", **part) if part else of_plan(h["revenue_vs_plan_period"], "period"),
           t("kpi.revenue.help", plan=fmt.money(h["revenue_plan_period"], base, L),
             exact=fmt.money(h["revenue"], base, L, 2),
             to_date=t("kpi.revenue.plan_to_date" if part and h["revenue_vs_plan_to_date"] is None
                       else "kpi.revenue.to_date", **to_date),
             plan_part=t("kpi.revenue.plan_part", **part) if part else ""))
cards.card(row, t("kpi.forecast"), fmt.compact(h["revenue_forecast"], L, base),
           t("kpi.plan_part", **part) if part and h["revenue_forecast"] is not None
           else of_plan(h["revenue_forecast_vs_plan"], "period"),
           t("kpi.forecast.help", elapsed=rr.elapsed_days, days=rr.period_days,
             days_word=fmt.days_after_of(rr.period_days, L))
           + (". " + t("kpi.forecast.plan_part", **part) if part else ""))
for key, value, p_part, share in (
        (t("kpi.spend", currency=base), fmt.compact(h["spend"], L, base), spend_part, h["spend_vs_plan_period"]),
        (t("kpi.leads"), fmt.number(h["leads"], L), leads_part, h["leads_vs_plan_period"])):
    cards.card(row, key, value, t("kpi.plan_part", **p_part) if p_part else of_plan(share, "period"),
               t("kpi.fact.plan_part", **p_part) if p_part else None)
row = cards.row()
cards.card(row, t("kpi.sourced"), fmt.compact(h["revenue_sourced"], L, base),
           t("kpi.of_revenue", share=fmt.percent(h["sourced_share"], L, 0)), t("kpi.sourced.help"))
cards.card(row, t("kpi.influenced"), fmt.compact(h["revenue_influenced"], L, base),
           t("kpi.of_revenue", share=fmt.percent(h["influenced_share"], L, 0)), t("kpi.influenced.help"))
# ROMI's formula sits under its value (1 641 % means little until one reads what it divides); the
# registry's definition and the two amounts are in its help
cards.card(row, t("kpi.romi"), fmt.percent(h["romi"], L, 0), t("kpi.romi.formula"),
           t("kpi.romi.help", definition=metrics.text("romi", L, "definition"),
             sourced=fmt.money(h["revenue_sourced"], base, L), spend=fmt.money(h["spend"], base, L)))
row = cards.row()
cards.card(row, t("kpi.cpl"), fmt.money(h["cpl"], base, L), help_=t("kpi.cpl.help"))
cards.card(row, t("kpi.cac"), fmt.money(h["cac"], base, L), help_=t("kpi.cac.help"))

if h["other_currencies"]:
    st.caption(t("kpi.converted", currencies=", ".join(h["other_currencies"]), base=base))
    with st.expander(t("kpi.by_currency")):
        # each row in its own currency (named beside it): the amount a number, so a header click sorts amounts
        tables.show(h["by_currency"].astype({"revenue": "float64"}),
                    {"revenue": tables.number(L, 2), "deals_won": tables.number(L)}, kinds={"revenue": "money"},
                    key="by_currency", file_name="revenue_by_currency",
                    column_config={"currency": t("col.currency"), "revenue": t("col.revenue"),
                                   "deals_won": t("col.deals_won")})

left, right = st.columns([3, 2], gap="large")
with left:
    latest = d["latest"].latest.iloc[0]
    m = charts.data_months(d["monthly"], ["revenue", "spend", "leads"], latest)
    x = charts.monthly_x(m.month)
    partial = charts.partial_months(x, f.date_from, f.date_to, latest)
    fig = go.Figure()
    charts.month_bars(fig, x, m.revenue, partial, L, t("chart.fact"), charts.FACT)
    charts.month_line(fig, x, m.revenue_plan, None, L, t("chart.plan"), charts.PLAN, dash="dash")
    charts.month_line(fig, x, m.spend, partial, L, t("chart.spend"), charts.SPEND, yaxis="y2")
    y = charts.value_axis([*m.revenue, *m.revenue_plan], L, title=base)
    fig.update_layout(xaxis=charts.month_axis(x, L, partial), yaxis=y,
                      yaxis2=charts.value_axis(m.spend, L, charts.intervals(y), overlaying="y", side="right",
                                               title=t("chart.spend"), showgrid=False))
    charts.mark_activities(fig, d["activities"], L, t, since=x[0] if x else None)
    if m.empty:     # no month to draw: plotly's empty date axis would read Jan 2000 - Jan 2001
        st.markdown(f"**{t('overview.chart', currency=base)}**")
        st.caption(t("chart.no_months", latest=fmt.date(latest, L)))
    else:
        st.plotly_chart(charts.style(fig, L, t("overview.chart", currency=base), height=460),
                        config=charts.plotly_config(L))
with right:
    alerts.show(f, L, base)
    st.subheader(t("overview.deviations"))
    dev = h["deviations"]
    if dev.empty:
        st.caption(t("overview.no_plan"))
    for r in dev.itertuples():
        key = "overview.above" if r.revenue_gap_to_date >= 0 else "overview.below"
        st.markdown(t(key, region=r.region, share_to_date=fmt.percent(r.revenue_vs_plan_to_date, L, 0),
                      basis_to_date=BASIS["to_date"], gap=fmt.compact(abs(r.revenue_gap_to_date), L, base),
                      period="" if pd.isna(r.revenue_vs_plan_period)   # a plan of part of the period: to date only
                      else t("overview.period_share", share=fmt.percent(r.revenue_vs_plan_period, L, 0),
                             basis_period=BASIS["period"])))

page.freshness(d["fresh"])
