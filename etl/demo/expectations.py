"""What the world implies in expectation: won revenue by channel and region, each flight's effect, speed to lead."""
from __future__ import annotations

import numpy as np

from etl.demo.company import (
    CHANNEL_KEYS,
    CHANNELS,
    DELAY_BUCKETS,
    FLOOR,
    MANAGERS,
    N_REGIONS,
    P_CONTACT,
    REGION_NAMES,
    TAU_H,
)
from etl.demo.world import World, speed_factor


def expectations(w: World) -> dict:
    """Expected won revenue (RUB, as of `end`) by channel and region, and each flight's effect."""
    value = w.lam0 * (w.amount_mean[:w.n_days] * w.pclose)[None, :]     # revenue per unit won rate
    per_lead = (w.mix[None, :] * w.conv * w.win)                        # regions x channels: won per lead
    by_channel = (value.sum(1)[:, None] * per_lead).sum(0)
    flights = [_flight_expectation(w, f, value, per_lead.sum(1)) for f in w.flights]
    for f in flights:
        by_channel[CHANNEL_KEYS.index(f["channel"])] += f["incremental_revenue"]
    by_region = value.sum(1) * per_lead.sum(1)
    for f in flights:
        by_region[f["_regions"]] += f["_incremental_by_region"]
    return {"by_channel": by_channel, "by_region": by_region, "flights": flights,
            "deals_per_lead": float((w.lam0 * (1 + w.lift) * (w.conv @ w.mix)[:, None]).sum()
                                    / (w.lam0 * (1 + w.lift)).sum())}


def _flight_expectation(w: World, f: dict, value: np.ndarray, won_per_lead: np.ndarray) -> dict:
    """Treated region-days x baseline expectation x lift: what the flight adds, in expectation."""
    rs, a, b = f["regions"], f["a"], f["b"]
    base_rev = value[rs, a:b].sum(1) * won_per_lead[rs]
    base_won = (w.lam0[rs, a:b] * w.pclose[None, a:b]).sum(1) * won_per_lead[rs]
    base_deals = w.lam0[rs, a:b].sum(1) * (w.conv[rs] @ w.mix)
    return {"campaign": f["campaign"], "platform": f["platform"], "channel": f["channel"],
            "regions": [REGION_NAMES[r] for r in rs], "start": str(w.horizon[a]), "end": str(w.horizon[b - 1]),
            "lift": f["lift"], "product": f["product"],
            "baseline_revenue": float(base_rev.sum()), "incremental_revenue": float(base_rev.sum() * f["lift"]),
            "baseline_deals": float(base_won.sum()), "incremental_deals": float(base_won.sum() * f["lift"]),
            "baseline_deals_created": float(base_deals.sum()),
            "incremental_deals_created": float(base_deals.sum() * f["lift"]),
            "_regions": rs, "_incremental_by_region": base_rev * f["lift"]}


def speed_truth(w: World) -> dict:
    """Expected lead -> deal conversion by first-contact delay bucket, from the model."""
    share = np.zeros(len(MANAGERS))                       # each manager's share of all leads
    region_leads = (w.lam0 * (1 + w.lift)).sum(1)
    for r in range(N_REGIONS):
        ids = w.mgr["by_region"][r, :w.mgr["count"][r]]
        share[ids] += region_leads[r] / len(ids)
    share /= share.sum()
    p_bar, contacted = float(w.mix @ P_CONTACT), share * (1 - w.mgr["never"])
    buckets = {}
    for name, lo, hi in DELAY_BUCKETS:
        eg, prob = speed_factor(w.mgr["median_h"], w.mgr["sigma"], lo, hi)
        buckets[name] = round(p_bar * float(contacted @ eg) / float(contacted @ prob), 4)
    buckets["never"] = 0.0
    return {"form": "p = p_channel * (floor + (1 - floor) * exp(-delay_hours / tau_hours)); never contacted: p = 0",
            "floor": FLOOR, "tau_hours": TAU_H,
            "p_channel": {c.key: c.p_contact for c in CHANNELS}, "mean_p_channel": round(p_bar, 4),
            "expected_conversion_by_bucket": buckets,
            "expected_share_never_contacted": round(float(share @ w.mgr["never"]), 4),
            "note": "delay = first_contact_at - created_at in calendar hours; conversion = lead has a deal"}
