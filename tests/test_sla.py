"""The SLA's working time: analysis.sla (pure Python) against the warehouse's work_minutes macro."""
from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from analysis.sla import response_hours, working_minutes
from etl.sqlfiles import run_file

HOURS = (9, 19)
WEEKDAYS = [1, 2, 3, 4, 5]
T = dt.datetime

# (start, end, expected working minutes) with 9:00-19:00, Monday to Friday; 2025-01-06 is a Monday.
CASES = [
    (T(2025, 1, 6, 10, 0), T(2025, 1, 6, 10, 0), 0),                # same minute
    (T(2025, 1, 6, 10, 0), T(2025, 1, 6, 10, 0, 30), 0.5),          # seconds count
    (T(2025, 1, 6, 10, 0), T(2025, 1, 6, 12, 15), 135),             # within one day
    (T(2025, 1, 6, 7, 0), T(2025, 1, 6, 9, 30), 30),                # created before opening
    (T(2025, 1, 6, 5, 0), T(2025, 1, 6, 8, 0), 0),                  # both before opening
    (T(2025, 1, 6, 18, 30), T(2025, 1, 6, 22, 0), 30),              # into the evening
    (T(2025, 1, 6, 20, 0), T(2025, 1, 7, 9, 45), 45),               # after closing, next morning
    (T(2025, 1, 10, 18, 0), T(2025, 1, 13, 10, 0), 120),            # Friday evening to Monday
    (T(2025, 1, 11, 10, 0), T(2025, 1, 12, 18, 0), 0),              # weekend only
    (T(2025, 1, 4, 18, 0), T(2025, 1, 5, 10, 0), 0),                # the fixture's Saturday lead
    (T(2025, 1, 11, 12, 0), T(2025, 1, 13, 9, 20), 20),             # Saturday to Monday
    (T(2025, 1, 6, 9, 0), T(2025, 1, 13, 9, 0), 5 * 600),           # across a week
    (T(2025, 1, 8, 15, 0), T(2025, 1, 22, 11, 0), 10 * 600 - 4 * 60),  # two weeks, 15:00 to 11:00
    (T(2024, 12, 31, 18, 0), T(2025, 1, 2, 10, 0), 60 + 600 + 60),  # across a year end (no holidays)
    (T(2025, 1, 6, 12, 0), T(2025, 1, 6, 11, 0), -60),              # end before start
]


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    run_file(con, "warehouse/macros.sql")
    yield con
    con.close()


def sql_minutes(con, pairs, hours=HOURS, weekdays=WEEKDAYS) -> list[float]:
    con.execute("create or replace temp table pairs (i int, s timestamp, e timestamp)")
    con.executemany("insert into pairs values (?, ?, ?)", [(i, s, e) for i, (s, e) in enumerate(pairs)])
    rows = con.execute("select work_minutes(e, $h0, $h1, $wd) - work_minutes(s, $h0, $h1, $wd) from pairs "
                       "order by i", {"h0": hours[0], "h1": hours[1], "wd": weekdays}).fetchall()
    return [r[0] for r in rows]


@pytest.mark.parametrize("start, end, expected", CASES)
def test_hand_picked_cases(start, end, expected):
    assert working_minutes(start, end, *HOURS, WEEKDAYS) == pytest.approx(expected)


def test_sql_macro_equals_the_reference_on_hand_picked_cases(con):
    got = sql_minutes(con, [(s, e) for s, e, _ in CASES])
    assert got == pytest.approx([x for _, _, x in CASES])


@pytest.mark.parametrize("hours, weekdays", [(HOURS, WEEKDAYS), ((8, 20), [1, 2, 3, 4, 5, 6]),
                                             ((0, 24), [1, 2, 3, 4, 5, 6, 7]), ((10, 18), [2, 4])])
def test_sql_macro_equals_the_reference_on_random_timestamps(con, hours, weekdays):
    rnd = random.Random(20250101 + hours[0] + len(weekdays))
    base = T(2024, 12, 1)
    pairs = []
    for _ in range(400):
        s = base + dt.timedelta(seconds=rnd.randrange(0, 90 * 86400))
        # mostly short gaps (as first contacts are), some of weeks
        e = s + dt.timedelta(seconds=rnd.choice([rnd.randrange(0, 4 * 3600), rnd.randrange(0, 20 * 86400)]))
        pairs.append((s, e))
    expected = [working_minutes(s, e, *hours, weekdays) for s, e in pairs]
    assert sql_minutes(con, pairs, hours, weekdays) == pytest.approx(expected, abs=1e-6)


def test_response_hours():
    assert response_hours(T(2025, 1, 10, 18, 0), T(2025, 1, 13, 10, 0), *HOURS, WEEKDAYS) == 2
    assert response_hours(T(2025, 1, 10, 18, 0), None, *HOURS, WEEKDAYS) is None
