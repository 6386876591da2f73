"""The sidebar's filters, kept in the URL so a view can be sent as a link.

`sidebar()` draws them in app.py; pages call `current()` for a `model.filters.Filters` value. The
period arithmetic and URL parsing are model.filters (pure, tested without Streamlit).
"""
from __future__ import annotations

import streamlit as st

from model.filters import DEFAULT_PERIOD, PERIODS, Filters, from_query, period_bounds, to_query, today

__all__ = ["Filters", "current", "sidebar"]


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
