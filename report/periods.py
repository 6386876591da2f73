"""The deck's periods: the text that names one (`python -m report --period`, the Meeting page's link),
how a period is labelled, and the window after it. Pure functions of their inputs."""
from __future__ import annotations

import datetime as dt
import re

from model.filters import PERIODS, Filters, add_months, month_end, period_bounds
from ui import fmt

RELATIVE = tuple(p for p in PERIODS if p != "custom")    # the sidebar's periods, around today
_YEAR, _MONTH = re.compile(r"(\d{4})"), re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER, _DAY = re.compile(r"(\d{4})-[Qq]([1-4])"), re.compile(r"\d{4}-\d{2}-\d{2}")
FORMS = ("a month (2026-03), a quarter (2026-Q1), a year (2026), days FIRST..LAST (2026-02-15..2026-05-10) "
         f"or one of {', '.join(RELATIVE)}")


def _absolute(text: str) -> tuple[dt.date, dt.date] | None:
    """The dates of a year, quarter, month or day written as text; None for anything else."""
    try:
        if m := _YEAR.fullmatch(text):
            return dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
        if m := _QUARTER.fullmatch(text):
            start = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
            return start, month_end(add_months(start, 2))
        if m := _MONTH.fullmatch(text):
            start = dt.date(int(m[1]), int(m[2]), 1)
            return start, month_end(start)
        if _DAY.fullmatch(text):
            day = dt.date.fromisoformat(text)
            return day, day
    except ValueError:      # month 13, 30 February, year 0
        return None
    return None


def parse_period(text: str, today: dt.date, where: str = "period") -> tuple[dt.date, dt.date]:
    """The first and last day a period text names: a month, a quarter, a year, a day, a range FIRST..LAST
    of those (its first's start to its last's end), or one of the sidebar's periods (month, quarter,
    year, last12) as the sidebar counts it from `today`. ValueError, one line naming `where`, otherwise."""
    text = text.strip()
    if text in RELATIVE:
        return period_bounds(text, today)
    first, dots, last = text.partition("..")
    if dots:
        a, b = _absolute(first.strip()), _absolute(last.strip())
        if a and b:
            if a[0] > b[1]:
                raise ValueError(f"{where} {text!r} ends before it starts: write the first day, then '..', "
                                 "then the last (e.g. 2026-02-15..2026-05-10)")
            return a[0], b[1]
    elif found := _absolute(text):
        return found
    raise ValueError(f"{where} {text!r} is not a period the deck reads: write {FORMS}")


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
