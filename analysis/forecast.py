"""Run-rate forecast of a period's total from what has happened so far."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RunRate:
    fact: float
    forecast: float | None      # None: the period has not started in the data
    elapsed_days: int
    period_days: int
    finished: bool


def run_rate(fact: float, start: dt.date, end: dt.date, as_of: dt.date | None) -> RunRate:
    """fact / elapsed days x period days, with elapsed counted up to `as_of` (the data's latest
    day); a finished period's forecast is its fact."""
    days = (end - start).days + 1
    if isinstance(as_of, dt.datetime):      # a pandas Timestamp from a query, or NaT when no data
        as_of = None if pd.isna(as_of) else as_of.date()
    if as_of is None or as_of < start:
        return RunRate(fact, None, 0, days, False)
    elapsed = min((as_of - start).days + 1, days)
    if elapsed >= days:
        return RunRate(fact, fact, days, days, True)
    return RunRate(fact, fact / elapsed * days, elapsed, days, False)
