"""Tables in the reader's locale that still sort by value: a pandas Styler shows fmt's text while
the grid keeps the numbers underneath (so a click on a header sorts 9 before 10)."""
from __future__ import annotations

from functools import partial

import pandas as pd

from ui import fmt


def money(lang: str, currency: str):
    return partial(fmt.money, currency=currency, lang=lang)


def number(lang: str, decimals: int = 0):
    return partial(fmt.number, lang=lang, decimals=decimals)


def percent(lang: str, decimals: int = 0):
    return partial(fmt.percent, lang=lang, decimals=decimals)


def styled(frame: pd.DataFrame, formats: dict) -> "pd.io.formats.style.Styler":
    """`formats`: column -> function of one value returning its text (fmt.DASH for missing)."""
    present = {c: f for c, f in formats.items() if c in frame.columns}
    return frame.style.format(present, na_rep=fmt.DASH)
