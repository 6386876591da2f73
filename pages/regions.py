"""Regions, for the head of sales: one row per region against plan, and one region's drill-down."""
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from model.views import latest_frame, load
from model.views.regions import TABS, default_region
from ui import agreement, charts, db, fmt, nav, page, tables
from ui.filters import current
from ui.i18n import TEXT, lang, named, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("regions.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
agreement.caption()   # the agreement version the numbers follow
# the drill-down's open tab: only its table is queried
TAB_LABELS = {k: t(f"regions.{k}") for k in TABS}
opened = page.open_tab("region_tab", TAB_LABELS)
d = load("regions", f, db.query, tab=opened)
base = d["agreement"].base_currency.iloc[0]
regions = d["regions"]
if regions.empty:
    st.info(t("regions.empty"))
    page.freshness(d["fresh"])
    st.stop()

M, N, P = tables.money(L, base), tables.number(L), tables.percent(L)


def columns(cols: dict) -> dict:
    """Each column's header (and help where one exists); the first column, the names, pinned and wide
    enough for «Нижний Новгород» or «Партнёры и рефералы» when the table scrolls sideways."""
    out = {}
    for i, c in enumerate(cols):
        help_ = f"regions.help.{c}"
        out[c] = st.column_config.Column(t(f"regions.col.{c}", currency=base), pinned=i == 0,
                                         width="medium" if i == 0 else None,
                                         help=t(help_, currency=base) if help_ in TEXT[L] else None)
    return out


COLUMNS = {"region": None, "revenue": M, "revenue_plan_period": M, "revenue_vs_plan_period": P,
           "revenue_vs_plan_to_date": P, "deals_won": N, "avg_deal": M,
           "win_rate": P, "open_pipeline": M, "spend": M, "leads": N, "cpl": M, "sourced_share": P}
table = regions[list(COLUMNS)].assign(region=[named(r, L) for r in regions.region])
tables.show(table, COLUMNS, key="regions", file_name="regions", height=min(38 + 35 * len(table), 600),
             column_config=columns(COLUMNS))
st.caption(t("regions.table_note", currency=base))

known = regions[~regions.unknown_region]
fig = go.Figure()
fig.add_bar(x=known.region, y=known.revenue.astype(float), name=t("chart.fact"), marker_color=charts.FACT)
fig.add_scatter(x=known.region, y=known.revenue_plan_period.astype(float), name=t("chart.plan"), mode="markers",
                marker={"symbol": "line-ew", "size": 28, "line": {"width": 3, "color": charts.PLAN}})
fig.add_bar(x=known.region, y=known.spend.astype(float), name=t("chart.spend"), marker_color=charts.SPEND)
fig.update_layout(barmode="group", hovermode="x", xaxis={"automargin": True},
                  yaxis=charts.value_axis([*known.revenue, *known.revenue_plan_period, *known.spend], L))
st.plotly_chart(charts.style(fig, L, t("regions.chart", currency=base)), config=charts.plotly_config(L))

st.header(t("regions.drill"))
names = regions.region.tolist()
wanted = st.query_params.get("region")
st.selectbox(t("regions.pick"), names, key="region_pick", placeholder=t("widget.choose"),
             format_func=lambda r: named(r, L),
             index=names.index(wanted) if wanted in names else names.index(default_region(regions)))
region = st.session_state["region_pick"]
st.query_params["region"] = region
dd = load("regions", f, db.query, region=region, tab=opened)
latest = latest_frame(d["fresh"]).latest.iloc[0]
m = charts.data_months(dd["monthly"], ["revenue", "spend"], latest)
x = charts.monthly_x(m.month)
partial = charts.partial_months(x, f.date_from, f.date_to, latest)
fig = go.Figure()
charts.month_bars(fig, x, m.revenue, partial, L, t("chart.fact"), charts.FACT)
charts.month_line(fig, x, m.spend, partial, L, t("chart.spend"), charts.SPEND, yaxis="y2")
y = charts.value_axis(m.revenue, L, title=base)
fig.update_layout(xaxis=charts.month_axis(x, L, partial), yaxis=y,
                  yaxis2=charts.value_axis(m.spend, L, charts.intervals(y), overlaying="y", side="right",
                                           showgrid=False))
charts.mark_activities(fig, dd["activities"], L, t, since=x[0] if x else None)
if m.empty:     # no month to draw: plotly's empty date axis would read Jan 2000 - Jan 2001
    st.markdown(f"**{t('regions.drill_chart', region=named(region, L), currency=base)}**")
    st.caption(t("chart.no_months", latest=fmt.date(latest, L)))
else:
    st.plotly_chart(charts.style(fig, L, t("regions.drill_chart", region=named(region, L), currency=base), height=400),
                    config=charts.plotly_config(L))

# one region's people, products and sources: each table the page's full width, so no name or header is cut;
# switching tabs reruns the page, which reads the opened tab's table (the rest comes from the cache)
tabs = page.tabs("region_tab", TAB_LABELS)
# the files cover the one region, not the filter's
scope = page.filters_caption(replace(f, regions=(named(region, L),)))
with tabs[opened]:
    if opened == "managers":
        cols = {"manager": None, "revenue": M, "deals_won": N, "win_rate": P, "within_sla_share": P}
        people = dd["managers"].assign(manager=[named(m, L) for m in dd["managers"].manager])
        tables.show(people[list(cols)], cols, key="managers", file_name=f"managers_{region}", scope=scope,
                    column_config=columns(cols))
    elif opened == "products":
        cols = {"product": None, "revenue": M, "deals_won": N, "avg_deal": M, "win_rate": P}
        products = dd["products"].assign(product=[named(p, L) for p in dd["products"]["product"]])
        tables.show(products[list(cols)], cols, key="products", file_name=f"products_{region}", scope=scope,
                    column_config=columns(cols))
    else:
        src = dd["sources"].assign(channel=dd["sources"]["label_" + L].fillna(dd["sources"].channel))
        cols = {"channel": None, "leads": N, "qualified_share": P, "won_deals": N, "revenue": M,
                "revenue_per_lead": M, "cpl": M}
        tables.show(src[list(cols)], cols, key="sources", file_name=f"sources_{region}", scope=scope,
                    column_config=columns(cols))
        st.caption(t("regions.sources_note"))

page.freshness(d["fresh"])
