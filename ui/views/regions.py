"""The regions page: one row per region, and one region's drill-down."""
from __future__ import annotations

import pandas as pd

from ui.filters import Filters


def load(f: Filters, run, region: str | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    out = {"agreement": run("agreement", {}), "regions": with_ratios(run("region_summary", p)),
           "fresh": run("freshness", {})}
    if region is None and not out["regions"].empty:
        region = default_region(out["regions"])
    if region is not None:
        q = {**p, "region": region, "regions": [region]}
        out.update({"region": pd.DataFrame({"region": [region]}),
                    "monthly": run("region_monthly", q), "managers": run("region_managers", q),
                    "products": run("region_products", q), "sources": run("region_sources", q),
                    "activities": run("activities_in_period", q)})
    return out


COUNTS = ("revenue", "deals_won", "deals_lost", "deals_created", "deals_won_sourced", "open_deals",
          "open_pipeline", "spend", "leads", "qualified", "revenue_sourced", "revenue_influenced")


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    """a / b, NaN where b is 0 or missing (no plan, no deals: no ratio, not 0 %)."""
    return a.astype("float64") / b.astype("float64").where(b != 0)


def with_ratios(rows: pd.DataFrame) -> pd.DataFrame:
    """region_summary rows with its sums filled (0 where a region had none of them) and the ratios:
    plan_share (revenue / its plan), avg_deal, win_rate (won / closed), cpl (spend / leads) and
    sourced_share (marketing-sourced revenue / revenue)."""
    out = rows.assign(**{c: rows[c].fillna(0) for c in COUNTS})
    return out.assign(plan_share=_ratio(out.revenue, out.revenue_plan), avg_deal=_ratio(out.revenue, out.deals_won),
                      win_rate=_ratio(out.deals_won, out.deals_won + out.deals_lost),
                      cpl=_ratio(out.spend, out.leads), sourced_share=_ratio(out.revenue_sourced, out.revenue))


def default_region(regions: pd.DataFrame) -> str:
    """The drill-down opens on the region with the most revenue among the known ones."""
    known = regions[~regions.unknown_region]
    return (known if not known.empty else regions).region.iloc[0]

