"""The sidebar's filters, kept in the URL so a view can be sent as a link.

`sidebar()` draws them in app.py; pages call `current()` for a `model.filters.Filters` value. The
period arithmetic and URL parsing are model.filters (pure, tested without Streamlit).
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from model.access import narrow
from model.filters import DEFAULT_PERIOD, PERIODS, Filters, from_query, period_bounds, to_query, today
from ui.auth import current_user

__all__ = ["Filters", "current", "sidebar"]

EARLIEST = dt.date(2000, 1, 1)   # the custom period's calendar starts here (or at an older date it shows)


def sidebar(t, regions: list[str], products: list[str]) -> Filters:
    """Draws the filters (initialised from the URL on a session's first run) and writes them back."""
    state = st.session_state
    if "f_period" not in state:
        asked = dict(st.query_params)
        first = from_query(asked, today())
        # a link whose period cannot be read (dates that are not dates, a start after the end) opens on the
        # default period, and says so until another period is chosen
        state["f_link_refused"] = "period" in asked and first.period != asked["period"]
        state["f_period"] = first.period
        state["f_from"], state["f_to"] = first.date_from, first.date_to
        state["f_regions"] = [r for r in first.regions if r in regions]
        state["f_products"] = [p for p in first.products if p in products]
    # the period's labels are translated, and a selectbox keeps its value by label: one widget per
    # language, each started from (and copied back to) the language-free state["f_period"]
    lang = state.get("lang", "ru")
    key = f"f_period_{lang}"
    state.setdefault(key, state["f_period"])
    if state[key] != state["f_period"]:
        state[key] = state["f_period"]
    st.selectbox(t("filter.period"), PERIODS, key=key, placeholder=t("widget.choose"),
                 format_func=lambda p: t(f"period.{p}", lang), on_change=_period_changed, args=(key,))
    if state.get("f_link_refused"):
        st.warning(t("filter.link_refused", period=t(f"period.{state['f_period']}", lang)))
    if state["f_period"] == "custom":
        _dates(t)
    # empty means all, so Streamlit's English "Select all" entry would only repeat it
    st.multiselect(t("filter.regions"), regions, key="f_regions", placeholder=t("filter.all"), select_all=False)
    st.multiselect(t("filter.products"), products, key="f_products", placeholder=t("filter.all"), select_all=False)
    f = _chosen()
    for key in ("period", "from", "to", "regions", "products"):   # stale keys leave the URL
        if key in st.query_params and key not in to_query(f):
            del st.query_params[key]
    for key, value in to_query(f).items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    return f


def _dates(t) -> None:
    """The custom period as two date fields. One range field would show Streamlit's own quick-select
    ("Date range", "Select...", "Past Week") in English, which no parameter translates; each field's
    bounds keep the start on or before the end. Streamlit commits a typed date when the calendar closes;
    ui/st_texts.py makes Enter close it, and the help says so."""
    state = st.session_state
    if "f_from" not in state or "f_to" not in state:   # a field not drawn in a run loses its state
        start, end = period_bounds(DEFAULT_PERIOD, today())
        state["f_from"], state["f_to"] = state.get("f_from", start), state.get("f_to", end)
    # Streamlit's own bounds are ten years either side of today: a link to older (or later) dates would
    # put its minimum above its maximum and stop the page, so the outer bounds take in the dates shown
    first = min(state["f_from"], state["f_to"], EARLIEST)
    last = max(state["f_from"], state["f_to"], today() + dt.timedelta(days=3653))
    st.date_input(t("filter.from"), key="f_from", min_value=first, max_value=max(state["f_to"], first),
                  format="DD.MM.YYYY", help=t("filter.date.help"))
    st.date_input(t("filter.to"), key="f_to", min_value=min(state["f_from"], last), max_value=last,
                  format="DD.MM.YYYY", help=t("filter.date.help"))


def _period_changed(src: str) -> None:
    """The period widget's choice into the language-free state; a switch to custom dates starts from
    the dates shown until now."""
    state = st.session_state
    state["f_link_refused"] = False
    if state[src] == "custom" and state.get("f_period") != "custom":
        shown = current()
        state["f_from"], state["f_to"] = shown.date_from, shown.date_to
    state["f_period"] = state[src]


def current() -> Filters:
    """The filters as the sidebar holds them in this session, narrowed to the user's regions (their own
    when none of theirs is chosen: model.access.narrow), so captions name what the numbers cover."""
    return narrow(_chosen(), current_user())


def _chosen() -> Filters:
    state = st.session_state
    period = state.get("f_period", DEFAULT_PERIOD)
    regions, products = tuple(state.get("f_regions", ())), tuple(state.get("f_products", ()))
    if period == "custom":
        start, end = state.get("f_from"), state.get("f_to")
        if start is not None and end is not None and start <= end:
            return Filters(period, start, end, regions, products)
        period = DEFAULT_PERIOD
    start, end = period_bounds(period, today())
    return Filters(period, start, end, regions, products)
