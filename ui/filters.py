"""The shared filters (period, regions, products), kept in the URL so a view can be sent as a link.

`sidebar()` draws them in app.py; pages call `current()` for a `Filters` value and `Filters.params()`
for the $date_from/$date_to/$regions/$products parameters every queries/app file takes. The pure
parts (period arithmetic, URL parsing) are functions of their inputs, tested without Streamlit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

PERIODS = ("month", "quarter", "year", "last12", "custom")
DEFAULT_PERIOD = "quarter"
SEP = ","   # list values in the URL: ?regions=Москва,Казань


@dataclass(frozen=True)
class Filters:
    period: str
    date_from: dt.date
    date_to: dt.date          # inclusive
    regions: tuple[str, ...] = ()   # empty: all
    products: tuple[str, ...] = ()

    def params(self) -> dict:
        return {"date_from": self.date_from, "date_to": self.date_to,
                "regions": list(self.regions), "products": list(self.products)}


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar period containing `today` (or the 12 months up to it), as inclusive dates."""
    if period == "month":
        start = today.replace(day=1)
        return start, month_end(start)
    if period == "quarter":
        start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return start, month_end(add_months(start, 2))
    if period == "year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    if period == "last12":
        start = add_months(today.replace(day=1), -11)
        return start, month_end(today.replace(day=1))
    raise ValueError(f"unknown period {period!r}")


def add_months(d: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `d`'s month (n may be negative)."""
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def month_end(d: dt.date) -> dt.date:
    """The last day of `d`'s month."""
    return add_months(d.replace(day=1), 1) - dt.timedelta(days=1)


def from_query(query: dict, today: dt.date) -> Filters:
    """Filters from URL parameters; anything unreadable falls back to the default, never an error."""
    period = str(query.get("period", DEFAULT_PERIOD))
    period = period if period in PERIODS else DEFAULT_PERIOD
    regions = tuple(v for v in str(query.get("regions", "")).split(SEP) if v)
    products = tuple(v for v in str(query.get("products", "")).split(SEP) if v)
    if period == "custom":
        try:
            start, end = dt.date.fromisoformat(query["from"]), dt.date.fromisoformat(query["to"])
            if start <= end:
                return Filters(period, start, end, regions, products)
        except (KeyError, ValueError):
            pass
        period = DEFAULT_PERIOD
    start, end = period_bounds(period, today)
    return Filters(period, start, end, regions, products)


def to_query(f: Filters) -> dict[str, str]:
    out = {"period": f.period}
    if f.period == "custom":
        out.update({"from": f.date_from.isoformat(), "to": f.date_to.isoformat()})
    if f.regions:
        out["regions"] = SEP.join(f.regions)
    if f.products:
        out["products"] = SEP.join(f.products)
    return out


def today() -> dt.date:
    return dt.date.today()


def sidebar(t, regions: list[str], products: list[str]) -> Filters:
    """Draws the filters (initialised from the URL on a session's first run) and writes them back."""
    state = st.session_state
    if "f_period" not in state:
        first = from_query(dict(st.query_params), today())
        state["f_period"] = first.period
        state["f_range"] = (first.date_from, first.date_to)
        state["f_regions"] = [r for r in first.regions if r in regions]
        state["f_products"] = [p for p in first.products if p in products]
    # the period's labels are translated, and a selectbox keeps its value by label: one widget per
    # language, each started from (and copied back to) the language-free state["f_period"]
    lang = state.get("lang", "ru")
    key = f"f_period_{lang}"
    state.setdefault(key, state["f_period"])
    if state[key] != state["f_period"]:
        state[key] = state["f_period"]
    st.selectbox(t("filter.period"), PERIODS, key=key, format_func=lambda p: t(f"period.{p}", lang),
                 on_change=_copy, args=(key, "f_period"))
    if state["f_period"] == "custom":
        st.date_input(t("filter.range"), key="f_range", format="DD.MM.YYYY")
    st.multiselect(t("filter.regions"), regions, key="f_regions", placeholder=t("filter.all"))
    st.multiselect(t("filter.products"), products, key="f_products", placeholder=t("filter.all"))
    f = current()
    for key in ("period", "from", "to", "regions", "products"):   # stale keys leave the URL
        if key in st.query_params and key not in to_query(f):
            del st.query_params[key]
    for key, value in to_query(f).items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    return f


def _copy(src: str, dst: str) -> None:
    st.session_state[dst] = st.session_state[src]


def current() -> Filters:
    """The filters as the sidebar holds them in this session."""
    state = st.session_state
    period = state.get("f_period", DEFAULT_PERIOD)
    regions, products = tuple(state.get("f_regions", ())), tuple(state.get("f_products", ()))
    if period == "custom":
        rng = tuple(state.get("f_range", ()))
        if len(rng) == 2 and rng[0] <= rng[1]:
            return Filters(period, rng[0], rng[1], regions, products)
        if len(rng) == 1:   # the picker holds one end while the user chooses the other
            return Filters(period, rng[0], rng[0], regions, products)
        period = DEFAULT_PERIOD
    start, end = period_bounds(period, today())
    return Filters(period, start, end, regions, products)
