"""The company without its rows: calendar, demand, managers, flights and campaigns, drawn once per seed."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from etl.demo.company import (
    ALWAYS_ON,
    AMOUNT_SIGMA,
    CHANNEL_KEYS,
    CHANNEL_SHARE,
    CHANNELS,
    DELAY_MEDIAN_H,
    FLIGHTS,
    FLOOR,
    LAUNCHED,
    MANAGERS,
    MONTH_FACTOR,
    N_REGIONS,
    NOISE_PHI,
    NOISE_SD,
    P_CONTACT,
    PLATFORMS,
    PRODUCTS,
    REGION_CODES,
    REGION_WEIGHT,
    TAU_H,
    TREND,
    WEEKDAY_FACTOR,
    WON_LAG,
)


@dataclass
class World:
    """The company without its rows: calendar, demand, people, campaigns and model parameters."""
    seed: int
    deals: int
    start: dt.date
    end: dt.date
    horizon: np.ndarray       # datetime64[D] from start to the end of the plan (3 months past end)
    n_days: int               # history days: horizon[:n_days]
    day_sec: np.ndarray       # epoch seconds of each horizon day's midnight (local export time)
    end_sec: int              # last second of the history
    smooth: np.ndarray        # expected leads/day at region weight 1, without shocks, noise or flights
    shocks: list
    lam0: np.ndarray          # regions x history days: expected leads without flights
    lift: np.ndarray          # regions x history days: flight lift, 0 outside flights
    flight_of: np.ndarray     # regions x history days: flight index or -1
    flights: list
    camp: dict                # campaign table, one numpy array per field
    mgr: dict                 # manager table, one numpy array per field
    mix: np.ndarray           # lead share by channel (drives outcomes; flights relabel some leads)
    conv: np.ndarray          # regions x channels: expected lead -> deal probability
    win: np.ndarray           # regions x channels: deal win probability
    region_win: np.ndarray
    amount_mean: np.ndarray   # per horizon day: expected deal amount (RUB) given the product mix
    pclose: np.ndarray        # per history day: P(a won deal created that day has closed by end)
    launch: int               # horizon index of the new product's launch day


def _calendar(end: dt.date, months: int) -> tuple[dt.date, np.ndarray, int]:
    """History = `months` whole months ending with end's month (cut at end); plan runs 3 months on."""
    first = end.year * 12 + end.month - 1
    y, m = divmod(first - (months - 1), 12)
    start = dt.date(y, m + 1, 1)
    y, m = divmod(first + 4, 12)
    plan_end = dt.date(y, m + 1, 1) - dt.timedelta(days=1)
    horizon = np.arange(np.datetime64(start, "D"), np.datetime64(plan_end, "D") + 1)
    return start, horizon, (end - start).days + 1


