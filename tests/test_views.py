"""model.views helpers the pages share: concurrent fetching of a page's queries and the regional ratios."""
from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pandas as pd
import pytest

from model import metrics, views
from model.filters import Filters
from model.views.funnel import sla_top


def test_fetch_returns_every_job_in_order_using_several_threads():
    seen, barrier = [], threading.Barrier(2, timeout=10)

    def run(name, params):
        seen.append(threading.current_thread().name)
        if name in ("a", "b"):   # only two threads at once can pass: a serial fetch would time out here
            barrier.wait()
        return pd.DataFrame({"name": [name], "x": [params["x"]]})

    jobs = {k: (k, {"x": i}) for i, k in enumerate(["a", "b", "c", "d", "e"])}
    out = views.fetch(run, jobs)
    assert list(out) == list(jobs)
    assert [(f.name.iloc[0], f.x.iloc[0]) for f in out.values()] == [("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4)]
    assert len(set(seen)) >= 2


def test_fetch_finishes_every_job_then_raises_the_first_failure_in_job_order():
    done = []

    def run(name, params):
        if name.startswith("bad"):
            raise ValueError(name)
        done.append(name)
        return pd.DataFrame()

    with pytest.raises(ValueError, match="bad1"):
        views.fetch(run, {"ok1": ("ok1", {}), "bad1": ("bad1", {}), "bad2": ("bad2", {}), "ok2": ("ok2", {})})
    assert sorted(done) == ["ok1", "ok2"]
    assert views.fetch(run, {}) == {}


def test_fetch_runs_a_jobs_follow_ups_while_the_first_jobs_still_run():
    """`then` adds jobs from a job's result as soon as it is done: here the slow first job can only finish
    once a follow-up has run, which a fetch that waited for all first jobs would never reach."""
    followed = threading.Event()

    def run(name, params):
        if name == "slow" and not followed.wait(timeout=10):
            raise TimeoutError("the follow-up did not run while the slow job ran")
        if name == "x":
            followed.set()
        return pd.DataFrame({"name": [name], "x": [params.get("x")]})

    out = views.fetch(run, {"slow": ("slow", {}), "head": ("head", {"x": 7})},
                      then={"head": lambda rows: {"x": ("x", {"x": int(rows.x.iloc[0]) + 1}), "y": ("y", {})}})
    assert list(out) == ["slow", "head", "x", "y"]
    assert out["x"].x.iloc[0] == 8
    # no follow-up, and a follow-up that fails: the error is the job's
    assert list(views.fetch(run, {"head": ("head", {})}, then={"head": lambda rows: {}})) == ["head"]
    with pytest.raises(KeyError):
        views.fetch(run, {"head": ("head", {})}, then={"head": lambda rows: {}["missing"]})


def test_fetch_with_one_worker_runs_in_the_callers_thread(monkeypatch):
    monkeypatch.setattr(views, "WORKERS", 1)
    threads = set()
    views.fetch(lambda n, p: threads.add(threading.current_thread()) or pd.DataFrame(),
                {k: (k, {}) for k in "abc"})
    assert threads == {threading.current_thread()}


def test_derive_fills_sums_and_leaves_ratios_without_a_denominator_empty():
    rows = pd.DataFrame({
        "region": ["A", "B", "(none)"], "revenue": [100.0, 0.0, np.nan], "deals_won": [4.0, 0.0, 1.0],
        "deals_won_priced": [4.0, 0.0, 1.0], "deals_lost": [1.0, 0.0, 0.0], "deals_created": [5.0, 0.0, 1.0],
        "revenue_sourced": [25.0, 0.0, 0.0],
        "revenue_influenced": [50.0, 0.0, 0.0], "deals_won_sourced": [1.0, 0.0, 0.0], "spend": [30.0, 10.0, 0.0],
        "leads": [10.0, 0.0, 2.0], "qualified": [5.0, 0.0, 1.0], "open_deals": [2.0, 0.0, 0.0],
        "open_pipeline": [70.0, 0.0, 0.0], "revenue_plan_period": [200.0, 0.0, np.nan],
        "revenue_plan_to_date": [100.0, 0.0, np.nan], "deals_plan_period": [5.0, np.nan, np.nan],
        "leads_plan_period": [8.0, np.nan, np.nan], "spend_plan_period": [20.0, np.nan, np.nan],
        "unknown_region": [False, False, True], "data_to": [pd.Timestamp("2025-01-31")] * 3,
        "revenue_plan_months": [[dt.date(2025, m, 1) for m in (1, 2, 3)], [dt.date(2025, 1, 1)], None]})
    out = metrics.derive(rows, Filters("custom", dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    assert out.revenue.tolist() == [100.0, 0.0, 0.0]                 # a missing sum is 0
    assert out.revenue_vs_plan_period.iloc[0] == 0.5 and out.revenue_vs_plan_period.iloc[1:].isna().all()
    assert out.revenue_vs_plan_to_date.iloc[0] == 1.0 and out.revenue_vs_plan_to_date.iloc[1:].isna().all()
    assert out.revenue_forecast.iloc[0] == pytest.approx(100.0 / 31 * 90)    # 31 of the window's 90 days
    assert out.romi.iloc[0] == pytest.approx((25.0 - 30.0) / 30.0)
    assert out.avg_deal.tolist()[:1] == [25.0] and np.isnan(out.avg_deal.iloc[1]) and out.avg_deal.iloc[2] == 0
    assert out.win_rate.iloc[0] == 0.8 and np.isnan(out.win_rate.iloc[1]) and out.win_rate.iloc[2] == 1.0
    assert out.cpl.iloc[0] == 3.0 and np.isnan(out.cpl.iloc[1])
    assert np.isnan(out.cpl.iloc[2]) and np.isnan(out.cac.iloc[2])    # 2 leads, no spend loaded: unknown, not 0
    assert out.sourced_share.iloc[0] == 0.25 and out.sourced_share.iloc[1:].isna().all()
    assert out.region.tolist() == ["A", "B", "(none)"] and out.unknown_region.tolist() == [False, False, True]
    assert out.revenue_plan_period.isna().tolist() == [False, False, True]   # no plan stays empty, not 0
    assert out.revenue_plan_days.tolist() == [90, 31, 0]
    # A planned for January alone: Q1's revenue is not compared with it; to date (January) it is
    out = metrics.derive(rows.assign(revenue_plan_months=[[dt.date(2025, 1, 1)]] * 3),
                         Filters("custom", dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    assert out.revenue_vs_plan_period.isna().all() and out.revenue_gap_period.isna().all()
    assert out.revenue_vs_plan_to_date.iloc[0] == 1.0 and out.revenue_gap_to_date.iloc[0] == 0.0


def sla_rows(n: int) -> pd.DataFrame:
    """n manager x region pairs as funnel.sla() returns them: pair i has 100 - i leads, i of them in time."""
    return pd.DataFrame({"manager": [f"m{i:02d}" for i in range(n)], "region": ["R"] * n,
                         "leads": [100 - i for i in range(n)], "judged": [100 - i for i in range(n)],
                         "contacted": [50] * n, "within_sla": list(range(n)),
                         "share": [i / (100 - i) for i in range(n)]})


def test_sla_chart_rows_are_the_top_pairs_by_leads_and_the_rest_summed():
    rows = sla_rows(84).sample(frac=1, random_state=1)            # any order in
    top = sla_top(rows, 15)
    assert len(top) == 16 and list(top.leads[:15]) == list(range(100, 85, -1))   # most leads first
    rest = top.iloc[-1]
    assert rest.manager is None and rest.pairs == 69
    assert rest.leads == sum(100 - i for i in range(15, 84)) and rest.within_sla == sum(range(15, 84))
    assert rest.contacted == 69 * 50
    assert rest.share == pytest.approx(rest.within_sla / rest.leads)     # from the sums, not a mean of shares
    assert set(top.pairs[:15]) == {1}


@pytest.mark.parametrize("n", [0, 3, 15, 16])
def test_sla_chart_rows_without_a_rest_when_one_would_hold_one_pair(n):
    top = sla_top(sla_rows(n), 15)
    assert len(top) == n and set(top.pairs) <= {1} and top.manager.notna().all()
