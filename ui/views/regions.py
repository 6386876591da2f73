"""The regions page: one row per region, and one region's drill-down."""
from __future__ import annotations

import pandas as pd

from ui.filters import Filters


def load(f: Filters, run, region: str | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    out = {"agreement": run("agreement", {}), "regions": run("region_summary", p), "fresh": run("freshness", {})}
    if region is None and not out["regions"].empty:
        region = default_region(out["regions"])
    if region is not None:
        q = {**p, "region": region, "regions": [region]}
        out.update({"region": pd.DataFrame({"region": [region]}),
                    "monthly": run("region_monthly", q), "managers": run("region_managers", q),
                    "products": run("region_products", q), "sources": run("region_sources", q),
                    "activities": run("activities_in_period", q)})
    return out


def default_region(regions: pd.DataFrame) -> str:
    """The drill-down opens on the region with the most revenue among the known ones."""
    known = regions[~regions.unknown_region]
    return (known if not known.empty else regions).region.iloc[0]

