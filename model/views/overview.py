"""The overview's numbers: the registry's totals (fact vs plan on each basis, forecast, marketing's share,
spend, leads) and the regions furthest from their plan."""
from __future__ import annotations

import pandas as pd

from model import metrics
from model.filters import Filters
from model.views import fetch, latest_frame


def load(f: Filters, run) -> dict[str, pd.DataFrame]:
    """The period's frames: the registry's region table (its total row is the headline), the months, the
    revenue by currency, activities, data quality."""
    p = f.params()
    out = fetch(run, {
        "metrics": (metrics.REGION_QUERY, p),
        "monthly": ("monthly_fact_plan", p),
        "deals": ("kpi_deals", p),
        "activities": ("activities_in_period", p),
        "agreement": ("agreement", {}),
        "fresh": ("freshness", {}),
        "unrecognised": ("dq_unrecognised_share", {}), "cells": ("dq_cells", {}),
    })
    out["metrics"] = metrics.derive(out["metrics"], f)
    out["regions"] = metrics.regions(out["metrics"])
    out["latest"] = latest_frame(out["fresh"])
    return out


def headline(d: dict[str, pd.DataFrame], top: int = 5) -> dict:
    """Headline figures in the base currency (other currencies converted at data/fx_rates.csv): the
    registry's total row (model/metrics.py defines each), the revenue by currency and the regions with
    the largest gaps to their plan to date (both bases given for each)."""
    base = d["agreement"].base_currency.iloc[0]
    total = metrics.totals(d["metrics"])
    deals, regions = d["deals"], d["regions"]
    # a region whose plan covers the days to date (the registry leaves the gap out otherwise: a fact of 61 days
    # is not compared with a plan of 30)
    known = regions[~regions.unknown_region & regions.revenue_gap_to_date.notna()]
    dev = known.reindex(known.revenue_gap_to_date.abs().sort_values(ascending=False).index).head(top)
    row = d["metrics"][d["metrics"].is_total].iloc[0]
    start, end = pd.Timestamp(row.window_from).date(), pd.Timestamp(row.window_to).date()
    return {
        **total, "base_currency": base,
        # the period's days (what the forecast covers) and, per plan metric, the stretches without a plan, if any
        "period_days": (end - start).days + 1,
        **{f"{p}_plan_gaps": metrics.plan_gaps(row.get(f"{p}_plan_months"), start, end)
           if total[f"{p}_plan_period"] is not None else [] for p in metrics.PLAN_FACT},
        "other_currencies": [c for c in deals.currency if c != base],
        "by_currency": deals[["currency", "revenue", "deals_won"]],
        "deviations": dev[["region", "revenue", "revenue_plan_period", "revenue_vs_plan_period",
                           "revenue_plan_to_date", "revenue_vs_plan_to_date", "revenue_gap_to_date",
                           "revenue_gap_period"]].reset_index(drop=True),
    }
