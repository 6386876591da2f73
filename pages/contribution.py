"""Contribution, for marketing at the joint meeting: the attribution models side by side (how far
apart they are), sourced vs influenced revenue, ROMI per channel and campaign under the chosen model."""
import plotly.graph_objects as go
import streamlit as st

from analysis import attribution
from model import agreements
from model.views import load
from model.views.contribution import side_by_side, widest, with_models
from ui import agreement, cards, charts, db, fmt, nav, page, tables
from ui.attribution import describe, model_names
from ui.filters import current
from ui.i18n import lang, t

nav.page_run()  # first: a page runs only through app.py, with its sidebar (ui/nav.py)

L = lang()
st.title(t("contrib.title"))
page.require_data()
f = current()
st.caption(page.filters_caption(f))
agreement.caption()   # the agreement version the numbers follow
agreed = attribution.agreed_model(agreements.attribution(db.query))
st.info(t("contrib.agreed", description=describe(agreed, L)), icon=":material/handshake:")

models = list(attribution.MODELS)     # every model the chart compares
names = model_names(L)
model = st.selectbox(t("contrib.model"), models, index=models.index(agreed["name"]) if agreed["name"] in models else 0,
                     key="contrib_model", placeholder=t("widget.choose"),
                     format_func=lambda m: names[m] + (t("contrib.agreed_mark", L) if m == agreed["name"] else ""))
d = with_models(load("contribution", f, db.query, model=model))
base = d["agreement"].base_currency.iloc[0]
labels = dict(zip(d["channels"].channel, d["channels"]["label_" + L], strict=True))
labels[attribution.UNATTRIBUTED] = t("contrib.unattributed")
if d["by_channel"].empty:
    st.info(t("contrib.empty"))
    page.freshness(d["fresh"])
    st.stop()

sbs = side_by_side(d)
fig = go.Figure()
x = [labels.get(c, c) for c in sbs.index]
fig.add_bar(x=x, y=sbs["range"], base=sbs.low, marker_color="rgba(150,150,150,0.25)",
            name=t("contrib.range"), hoverinfo="skip")
symbols = ["circle", "square", "diamond", "cross", "x", "triangle-up", "star", "hexagon"]
for i, m in enumerate(c for c in sbs.columns if c in names):
    fig.add_scatter(x=x, y=sbs[m], mode="markers", name=names[m],
                    marker={"symbol": symbols[i % len(symbols)], "size": 11 if m == model else 8})
fig.update_layout(yaxis=charts.value_axis([*sbs.low, *sbs.high], L), hovermode="x")
st.plotly_chart(charts.style(fig, L, t("contrib.chart", currency=base), height=430), config=charts.plotly_config(L))
if (ch := widest(sbs)) is not None:
    st.caption(t("contrib.spread", channel=labels.get(ch, ch), low=fmt.compact(sbs.at[ch, "low"], L, base),
                 high=fmt.compact(sbs.at[ch, "high"], L, base)))
# fitted on the whole company's paths: withheld from a regional user (model/access.py, "company")
st.caption(t("rls.data_driven") if db.company_withheld() else t("contrib.data_driven_note"))

st.subheader(t("contrib.sourced"))
s = d["summary"].iloc[0]
u = d["unattributed"].iloc[0]
row = cards.row()
cards.card(row, t("contrib.revenue", currency=base), fmt.compact(s.revenue, L, base),
           help_=t("contrib.revenue.help", currency=base))
for key, value, share in (("sourced", s.sourced_revenue, s.sourced_share),
                          ("influenced", s.influenced_revenue, s.influenced_share),
                          ("unattributed", u.unattributed, u.share)):
    cards.card(row, t(f"contrib.{key}_rev"), fmt.compact(value, L, base),
               t("kpi.of_revenue", share=fmt.percent(share, L, 0)), t(f"contrib.{key}.help"))

fmts = {"revenue": tables.number(L), "pipeline": tables.number(L), "won_deals": tables.number(L),
        "spend": tables.number(L), "romi": tables.percent(L), "leads": tables.number(L), "cpl": tables.number(L)}
st.subheader(t("contrib.by_channel", model=names[model]))
ch = d["by_channel"]
ch = ch.assign(channel=[labels.get(c, c) for c in ch.channel])
cols = ["channel", "revenue", "pipeline", "won_deals", "spend", "romi", "leads", "cpl"]
# amounts shown as plain numbers (the currency is in the note), money with kopecks in the Excel file
money_kinds = {"revenue": "money", "pipeline": "money", "spend": "money", "cpl": "money"}
tables.show(ch[cols], fmts, kinds=money_kinds, key="by_channel", file_name=f"attribution_{model}_by_channel",
            column_config={c: t(f"contrib.col.{c}") for c in cols})
st.caption(t("contrib.table_note", currency=base)
           + (" " + t("contrib.table_note_data_driven", model=names[model])
              if model in attribution.DATA_DRIVEN_MODELS else ""))
# spend whose campaign maps to no channel sits in the Unattributed row: the registry gives it no ROMI, say why
lost = d["by_channel"][d["by_channel"].channel == attribution.UNATTRIBUTED].spend.sum(min_count=1)
if lost > 0:
    st.caption(t("contrib.unattributed_no_romi", spend=fmt.money(lost, base, L, 0)))

campaign_model = d["model"].campaign_model.iloc[0]
st.subheader(t("contrib.by_campaign", model=names[campaign_model]))
if campaign_model != model:
    st.caption(t("contrib.campaign_rule_model", picked=names[model], model=names[campaign_model]))
cp = d["by_campaign"]
cp = cp.assign(channel=[labels.get(c, c) for c in cp.channel],
               campaign=cp.campaign.fillna(t("contrib.no_campaign")))
cols = ["campaign", "channel", "revenue", "won_deals", "spend", "romi", "leads", "cpl"]
top = cp.sort_values("revenue", ascending=False).head(200)
tables.show(top[cols], fmts, kinds=money_kinds, key="by_campaign",
            file_name=f"attribution_{campaign_model}_by_campaign",
            column_config={c: t(f"contrib.col.{c}") for c in cols})
st.caption(t("contrib.campaign_note"))
page.freshness(d["fresh"])
