"""Impact estimator, planner and flight finder: building blocks against libraries, planted truth, demo truth."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.optimize import minimize

from analysis.flights import exposure_map, find_flights
from analysis.impact import METHODS, estimate_impact, fit_windows
from analysis.planner import WASHOUT_DAYS, mde_for, plan_experiment, window_starts
from analysis.simplex import simplex_qp
from analysis.simulate import simulate_flight, simulate_panel
from model.access import OPERATOR

warnings.filterwarnings("ignore", category=RuntimeWarning)


@pytest.fixture(scope="module")
def flight():
    return simulate_flight(3, lift=0.15, n_regions=14, days=540)


def _codes(result) -> set:
    return {w["code"] for w in result.warnings}


@pytest.mark.parametrize("seed", range(8))
def test_simplex_solver_matches_slsqp(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 9)).cumsum(0)
    y = x[:, :3] @ rng.dirichlet(np.ones(3)) + rng.normal(size=200)
    h, g = x.T @ x / 200, x.T @ y / 200
    w = simplex_qp(h[None], g[None])[0]

    def f(v):
        return v @ h @ v - 2 * g @ v

    ref = minimize(f, np.full(9, 1 / 9), jac=lambda v: 2 * (h @ v - g), method="SLSQP", bounds=[(0, 1)] * 9,
                   constraints={"type": "eq", "fun": lambda v: v.sum() - 1}, options={"ftol": 1e-14, "maxiter": 1000})
    assert w.min() >= 0 and w.sum() == pytest.approx(1)
    assert f(w) <= ref.fun + 1e-6 * abs(ref.fun)
    np.testing.assert_allclose(w, ref.x, atol=2e-3)


def test_did_point_estimate_matches_statsmodels_ols():
    rng = np.random.default_rng(1)
    t, j = 120, 6
    x = 1 + 0.1 * rng.normal(size=(t, j)).cumsum(0) / 10
    y = x.mean(1) + 0.2 + rng.normal(0, 0.05, t)
    y[100:] += 0.3
    ref = np.arange(t) < 100
    fit = fit_windows(y, x, ref, np.array([100]), 20, "did")
    rows = [(u, s, v, int(u == "T" and s >= 100)) for s in range(t)
            for u, v in [("T", y[s]), *[(f"C{k}", x[s, k]) for k in range(j)]]]
    ols = smf.ols("v ~ C(u) + C(s) + d", pd.DataFrame(rows, columns=["u", "s", "v", "d"])).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(pd.DataFrame(rows)[0])[0]})
    assert fit["stat"][0] == pytest.approx(ols.params["d"], abs=1e-9)


def test_recovers_a_planted_lift(flight):
    r = estimate_impact(flight["panel"], flight["treated"], flight["start"], flight["end"])
    assert r.incremental_low <= flight["incremental"] <= r.incremental_high
    assert r.p_value < 0.05 and r.method in (*METHODS, "blend") and r.reason
    assert set(r.series.columns) == {"date", "actual", "counterfactual", "low", "high"}
    # augmented and generalized SC weights may be negative (a region outside the controls' range); all sum to one
    assert r.weights.sum() == pytest.approx(1)
    sc = estimate_impact(flight["panel"], flight["treated"], flight["start"], flight["end"], method="sc")
    assert sc.method == "sc" and sc.weights.min() >= 0 and sc.weights.sum() == pytest.approx(1)


def test_same_input_same_output(flight):
    a = estimate_impact(flight["panel"], flight["treated"], flight["start"], flight["end"], seed=0)
    shuffled = flight["panel"].sample(frac=1, random_state=1)
    b = estimate_impact(shuffled, flight["treated"], flight["start"], flight["end"], seed=0)
    assert (a.lift, a.lift_low, a.lift_high, a.p_value) == (b.lift, b.lift_low, b.lift_high, b.p_value)
    pd.testing.assert_series_equal(a.weights, b.weights)


def test_gaps_and_weekly_input(flight):
    p = flight["panel"]
    holey = p.drop(p.sample(frac=0.05, random_state=2).index)
    r = estimate_impact(holey, flight["treated"], flight["start"], flight["end"])
    assert r.incremental_low <= flight["incremental"] <= r.incremental_high
    weekly = p.assign(date=pd.to_datetime(p["date"]).dt.to_period("W").dt.start_time).groupby(
        ["region", "date"], as_index=False)["value"].sum()
    start = flight["start"] + pd.Timedelta(days=(7 - flight["start"].day_of_week) % 7)
    w = estimate_impact(weekly, flight["treated"], start, flight["end"] - pd.Timedelta(days=6))
    assert w.lift_low < flight["lift"] < w.lift_high and w.lift > 0.05


def test_warnings_poor_fit_few_controls_exposed(flight):
    p = flight["panel"].copy()
    rng = np.random.default_rng(0)
    noise = p["region"] == flight["treated"][0]
    p.loc[noise, "value"] *= rng.lognormal(0, 0.6, noise.sum())
    assert "poor_pre_fit" in _codes(estimate_impact(p, flight["treated"][:1], flight["start"], flight["end"]))
    few = flight["panel"][flight["panel"]["region"].isin(flight["treated"] + ["R00", "R01", "R02", "R03"])]
    assert "few_controls" in _codes(estimate_impact(few, flight["treated"], flight["start"], flight["end"]))
    other = next(r for r in ["R05", "R06", "R07"] if r not in flight["treated"])
    r = estimate_impact(flight["panel"], flight["treated"], flight["start"], flight["end"],
                        exposed={other: [(flight["start"] - pd.Timedelta(days=5), flight["start"])]})
    assert "exposed_control" in _codes(r) and other not in r.weights.index


def test_find_flights_on_a_hand_made_spend_table():
    days = pd.date_range("2025-01-01", periods=200)
    rows = [("national", r, d, 100.0) for r in "ABCDEF" for d in days]                       # everywhere
    rows += [("flight", r, d, 500.0 if r in "AB" else 10.0) for r in "ABCDEF" for d in days[30:58]]
    rows += [("always_local", "C", d, 50.0) for d in days]                                   # local, too long
    rows += [("federal", None, d, 80.0) for d in days[10:20]]
    found = find_flights(pd.DataFrame(rows, columns=["campaign", "region", "date", "cost"]))
    assert found["campaign"].tolist() == ["flight"]
    f = found.iloc[0]
    assert f.regions == ["A", "B"] and f.start == days[30] and f.end == days[57] and f.spend == 28000
    assert exposure_map(found) == {"A": [(days[30], days[57])], "B": [(days[30], days[57])]}


def test_planner_longer_test_smaller_mde_and_too_few_regions():
    # daily noise only (no slow drift), a small noisy region: a longer test averages the noise out
    quiet, _ = simulate_panel(5, n_regions=12, days=730, drift_sd=0, persistent_sd=0)
    assert mde_for(quiet, ["R10"], 42, n_sims=8) < mde_for(quiet, ["R10"], 7, n_sims=8)
    panel, _ = simulate_panel(5, n_regions=12, days=730)
    plan = plan_experiment(panel[panel["region"].isin(["R00", "R01", "R02"])], ["R00", "R01"], 28, n_sims=4)
    assert plan.too_few_regions and "too few regions" in plan.text


def test_the_planner_leaves_the_flights_the_warehouse_knows_out_of_its_history():
    """A 6-week flight with a 60% lift in R01 was normal history to the planner: the MDE of a 28-day test
    there went from 12% to 40% (the placebo scale took the lift for noise; a window on it would take it for
    an effect). Given the flight as the flights table holds it (region, start, end), its days and washout
    are left out and no window is placed on them: the planted lift no longer moves the plan, which says so."""
    clean, _ = simulate_panel(5, n_regions=10, days=540)
    dates = pd.to_datetime(clean["date"])
    start, end = dates.max() - pd.Timedelta(days=120), dates.max() - pd.Timedelta(days=79)
    flown = clean.copy()
    lifted = (flown["region"] == "R01") & dates.between(start, end)
    flown.loc[lifted, "value"] *= 1.6
    # R07's earlier flight is a control's (left out too); R02's ended before the panel began
    flights = pd.DataFrame({"region": ["R01", "R07", "R02"],
                            "start": [start, start - pd.Timedelta(days=400), start - pd.Timedelta(days=900)],
                            "end": [end, end - pd.Timedelta(days=400), end - pd.Timedelta(days=900)]})
    assert mde_for(flown, ["R01"], 28) > mde_for(clean, ["R01"], 28) + 0.1                 # what it did
    assert mde_for(flown, ["R01"], 28, flights=flights) == mde_for(clean, ["R01"], 28, flights=flights)
    washout = end + pd.Timedelta(days=WASHOUT_DAYS)
    starts = window_starts(flown, ["R01"], 28, 8, flights)
    assert len(starts) == 8 and not any((s <= washout) and (s + pd.Timedelta(days=27) >= start) for s in starts)
    plan = plan_experiment(flown, ["R01"], 28, flights=flights)
    assert plan.excluded.values.tolist() == flights.head(2).values.tolist()
    assert "leaves out 2 flight window(s) known to the warehouse" in plan.text


def _simulate_many(scenario: str, effects: int, nulls: int) -> dict:
    out = {}
    for kind, seeds, lift in [("effect", range(effects), None), ("null", range(1000, 1000 + nulls), 0.0)]:
        rows = []
        for s in seeds:
            f = simulate_flight(s, lift=lift, scenario=scenario)
            r = estimate_impact(f["panel"], f["treated"], f["start"], f["end"])
            rows.append({"cover": r.incremental_low <= f["incremental"] <= r.incremental_high, "p": r.p_value,
                         "width": (r.incremental_high - r.incremental_low) / max(f["incremental"], 1e-9),
                         "error": abs(r.incremental - f["incremental"]) / max(f["incremental"], 1e-9)})
        out[kind] = pd.DataFrame(rows)
    print(scenario, {"coverage": out["effect"]["cover"].mean(), "false_positive": (out["null"]["p"] < 0.05).mean(),
                     "width_ratio": out["effect"]["width"].median(), "abs_error": out["effect"]["error"].median()})
    return out


@pytest.fixture(scope="module")
def simulated():
    """The issue's regional data: sizes, regional trends and seasonality, shocks, daily noise, gaps."""
    # 100 + 150 panels (was 200 + 300): each estimate now fits the whole family (about 2x the time);
    # the >= 500-panel figures across every world come from the family run in the closing note
    return _simulate_many("default", 100, 150)


