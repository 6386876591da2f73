"""Campaign impact: what a regional flight caused, against a counterfactual built from the other
regions; the verdict in plain words with its interval and caveats; the planner for the next test."""
import plotly.graph_objects as go
import streamlit as st

from analysis.impact import ImpactError
from model.views import load
from model.views.impact import METRICS, estimate, estimate_args, returns
from ui import cards, charts, db, fmt, nav, page, tables
from ui.filters import current
from ui.i18n import lang, t
from ui.impact_text import bounded, verdict, warning_fields

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_estimate(panel, treated: tuple, start, end, exposed: tuple):
    return estimate(panel, treated, start, end, exposed)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_plan(panel, candidates: tuple, days: int):
    from analysis.planner import plan_experiment
    return plan_experiment(panel, list(candidates), days)


L = lang()
st.title(t("impact.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
# the flight and metric the widgets hold from the last run: the same queries as the view below, so cached
base_view = load("impact", f, db.query, campaign=st.session_state.get("impact_flight"),
                 metric=st.session_state.get("impact_metric") or "revenue")
flights = base_view["flights"]
if flights.empty:
    st.info(t("impact.no_flights"))
    page.freshness(base_view["fresh"])
    st.stop()
base = base_view["agreement"].base_currency.iloc[0]
names = flights.campaign.tolist()
info = {r.campaign: r for r in flights.itertuples()}
tab_result, tab_plan = st.tabs([t("impact.tab.result"), t("impact.tab.plan")])

with tab_result:
    c1, c2 = st.columns([3, 2])
    campaign = c1.selectbox(t("impact.flight"), names, placeholder=t("widget.choose"), key="impact_flight",
                            format_func=lambda c: t(
                                "impact.flight_label", L, campaign=c, regions=", ".join(info[c].regions),
                                start=fmt.date(info[c].start_date, L), end=fmt.date(info[c].end_date, L)))
    metric = c2.segmented_control(t("impact.metric"), METRICS, default="revenue", key="impact_metric",
                                  format_func=lambda m: t(f"impact.metric.{m}", L)) or "revenue"
    d = load("impact", f, db.query, campaign=campaign, metric=metric)
    row = d["flight"].iloc[0]
    try:
        r = cached_estimate(d["panel"], *estimate_args(d))
    except ImpactError as e:  # e.g. a metric the treated regions had none of before the flight
        st.warning(t("impact.cannot", detail=t(f"impact.err.{e.code}", **e.fields)))
        r = None
    if r is not None:
        unit = base if metric == "revenue" else None

        def amount(x):
            return fmt.compact(x, L, unit) if unit else fmt.number(x, L)

        if r.incremental_low > 0:
            st.success(verdict(r, metric, t, amount), icon=":material/trending_up:")
        else:
            st.info(verdict(r, metric, t, amount))
        # the effect and its money on the first row, the tests of the fit on the second; rows wrap, never cut
        top, bottom = cards.row(), cards.row()
        cards.card(top, t("impact.lift"), fmt.percent(r.lift, L),
                   t("impact.range", low=bounded(r.lift_low, L), high=bounded(r.lift_high, L)))
        cards.card(top, t("impact.incremental"), amount(r.incremental),
                   t("impact.range", low=amount(r.incremental_low), high=amount(r.incremental_high)))
        if metric == "revenue":
            ret = returns(r, row.spend)
            cards.card(top, t("impact.iromi"), fmt.percent(ret["romi"], L, 0),
                       t("impact.range", low=fmt.percent(ret["romi_low"], L, 0),
                         high=fmt.percent(ret["romi_high"], L, 0)),
                       t("impact.iromi.help", spend=fmt.money(row.spend, base, L)))
        cards.card(bottom, t("impact.p_value"), fmt.number(r.p_value, L, 3), help_=t("impact.p_value.help"))
        cards.card(bottom, t("impact.pre_fit"), fmt.percent(r.pre_fit, L), help_=t("impact.pre_fit.help"))

        s = r.series
        fig = go.Figure()
        fig.add_scatter(x=s.date, y=s.high, line={"width": 0}, showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=s.date, y=s.low, fill="tonexty", fillcolor="rgba(157,157,157,0.3)", line={"width": 0},
                        name=t("impact.band"))
        fig.add_scatter(x=s.date, y=s.counterfactual, name=t("impact.counterfactual"),
                        line={"color": charts.PLAN, "dash": "dash"})
        fig.add_scatter(x=s.date, y=s.actual, name=t("impact.actual"), line={"color": charts.FACT})
        fig.add_vrect(x0=row.start_date, x1=row.end_date, fillcolor=charts.OWNER_COLORS["marketing"], opacity=0.1,
                      line_width=0, annotation_text=t("impact.window"), annotation_position="top left")
        fig.update_layout(xaxis=charts.date_axis(s.date.min(), s.date.max(), L),
                          yaxis=charts.value_axis([*s.low, *s.high, *s.actual, *s.counterfactual], L))
        charts.mark_activities(fig, d["activities"], L, t, since=s.date.min())
        st.plotly_chart(charts.style(fig, L, t("impact.chart", campaign=row.campaign,
                                               regions=", ".join(row.regions)), height=420),
                        config=charts.plotly_config(L))
        st.caption(t(f"impact.method.{r.method}") + " " + t("impact.method_note", n=r.n_placebos))
        left, right = st.columns(2)
        with left:
            st.subheader(t("impact.controls"))
            w = r.weights[r.weights > 0.001].sort_values(ascending=False)
            tables.show(w.rename_axis("region").reset_index(name="weight"), {"weight": tables.percent(L, 1)},
                        key="impact_weights", file_name=f"controls_{row.campaign}",
                        column_config={"region": t("col.region"), "weight": t("impact.weight")})
        with right:
            st.subheader(t("impact.caveats"))
            for w_ in r.warnings:
                st.warning(t(f"impact.warn.{w_['code']}", **warning_fields(w_, L)))
            if not r.warnings:
                st.caption(t("impact.no_caveats"))


with tab_plan:
    st.caption(t("impact.plan.note"))
    regions = sorted(d["panel"].region.unique())
    cand = st.multiselect(t("impact.plan.candidates"), regions, default=regions[:3], key="plan_candidates",
                          placeholder=t("widget.choose"), select_all=False)
    days = st.slider(t("impact.plan.days"), 14, 84, 28, 7, key="plan_days")
    if cand and st.button(t("impact.plan.go"), key="plan_go"):
        panel = d["panel"]
        plan = cached_plan(panel, tuple(cand), days)
        if plan.mde == plan.mde:
            st.markdown(t("impact.plan.result", regions=", ".join(plan.treated), days=days,
                          mde=fmt.percent(plan.mde, L, 0), what=t(f"impact.what.{metric}"),
                          controls=len(plan.controls)))
        if plan.too_few_regions:
            st.warning(t("impact.plan.too_few"))
        tables.show(plan.candidates, {"mde": tables.percent(L, 0)}, key="impact_plan", file_name="test_plan",
                    column_config={"region": t("col.region"), "mde": t("impact.plan.mde")})
page.freshness(d["fresh"])
