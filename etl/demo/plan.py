"""plan.csv: monthly targets per region and metric, from the model's expectation and each side's ambition."""
from __future__ import annotations

import datetime as dt

import numpy as np

from etl.demo.company import N_REGIONS, REGION_NAMES, REGION_WEIGHT
from etl.demo.world import World


def _per_month(month: np.ndarray, daily: np.ndarray) -> np.ndarray:
    """Regions x days summed into regions x months."""
    return np.stack([np.bincount(month, weights=row) for row in daily])


def draw_plan(w: World, rng: np.random.Generator, spend_expected: np.ndarray) -> tuple[list[list], dict]:
    """Monthly targets = model expectation (no shocks, noise or flights) x each region's ambition."""
    month = (w.horizon.astype("datetime64[M]") - w.horizon[0].astype("datetime64[M]")).astype(np.int64)
    leads = REGION_WEIGHT[:, None] * w.smooth[None, :]
    won_per_lead = (w.mix[None, :] * w.conv * w.win).sum(1)
    target = {"leads": _per_month(month, leads), "deals": _per_month(month, leads) * (w.conv @ w.mix)[:, None],
              "revenue": _per_month(month, leads * w.amount_mean[None, :]) * won_per_lead[:, None],
              "spend": _per_month(month, spend_expected)}
    ambition = {"sales": rng.uniform(0.9, 1.15, N_REGIONS), "marketing": rng.uniform(0.9, 1.15, N_REGIONS),
                "company": 1.05}
    owner = {"revenue": "sales", "deals": "sales", "leads": "marketing", "spend": "marketing"}
    rows, first = [], np.datetime64(w.start, "M")
    for m in range(month.max() + 1):
        label = (first + m).astype("datetime64[D]").astype(dt.date).strftime("%d.%m.%Y")
        company = int(round(target["revenue"][:, m].sum() * ambition["company"], -3))
        rows.append([label, "", "", "revenue", company, "company"])
        for r, name in enumerate(REGION_NAMES):
            for metric, who in owner.items():
                value = round(target[metric][r, m] * ambition[who][r], -3 if metric in ("revenue", "spend") else 0)
                rows.append([label, name, "", metric, int(value), who])
    truth = {"basis": "expected value from the model without shocks, regional noise or flights, x ambition",
             "ambition": {who: dict(zip(REGION_NAMES, np.round(ambition[who], 3).tolist(), strict=True))
                          for who in ("sales", "marketing")} | {"company": ambition["company"]},
             "revenue_basis": "won amount of deals created in the month (eventual, RUB)"}
    return rows, truth


PLAN_HEADER = ["Месяц", "Регион", "Продукт", "Показатель", "План", "Ответственный"]
