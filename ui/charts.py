"""Chart helpers every page shares: locale-aware layout, owner colours, joint-activity markers."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from ui import fmt

# Neutral, distinguishable colours for the departments; the same on every page and in the deck.
OWNER_COLORS = {"marketing": "#4C78A8", "sales": "#F58518", "company": "#54A24B", "partner": "#B279A2"}
FACT, PLAN, SPEND = "#4C78A8", "#9D9D9D", "#E45756"
BESIDE_OWNERS = "#72B7B2"   # a fact series drawn next to owner-coloured marks (FACT is marketing's blue)


def separators(lang: str) -> str:
    """plotly's decimal mark then thousands separator: '1 234,5' in Russian, '1,234.5' in English."""
    return ",\u00a0" if lang == "ru" else ".,"


def style(fig: go.Figure, lang: str, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(title=title, separators=separators(lang), height=height, hovermode="x unified",
                      margin={"t": 60 if title else 20, "b": 30, "l": 10, "r": 10},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def mark_activities(fig: go.Figure, activities: pd.DataFrame, lang: str, t) -> go.Figure:
    """Each joint activity as a light band over its dates, coloured by owner, with a marker on top
    whose hover says who did what, where and when; the markers are one legend entry per owner."""
    if activities is None or activities.empty:
        return fig
    fig.update_layout(yaxis9={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True})
    for owner, group in activities.groupby("owner", sort=True):
        color = OWNER_COLORS.get(owner, "#888888")
        for a in group.itertuples():
            end = (a.end_date or a.start_date) + dt.timedelta(days=1)
            fig.add_vrect(x0=a.start_date, x1=end, fillcolor=color, opacity=0.08, line_width=0, layer="below")
        text = [f"{a.title}<br>{t('owner.' + a.owner)} · {a.region or t('all_regions')}<br>"
                f"{fmt.date(a.start_date, lang)} – {fmt.date(a.end_date or a.start_date, lang)}"
                for a in group.itertuples()]
        fig.add_trace(go.Scatter(
            x=list(group.start_date), y=[0.97] * len(group), yaxis="y9", mode="markers",
            marker={"symbol": "triangle-down", "size": 10, "color": color},
            name=t("activities.legend", owner=t("owner." + owner)), hovertext=text, hoverinfo="text"))
    return fig


def monthly_x(months: pd.Series) -> list:
    """Month starts as dates, so bars share the axis with activity bands."""
    return [pd.Timestamp(m) for m in months]
