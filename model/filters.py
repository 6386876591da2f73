"""The shared filters (period, regions, products) and the period arithmetic, as pure functions.

A `Filters` value is what every view, metric and report takes; `params()` gives the $date_from, $date_to,
$regions, $products parameters every queries/app file takes. The URL form (`from_query`/`to_query`) is
how a view is sent as a link. No Streamlit here: ui/filters.py draws the widgets.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
