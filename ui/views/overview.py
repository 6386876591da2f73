"""The overview's numbers: the period's fact vs plan, forecast, marketing's share, spend and leads."""
from __future__ import annotations

import pandas as pd

from ui.filters import Filters
from ui.views import fetch, latest_frame
from ui.views.regions import with_ratios


def load(f: Filters, run) -> dict[str, pd.DataFrame]:
    """The period's frames. Spend and leads totals are the regional summary's columns summed (its rows
    partition them, '(none)' included), so the page reads them once."""
    p = f.params()
    out = fetch(run, {
        "regions": ("region_summary", p),
        "monthly": ("monthly_fact_plan", p),
        "plan": ("plan_totals", p),
        "deals": ("kpi_deals", p),
        "activities": ("activities_in_period", p),
        "agreement": ("agreement", {}),
        "fresh": ("freshness", {}),
        "unrecognised": ("dq_unrecognised_share", {}), "cells": ("dq_cells", {}),
    })
    out["regions"] = with_ratios(out["regions"])
    out["latest"] = latest_frame(out["fresh"])
    return out


def _num(x) -> float:
    return 0.0 if x is None or pd.isna(x) else float(x)


def _div(a, b) -> float | None:
    return a / b if b else None


def plan_target(plan: pd.DataFrame, metric: str) -> float:
    return _num(plan.loc[plan.metric == metric, "target"].sum())


def headline(d: dict[str, pd.DataFrame], top: int = 5) -> dict:
    """Headline figures in the base currency (other currencies converted at data/fx_rates.csv).

    ROMI = (marketing-sourced revenue - ad spend) / ad spend; CPL = spend / leads;
    CAC = spend / won deals sourced by marketing (ad spend only: the CRM knows no other cost).
    """
    base = d["agreement"].base_currency.iloc[0]
    deals, plan, regions = d["deals"], d["plan"], d["regions"]
    revenue, sourced = _num(deals.revenue_base.sum()), _num(regions.revenue_sourced.sum())
    influenced = _num(regions.revenue_influenced.sum())
    cost, leads = _num(regions.spend.sum()), int(_num(regions.leads.sum()))
    sourced_won = _num(regions.deals_won_sourced.sum())
    known = regions[~regions.unknown_region & regions.revenue_plan.notna()]
    dev = known.assign(gap=known.revenue - known.revenue_plan)
    dev = dev.reindex(dev.gap.abs().sort_values(ascending=False).index).head(top)
    return {
        "base_currency": base, "revenue": revenue, "revenue_plan": plan_target(plan, "revenue"),
        "plan_share": _div(revenue, plan_target(plan, "revenue")),
        "sourced": sourced, "sourced_share": _div(sourced, revenue),
        "influenced": influenced, "influenced_share": _div(influenced, revenue),
        "spend": cost, "spend_plan": plan_target(plan, "spend"),
        "romi": _div(sourced - cost, cost), "leads": leads, "leads_plan": plan_target(plan, "leads"),
        "cpl": _div(cost, leads), "cac": _div(cost, sourced_won),
        "other_currencies": [c for c in deals.currency if c != base],
        "by_currency": deals[["currency", "revenue", "deals_won"]],
        "deviations": dev[["region", "revenue", "revenue_plan", "plan_share", "gap"]],
    }