def _demand_shape(horizon: np.ndarray) -> np.ndarray:
    """Trend x annual x weekly seasonality, with the Russian holiday holes."""
    years = np.arange(horizon.size) / 365.25
    month = horizon.astype("datetime64[M]").astype(np.int64) % 12
    dom = (horizon - horizon.astype("datetime64[M]")).astype(np.int64) + 1
    weekday = (horizon.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday
    f = TREND ** years * MONTH_FACTOR[month] * WEEKDAY_FACTOR[weekday]
    f[(month == 0) & (dom <= 8)] *= 0.15                   # New Year holidays: the January hole
    f[(month == 11) & (dom >= 30)] *= 0.5
    f[(month == 4) & np.isin(dom, (1, 2, 3, 9, 10))] *= 0.5
    return f


def _shocks(rng: np.random.Generator, days: np.ndarray) -> tuple[np.ndarray, list]:
    """A few national shocks shared by every region (news, holidays moved, a competitor's sale)."""
    mult, out = np.ones(days.size), []
    for _ in range(4):
        a, length = int(rng.integers(14, days.size - 14)), int(rng.integers(3, 22))
        size = rng.uniform(1.15, 1.35) if rng.random() < 0.4 else rng.uniform(0.6, 0.85)
        mult[a:a + length] *= size
        out.append({"start": str(days[a]), "end": str(days[min(a + length, days.size) - 1]),
                    "multiplier": round(float(size), 3)})
    return mult, out


def _region_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Region-specific red noise (AR(1) in logs) so regions drift apart for weeks, mean 1."""
    eps = rng.normal(0.0, NOISE_SD * math.sqrt(1 - NOISE_PHI ** 2), (N_REGIONS, n))
    x = np.empty((N_REGIONS, n))
    x[:, 0] = rng.normal(0.0, NOISE_SD, N_REGIONS)
    for t in range(1, n):          # a loop over days, not rows: 730 steps of a 14-vector
        x[:, t] = NOISE_PHI * x[:, t - 1] + eps[:, t]
    return np.exp(x - NOISE_SD ** 2 / 2)


_Z = np.linspace(-7.0, 7.0, 2801)
_PZ = np.exp(-_Z ** 2 / 2) / np.exp(-_Z ** 2 / 2).sum()


def speed_factor(median_h, sigma, lo=0.0, hi=math.inf) -> tuple[np.ndarray, np.ndarray]:
    """E[g(delay) ; lo <= delay < hi] and P(lo <= delay < hi) for lognormal delays, per manager."""
    d = np.asarray(median_h)[:, None] * np.exp(np.asarray(sigma)[:, None] * _Z)
    inside = (d >= lo) & (d < hi)
    g = FLOOR + (1 - FLOOR) * np.exp(-d / TAU_H)
    return (_PZ * g * inside).sum(1), (_PZ * inside).sum(1)


def _managers(rng: np.random.Generator) -> dict:
    """Managers with very different speed-to-lead; slow ones also drop more leads entirely."""
    n = len(MANAGERS)
    median = np.geomspace(*DELAY_MEDIAN_H, n)[rng.permutation(n)]
    slowness = np.log(median / DELAY_MEDIAN_H[0]) / np.log(DELAY_MEDIAN_H[1] / DELAY_MEDIAN_H[0])
    never = 0.02 + 0.10 * slowness
    sigma = rng.uniform(0.8, 1.2, n)
    members = [[i for i, (_, codes) in enumerate(MANAGERS) if code in codes] for code in REGION_CODES]
    by_region = np.full((N_REGIONS, max(map(len, members))), -1)
    for r, ids in enumerate(members):
        by_region[r, :len(ids)] = ids
    reach = np.array([((1 - never[ids]) * speed_factor(median[ids], sigma[ids])[0]).mean() for ids in members])
    return {"name": np.array([m for m, _ in MANAGERS]), "median_h": median, "sigma": sigma, "never": never,
            "by_region": by_region, "count": np.array([len(ids) for ids in members]), "reach": reach}


def _flights(rng: np.random.Generator, horizon: np.ndarray, n: int) -> tuple[list, np.ndarray, np.ndarray]:
    """Place the regional flights: after 8 weeks of pre-period, ending 10+ weeks before the end."""
    lift, flight_of, flights = np.zeros((N_REGIONS, n)), np.full((N_REGIONS, n), -1), []
    lo, hi = 56, n - 70
    for i, (stem, platform, codes, product, pos, weeks, planted) in enumerate(FLIGHTS):
        a = lo + int(pos * (hi - lo - 7 * weeks))
        b = a + 7 * weeks
        day = horizon[a].astype(dt.date)
        rs = [REGION_CODES.index(c) for c in codes]
        size = round(planted * float(rng.uniform(0.85, 1.15)), 3)
        lift[rs, a:b], flight_of[rs, a:b] = size, i
        flights.append({"campaign": f"{stem}_{day.year}q{(day.month - 1) // 3 + 1}", "platform": platform,
                        "channel": PLATFORMS[platform][0], "regions": rs, "product": product,
                        "a": a, "b": b, "lift": size})
    return flights, lift, flight_of


def _campaigns(flights: list, n: int, launch: int) -> dict:
    """The campaign table as arrays; flights are campaigns too, with their window and regions."""
    rows = []
    for name, platform, code, product, s, e, weight in ALWAYS_ON:
        a = launch if s == "launch" else int(s * (n - 1))
        b = n - 1 if e >= 1 else int(e * (n - 1))
        rows.append((name, platform, REGION_CODES.index(code) if code else -1, product, a, b, weight, -1, e >= 1))
    for i, f in enumerate(flights):
        region = f["regions"][0] if len(f["regions"]) == 1 else -1
        rows.append((f["campaign"], f["platform"], region, f["product"], f["a"], f["b"] - 1, 0.0, i, False))
    keys = ("name", "platform", "region", "product", "start", "end", "weight", "flight", "ongoing")
    camp = {key: np.array(col) for key, col in zip(keys, zip(*rows, strict=True), strict=True)}
    camp["channel"] = np.array([CHANNEL_KEYS.index(PLATFORMS[p][0]) for p in camp["platform"]])
    return camp


def _amount_mean(horizon_size: int, launch: int) -> np.ndarray:
    """Expected deal amount per day: the product mix changes when the new product launches."""
    mean = np.array([median * math.exp(AMOUNT_SIGMA ** 2 / 2) for _, median, _ in PRODUCTS])
    post = np.array([share for _, _, share in PRODUCTS])
    pre = np.where(np.arange(len(PRODUCTS)) == LAUNCHED, 0.0, post)
    out = np.full(horizon_size, float(pre @ mean / pre.sum()))
    out[launch:] = post @ mean / post.sum()
    return out


def _lognormal_cdf(x: np.ndarray, median: float, sigma: float) -> np.ndarray:
    z = (np.log(np.maximum(x, 1e-9)) - math.log(median)) / (sigma * math.sqrt(2))
    return 0.5 * (1 + np.vectorize(math.erf)(z))


def draw_world(rng: np.random.Generator, seed: int, deals: int, end: dt.date, months: int) -> World:
    """Draw everything but the rows, then scale lead demand so the expected deal count is `deals`."""
    start, horizon, n = _calendar(end, months)
    smooth = _demand_shape(horizon)
    shock, shocks = _shocks(rng, horizon[:n])
    noise = _region_noise(rng, n)
    mgr = _managers(rng)
    region_win = rng.uniform(0.85, 1.15, N_REGIONS)
    win = np.array([c.win for c in CHANNELS])[None, :] * region_win[:, None]
    conv = P_CONTACT[None, :] * mgr["reach"][:, None]
    mix = CHANNEL_SHARE / (REGION_WEIGHT[:, None] * conv * win).sum(0)   # leads needed per unit revenue
    mix /= mix.sum()
    flights, lift, flight_of = _flights(rng, horizon, n)
    launch = int(np.flatnonzero(horizon == np.datetime64(_add_months(start, 7)))[0])
    shape = REGION_WEIGHT[:, None] * (smooth[:n] * shock)[None, :] * noise
    scale = deals / float((shape * (1 + lift) * (conv @ mix)[:, None]).sum())
    day_sec = horizon.astype("datetime64[s]").astype(np.int64)
    return World(seed=seed, deals=deals, start=start, end=end, horizon=horizon, n_days=n, day_sec=day_sec,
                 end_sec=int(day_sec[n - 1]) + 86399, smooth=smooth * scale, shocks=shocks, lam0=shape * scale,
                 lift=lift, flight_of=flight_of, flights=flights, camp=_campaigns(flights, n, launch), mgr=mgr,
                 mix=mix, conv=conv, win=win, region_win=region_win, amount_mean=_amount_mean(horizon.size, launch),
                 pclose=_lognormal_cdf(n - np.arange(n) - 0.5, *WON_LAG), launch=launch)


def _add_months(day: dt.date, k: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + k, 12)
    return dt.date(y, m + 1, 1)
