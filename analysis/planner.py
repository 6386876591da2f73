"""Regional test planning: minimum detectable effect simulated on history, and a treated/control split.

The history is the panel without the flights the warehouse knows (the `flights` table: region, start, end):
a region's days during a flight, and a washout after it, are no normal history (its lift there would pass
for noise, or for an effect the placebo windows find), so they are left out as gaps the estimator fills like
any other, and no placebo window is placed on a treated region's flight."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.impact import estimate_impact, to_wide

REALISTIC_MDE = 0.30
WASHOUT_DAYS = 14           # a flight's effect outlasts its last day (estimate_impact's default washout)
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
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["region", "start", "end"]))
    # the flight windows left out of the history (region, start, end as given), those that touch the panel


Spans = pd.DataFrame


def flight_spans(flights) -> Spans:
    """Flight windows as a frame region, start, end (Timestamps): from such a frame, or (region, start, end)s."""
    if flights is None:
        return pd.DataFrame({"region": pd.Series(dtype=object), "start": pd.Series(dtype="datetime64[ns]"),
                             "end": pd.Series(dtype="datetime64[ns]")})
    frame = flights if isinstance(flights, pd.DataFrame) else pd.DataFrame(list(flights),
                                                                            columns=["region", "start", "end"])
    return frame[["region", "start", "end"]].assign(start=lambda f: pd.to_datetime(f["start"]),
                                                    end=lambda f: pd.to_datetime(f["end"]))


def touching(panel: pd.DataFrame, flights) -> Spans:
    """The flight windows (with their washout) that cover some day of a region of the panel."""
    spans = flight_spans(flights)
    dates = pd.to_datetime(panel["date"])
    if spans.empty or dates.empty:
        return spans.iloc[0:0]
    washout = pd.Timedelta(days=WASHOUT_DAYS)
    keep = (spans["region"].isin(set(panel["region"])) & (spans["start"] <= dates.max())
            & (spans["end"] + washout >= dates.min()))
    return spans[keep].reset_index(drop=True)


def without_flights(panel: pd.DataFrame, flights) -> pd.DataFrame:
    """The panel without each flight's region-days from its start to the end of its washout."""
    spans = touching(panel, flights)
    if spans.empty:
        return panel
    dates = pd.to_datetime(panel["date"])
    out = pd.Series(False, index=panel.index)
    for region, start, end in spans.itertuples(index=False):
        out |= (panel["region"] == region) & (dates >= start) & (dates <= end + pd.Timedelta(days=WASHOUT_DAYS))
    return panel[~out].reset_index(drop=True)


def window_starts(panel: pd.DataFrame, treated: list, duration_days: int, n_sims: int,
                  flights=None) -> pd.DatetimeIndex:
    """The `n_sims` past windows the MDE is simulated on, evenly spread from max(4 x duration, 182) days into
    the history to its end; with `flights`, among the windows that overlap no flight (nor its washout) of
    a treated region."""
    dates = to_wide(panel)[0].index
    days = pd.Timedelta(days=duration_days - 1)
    first = dates[0] + pd.Timedelta(days=max(4 * duration_days, 182))
    spaced = np.linspace(first.value, (dates[-1] - days).value, n_sims).astype("datetime64[ns]")
    starts = pd.DatetimeIndex(spaced).normalize()
    own = touching(panel, flights)
    own = own[own["region"].isin(treated)]
    if own.empty:
        return starts
    free = pd.date_range(first.normalize(), (dates[-1] - days).normalize(), freq="D")
    clear = np.ones(len(free), bool)
    for start, end in zip(own["start"], own["end"] + pd.Timedelta(days=WASHOUT_DAYS), strict=True):
        clear &= ~((free <= end) & (free + days >= start))
    free = free[clear]
    if len(free) <= n_sims:
        return free
    return free[np.unique(np.linspace(0, len(free) - 1, n_sims).round().astype(int))]


def mde_for(panel: pd.DataFrame, treated: list, duration_days: int, *, n_sims: int = 8, power: float = 0.8,
            alpha: float = 0.05, flights=None) -> float:
    """Smallest lift detected in `power` of past windows by the same estimator, the data cut at each window's end.

    An effect injected into a window multiplies its actuals by (1 + lift); the window is outside every
    fit, so the estimate moves by exactly lift x actual while the placebo scale stays: one estimate per
    window gives the power of every lift on the grid. `flights` (region, start, end: the warehouse's
    flights) are left out of the history (module docstring); a flight's regions are dropped as controls
    of a window it overlaps.
    """
    days = pd.Timedelta(days=duration_days - 1)
    starts = window_starts(panel, treated, duration_days, n_sims, flights)
    history = without_flights(panel, flights)
    exposed = touching(panel, flights)
    if len(starts) == 0:
        return float("nan")
    hits = np.zeros(len(GRID))
    for s in starts:
        cut = history[pd.to_datetime(history["date"]) <= s + days]
        r = estimate_impact(cut, treated, s, s + days, method="auto", alpha=alpha,
                            exposed=exposed if not exposed.empty else None)
        half = (r.incremental_high - r.incremental_low) / 2
        hits += np.abs(r.incremental + GRID * r.actual) > half
    ok = np.flatnonzero(hits / len(starts) >= power)
    return float(GRID[ok[0]]) if len(ok) else float("nan")


def plan_experiment(panel: pd.DataFrame, candidates: list, duration_days: int, *, metric_name: str | None = None,
                    n_sims: int = 8, max_treated: int = 3, seed: int = 0, flights=None) -> Plan:
    """MDE of each candidate region alone, then the best ones grown greedily while the MDE falls; on the
    history without `flights` (region, start, end), which the plan's `excluded` and text name."""
    regions = sorted(pd.unique(panel["region"]))
    excluded = touching(panel, flights)
    alone = pd.DataFrame({"region": candidates,
                          "mde": [mde_for(panel, [c], duration_days, n_sims=n_sims, flights=flights)
                                  for c in candidates]})
    alone = alone.sort_values("mde", na_position="last", ignore_index=True)
    best, mde = [alone["region"][0]], alone["mde"][0]
    for c in alone["region"][1:max_treated]:
        if len(regions) - len(best) - 1 < 3:
            break
        m = mde_for(panel, [*best, c], duration_days, n_sims=n_sims, flights=flights)
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
    if not excluded.empty:
        text += (f" The history leaves out {len(excluded)} flight window(s) known to the warehouse (each flight's "
                 f"regions, its days and {WASHOUT_DAYS} days after): a past flight's lift is no normal history.")
    return Plan(mde=mde, treated=best, controls=controls, duration_days=duration_days, n_sims=n_sims,
                too_few_regions=too_few, text=text, candidates=alone, excluded=excluded)
