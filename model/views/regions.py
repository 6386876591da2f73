"""The regions page: one row per region, and one region's drill-down."""
from __future__ import annotations

import pandas as pd

from model import metrics
from model.filters import Filters
from model.views import fetch

DRILL = (("sources", "region_sources"), ("monthly", "region_monthly"), ("managers", "region_managers"),
         ("products", "region_products"), ("activities", "activities_in_period"))


def drill(p: dict, region: str) -> dict[str, tuple[str, dict]]:
    """One region's drill-down queries."""
    return {key: (name, {**p, "region": region, "regions": [region]}) for key, name in DRILL}


def load(f: Filters, run, region: str | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    head = {"regions": (metrics.REGION_QUERY, p), "agreement": ("agreement", {}), "fresh": ("freshness", {})}
    if region is not None:
        out = fetch(run, {**head, **drill(p, region)})
    else:
        # The drill-down opens on the summary's top region. region_default names it in a few ms, so its
        # queries start while metrics_region still runs (on 2 cores the second one sat idle meanwhile).
        def opened(rows: pd.DataFrame) -> dict[str, tuple[str, dict]]:
            return drill(p, rows.region.iloc[0]) if len(rows) else {}

        out = fetch(run, {"regions": head["regions"], "default": ("region_default", p),
                          "agreement": head["agreement"], "fresh": head["fresh"]}, then={"default": opened})
        asked = out.pop("default")
        region = default_region(out["regions"])
        if region != (asked.region.iloc[0] if len(asked) else None):
            # the summary's pick is the one the page opens on: no row from region_default (no known region
            # has revenue), or, should the two ever differ, the summary's drill-down instead
            for key, _ in DRILL:
                out.pop(key, None)
            if region is not None:
                out.update(fetch(run, drill(p, region)))
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
