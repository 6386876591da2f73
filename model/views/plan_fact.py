"""Plan vs fact: region x month shares of plan per metric, plan lines with owners, and each region's
revenue gap split into lead volume, conversion and revenue per deal."""
from __future__ import annotations

import pandas as pd

from analysis.decompose import decompose
from model import metrics
from model.filters import Filters
from model.views import fetch

METRICS = ("revenue", "deals", "leads", "spend")


def load(f: Filters, run) -> dict[str, pd.DataFrame]:
    p = f.params()
    return fetch(run, {"cells": ("plan_fact_region_month", p), "lines": ("plan_lines", p),
                       "agreement": ("agreement", {}), "fresh": ("freshness", {})})


def heat(cells: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Region x month table of the share of plan (rows: regions by their period share, worst first)."""
    m = cells[cells.metric == metric]
    if m.empty:
        return pd.DataFrame()
    grid = m.pivot_table(index="region", columns="month", values="plan_share", aggfunc="first")
    total = m[m.target.notna()].groupby("region")[["fact", "target_to_date"]].sum().assign(metric=metric)
    order = metrics.with_formulas("plan_fact_region_month", total, ("plan_share",)).plan_share.sort_values().index
    return grid.reindex(order)


def owners(cells: pd.DataFrame) -> dict[str, str]:
    """metric -> the owner of its regional plan lines ('mixed' when lines disagree)."""
    out = {}
    for metric, group in cells.groupby("metric"):
        names = group.owner.dropna().unique()
        out[metric] = names[0] if len(names) == 1 else "mixed"
    return out


def splits(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per region with revenue, deals and leads plans: the gap to the plan so far (months
    prorated to the days the data covers) and its three parts. Only the months each metric has a plan line
    for count, fact and plan alike: a region planned for November alone is not held over 01.11-31.12 to
    a plan of 30 days (the registry's rule for the region rows: like with like)."""
    wide = cells[cells.target.notna()].pivot_table(index="region", columns="metric", values=["fact", "target_to_date"],
                                                   aggfunc="sum")

    def get(region, kind: str, metric: str) -> float | None:
        return float(wide.at[region, (kind, metric)]) if (kind, metric) in wide.columns else None

    rows = []
    for region in wide.index:
        fact = {k: get(region, "fact", k) for k in ("leads", "deals", "revenue")}
        plan = {k: get(region, "target_to_date", k) for k in ("leads", "deals", "revenue")}
        s = decompose(fact, plan)
        if plan["revenue"] is None:
            continue
        rows.append({"region": region, "revenue": fact["revenue"], "revenue_plan": plan["revenue"],
                     "gap": (fact["revenue"] or 0) - plan["revenue"],
                     "leads": s.leads if s else None, "conversion": s.conversion if s else None,
                     "deal_value": s.deal_value if s else None, "main": s.largest() if s else None})
    out = pd.DataFrame(rows, columns=["region", "revenue", "revenue_plan", "gap", "leads", "conversion",
                                      "deal_value", "main"])
    return out.reindex(out.gap.sort_values().index).reset_index(drop=True)
