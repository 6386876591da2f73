"""First-contact SLA in working time: a pure Python reference for the warehouse's work_minutes macro."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def working_minutes(start: dt.datetime, end: dt.datetime, day_start: int, day_end: int,
                    working_days: Iterable[int]) -> float:
    """Minutes between `start` and `end` that fall on a working day (ISO weekday, Monday = 1) between
    `day_start` and `day_end` o'clock; negative when `end` is before `start`. Seconds count, finer
    parts do not (as in SQL). Holidays are not known. Walks day by day: a reference, not a fast path."""
    start, end = start.replace(microsecond=0), end.replace(microsecond=0)
    if end < start:
        return -working_minutes(end, start, day_start, day_end, working_days)
    days = set(working_days)
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        if day.isoweekday() in days:
            opens = dt.datetime.combine(day, dt.time(day_start))
            closes = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=day_end)
            overlap = min(end, closes) - max(start, opens)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60


def response_hours(created_at: dt.datetime, first_contact_at: dt.datetime | None, day_start: int,
                   day_end: int, working_days: Iterable[int]) -> float | None:
    """Working hours from a lead's creation to its first contact (None when nobody has called yet)."""
    if first_contact_at is None:
        return None
    return working_minutes(created_at, first_contact_at, day_start, day_end, working_days) / 60
