"""Campaign impact: a scoreboard of the period's flights, then what one flight caused, against a counterfactual
built from the other regions, in plain words with its interval and caveats (and the metric it can be measured
on, when the chosen one does not fit); the planner for the next test."""
import streamlit as st

from analysis.impact import ImpactError
from model.access import masked, unmask_text
from model.views import impact as view
from model.views import load
from ui import cards, charts, db, fmt, impact_chart, nav, page, tables
from ui.filters import current
from ui.i18n import lang, t
from ui.impact_text import (
    bounded,
    caveats,
    fit_text,
    p_value,
    plan_lines,
    scoreboard_file,
    scoreboard_table,
    steadier_line,
    verdict,
)

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)


@st.cache_data(show_spinner=False, max_entries=128)
def cached_estimate(panel, treated: tuple, start, end, exposed: tuple):
    """One flight x metric (the panel is the metric's): the estimate, or the ImpactError code why not."""
    try:
        return view.estimate_flight(panel, treated, start, end, exposed)
    except ImpactError as e:
        return e.code


def offer_steadier(f, campaign: str, metric: str, e) -> None:
    """When the flight's estimate on the chosen metric does not fit its reference period, the metric on
    which it does (view.steadier): its figures in one line and a button that switches to it."""
    if view.fits(e):
        return
    every = view.every_metric(f, db.query, campaign, metric, e, cached_estimate)
    other = view.steadier(every, metric)
    if other is None:
        return
    st.info(steadier_line(e, other, every[other], L, t))
    st.button(t("impact.steadier.show", other=t(f"impact.metric.{other}")), key="impact_steadier",
              on_click=lambda: st.session_state.update(impact_metric=other))


@st.cache_data(show_spinner=False, max_entries=16)
def cached_plan(panel, candidates: tuple, days: int, flights: tuple):
    return view.plan(panel, candidates, days, flights)


