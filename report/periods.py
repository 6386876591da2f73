"""The deck's periods: which window a deck covers, how it is named, and the window after it."""
from __future__ import annotations

import datetime as dt

from ui import fmt
from ui.filters import Filters, add_months, month_end


def is_quarter(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and start.month % 3 == 1 and end == month_end(add_months(start, 2))


def period_label(f: Filters, lang: str) -> str:
    """'2025-Q1' for a calendar quarter, else the dates."""
    if is_quarter(f.date_from, f.date_to):
        return f"{f.date_from.year}-Q{(f.date_from.month - 1) // 3 + 1}"
    return f"{fmt.date(f.date_from, lang)} – {fmt.date(f.date_to, lang)}"


def next_period(f: Filters) -> Filters:
    """The quarter after a quarter; otherwise a window of the same length right after the period."""
    if is_quarter(f.date_from, f.date_to):
        start = add_months(f.date_from, 3)
        end = month_end(add_months(start, 2))
    else:
        start = f.date_to + dt.timedelta(days=1)
        end = start + (f.date_to - f.date_from)
    return Filters("custom", start, end, f.regions, f.products)
