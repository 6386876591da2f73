"""The Meeting page's PPTX and PDF: built on the click, their charts drawn once per choice and data."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from report import deck as decks
from report import render
from report.make import files
from ui import trail


@st.cache_data(show_spinner=False, max_entries=8)
def chart_images(key: tuple, _deck: decks.Deck) -> dict[int, bytes]:
    """The deck's charts as PNG, drawn once per `key` (filters, deck language, sections and warehouse
    build): drawing them takes 7-9 s, writing the PPTX or the PDF from them well under a second. A second
    download, the other format, or the same choice after a rerun or in another session reuses them."""
    return render.slide_images(_deck)


def download(deck: decks.Deck, key: tuple, kind: str) -> Callable[[], bytes]:
    """The `data` of a download button: the file, built when clicked (Streamlit shows the button busy
    meanwhile) in a thread of its own, so everything it needs is passed in; recorded in the audit trail
    before it is handed out (ui/trail.py)."""
    def build() -> bytes:
        deck.images = chart_images(key, deck)
        return files(deck, (kind,))[kind]
    # key: date_from, date_to, regions, products, deck language, sections, warehouse build
    detail = {"kind": kind, "period": [str(key[0]), str(key[1])], "regions": list(key[2]), "products": list(key[3]),
              "sections": list(key[5]), "slides": len(deck.slides) + 1}
    return trail.exported(build, f"deck.{kind}", detail, str(key[4]))
