"""The impact page's chart: the flight's regions by whole weeks against the counterfactual and its band."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui import charts


def figure(w: pd.DataFrame, row, activities: pd.DataFrame, lang: str, t) -> go.Figure:
    """`w`: weekly date, actual, counterfactual, low, high (model.views.impact.weekly_chart), only weeks
    with data; the flight shaded, the joint activities marked. The metrics (revenue, deals, leads) are never
    negative, so the band is drawn from zero where its lower end falls below it."""
    fig = go.Figure()
    w = w.assign(low=w.low.clip(lower=0))
    x = w.date + pd.Timedelta(days=3)          # a week drawn at its middle
    if w.low.notna().any():
        fig.add_scatter(x=x, y=w.high, line={"width": 0}, showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=x, y=w.low, fill="tonexty", fillcolor="rgba(157,157,157,0.3)", line={"width": 0},
                        name=t("impact.band"))
    fig.add_scatter(x=x, y=w.counterfactual, name=t("impact.counterfactual"),
                    line={"color": charts.PLAN, "dash": "dash"})
    fig.add_scatter(x=x, y=w.actual, name=t("impact.actual"), line={"color": charts.FACT}, mode="lines+markers")
    fig.add_vrect(x0=row.start_date, x1=pd.Timestamp(row.end_date) + pd.Timedelta(days=1),
                  fillcolor=charts.OWNER_COLORS["marketing"], opacity=0.1, line_width=0,
                  annotation_text=t("impact.window"), annotation_position="top left")
    values = [v for col in ("low", "high", "actual", "counterfactual") for v in w[col].dropna()]
    fig.update_layout(xaxis=charts.date_axis(w.date.min(), w.date.max() + pd.Timedelta(days=6), lang),
                      yaxis=charts.value_axis(values, lang))
    charts.mark_activities(fig, activities, lang, t, since=w.date.min())
    return charts.style(fig, lang, t("impact.chart", campaign=row.campaign, regions=", ".join(row.regions)),
                        height=420)
