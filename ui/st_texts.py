"""Streamlit's own widget texts in the reader's language, and a typed date applied on Enter.

Streamlit 1.67 writes some texts in its frontend in English whatever the app's language, and no parameter
or option changes them: the file uploader's button and size limit ("Upload", "200MB per file"), the
table toolbar's tooltips ("Download as CSV", "Search"), a table column's menu (with its format and
statistics submenus), the date field's
placeholder ("dd.mm.yyyy"); and it commits a typed date only when the calendar closes, not on Enter.
`inject()` sends one small script (ui/st_texts.js, run in the app's document by st.html) that rewrites
exactly the English strings listed in ui/locales/streamlit.toml on the elements of those widgets
(data-testid selectors), never other text, and closes the calendar on Enter as Escape does. Its element
is hidden, so it leaves no gap; the script keeps one observer per browser tab however often it runs, and
puts the English back when the reader switches to English.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import streamlit as st

from ui.i18n import TEXT

SCRIPT = Path(__file__).with_suffix(".js")
ANCHOR = "parity-st-texts"
# (text key prefix, the elements whose own texts those are, the attribute holding them or None for text)
RULES = (
    ("st.uploader.", '[data-testid="stFileUploaderDropzone"]', None),
    ("st.uploader.", '[data-testid="stFileUploaderDropzone"] button', "aria-label"),
    ("st.uploader_size.", '[data-testid="stFileUploader"]', None),
    ("st.toolbar.", '[data-testid="stElementToolbarButton"] button', "aria-label"),
    ("st.toolbar.", '[data-testid="stTooltipContent"]', None),
    ("st.toolbar.", '.modebar-btn', "data-title"),   # the fullscreen button Streamlit adds to a chart's modebar
    ("st.colmenu.", '[data-testid="stDataFrameColumnMenu"] [role="menuitem"]', None),
    ("st.colmenu_label.", '[data-testid="stDataFrameColumnMenu"] button', "aria-label"),
    ("st.colmenu_label.", '[data-testid="stDataFrameColumnMenu"] button', "title"),
    ("st.colformat.", '[data-testid="stDataFrameColumnFormattingMenu"]', None),
    ("st.colstats.", '[data-testid="stDataFrameStatisticsMenu"]', None),   # labels; the numbers never match
    ("st.date.", '[data-testid="stDateInputField"] [role="spinbutton"][data-placeholder]', None),
    ("st.date_button.", '[data-testid="stDateInput"] button', "aria-label"),
)


def _keys(prefix: str) -> list[str]:
    return [k for k in TEXT["en"] if k.startswith(prefix)]


def _pattern(english: str) -> str:
    """An English template as an anchored regex: "{size} per file" -> "^(\\S+) per file$"."""
    return "^" + re.escape(english).replace(re.escape("{size}"), r"(\S+)") + "$"


def config(lang: str) -> dict:
    """What the script needs: per rule its selector and {English: the reader's text}; templates as regexes.
    In English nothing to replace, only originals to put back."""
    rules = []
    for prefix, selector, attr in RULES:
        texts, patterns = {}, []
        for key in _keys(prefix) if lang != "en" else ():
            english, own = TEXT["en"][key], TEXT[lang][key]
            if "{size}" in english:
                patterns.append({"regex": _pattern(english), "to": own})
            else:
                texts[english] = own
        rules.append({"selector": selector, "attr": attr, "texts": texts, "patterns": patterns,
                      "prefixed": attr == "aria-label"})
    units = {k.removeprefix("st.unit."): TEXT[lang][k] for k in _keys("st.unit.")}
    return {"lang": lang, "rules": rules, "units": units, "decimal": "," if lang == "ru" else "."}


def html(lang: str) -> str:
    """The element st.html gets: a style hiding its own container (no gap in the layout), the script."""
    script = SCRIPT.read_text(encoding="utf-8").replace("/*CONFIG*/null", json.dumps(config(lang)))
    hide = (f'[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > #{ANCHOR})'
            "{display:none}")
    return f'<style>{hide}</style><span id="{ANCHOR}"></span><script>{script}</script>'


def inject(lang: str) -> None:
    """Sends the translator for `lang` (app.py, every run, before the page draws anything)."""
    st.html(html(lang), unsafe_allow_javascript=True)
