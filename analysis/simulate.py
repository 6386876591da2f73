"""Regional daily revenue panels with planted flights, shared by the impact tests and benchmark.

The default scenario follows the issue's list of what real regional data does: regions of very
different size (Zipf-like, the capital about a third, treated in some flights), a region-specific
linear growth trend, annual seasonality whose amplitude differs by region, a B2B weekly pattern with
per-region wobble, holidays, common shocks and a slowly drifting common (macro) factor, small
short-lived regional deviations (AR(1), phi 0.5, sd 1%), idiosyncratic daily noise of about 6% for
the capital up to ~17% for the smallest region, and missing region-days.

The "drift" scenario is a stress test beyond that list: three regional clusters each with its own
slow drift (AR(1), phi 0.98, sd 3%) and persistent regional deviations (AR(1), phi 0.8, sd 2%).
Those make the counterfactual error a few percent of the treated level whatever the flight's
length, so no estimator is tight there; the tests ask it for calibration (coverage, false
positives) only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

WEEKDAY = np.array([1.08, 1.12, 1.10, 1.06, 0.98, 0.38, 0.28])     # Monday first, B2B


def _ar1(rng: np.random.Generator, shape: tuple, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) paths along the last axis with marginal sd `sd`."""
    eps = rng.normal(0.0, sd * np.sqrt(1 - phi ** 2), shape)
    x = np.empty(shape)
    x[..., 0] = rng.normal(0.0, sd, shape[:-1])
    for t in range(1, shape[-1]):
        x[..., t] = phi * x[..., t - 1] + eps[..., t]
    return x


def _shares(n: int) -> np.ndarray:
    s = 1.0 / np.arange(1, n + 1) ** 1.1
    return s / s.sum()


def _calendar_effects(rng: np.random.Generator, dates: pd.DatetimeIndex) -> np.ndarray:
    """Common multiplicative factor: New Year holidays, a handful of shocks a year, a drifting macro factor."""
    n = len(dates)
    f = np.ones(n)
    f[(dates.month == 1) & (dates.day <= 8)] *= 0.35
    for _ in range(max(1, n // 60)):
        a = int(rng.integers(0, n))
        f[a:a + int(rng.integers(3, 11))] *= rng.uniform(0.7, 1.3)
    return f * np.exp(_ar1(rng, (n,), 0.97, 0.05))


SCENARIOS = {
    "default": {"drift_sd": 0.0, "persistent_sd": 0.01, "persistent_phi": 0.5},
    "drift": {"drift_sd": 0.03, "persistent_sd": 0.02, "persistent_phi": 0.8},
}


def simulate_panel(seed: int = 0, n_regions: int = 15, days: int = 730, start: str = "2024-01-01",
                   missing: float = 0.01, total_per_day: float = 1e7, scenario: str = "default",
                   drift_sd: float | None = None, persistent_sd: float | None = None,
                   persistent_phi: float | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """A long panel (region, date, value) and the full days x regions matrix behind it (no gaps).

    scenario picks the slow components (see SCENARIOS); drift_sd (cluster drift), persistent_sd and
    persistent_phi (AR(1) regional deviations) override it. Zero for both makes a panel whose errors
    are daily noise only, which averages out over a longer test.
    """
    knobs = dict(SCENARIOS[scenario])
    for k, v in {"drift_sd": drift_sd, "persistent_sd": persistent_sd, "persistent_phi": persistent_phi}.items():
        if v is not None:
            knobs[k] = v
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    share = _shares(n_regions)
    t = np.arange(days) / 365.25
    growth = rng.normal(0.10, 0.08, n_regions)
    phase = 2 * np.pi * (t - 0.1)
    annual = np.log(1 + 0.15 * np.sin(phase)[:, None] + 0.05 * np.cos(2 * phase)[:, None])
    amp = rng.uniform(0.7, 1.3, n_regions)
    week = WEEKDAY[dates.day_of_week][:, None] * rng.uniform(0.97, 1.03, (7, n_regions))[dates.day_of_week]
    cluster = rng.integers(0, 3, n_regions)
    drift = _ar1(rng, (3, days), 0.98, knobs["drift_sd"])[cluster].T
    persistent = _ar1(rng, (n_regions, days), knobs["persistent_phi"], knobs["persistent_sd"]).T
    sd = 0.06 * (share.max() / share) ** 0.35
    noise = rng.normal(0.0, 1.0, (days, n_regions)) * sd - sd ** 2 / 2
    log_y = np.log(total_per_day * share) + growth * t[:, None] + amp * annual + drift + persistent + noise
    y = np.exp(log_y) * week * _calendar_effects(rng, dates)[:, None]
    names = [f"R{i:02d}" for i in range(n_regions)]
    panel = pd.DataFrame({"region": np.tile(names, days),
                          "date": np.repeat(dates, n_regions), "value": y.ravel()})
    keep = rng.random(len(panel)) >= missing
    return panel[keep].reset_index(drop=True), y


def simulate_flight(seed: int, lift: float | None = None, n_regions: int | None = None,
                    days: int | None = None, scenario: str = "default") -> dict:
    """One simulated flight with its planted lift: panel, treated regions, window and true incremental.

    The lift multiplies the treated regions' values in the window; `incremental` is the realised
    amount it added (the treated actuals minus what they would have been), the estimand.
    """
    rng = np.random.default_rng([seed, 7])
    n_regions = n_regions or int(rng.integers(10, 21))
    days = days or int(rng.integers(365, 731))
    panel, y = simulate_panel(seed, n_regions, days, scenario=scenario)
    length = 7 * int(rng.integers(4, 9))
    post = int(rng.integers(0, 29))
    a = int(rng.integers(days // 2, days - length - post + 1))
    # flights go to the big cities more often than to the small ones; the capital gets some
    treated_idx = rng.choice(n_regions, size=int(rng.integers(1, 4)), replace=False, p=_shares(n_regions))
    lift = float(rng.uniform(0.05, 0.25)) if lift is None else lift
    names = np.array(sorted(panel["region"].unique()))
    dates = pd.date_range(panel["date"].min(), periods=days, freq="D")
    start, end = dates[a], dates[a + length - 1]
    hit = panel["region"].isin(names[treated_idx]) & panel["date"].between(start, end)
    panel.loc[hit, "value"] *= 1 + lift
    base = y[a:a + length][:, treated_idx]
    return {"panel": panel, "treated": sorted(names[treated_idx].tolist()), "start": start, "end": end,
            "lift": lift, "incremental": float(base.sum() * lift), "baseline": float(base.sum())}
