"""Regional revenue panels with planted flights: a family of simulated worlds (see SCENARIOS), shared by
the impact tests and benchmarks.

Every world gives `simulate_flight(seed, lift, ...)`: a long panel (region, date, value), the treated
regions, the flight's first and last day, the planted lift and the realised incremental amount, which
is the treated actuals minus their untreated path over the flight (all days, observed or not). lift=0
makes a placebo panel: the same world and flight with nothing added.

"default" follows the list of what real regional data does (issue 11): regions of very different
size (Zipf-like, the capital about a third, treated in some flights), a region-specific linear growth
trend, annual seasonality whose amplitude differs by region, a B2B weekly pattern with per-region
wobble, holidays, common shocks and a slowly drifting common (macro) factor, small short-lived
regional deviations (AR(1), phi 0.5, sd 1%), idiosyncratic daily noise of about 6% for the capital up
to ~17% for the smallest region, and missing region-days.

"drift" is a stress test beyond that list: three regional clusters each with its own slow drift
(AR(1), phi 0.98, sd 3%) and persistent regional deviations (AR(1), phi 0.8, sd 2%). Those make the
counterfactual error a few percent of the treated level whatever the flight's length, so no
estimator is tight there; the tests ask it for calibration (coverage, false positives) only.

The other worlds are written from issue 16's description of the held-out panels, not from the
estimator: a latent factor model (see _factor_world) with
    log y_it = a_i + g_i t + d_i annual(t) + e_i weekday(t) + sum_k l_ik(t) f_kt + u_it,
2-4 common factors f_k (AR(1), phi 0.97-0.995, marginal sd 4.5-12%), loadings l_ik = m_k + s z_ik
(m_k uniform in -1..1, s 0.4-1.0 per panel, z_ik standard normal) that drift as slow random walks
(sd s a year), so regions drift apart and together over months (amplitudes: see FACTOR_SD);
growth g_i ~ N(8%, 10%) a year; annual depth d_i 5-25% (log) and weekday depth e_i 0.5-1.5 of a
panel-wide profile (B2B or retail); daily noise u_it of 3-10% by region (the
capital 3-5%); region sizes log-normal (sd 0.6) with a capital 3-8 times the largest other region;
1-3 treated regions, the capital among them in ~30% of panels; flights of 3-8 weeks; lifts 5-25%
multiplying the treated regions' values over the flight; 0.1-1% of region-days missing at random.
"factor": that world, daily, 8-30 regions, 300-730 days, 0-8 weeks of data after the flight.
"weekly": the same world summed to weeks (Monday-Sunday, dated on the Monday), 60-104 weeks,
    flights of whole weeks; 0-1% of region-weeks missing. `end` is the last week's Sunday, or in
    half the panels its Monday, as a weekly table labels it: both select the same rows.
"sparse": deal counts, a few a day per region (capital 5-15, others 0.3-4 on average), negative
    binomial (gamma-Poisson, shape 2-5) around the factor world's path, each deal's revenue
    log-normal (sigma 0.6-1.1): revenue is a few spikes a week in the small regions. Days with no
    deal are rows of zero; 0.1-1% of region-days missing. The lift adds Poisson(rate * lift) deals
    of the same size distribution, so the incremental is the revenue of those added deals.
"dominant": the capital 10-30 times the largest other region and always treated (with 0-2 others),
    its loadings at the edge of the others' (2 sd out, random sign), noise 2-4%: a treated series
    far outside the controls' range.
"short": short histories: 90-180 days before the flight, 0-28 after, 8-30 regions.
"end": the factor world with the flight ending on the data's last day (no post period).
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


_KNOBS = {
    "default": {"drift_sd": 0.0, "persistent_sd": 0.01, "persistent_phi": 0.5},
    "drift": {"drift_sd": 0.03, "persistent_sd": 0.02, "persistent_phi": 0.8},
}


def simulate_panel(seed: int = 0, n_regions: int = 15, days: int = 730, start: str = "2024-01-01",
                   missing: float = 0.01, total_per_day: float = 1e7, scenario: str = "default",
                   drift_sd: float | None = None, persistent_sd: float | None = None,
                   persistent_phi: float | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """A long panel (region, date, value) and the full days x regions matrix behind it (no gaps).

    scenario ("default" or "drift") picks the slow components; drift_sd (cluster drift), persistent_sd and
    persistent_phi (AR(1) regional deviations) override it. Zero for both makes a panel whose errors
    are daily noise only, which averages out over a longer test.
    """
    knobs = dict(_KNOBS[scenario])
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


def _default_flight(seed: int, lift: float | None, n_regions: int | None, days: int | None,
                    scenario: str) -> dict:
    """The default and drift worlds' flight (unchanged draws for the same seed)."""
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
            "lift": lift, "incremental": float(base.sum() * lift), "baseline": float(base.sum()),
            "untreated": _long(dates, names, y), "scenario": scenario, "grain": "day"}


