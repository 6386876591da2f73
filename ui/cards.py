"""Metric cards that never cut their text: a row that wraps, each card as wide as its label, value and note."""
from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def row() -> DeltaGenerator:
    """Cards share a line while they fit and wrap to the next one when they do not. st.columns gives each
    card a fixed share of the width instead, and at 1100 px "Выручка с участием маркетинга" or
    "12,6 млн ₽" were cut with "…"."""
    return st.container(horizontal=True, gap="small")


def card(where: DeltaGenerator, label: str, value: str, note: str | None = None, help_: str | None = None) -> None:
    """One bordered card in `where` (a row). `note` under the value states a fact about it ("59 % плана",
    a range, a share), never a change over time: no arrow, no colour, so a value below plan never
    shows an "up" arrow."""
    where.metric(label, value, delta=note, help=help_, border=True, delta_color="off", delta_arrow="off")