L = lang()
st.title(t("impact.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
base_view = load("impact", f, db.query)
every = base_view["flights"]
if every.empty:
    st.info(t("impact.no_flights"))
    page.freshness(base_view["fresh"])
    st.stop()
# the period's flights, as the deck's impact slide lists them; with none in the period, every flight
flights = view.in_period(every)
outside = flights.empty
flights = every if outside else flights
base = base_view["agreement"].base_currency.iloc[0]
names = flights.campaign.tolist()
info = {r.campaign: r for r in flights.itertuples()}
# no default once the state holds a value (the switch below sets it; a default beside it is Streamlit's warning)
metric = st.segmented_control(t("impact.metric"), view.METRICS, key="impact_metric",
                              default=None if "impact_metric" in st.session_state else "revenue",
                              format_func=lambda m: t(f"impact.metric.{m}", L)) or "revenue"

# every flight on the metric, each estimate cached: the first visit computes them (about 2 s for the
# demo's seven flights), later reruns read them back
views, estimates = {}, {}
with st.spinner(t("impact.computing")):
    for c in names:
        views[c] = load("impact", f, db.query, campaign=c, metric=metric)
        estimates[c] = cached_estimate(views[c]["panel"], *view.estimate_args(views[c]))
st.subheader(t("impact.board.title"))
st.caption(t("impact.board.note"))
if outside:
    st.caption(t("impact.board.outside", n=len(every)))
scores = view.scoreboard(flights, estimates, metric)
(board, formats), (every_number, kinds) = scoreboard_table(scores, L, t, base), scoreboard_file(scores, t, L)
tables.show(board, formats, key="impact_board", file_name="flights", raw=every_number, kinds=kinds,
            scope=t("impact.board.scope_all", n=len(every)) if outside else None,
            column_config={c: t(f"impact.board.col.{c}") for c in [*board.columns, *every_number.columns]})

tab_result, tab_plan = st.tabs([t("impact.tab.result"), t("impact.tab.plan")])
with tab_result:
    campaign = st.selectbox(t("impact.flight"), names, index=names.index(view.default_flight(flights, estimates)),
                            placeholder=t("widget.choose"),
                            key="impact_flight", format_func=lambda c: t(
                                "impact.flight_label", L, campaign=c, regions=", ".join(info[c].regions),
                                start=fmt.date(info[c].start_date, L), end=fmt.date(info[c].end_date, L)))
    d, e = views[campaign], estimates[campaign]
    row = d["flight"].iloc[0]
    if isinstance(e, str):  # e.g. a metric the treated regions had none of before the flight
        st.warning(t("impact.cannot", detail=t(f"impact.err.{e}", regions=", ".join(row.regions))))
        offer_steadier(f, campaign, metric, e)
    else:
        r = e.result
        unit = base if metric == "revenue" else None

        def amount(x):
            return fmt.compact(x, L, unit) if unit else fmt.number(x, L)

        if r.incremental_low > 0:
            st.success(verdict(r, metric, t, amount), icon=":material/trending_up:")
        else:
            st.info(verdict(r, metric, t, amount))
        if e.weekly:
            st.caption(t("impact.weekly_note", share=fmt.percent(e.zero_share, L, 0),
                         metric=t(f"impact.metric.{metric}")))
        offer_steadier(f, campaign, metric, e)
        # the effect and its money on the first row, the tests of the fit on the second; rows wrap, never cut
        top, bottom = cards.row(), cards.row()
        cards.card(top, t("impact.lift"), fmt.percent(r.lift, L),
                   t("impact.range", low=bounded(r.lift_low, L), high=bounded(r.lift_high, L)))
        cards.card(top, t("impact.incremental"), amount(r.incremental),
                   t("impact.range", low=amount(r.incremental_low), high=amount(r.incremental_high)))
        if metric == "revenue":
            ret = view.returns(r, row.spend)
            cards.card(top, t("impact.iromi"), fmt.percent(ret["romi"], L, 0),
                       t("impact.range", low=fmt.percent(ret["romi_low"], L, 0),
                         high=fmt.percent(ret["romi_high"], L, 0)),
                       t("impact.iromi.help", spend=fmt.money(row.spend, base, L)))
        cards.card(bottom, t("impact.p_value"), p_value(r.p_value, L), help_=t("impact.p_value.help"))
        fit_value, fit_note = fit_text(e.fit_error, e.fit_kind, L, t)
        cards.card(bottom, t("impact.pre_fit"), fit_value, fit_note, help_=t("impact.pre_fit.help"))
        st.plotly_chart(impact_chart.figure(e.chart, row, d["activities"], L, t), config=charts.plotly_config(L))
        st.caption(t(f"impact.method.{r.method}") + " " + t("impact.method_note", n=r.n_placebos))
        left, right = st.columns(2)
        with left:
            st.subheader(t("impact.controls"))
            w = r.weights[r.weights > 0.001].sort_values(ascending=False)
            if any(masked(c) for c in r.weights.index):   # a regional user: controls unnamed, no numbers
                st.caption(t("rls.controls.note"))
            else:
                tables.show(w.rename_axis("region").reset_index(name="weight"), {"weight": tables.percent(L, 1)},
                            key="impact_weights", file_name=f"controls_{row.campaign}",
                            column_config={"region": t("col.region"), "weight": t("impact.weight")})
        with right:
            st.subheader(t("impact.caveats"))
            for line in caveats(e, L, t):
                st.warning(unmask_text(line, t("rls.controls")))
            if not r.warnings:
                st.caption(t("impact.no_caveats"))

with tab_plan:
    st.caption(t("impact.plan.note"))
    panel = d["panel"]
    # a regional user plans their own; a region with nothing on the metric is no candidate
    regions = sorted(r for r in view.with_data(panel).region.unique() if not masked(r))
    usable = [r for r in view.plannable(panel, 84) if r in regions]    # regions a test of any length can use
    cand = st.multiselect(t("impact.plan.candidates"), regions, default=sorted(usable[:3]), key="plan_candidates",
                          placeholder=t("widget.choose"), select_all=False)
    days = st.slider(t("impact.plan.days"), 14, 84, 28, 7, key="plan_days")
    if cand and st.button(t("impact.plan.go"), key="plan_go"):
        out = cached_plan(panel, tuple(cand), days, view.flight_windows(d))
        for kind, line in plan_lines(out, days, metric, L, t):
            getattr(st, kind)(line)
        if out["plan"] is not None:
            tables.show(out["plan"].candidates, {"mde": tables.percent(L, 0)}, key="impact_plan",
                        file_name="test_plan", column_config={"region": t("col.region"), "mde": t("impact.plan.mde")})
page.freshness(d["fresh"])