@pytest.fixture(scope="module")
def stressed():
    """The stress scenario: slow cluster drifts and persistent regional deviations on top."""
    return _simulate_many("drift", 40, 60)


def test_intervals_cover_planted_truth(simulated):
    assert 0.90 <= simulated["effect"]["cover"].mean() <= 0.98


def test_placebo_flights_false_positive_rate(simulated):
    assert 0.02 <= (simulated["null"]["p"] < 0.05).mean() <= 0.08


def test_stress_scenario_still_calibrated(stressed):
    # slow drifts make every counterfactual a few percent off: wide intervals are right, misses are not
    assert 0.90 <= stressed["effect"]["cover"].mean() <= 0.98
    assert 0.02 <= (stressed["null"]["p"] < 0.05).mean() <= 0.08


def test_intervals_tight_enough_to_decide(simulated):
    # lifts of 5-25%: the median interval is under 0.6x the true incremental amount and the median
    # absolute error of the point estimate under 15% of it
    assert simulated["effect"]["width"].median() < 0.6
    assert simulated["effect"]["error"].median() < 0.15


def test_demo_flights_found_and_covered(fresh_db):
    """On the demo: the build's flights table equals find_flights on the spend, every planted flight is
    found with its regions and dates, and the impact page's own estimate (estimate_flight: weekly totals
    for a sparse region) covers its planted effect for at least 6 of the 7 flights, what 95% intervals
    promise with 96% probability. The demo's last day is pinned: its draws move with the calendar (on the
    demos ending 2026-06-30, 10-01, 11-15, 12-03 and 12-20 the page's intervals covered 31 of 35 flights),
    and a test must not pass on one day and fail on the next."""
    import datetime as dt

    from etl.demo_load import run_demo
    from model.filters import from_query
    from model.runner import connect as _connect
    from model.runner import run_on
    from model.views import impact as view

    end = dt.date(2026, 12, 3)
    run_demo(seed=42, deals=20000, end=end.isoformat())
    truth = json.loads((fresh_db.parent / "demo" / "truth.json").read_text(encoding="utf-8"))
    con = _connect(fresh_db)
    try:
        built = con.execute("select campaign, regions, start_date, end_date from flights").df().set_index("campaign")
        spend = con.execute("select campaign, region, date, sum(cost)::double as cost from ad_spend "
                            "group by all having sum(cost) > 0").df()
        python = find_flights(spend).set_index("campaign")
        assert sorted(built.index) == sorted(python.index)
        for name, row in python.iterrows():
            assert list(built.at[name, "regions"]) == list(row.regions)
            assert str(built.at[name, "start_date"])[:10] == str(row.start.date())
        f = from_query({"period": "last12"}, end + dt.timedelta(days=1))
        missed = []
        for fl in truth["flights"]:
            found = built.loc[fl["campaign"]]
            assert sorted(found.regions) == sorted(fl["regions"])
            assert str(found.start_date)[:10] == fl["start"] and str(found.end_date)[:10] == fl["end"]
            d = view.load(f, lambda n, p: run_on(con, n, p, OPERATOR), campaign=fl["campaign"], metric="revenue")
            r = view.estimate_flight(d["panel"], *view.estimate_args(d)).result
            if not r.incremental_low <= fl["incremental_revenue"] <= r.incremental_high:
                missed.append((fl["campaign"], fl["incremental_revenue"], r.incremental_low, r.incremental_high))
        assert len(truth["flights"]) == 7 and len(missed) <= 1, missed
    finally:
        con.close()


