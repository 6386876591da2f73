"""Regional test planning: minimum detectable effect simulated on history, and a treated/control split."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.impact import estimate_impact, to_wide

REALISTIC_MDE = 0.30
GRID = np.round(np.arange(0.005, 1.0001, 0.005), 3)


@dataclass
class Plan:
    mde: float                      # relative lift detectable with `power` at `alpha` (nan: none on the grid)
    treated: list
    controls: list
    duration_days: int
    n_sims: int
    too_few_regions: bool
    text: str
    candidates: pd.DataFrame        # region, mde of each candidate tested alone


def mde_for(panel: pd.DataFrame, treated: list, duration_days: int, *, n_sims: int = 8, power: float = 0.8,
            alpha: float = 0.05) -> float:
    """Smallest lift detected in `power` of past windows by the same estimator, the data cut at each window's end.

    An effect injected into a window multiplies its actuals by (1 + lift); the window is outside every
    fit, so the estimate moves by exactly lift x actual while the placebo scale stays: one estimate per
    window gives the power of every lift on the grid.
    """
    dates = to_wide(panel)[0].index
    days = pd.Timedelta(days=duration_days - 1)
    first = dates[0] + pd.Timedelta(days=max(4 * duration_days, 182))
    spaced = np.linspace(first.value, (dates[-1] - days).value, n_sims).astype("datetime64[ns]")
    starts = pd.DatetimeIndex(spaced).normalize()
    hits = np.zeros(len(GRID))
    for s in starts:
        cut = panel[pd.to_datetime(panel["date"]) <= s + days]
        r = estimate_impact(cut, treated, s, s + days, method="auto", alpha=alpha)
        half = (r.incremental_high - r.incremental_low) / 2
        hits += np.abs(r.incremental + GRID * r.actual) > half
    ok = np.flatnonzero(hits / len(starts) >= power)
    return float(GRID[ok[0]]) if len(ok) else float("nan")


def plan_experiment(panel: pd.DataFrame, candidates: list, duration_days: int, *, metric_name: str | None = None,
                    n_sims: int = 8, max_treated: int = 3, seed: int = 0) -> Plan:
    """MDE of each candidate region alone, then the best ones grown greedily while the MDE falls."""
    regions = sorted(pd.unique(panel["region"]))
    alone = pd.DataFrame({"region": candidates,
                          "mde": [mde_for(panel, [c], duration_days, n_sims=n_sims) for c in candidates]})
    alone = alone.sort_values("mde", na_position="last", ignore_index=True)
    best, mde = [alone["region"][0]], alone["mde"][0]
    for c in alone["region"][1:max_treated]:
        if len(regions) - len(best) - 1 < 3:
            break
        m = mde_for(panel, [*best, c], duration_days, n_sims=n_sims)
        if not m < mde:
            break
        best, mde = [*best, c], m
    controls = [r for r in regions if r not in best]
    too_few = not (mde <= REALISTIC_MDE) or len(controls) < 3
    what = metric_name or "the metric"
    text = (f"With {len(regions)} regions a {duration_days}-day test on {', '.join(best)} detects a lift of "
            f"{mde:.0%} in {what} with 80% power." if not np.isnan(mde) else
            f"With {len(regions)} regions no lift up to 100% in {what} is detected with 80% power.")
    if too_few:
        text += (" That is more than a realistic campaign delivers: there are too few regions (or too noisy a "
                 "metric) for a regional test; run it longer or measure it another way.")
    return Plan(mde=mde, treated=best, controls=controls, duration_days=duration_days, n_sims=n_sims,
                too_few_regions=too_few, text=text, candidates=alone)
