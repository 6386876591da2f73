"""Contribution, for marketing at the joint meeting: the attribution models side by side (how far
apart they are), sourced vs influenced revenue, ROMI per channel and campaign under the agreed model."""
import plotly.graph_objects as go
import streamlit as st

from analysis import attribution
from ui import charts, db, fmt, page, tables
from ui.filters import current
from ui.i18n import lang, t
from ui.views import load
from ui.views.contribution import main_currency, side_by_side

L = lang()
st.title(t("contrib.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
agreed = attribution.agreed_model()
st.info(t("contrib.agreed", description=agreed["description"][L]), icon=":material/handshake:")

models = list(attribution.RULE_MODELS)
names = {m: attribution.MODEL_NAMES[m][0 if L == "ru" else 1] for m in attribution.MODEL_NAMES}
model = st.selectbox(t("contrib.model"), models, index=models.index(agreed["name"]), key="contrib_model",
                     format_func=lambda m: names[m] + (t("contrib.agreed_mark", L) if m == agreed["name"] else ""))
d = load("contribution", f, db.query, model=model)
base = d["agreement"].base_currency.iloc[0]
labels = dict(zip(d["channels"].channel, d["channels"]["label_" + L]))
labels[attribution.UNATTRIBUTED] = t("contrib.unattributed")
if d["by_channel"].empty:
    st.info(t("contrib.empty"))
    page.freshness(d["fresh"])
    st.stop()
currency = main_currency(d["by_channel"], base)

sbs = side_by_side(d, currency)
fig = go.Figure()
x = [labels.get(c, c) for c in sbs.index]
fig.add_bar(x=x, y=sbs.high - sbs.low, base=sbs.low, marker_color="rgba(150,150,150,0.25)",
            name=t("contrib.range"), hoverinfo="skip")
symbols = ["circle", "square", "diamond", "cross", "x", "triangle-up", "star", "hexagon"]
for i, m in enumerate(c for c in sbs.columns if c in names):
    fig.add_scatter(x=x, y=sbs[m], mode="markers", name=names[m],
                    marker={"symbol": symbols[i % len(symbols)], "size": 11 if m == model else 8})
fig.update_layout(yaxis=charts.value_axis([*sbs.low, *sbs.high], L), hovermode="x")
st.plotly_chart(charts.style(fig, L, t("contrib.chart", currency=currency), height=430))
widest = sbs.spread.dropna()
if not widest.empty:
    ch = widest.idxmax()
    st.caption(t("contrib.spread", channel=labels.get(ch, ch), low=fmt.compact(sbs.at[ch, "low"], L, currency),
                 high=fmt.compact(sbs.at[ch, "high"], L, currency)))

st.subheader(t("contrib.sourced"))
summary = attribution.sourced_summary(d["by_channel"])
for r in summary.itertuples():
    c = st.columns(3)
    c[0].metric(t("contrib.attributed", currency=r.currency), fmt.compact(r.revenue, L, r.currency), border=True)
    c[1].metric(t("contrib.sourced_rev"), fmt.compact(r.sourced_revenue, L, r.currency),
                fmt.percent(r.sourced_share, L, 0), delta_color="off", border=True, help=t("contrib.sourced.help"))
    c[2].metric(t("contrib.influenced_rev"), fmt.compact(r.influenced_revenue, L, r.currency),
                fmt.percent(r.influenced_share, L, 0), delta_color="off", border=True,
                help=t("contrib.influenced.help"))

st.subheader(t("contrib.by_channel", model=names[model]))
ch = attribution.with_returns(d["by_channel"])
ch = ch.assign(channel=[labels.get(c, c) for c in ch.channel])
cols = ["channel", "currency", "revenue", "pipeline", "won_deals", "spend", "romi", "leads", "cpl"]
fmts = {"revenue": tables.number(L), "pipeline": tables.number(L), "won_deals": tables.number(L),
        "spend": tables.number(L), "romi": tables.percent(L), "leads": tables.number(L), "cpl": tables.number(L)}
tables.show(ch[cols], fmts, key="by_channel", file_name=f"attribution_{model}_by_channel",
             column_config={c: t(f"contrib.col.{c}") for c in cols})
st.caption(t("contrib.table_note"))

st.subheader(t("contrib.by_campaign", model=names[model]))
cp = attribution.with_returns(d["by_campaign"])
cp = cp.assign(channel=[labels.get(c, c) for c in cp.channel],
               campaign=cp.campaign.fillna(t("contrib.no_campaign")))
cols = ["campaign", "channel", "currency", "revenue", "won_deals", "spend", "romi", "leads", "cpl"]
top = cp.sort_values("revenue", ascending=False).head(200)
tables.show(top[cols], fmts, key="by_campaign", file_name=f"attribution_{model}_by_campaign",
             column_config={c: t(f"contrib.col.{c}") for c in cols})
page.freshness(d["fresh"])