def test_treated_without_reference_values_is_one_clear_error(flight):
    """A metric the treated regions never had before or after the flight cannot be scaled: the estimate
    says so with a code the pages translate, instead of dividing by zero."""
    from analysis.impact import ImpactError
    p = flight["panel"].copy()
    p.loc[p["region"].isin(flight["treated"]) & ~p["date"].between(flight["start"], flight["end"]), "value"] = 0.0
    with pytest.raises(ImpactError) as e:
        estimate_impact(p, flight["treated"], flight["start"], flight["end"])
    assert e.value.code == "no_reference" and e.value.fields["regions"] == ", ".join(flight["treated"])
    assert "nothing in the reference period" in str(e.value)
    with pytest.raises(ImpactError) as e:
        estimate_impact(flight["panel"], ["nowhere"], flight["start"], flight["end"])
    assert e.value.code == "unknown_treated"


def test_row_noise_and_scale_on_known_noise():
    """Daily log noise of sd 5% on a treated series that is otherwise its controls' mean: the noise per
    7-day mean is sd^2 / 7 and its dof grows with the days; with no excess, the window's variance is
    7 * noise * (1 / length + leverage) on those dof, and an excess adds in with fewer."""
    from analysis.impact import _row_noise, _scale
    rng = np.random.default_rng(4)
    t, j, sd = 3000, 8, 0.05
    x = np.exp(rng.normal(0, 0.02, (t, j)).cumsum(0) * 0.1 + rng.normal(0, 0.002, (t, j)))
    y = np.exp(np.log(x).mean(1) + rng.normal(0, sd, t))
    fit = fit_windows(y, x, np.ones(t, bool), np.array([0]), 28, "did", smooth=7, log=True)
    noise, dof = _row_noise(fit["resid"], 7)
    assert noise == pytest.approx(sd ** 2 / 7, rel=0.15) and dof == pytest.approx(1.5 * (t - 13) / 7, rel=0.01)
    lev = np.array([0.01, 0.02, 0.03])
    part = 7 * noise * (1 / 28 + lev)
    s, df = _scale(np.sqrt(part[1:] * 0.5), lev, noise, dof, 7, 28, 6)     # placebos below their noise part
    assert s == pytest.approx(np.sqrt(part[0])) and df == pytest.approx(dof)
    s, df = _scale(np.sqrt(part[1:] + 1e-4), lev, noise, dof, 7, 28, 6)    # an excess of 1e-4 on 6 dof
    v = part[0] + 1e-4
    assert s == pytest.approx(np.sqrt(v)) and df == pytest.approx(v ** 2 / (part[0] ** 2 / dof + 1e-8 / 6))
    # two independent placebo windows cannot show that there is no excess: the placebos' whole mean square
    # (noise part and excess) is uncertain on their 2 dof, so the dof stay near 2 however many the noise has
    low = np.sqrt(part[1:] * 0.5)
    s, df = _scale(low, lev, noise, dof, 7, 28, 2)
    square, p_part = np.mean(low ** 2), np.mean(part[1:])
    assert s == pytest.approx(np.sqrt(part[0]))
    assert df == pytest.approx(max(part[0] ** 2 / ((part[0] - p_part) ** 2 / dof + square ** 2 / 2), 2.0)) and df < 5


