"""truth.json: the effects and counts planted in the demo files, for tests to check the product against."""
from __future__ import annotations

import numpy as np

from etl.demo.company import (
    AMOUNT_SIGMA,
    CHANNEL_KEYS,
    CHANNELS,
    DEAL_LAG_H,
    DELAY_BUCKETS,
    FX_USD_RUB,
    LAUNCHED,
    LEAD_STATUS,
    LOST_LAG,
    MANAGERS,
    MONTH_FACTOR,
    NOISE_PHI,
    NOISE_SD,
    PRODUCTS,
    REGION_CODES,
    REGION_NAMES,
    REGION_WEIGHT,
    REGIONS,
    TREND,
    UNKNOWN_REGIONS,
    USD_RATE,
    WEEKDAY_FACTOR,
    WON_LAG,
)
from etl.demo.expectations import speed_truth
from etl.demo.tally import Tally
from etl.demo.world import World


def _r(x, digits: int = 2):
    return round(float(x), digits)


def _shares(values: np.ndarray, keys: list[str]) -> dict:
    return {k: _r(v / values.sum(), 4) for k, v in zip(keys, values, strict=True)}


def _truth_flights(w: World, exp: dict, S: dict, tally: Tally) -> list[dict]:
    out = []
    for i, f in enumerate(exp["flights"]):
        camp = int(np.flatnonzero(w.camp["flight"] == i)[0])
        spend = S["kop"][S["camp"] == camp].sum() / 100
        row = {k: v for k, v in f.items() if not k.startswith("_")}
        row.update({k: _r(row[k]) for k in row if k.startswith(("baseline", "incremental"))})
        row.update(spend=_r(spend), roas_planted=S["roas"][i],
                   realised_incremental_revenue=_r(tally.flight_revenue[i]),
                   realised_incremental_won_deals=int(tally.flight_won[i]),
                   metric_basis="won amount of deals by created_at date",
                   note="expected won revenue as of `end` (RUB, USD at fx) of deals from leads created in the "
                        "treated regions in the window; deals are created hours after their lead")
        out.append(row)
    return out


def _truth_regions(w: World, exp: dict, tally: Tally) -> list[dict]:
    expected, realised = _shares(exp["by_region"], REGION_NAMES), _shares(tally.won_by_region, REGION_NAMES)
    return [{"name": name, "code": REGION_CODES[r], "weight": _r(REGION_WEIGHT[r], 4),
             "expected_revenue_share": expected[name], "realised_revenue_share": realised[name],
             "win_rate_factor": _r(w.region_win[r], 3),
             "managers": [str(m) for m in w.mgr["name"][w.mgr["by_region"][r, :w.mgr["count"][r]]]]}
            for r, name in enumerate(REGION_NAMES)]


def _truth_speed(w: World, tally: Tally) -> dict:
    out = speed_truth(w)
    names = [b[0] for b in DELAY_BUCKETS] + ["never"]
    out["realised_conversion_by_bucket"] = {
        k: _r(d / max(n, 1), 4) for k, n, d in zip(names, tally.bucket_leads, tally.bucket_deals, strict=True)}
    out["realised_leads_by_bucket"] = {k: int(n) for k, n in zip(names, tally.bucket_leads, strict=True)}
    return out


def _truth_managers(w: World) -> list[dict]:
    m = w.mgr
    return [{"name": str(m["name"][i]), "regions": [REGION_NAMES[REGION_CODES.index(c)] for c in MANAGERS[i][1]],
             "median_first_contact_hours": _r(m["median_h"][i], 3), "sigma": _r(m["sigma"][i], 3),
             "never_contacted_share": _r(m["never"][i], 4)} for i in range(len(MANAGERS))]


def _truth_dirty(tally: Tally, sales_dirty: dict) -> dict:
    n = tally.n
    return {
        "crm_deals.csv": {"duplicate_rows": n["deal_duplicate_rows"], "impossible_dates": len(tally.impossible_ids),
                          "impossible_date_deal_ids": tally.impossible_ids,
                          "alias_regions": n["deals_alias_region"], "unknown_regions": n["deals_unknown_region"],
                          "no_source": n["deals_no_source"]},
        "crm_leads.csv": {"alias_regions": n["leads_alias_region"], "unknown_regions": n["leads_unknown_region"],
                          "no_source": n["leads_no_source"]},
        "1c_sales.csv": {"deals_missing_in_1c": len(sales_dirty["missing_deal_ids"]),
                         "missing_deal_ids": sales_dirty["missing_deal_ids"],
                         "lines_without_crm_deal": sales_dirty["orphans"], "returns": sales_dirty["returns"]},
        "note": "counts per unique deal/lead; alias = any non-canonical spelling that data/regions.csv resolves",
    }


