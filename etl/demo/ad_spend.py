"""ad_spend.csv (cost, impressions, clicks per campaign x region x day) and campaigns.csv."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from etl.demo.company import (
    CHANNEL_KEYS,
    FLIGHT_ROAS,
    N_REGIONS,
    PLATFORMS,
    REGION_NAMES,
    REGION_WEIGHT,
    SPEND_RATIO,
    campaign_id,
)
from etl.demo.world import World
from etl.demo.writer import coded, csv_header, csv_lines, dates, fixed, ints, write_table


def _spend_base(w: World, i: int) -> tuple[list[int], np.ndarray]:
    """Regions and unscaled budget shape (regions x horizon days) of campaign i."""
    c, days = w.camp, np.arange(w.horizon.size)
    last = w.horizon.size - 1 if c["ongoing"][i] else c["end"][i]
    active = (days >= c["start"][i]) & (days <= last)
    if c["flight"][i] >= 0:                 # flights spend evenly in their treated regions
        rs, shape = list(w.flights[c["flight"][i]]["regions"]), np.ones(days.size)
    else:                                   # always-on budgets follow demand, damped
        rs = list(range(N_REGIONS)) if c["region"][i] < 0 else [int(c["region"][i])]
        shape = c["weight"][i] * np.sqrt(w.smooth / w.smooth.mean())
    return rs, REGION_WEIGHT[rs][:, None] * (shape * active)[None, :]


def _spend_scales(w: World, rng: np.random.Generator, exp: dict) -> tuple[np.ndarray, list[float]]:
    """RUB per unit of budget shape: always-on cost tracks the channel's revenue; a flight costs
    its expected incremental revenue divided by a drawn ROAS (so some flights pay off, some not)."""
    scale, n, roas = np.zeros(w.camp["name"].size), w.n_days, []
    baseline = exp["by_channel"].copy()
    for f in exp["flights"]:
        baseline[CHANNEL_KEYS.index(f["channel"])] -= f["incremental_revenue"]
    for key, ratio in SPEND_RATIO.items():
        ids = np.flatnonzero((w.camp["channel"] == CHANNEL_KEYS.index(key)) & (w.camp["flight"] < 0))
        total = sum(_spend_base(w, i)[1][:, :n].sum() for i in ids)
        scale[ids] = ratio * baseline[CHANNEL_KEYS.index(key)] / total
    for i in np.flatnonzero(w.camp["flight"] >= 0):
        roas.append(round(float(rng.uniform(*FLIGHT_ROAS)), 3))
        scale[i] = exp["flights"][w.camp["flight"][i]]["incremental_revenue"] / roas[-1] / _spend_base(w, i)[1].sum()
    return scale, roas


def draw_ad_spend(w: World, rng: np.random.Generator, exp: dict) -> dict:
    """Daily cost, impressions and clicks per paid campaign x region x day (rows only where it ran)."""
    scale, roas = _spend_scales(w, rng, exp)
    parts, expected = [], np.zeros((N_REGIONS, w.horizon.size))
    for i in np.flatnonzero(scale > 0):
        rs, base = _spend_base(w, i)
        cost = scale[i] * base
        expected[rs] += cost
        r, d = np.nonzero(cost[:, :w.n_days] > 0)
        rub = cost[r, d] * np.exp(rng.normal(-0.02, 0.2, r.size))     # mean-one daily wobble
        _, cpc, ctr = PLATFORMS[w.camp["platform"][i]]
        clicks = rng.poisson(rub / cpc)
        parts.append({"day": d, "camp": np.full(r.size, i), "region": np.array(rs)[r],
                      "impressions": rng.poisson(clicks / ctr + 1), "clicks": clicks,
                      "kop": np.round(rub * 100).astype(np.int64)})
    S = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((S["region"], S["camp"], S["day"]))
    S = {k: v[order] for k, v in S.items()}
    S["expected"], S["roas"] = expected, roas
    return S


def write_ad_spend(path: Path, w: World, S: dict) -> None:
    cols = [dates(w.horizon[S["day"]].astype(np.int64), "ru"), coded(w.camp["platform"], S["camp"], ";"),
            coded(w.camp["name"], S["camp"], ";"), coded(REGION_NAMES, S["region"], ";"),
            ints(S["impressions"]), ints(S["clicks"]), fixed(S["kop"], 2, " "),
            coded(["RUB"], np.zeros(S["day"].size, np.int8), ";")]
    path.write_bytes(csv_header("Дата;Площадка;Кампания;Регион;Показы;Клики;Расход;Валюта", ";", "\n")
                     + csv_lines(cols, ";", "\n"))


def write_campaigns(path: Path, w: World) -> None:
    c, rows = w.camp, []
    for i, name in enumerate(c["name"]):
        region = REGION_NAMES[c["region"][i]] if c["region"][i] >= 0 else ""   # multi-region flights too
        rows.append([name, campaign_id(i), c["platform"][i], PLATFORMS[c["platform"][i]][0], region,
                     c["product"][i] or "", str(w.horizon[c["start"][i]]),
                     "" if c["ongoing"][i] else str(w.horizon[c["end"][i]])])
    write_table(path, ["campaign", "campaign_id", "platform", "channel", "region", "product", "start_date",
                       "end_date"], rows, ",")