@pytest.mark.parametrize("seed,lift,windows", [(101, None, 0), (182, None, 0), (255, None, 0), (147, 0.0, 0),
                                               (252, 0.0, 0), (20080, 0.0, 1)])
def test_history_shorter_than_two_flights_gets_an_interval_from_placebos_in_space(seed, lift, windows):
    """A short-history flight (90 days before a 7-week flight at the data's end) leaves no placebo window
    in time, or one; the interval then comes from the control regions predicted from each other in the
    flight window: a number and its reason, never NaN. Over seeds 0-299 of the short world (23 panels
    with no window) these intervals covered 22 planted truths and one placebo of 11 had p < 0.05. Seed
    20080's placebo had one window in time, as quiet as 0.7% by chance: on it alone the flight's -13%
    gap had p = 0.0001; the controls' errors in the flight window give p = 0.27."""
    from analysis.impact import _space_scale
    f = simulate_flight(seed, lift=lift, scenario="short")
    r = estimate_impact(f["panel"], f["treated"], f["start"], f["end"])
    assert r.n_placebos == windows and "space_placebos" in {w["code"] for w in r.warnings}
    assert np.isfinite([r.incremental_low, r.incremental_high, r.p_value]).all()
    assert r.incremental_low <= f["incremental"] <= r.incremental_high
    assert (r.p_value < 0.05) == (lift is None and seed in (101, 182))
    errors = np.array([0.03, -0.04, 0.05, -0.02])
    assert _space_scale(errors) == (pytest.approx(np.sqrt(np.mean(errors ** 2))), 3.0)