SCENARIOS = {
    "default": "issue 11's regional data: Zipf sizes, trends, seasons, holidays, shocks, 6-17% noise, daily",
    "drift": "default plus slow cluster drifts and persistent regional deviations (stress, calibration only)",
    "factor": "2-4 slow AR(1) common factors with drifting regional loadings, capital 3-8x, 8-30 regions, daily",
    "weekly": "the factor world summed to Monday-dated weeks, 60-104 weeks, flights of 3-8 whole weeks",
    "sparse": "a few deals a day per region (negative binomial counts, log-normal deal sizes): revenue spikes",
    "dominant": "a treated capital 10-30x the largest control, loadings at the edge of the controls'",
    "short": "the factor world with 90-180 days before the flight and 0-28 after",
    "end": "the factor world with the flight ending on the data's last day (no post period)",
}
_WORLD_SEED = {name: i for i, name in enumerate(SCENARIOS)}     # independent streams per world
# The issue gives no amplitudes for the factors; these are set so that the estimator of the day (issue
# 15's estimate_impact) shows on the factor world what it showed on the held-out set (daily panels:
# median error 0.22 and width 1.53x of the effect, about half the lifts detected). On 24 + 6 panels:
# (0.045-0.12, 0.4-1.0, 1.0) gave error 0.19, width 1.58x, 50% detected; half those amplitudes gave
# 0.09, 0.58x and 92%, a world easier than the held-out one.
FACTOR_SD = (0.045, 0.12)       # marginal sd of each common factor (log scale)
LOADING_SPREAD = (0.4, 1.0)     # sd of the regions' loadings around the factor's mean loading
LOADING_DRIFT = 1.0             # the loadings' random-walk sd over a year, relative to that spread
RETAIL = np.array([0.95, 0.97, 1.0, 1.02, 1.1, 1.05, 0.9])


def scenarios() -> list[str]:
    """The names of the family's worlds, default first."""
    return list(SCENARIOS)


