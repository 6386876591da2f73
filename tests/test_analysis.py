"""analysis/: the run-rate forecast and the plan-vs-fact decomposition, on hand-computed cases."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from analysis.decompose import decompose
from analysis.forecast import run_rate


def test_run_rate_extends_the_pace_to_the_period_end():
    r = run_rate(300.0, dt.date(2026, 10, 1), dt.date(2026, 12, 31), dt.date(2026, 10, 30))
    assert (r.elapsed_days, r.period_days) == (30, 92)
    assert r.forecast == pytest.approx(300 / 30 * 92)
    done = run_rate(500.0, dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 11, 26))
    assert done.finished and done.forecast == 500
    assert run_rate(0.0, dt.date(2027, 1, 1), dt.date(2027, 3, 31), dt.date(2026, 11, 26)).forecast is None


def test_decomposition_parts_add_up_to_the_gap():
    plan = {"leads": 1000, "deals": 200, "revenue": 20_000_000}
    fact = {"leads": 1100, "deals": 165, "revenue": 15_675_000}
    s = decompose(fact, plan)
    assert s.leads + s.conversion + s.deal_value == pytest.approx(s.gap)
    assert s.gap == -4_325_000
    assert s.leads > 0 and s.conversion < 0           # more leads, fewer of them became deals
    assert s.largest() == "conversion"


def test_only_conversion_differs_so_the_whole_gap_is_conversion():
    plan = {"leads": 100, "deals": 20, "revenue": 2_000_000}
    fact = {"leads": 100, "deals": 10, "revenue": 1_000_000}   # same leads, same revenue per deal
    s = decompose(fact, plan)
    assert s.leads == pytest.approx(0) and s.deal_value == pytest.approx(0)
    assert s.conversion == pytest.approx(-1_000_000)


def test_lmdi_weight_is_the_logarithmic_mean():
    s = decompose({"leads": 200, "deals": 20, "revenue": 200}, {"leads": 100, "deals": 10, "revenue": 100})
    weight = (200 - 100) / math.log(2)
    assert s.leads == pytest.approx(weight * math.log(2)) == pytest.approx(100)


def test_undefined_when_a_factor_is_zero():
    assert decompose({"leads": 0, "deals": 0, "revenue": 0}, {"leads": 10, "deals": 2, "revenue": 5}) is None