def _truth_totals(w: World, tally: Tally, S: dict, V: dict, sales: dict, n_rows: dict) -> dict:
    n, valid = tally.n, tally.n["deals"] - len(tally.impossible_ids)
    return {
        "crm_deals.csv": {"rows": n["deals"] + n["deal_duplicate_rows"], "unique_deal_ids": n["deals"],
                          "valid_deals": valid, "valid_by_status": dict(zip(("open", "won", "lost"),
                                                                           tally.deal_status.tolist(), strict=True)),
                          "valid_won_amount_by_currency": {k: v / 100 for k, v in tally.money.items()},
                          "note": "valid = unique deals without an impossible date"},
        "crm_leads.csv": {"rows": n["leads"],
                          "by_status": dict(zip(LEAD_STATUS, tally.lead_status.tolist(), strict=True))},
        "touchpoints.csv": {"rows": n["touches"]},
        "ad_spend.csv": {"rows": int(S["day"].size), "cost_rub": int(S["kop"].sum()) / 100,
                         "clicks": int(S["clicks"].sum()), "impressions": int(S["impressions"].sum())},
        "campaigns.csv": {"rows": int(w.camp["name"].size)},
        "plan.csv": {"rows": n_rows["plan"]},
        "activities.csv": {"rows": n_rows["activities"]},
        "1c_sales.csv": sales,
        "metrica_traffic.csv": {"rows": int(V["day"].size), "visits": int(V["visits"].sum())},
    }


def _truth_model(w: World) -> dict:
    launch = str(w.horizon[w.launch])
    return {
        "products": [{"name": p, "median_amount_rub": m, "sigma": AMOUNT_SIGMA, "share": s,
                      "on_sale_from": launch if i == LAUNCHED else str(w.start)}
                     for i, (p, m, s) in enumerate(PRODUCTS)],
        "win_rate": {"by_channel": {c.key: c.win for c in CHANNELS}, "region_factor": "see regions[].win_rate_factor"},
        "deal_lag_hours_after_contact": {"median": DEAL_LAG_H[0], "sigma": DEAL_LAG_H[1]},
        "close_lag_days": {"won": {"median": WON_LAG[0], "sigma": WON_LAG[1]},
                           "lost": {"median": LOST_LAG[0], "sigma": LOST_LAG[1]}},
        "usd_share": USD_RATE, "fx_usd_rub": FX_USD_RUB,
        "demand": {"trend_per_year": TREND, "month_factor": MONTH_FACTOR.tolist(),
                   "weekday_factor_mon_first": WEEKDAY_FACTOR.tolist(),
                   "region_noise": {"ar1_phi": NOISE_PHI, "sd": NOISE_SD}},
        "money": "truth money is RUB; USD deals count at fx_usd_rub",
        "planted_effects": "only flights change demand; events, promos and blitzes are calendar entries",
    }


def planted_truth(w: World, exp: dict, tally: Tally, S: dict, V: dict, lines: tuple, plan_truth: dict,
                  n_rows: dict) -> dict:
    sales, sales_dirty = lines
    return {
        "seed": w.seed, "start": str(w.start), "end": str(w.end), "deals": w.deals,
        "deals_realised": tally.n["deals"], "leads_realised": tally.n["leads"],
        "expected_deals_per_lead": _r(exp["deals_per_lead"], 4),
        "regions": _truth_regions(w, exp, tally),
        "region_aliases": {a: name for name, _, _, aliases in REGIONS for a in aliases},
        "unknown_region_texts": list(UNKNOWN_REGIONS),
        "channels": [{"key": c.key, "planted_revenue_share": c.revenue_share, "lead_share": _r(w.mix[i], 4),
                      "p_channel": c.p_contact, "win_rate": c.win} for i, c in enumerate(CHANNELS)],
        "channel_revenue_share": _shares(exp["by_channel"], CHANNEL_KEYS),
        "realised_channel_revenue_share": _shares(tally.won_by_channel, CHANNEL_KEYS),
        "channel_note": "channel = the lead's true source (also for leads whose source was blanked); "
                        "flight-driven leads come through the flight's channel",
        "flights": _truth_flights(w, exp, S, tally),
        "speed_to_lead": _truth_speed(w, tally),
        "managers": _truth_managers(w),
        "shocks": w.shocks,
        "plan": plan_truth,
        "model": _truth_model(w),
        "dirty": _truth_dirty(tally, sales_dirty),
        "totals": _truth_totals(w, tally, S, V, sales, n_rows),
    }
