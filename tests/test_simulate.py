"""The simulated worlds (analysis/simulate.py): each has the shape its docstring promises and plants
exactly the incremental it reports."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.simulate import SCENARIOS, scenarios, simulate_flight

# scenario -> (regions, periods on the panel's grid, grain, capital / largest other region's mean)
SHAPES = {
    "default": ((10, 20), (365, 730), "day", (1.0, 3.0)),
    "drift": ((10, 20), (365, 730), "day", (1.0, 3.0)),
    "factor": ((8, 30), (300, 730), "day", (2.0, 12.0)),
    "weekly": ((8, 30), (60, 104), "week", (2.0, 12.0)),
    "sparse": ((8, 30), (300, 730), "day", (0.5, 12.0)),
    "dominant": ((8, 30), (300, 730), "day", (7.0, 45.0)),
    "short": ((8, 30), (90 + 21, 180 + 56 + 28), "day", (2.0, 12.0)),
    "end": ((8, 30), (300, 730), "day", (2.0, 12.0)),
}


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.pivot(index="date", columns="region", values="value")


def test_every_scenario_listed_with_a_description():
    assert scenarios()[0] == "default" and set(scenarios()) == set(SHAPES)
    assert all(isinstance(d, str) and 20 < len(d) < 120 for d in SCENARIOS.values())
    with pytest.raises(ValueError, match="unknown scenario"):
        simulate_flight(0, scenario="nope")


@pytest.mark.parametrize("scenario", list(SHAPES))
def test_panel_shape_and_planted_incremental(scenario):
    (r_lo, r_hi), (n_lo, n_hi), grain, (c_lo, c_hi) = SHAPES[scenario]
    for seed in (1, 2):
        f = simulate_flight(seed, scenario=scenario)
        panel, full = f["panel"], _wide(f["untreated"])
        assert list(panel.columns) == ["region", "date", "value"] and f["grain"] == grain
        assert r_lo <= panel["region"].nunique() <= r_hi and n_lo <= len(full) <= n_hi
        steps = np.diff(full.index.values).astype("timedelta64[D]").astype(int)
        assert set(steps) == {7 if grain == "week" else 1}
        if grain == "week":
            assert (full.index.day_of_week == 0).all()
        assert 0 < 1 - len(panel) / full.size <= 0.03                       # rare missing cells
        means = full.mean()
        assert c_lo <= means["R00"] / means.drop("R00").max() <= c_hi
        assert 0.05 <= f["lift"] <= 0.25 and 1 <= len(f["treated"]) <= 3
        if scenario == "end":
            assert f["end"] == full.index[-1]
        # the planted incremental is the treated actuals minus their untreated path over the flight
        window = (full.index >= f["start"]) & (full.index <= f["end"])
        assert 3 <= window.sum() * (7 if grain == "week" else 1) // 7 <= 8
        actual = _wide(panel).reindex(index=full.index, columns=full.columns)
        seen = actual.notna()
        gap = (actual - full).where(seen, 0.0)
        assert np.allclose(gap.loc[~window].to_numpy(), 0.0)
        assert np.allclose(gap.drop(columns=f["treated"]).to_numpy(), 0.0)
        assert np.isclose(f["baseline"], full.loc[window, f["treated"]].to_numpy().sum())
        if scenario != "sparse":                         # multiplicative: every treated cell moves by the lift
            assert np.allclose(actual.loc[window, f["treated"]].where(seen, 0.0),
                               full.loc[window, f["treated"]].where(seen, 0.0) * (1 + f["lift"]))
            assert np.isclose(f["incremental"], f["lift"] * f["baseline"])
        else:                                            # added deals: only ever more revenue
            assert (gap.to_numpy() >= 0).all() and f["incremental"] > 0
            assert f["incremental"] >= gap.loc[window, f["treated"]].to_numpy().sum() - 1e-6


@pytest.mark.parametrize("scenario", list(SHAPES))
def test_placebo_plants_nothing_and_seed_fixes_the_panel(scenario):
    a, b = simulate_flight(4, lift=0.0, scenario=scenario), simulate_flight(4, lift=0.0, scenario=scenario)
    assert a["incremental"] == 0.0 and a["lift"] == 0.0
    pd.testing.assert_frame_equal(a["panel"], b["panel"])
    assert (a["treated"], a["start"], a["end"]) == (b["treated"], b["start"], b["end"])
    merged = a["panel"].merge(a["untreated"], on=["region", "date"])
    assert len(merged) == len(a["panel"]) and np.allclose(merged["value_x"], merged["value_y"])
    other = simulate_flight(5, lift=0.0, scenario=scenario)["panel"]
    assert len(other) != len(a["panel"]) or not np.allclose(other["value"], a["panel"]["value"])


def test_sparse_revenue_comes_in_spikes():
    f = simulate_flight(3, scenario="sparse")
    wide = _wide(f["panel"])
    smallest = wide[wide.mean().idxmin()]
    assert (smallest == 0).mean() > 0.3                          # most days of a small region have no deal
    assert smallest.max() > 5 * smallest[smallest > 0].median() or (smallest == 0).mean() > 0.6
