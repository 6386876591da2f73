"""Overview: the CEO's landing page: headline numbers, won revenue by month, data freshness."""
import plotly.graph_objects as go
import streamlit as st

from ui import db, fmt
from ui.i18n import lang, t

L = lang()
st.title(t("overview.title"))

counts = db.query("overview_counts") if db.warehouse_exists() else None
if counts is None or counts.at[0, "deals"] == 0:
    st.info(f"**{t('empty.title')}**\n\n" + t("empty.body").format(path=db.warehouse_path()),
            icon=":material/database:")
    st.stop()

st.caption(t("overview.caption"))
money = db.query("overview_money")  # one row per currency: amounts in different currencies never add up
n = counts.iloc[0]


def money_metrics(column: str) -> list[tuple]:
    """One (label, value, help) per currency that has any of `column`; a dash when none does."""
    rows = money[money[column] != 0]
    # compact so that a billion still fits a metric tile; the tooltip has it to the kopeck
    return [(f"{t(column)}, {r.currency}", fmt.compact(getattr(r, column), L, r.currency),
             t("exact").format(value=fmt.money(getattr(r, column), r.currency, L, decimals=2)))
            for r in rows.itertuples()] or [(t(column), fmt.DASH, None)]


def metric_rows(items: list[tuple], per_row: int = 4) -> None:
    """Tiles of one width on every row, so "2,4 млрд ₽" fits whatever the number of currencies."""
    for start in range(0, len(items), per_row):
        for col, (label, value, help_) in zip(st.columns(per_row), items[start:start + per_row]):
            col.metric(label, value, help=help_, border=True)


metric_rows(money_metrics("won_revenue") + [
    (t("won_deals"), fmt.number(n.won_deals, L), None),
    (t("win_rate"), fmt.percent(n.win_rate, L), t("win_rate.help")),
])
metric_rows(money_metrics("open_pipeline") + money_metrics("ad_spend") + [
    (t("leads"), fmt.number(n.leads, L), None),
])

chart_col, fresh_col = st.columns(2, gap="large")

with chart_col:
    # the main currency: the most won revenue (the query puts it first)
    currency = money.currency.iloc[0] if len(money) else None
    monthly = db.query("revenue_by_month", currency=currency) if currency else None
    if monthly is None or monthly.empty:
        st.caption(t("chart.no_won"))
    else:
        fig = go.Figure(go.Bar(
            x=[fmt.month(m, L) for m in monthly.month],
            y=monthly.revenue.tolist(),
            # labels on the bars only while they stay legible; the hover always has the amount
            text=[fmt.compact(v, L, currency) if v and len(monthly) <= 12 else "" for v in monthly.revenue],
            customdata=[fmt.money(v, currency, L) for v in monthly.revenue],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        ))
        fig.update_layout(
            title=t("chart.revenue_by_month").format(currency=currency),
            separators=",\u00a0" if L == "ru" else ".,",  # plotly: decimal mark, then thousands
            yaxis_tickformat=",.0f", xaxis_type="category", height=380,
            margin={"t": 60, "b": 30, "l": 10, "r": 10},
        )
        st.plotly_chart(fig)

with fresh_col:
    st.subheader(t("freshness.title"))
    fresh = db.query("freshness")
    table = fresh.assign(  # a new frame: the cached one stays untouched
        source=[t(f"source.{s}") for s in fresh.source],
        row_count=[fmt.number(v, L) for v in fresh.row_count],
    )
    date_fmt = "DD.MM.YYYY" if L == "ru" else "YYYY-MM-DD"
    st.dataframe(table, hide_index=True, column_config={
        "source": t("col.source"),
        "latest": st.column_config.DateColumn(t("col.latest"), format=date_fmt),
        "row_count": t("col.rows"),
        "loaded_at": st.column_config.DatetimeColumn(t("col.loaded_at"), format=date_fmt),
    })
    built = db.query("warehouse_built_at")
    when = fmt.timestamp(built.built_at.iloc[0], L) if len(built) else fmt.DASH
    st.caption(t("freshness.built_at").format(when=when))