def simulate_flight(seed: int, lift: float | None = None, n_regions: int | None = None,
                    days: int | None = None, scenario: str = "default") -> dict:
    """One simulated flight with its planted lift: panel, treated regions, window and true incremental.

    Returns panel (long: region, date, value; weekly worlds one row per region-week dated on its
    Monday), treated, start, end (inclusive), lift, incremental (treated actuals minus their
    untreated path over the flight, the estimand), baseline (that untreated path's sum), untreated
    (the full grid's untreated values, no gaps), scenario and grain ("day" or "week"). lift=None
    draws a lift of 5-25%; lift=0 gives a placebo panel. n_regions and days override the world's
    draw (days counts days also in the weekly world). See the module docstring for each world.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}: one of {', '.join(SCENARIOS)}")
    if scenario in _KNOBS:
        return _default_flight(seed, lift, n_regions, days, scenario)
    rng = np.random.default_rng([seed, 16, _WORLD_SEED[scenario]])
    lift = float(rng.uniform(0.05, 0.25)) if lift is None else float(lift)
    n_regions = n_regions or int(rng.integers(8, 31))
    length = 7 * int(rng.integers(3, 9))
    weekly = scenario == "weekly"
    if scenario == "short":
        pre, post = int(rng.integers(90, 181)), int(rng.integers(0, 29))
        days = days or pre + length + post
    elif weekly:
        days = days or 7 * int(rng.integers(60, 105))
        days -= days % 7
        post = 7 * int(rng.integers(0, 9))
    else:
        days = days or int(rng.integers(300, 731))
        post = 0 if scenario == "end" else int(rng.integers(0, 57))
    if scenario != "short":
        pre = int(rng.integers(max(length, days // 3), days - length - post + 1))
        pre = days - length if scenario == "end" else pre
        if weekly:
            pre -= pre % 7
    first = pd.Timestamp("2022-01-03") + pd.Timedelta(days=7 * int(rng.integers(0, 150)))   # a Monday
    if not weekly:
        first += pd.Timedelta(days=int(rng.integers(0, 7)))
    dates = pd.date_range(first, periods=days, freq="D")
    dominant = scenario == "dominant"
    n_treat = int(rng.integers(1, 4))
    if dominant or rng.random() < 0.3:
        treated = np.concatenate([[0], 1 + rng.choice(n_regions - 1, n_treat - 1, replace=False)])
    else:
        treated = 1 + rng.choice(n_regions - 1, n_treat, replace=False)
    world = _factor_world(rng, dates, n_regions, dominant=dominant)
    window = np.zeros(days, bool)
    window[pre:pre + length] = True
    mask = np.zeros((days, n_regions), bool)
    mask[np.ix_(window, treated)] = True
    if scenario == "sparse":
        untreated, actual = _deals(rng, world, mask, lift)
    else:
        untreated = world
        actual = np.where(mask, world * (1 + lift), world)
    names = np.array([f"R{i:02d}" for i in range(n_regions)])
    if weekly:
        untreated, actual = _weeks(untreated), _weeks(actual)
        grid = dates[::7]
    else:
        grid = dates
    panel = _long(grid, names, actual)
    keep = rng.random(len(panel)) >= rng.uniform(0.001, 0.01)
    start, end = dates[pre], dates[pre + length - 1]
    if weekly and rng.random() < 0.5:
        end -= pd.Timedelta(days=6)
    step = 7 if weekly else 1
    rows = slice(pre // step, (pre + length) // step)
    base = float(untreated[rows][:, treated].sum())
    return {"panel": panel[keep].reset_index(drop=True), "treated": sorted(names[treated].tolist()),
            "start": start, "end": end, "lift": lift, "baseline": base,
            "incremental": float(actual[rows][:, treated].sum()) - base,
            "untreated": _long(grid, names, untreated), "scenario": scenario, "grain": "week" if weekly else "day"}


def _long(dates: pd.DatetimeIndex, names, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"region": np.tile(np.asarray(names), len(dates)),
                         "date": np.repeat(dates, len(names)), "value": y.ravel()})


def _weeks(y: np.ndarray) -> np.ndarray:
    return y.reshape(-1, 7, y.shape[1]).sum(axis=1)


def _factor_world(rng: np.random.Generator, dates: pd.DatetimeIndex, n: int, dominant: bool = False) -> np.ndarray:
    """Untreated daily values, days x regions, of the latent factor world (module docstring); region 0
    is the capital."""
    days = len(dates)
    t = np.arange(days) / 365.25
    k = int(rng.integers(2, 5))
    phi = rng.uniform(0.97, 0.995, k)
    f = np.stack([_ar1(rng, (days,), p, s) for p, s in zip(phi, rng.uniform(*FACTOR_SD, k), strict=True)], axis=1)
    spread = rng.uniform(*LOADING_SPREAD)
    z = rng.normal(0.0, 1.0, (n, k))
    if dominant:
        z[0] = 2.0 * rng.choice([-1.0, 1.0], k)
    walk = np.cumsum(rng.normal(0.0, spread * LOADING_DRIFT / np.sqrt(365.25), (days, n, k)), axis=0)
    loadings = rng.uniform(-1, 1, k) + spread * z + walk                       # days x n x k
    factors = np.einsum("tnk,tk->tn", loadings, f)
    size = np.exp(rng.normal(0.0, 0.6, n))
    size[0] = size[1:].max() * (rng.uniform(10, 30) if dominant else rng.uniform(3, 8))
    size *= rng.uniform(1e6, 1e7) / size.sum()
    growth = rng.normal(0.08, 0.10, n)
    phase = 2 * np.pi * (t + dates[0].day_of_year / 365.25 - rng.uniform(0.0, 0.15))
    annual = (np.sin(phase) + 0.3 * np.cos(2 * phase))[:, None] * rng.uniform(0.05, 0.25, n)
    profile = np.log(WEEKDAY if rng.random() < 0.5 else RETAIL)
    week = (profile - profile.mean())[dates.day_of_week][:, None] * rng.uniform(0.5, 1.5, n)
    sd = rng.uniform(0.03, 0.10, n)
    sd[0] = rng.uniform(0.02, 0.04) if dominant else rng.uniform(0.03, 0.05)
    noise = rng.normal(0.0, 1.0, (days, n)) * sd - sd ** 2 / 2
    return np.exp(np.log(size) + growth * t[:, None] + annual + week + factors + noise)


def _deals(rng: np.random.Generator, world: np.ndarray, mask: np.ndarray, lift: float) -> tuple[np.ndarray, np.ndarray]:
    """Revenue from deal counts around the world's path (module docstring, "sparse"): untreated and
    actual days x regions."""
    n = world.shape[1]
    mean_rate = np.exp(rng.uniform(np.log(0.3), np.log(4.0), n))
    mean_rate[0] = rng.uniform(5, 15)
    rate = world / world.mean(axis=0) * mean_rate
    shape = rng.uniform(2, 5)
    rate = rate * rng.gamma(shape, 1 / shape, rate.shape)          # negative binomial counts
    sigma = rng.uniform(0.6, 1.1)
    ticket = np.exp(rng.normal(0.0, 0.3, n)) * rng.uniform(2e4, 2e5)
    base = rng.poisson(rate)
    extra = rng.poisson(np.where(mask, rate * lift, 0.0))
    untreated, added = (_revenue(rng, c, ticket, sigma) for c in (base, extra))
    return untreated, untreated + added


def _revenue(rng: np.random.Generator, counts: np.ndarray, ticket: np.ndarray, sigma: float) -> np.ndarray:
    """Sum of log-normal deal sizes (mean `ticket` by region) for `counts` deals per cell."""
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    size = ticket[cells % counts.shape[1]] * np.exp(rng.normal(-sigma ** 2 / 2, sigma, len(cells)))
    return np.bincount(cells, weights=size, minlength=counts.size).reshape(counts.shape)


def _figures(out) -> tuple[float, float, float]:
    """incremental, low, high, p from an ImpactResult-like object or a dict with those names."""
    get = out.get if isinstance(out, dict) else lambda k: getattr(out, k)
    return tuple(float(get(k)) for k in ("incremental", "incremental_low", "incremental_high", "p_value"))


def evaluate(estimator, scenario: str, seeds, placebo_seeds=(), lifts=None) -> dict:
    """Run `estimator(panel, treated, start, end)` on one world's effect panels (`seeds`, lifts drawn by
    the world or given: one number or one per seed) and placebo panels (`placebo_seeds`, lift 0).

    The estimator returns an object or dict with incremental, incremental_low, incremental_high and
    p_value (estimate_impact's ImpactResult qualifies). A panel it raises on counts as a miss (not
    covered, not detected; not a false positive) and in `failed`. Returns the world's figures:
    coverage, false_positive (p < 0.05 on placebos), error (median |estimate - truth| / truth), width
    (median interval width / truth), detected (share of effects with p < 0.05), failed, seconds
    (the estimator's total time), n_effect, n_placebo, and rows (one per panel).
    """
    import time

    seeds, placebo_seeds = list(seeds), list(placebo_seeds)
    lifts = [lifts] * len(seeds) if lifts is None or np.isscalar(lifts) else list(lifts)
    runs = [("effect", s, lift) for s, lift in zip(seeds, lifts, strict=True)]
    runs += [("placebo", s, 0.0) for s in placebo_seeds]
    rows, seconds = [], 0.0
    for kind, seed, lift in runs:
        f = simulate_flight(seed, lift=lift, scenario=scenario)
        t0 = time.perf_counter()
        try:
            est, low, high, p = _figures(estimator(f["panel"], f["treated"], f["start"], f["end"]))
            failed = ""
        except Exception as e:  # noqa: BLE001 - any estimator's (or package's) refusal is a result to count
            est, low, high, p, failed = np.nan, np.nan, np.nan, np.nan, f"{type(e).__name__}: {e}"[:200]
        seconds += time.perf_counter() - t0
        truth = f["incremental"]
        rows.append({"kind": kind, "seed": seed, "lift": f["lift"], "truth": truth, "estimate": est,
                     "low": low, "high": high, "p": p, "failed": failed,
                     "covered": bool(low <= truth <= high), "significant": bool(p < 0.05)})
    df = pd.DataFrame(rows)
    eff, plc = df[df["kind"] == "effect"], df[df["kind"] == "placebo"]
    truth = eff["truth"].where(eff["truth"] > 0)
    nan = float("nan")
    return {"scenario": scenario, "n_effect": len(eff), "n_placebo": len(plc),
            "coverage": float(eff["covered"].mean()) if len(eff) else nan,
            "false_positive": float(plc["significant"].mean()) if len(plc) else nan,
            "error": float(((eff["estimate"] - eff["truth"]).abs() / truth).median()) if len(eff) else nan,
            "width": float(((eff["high"] - eff["low"]) / truth).median()) if len(eff) else nan,
            "detected": float(eff["significant"].mean()) if len(eff) else nan,
            "failed": int((df["failed"] != "").sum()), "seconds": seconds, "rows": df}
