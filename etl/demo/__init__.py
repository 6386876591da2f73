"""Seeded demo company: raw CRM, ad, plan, 1C and web-analytics exports plus the truth planted in them."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from etl.demo import anomalies
from etl.demo.accounting import draw_invoices, write_1c
from etl.demo.activities import ACTIVITIES_HEADER, draw_activities
from etl.demo.ad_spend import draw_ad_spend, write_ad_spend, write_campaigns
from etl.demo.crm_files import write_crm
from etl.demo.expectations import expectations
from etl.demo.plan import PLAN_HEADER, draw_plan
from etl.demo.traffic import draw_traffic, write_traffic
from etl.demo.truth import planted_truth
from etl.demo.world import draw_world
from etl.demo.writer import write_table


def generate(out_dir: Path, *, seed: int = 42, deals: int = 50_000, end: dt.date | None = None,
             months: int = 24) -> dict:
    """Write the demo company's export files into out_dir; return (and write) the planted truth, and the
    anomalies planted in its last weeks for the alerts (anomalies.json)."""
    end = end or dt.date.today() - dt.timedelta(days=1)
    if months < 9:
        raise ValueError("months must be at least 9: flights need a pre-period and the launch is in month 8")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    w = draw_world(rng, seed, deals, end, months)
    exp = expectations(w)
    planted = anomalies.plan(w)
    S = draw_ad_spend(w, rng, exp)
    S_out = anomalies.plant_spend(w, S, planted)
    write_ad_spend(out / "ad_spend.csv", w, S_out)
    V = draw_traffic(w, rng, S)           # visits follow the clicks an unplanted demo draws
    V_out = anomalies.plant_traffic(V, planted)
    write_traffic(out / "metrica_traffic.csv", w, V_out)
    write_campaigns(out / "campaigns.csv", w)
    plan_rows, plan_truth = draw_plan(w, rng, S["expected"])
    write_table(out / "plan.csv", PLAN_HEADER, plan_rows, ";")
    flight_spend = [S["kop"][S["camp"] == np.flatnonzero(w.camp["flight"] == i)[0]].sum() / 100
                    for i in range(len(w.flights))]
    acts = draw_activities(w, rng, flight_spend)
    write_table(out / "activities.csv", ACTIVITIES_HEADER, acts, ";")
    tally = write_crm(out, w, rng, planted)
    lines, sales_dirty = draw_invoices(w, rng, tally)
    sales = write_1c(out / "1c_sales.csv", w, lines)
    truth = planted_truth(w, exp, tally, S_out, V_out, (sales, sales_dirty), plan_truth,
                          {"plan": len(plan_rows), "activities": len(acts)})
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "anomalies.json").write_text(json.dumps(anomalies.truth(w, planted), ensure_ascii=False, indent=2),
                                        encoding="utf-8")
    return truth
