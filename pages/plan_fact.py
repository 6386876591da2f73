"""Plan vs fact, for the CEO: one plan for both departments, each line with its owner; where the
revenue gap comes from (lead volume, conversion, revenue per deal)."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from model.views import latest_frame, load
from model.views.plan_fact import METRICS, heat, owners, splits
from ui import agreement, charts, db, fmt, nav, page, tables
from ui.filters import current
from ui.i18n import lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("plan.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
agreement.caption()   # the agreement version the numbers follow
d = load("plan_fact", f, db.query)
base = d["agreement"].base_currency.iloc[0]
cells = d["cells"]
if cells.empty:
    st.info(t("plan.empty"))
    page.freshness(d["fresh"])
    st.stop()

owner_of = owners(cells)
available = [m for m in METRICS if m in owner_of]
metric = st.segmented_control(t("plan.metric"), available, default=available[0], key="plan_metric",
                              format_func=lambda m: t("plan.metric_owner", L, metric=t(f"metric.{m}", L),
                                                      owner=t(f"owner.{owner_of[m]}", L)))
metric = metric or available[0]
grid = heat(cells, metric)
partial = charts.partial_months(grid.columns, f.date_from, f.date_to, latest_frame(d["fresh"]).latest.iloc[0])
months = [charts.with_partial(fmt.month(m, L), m, partial, L) for m in grid.columns]
z = grid.to_numpy(dtype=float) * 100
PCT = (50, 75, 100, 125, 150)
fig = go.Figure(go.Heatmap(
    z=z, x=months, y=list(grid.index), zmid=100, zmin=50, zmax=150, colorscale="RdBu",
    text=[[fmt.percent(v / 100, L, 0) if not np.isnan(v) else "" for v in row] for row in z], texttemplate="%{text}",
    hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
    colorbar={"title": "%", "tickvals": PCT, "ticktext": [fmt.percent(v / 100, L, 0) for v in PCT]}))
fig.update_layout(yaxis={"autorange": "reversed"}, xaxis={"type": "category"})
st.plotly_chart(charts.style(fig, L, t("plan.heat", metric=t(f"metric.{metric}"),
                                       owner=t(f"owner.{owner_of[metric]}")), height=120 + 28 * len(grid)),
                config=charts.plotly_config(L))
st.caption(t("plan.heat_note"))

st.subheader(t("plan.lines"))
lines = d["lines"].assign(metric=[t(f"metric.{m}") if m in METRICS else m for m in d["lines"].metric],
                          owner=[t(f"owner.{o}") for o in d["lines"].owner],
                          level=[t(f"plan.level.{v}") for v in d["lines"].level])
tables.show(lines, {"target": tables.number(L), "regions": tables.number(L)}, key="plan_lines", file_name="plan_lines",
            column_config={
    "metric": t("plan.col.metric"), "owner": t("plan.col.owner"), "level": t("plan.col.level"),
    "regions": t("plan.col.regions"), "target": t("plan.col.target")})

st.subheader(t("plan.why"))
st.caption(t("plan.why_note", currency=base))
parts = splits(cells)
for r in parts.head(5).itertuples():
    if not isinstance(r.main, str):    # no split: pandas holds the missing factor as NaN beside named ones
        st.markdown(t("plan.why_gap_only", region=r.region, gap=fmt.compact(r.gap, L, base)))
        continue
    st.markdown(t("plan.why_line", region=r.region, gap=fmt.compact(r.gap, L, base),
                  share=fmt.percent(r.revenue / r.revenue_plan, L, 0), main=t(f"plan.factor.{r.main}"),
                  leads=fmt.compact(r.leads, L, base), conversion=fmt.compact(r.conversion, L, base),
                  deal_value=fmt.compact(r.deal_value, L, base)))
M = tables.money(L, base)
cols = {"region": None, "revenue": M, "revenue_plan": M, "gap": M, "leads": M, "conversion": M, "deal_value": M}
tables.show(parts[list(cols)], cols, key="plan_gaps", file_name="plan_gaps",
             column_config={c: t(f"plan.col.{c}", currency=base) for c in cols})
if f.products:
    st.caption(t("plan.products_note"))
page.freshness(d["fresh"])
