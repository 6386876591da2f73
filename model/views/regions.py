"""The regions page: one row per region, and one region's drill-down."""
from __future__ import annotations

import pandas as pd

from model import metrics
from model.filters import Filters
from model.views import fetch


def load(f: Filters, run, region: str | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    head = {"regions": (metrics.REGION_QUERY, p), "agreement": ("agreement", {}), "fresh": ("freshness", {})}
    out = fetch(run, head) if region is None else {}    # the default drill-down region is the summary's
    if region is None:
        region = default_region(out["regions"])
    drill = {} if region is None else {
        key: (name, {**p, "region": region, "regions": [region]})
        for key, name in (("sources", "region_sources"), ("monthly", "region_monthly"),
                          ("managers", "region_managers"), ("products", "region_products"),
                          ("activities", "activities_in_period"))}
    out.update(fetch(run, {key: job for key, job in {**head, **drill}.items() if key not in out}))
    if "total" not in out:
        table = metrics.derive(out["regions"], f)
        out["regions"], out["total"] = metrics.regions(table), table[table.is_total].reset_index(drop=True)
    if region is not None:
        out["region"] = pd.DataFrame({"region": [region]})
    return out


def default_region(regions: pd.DataFrame) -> str | None:
    """The drill-down opens on the region with the most revenue among the known ones (None: no region)."""
    rows = regions[~regions.is_total] if "is_total" in regions else regions
    known = rows[~rows.unknown_region.astype(bool)]
    pick = known if not known.empty else rows
    return None if pick.empty else pick.region.iloc[0]
