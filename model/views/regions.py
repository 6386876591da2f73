"""The regions page: one row per region, and one region's drill-down."""
from __future__ import annotations

import pandas as pd

from model import metrics
from model.filters import Filters
from model.views import fetch

# The drill-down's chart reads its months and the joint activities; its tables are tabs, and a tab's query
# runs when the tab is open (the page opens on the first), so opening the page costs one table's query.
CHART = (("monthly", "region_monthly"), ("activities", "activities_in_period"))
TABS = {"managers": "region_managers", "products": "region_products", "sources": "region_sources"}
DEFAULT_TAB = next(iter(TABS))
# `python -m bench pages` measures the page opened on each other tab too (a view's STATES: load's keywords)
STATES = {f"tab={tab}": {"tab": tab} for tab in TABS if tab != DEFAULT_TAB}


def drill(p: dict, region: str, tab: str = DEFAULT_TAB) -> dict[str, tuple[str, dict]]:
    """One region's drill-down queries: the open tab's table first, then the chart's."""
    return {key: (name, {**p, "region": region, "regions": [region]})
            for key, name in ((tab, TABS[tab]), *CHART)}


def load(f: Filters, run, region: str | None = None, tab: str = DEFAULT_TAB) -> dict[str, pd.DataFrame]:
    p = f.params()
    head = {"regions": (metrics.REGION_QUERY, p), "agreement": ("agreement", {}), "fresh": ("freshness", {})}
    if region is not None:
        out = fetch(run, {**head, **drill(p, region, tab)})
    else:
        # The drill-down opens on the summary's top region. region_default names it in a few ms, so its
        # queries start while metrics_region still runs (on 2 cores the second one sat idle meanwhile).
        def opened(rows: pd.DataFrame) -> dict[str, tuple[str, dict]]:
            return drill(p, rows.region.iloc[0], tab) if len(rows) else {}

        out = fetch(run, {"regions": head["regions"], "default": ("region_default", p),
                          "agreement": head["agreement"], "fresh": head["fresh"]}, then={"default": opened})
        asked = out.pop("default")
        region = default_region(out["regions"])
        if region != (asked.region.iloc[0] if len(asked) else None):
            # the summary's pick is the one the page opens on: no row from region_default (no known region
            # has revenue), or, should the two ever differ, the summary's drill-down instead
            for key in (*TABS, *dict(CHART)):
                out.pop(key, None)
            if region is not None:
                out.update(fetch(run, drill(p, region, tab)))
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
