"""The regions page: one row per region, and one region's drill-down."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ui.filters import Filters
from ui.views import fetch


def load(f: Filters, run, region: str | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    head = {"regions": ("region_summary", p), "agreement": ("agreement", {}), "fresh": ("freshness", {})}
    out = fetch(run, head) if region is None else {}    # the default drill-down region is the summary's
    if region is None and not out["regions"].empty:
        region = default_region(out["regions"])
    drill = {} if region is None else {
        key: (name, {**p, "region": region, "regions": [region]})
        for key, name in (("sources", "region_sources"), ("monthly", "region_monthly"),
                          ("managers", "region_managers"), ("products", "region_products"),
                          ("activities", "activities_in_period"))}
    out.update(fetch(run, {key: job for key, job in {**head, **drill}.items() if key not in out}))
    out["regions"] = with_ratios(out["regions"])
    if region is not None:
        out["region"] = pd.DataFrame({"region": [region]})
    return out


COUNTS = ("revenue", "deals_won", "deals_lost", "deals_created", "deals_won_sourced", "open_deals",
          "open_pipeline", "spend", "leads", "qualified", "revenue_sourced", "revenue_influenced")


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, NaN where b is 0 or missing (no plan, no deals: no ratio, not 0 %)."""
    a, b = a.astype("float64"), b.astype("float64")
    return np.divide(a, b, out=np.full(len(a), np.nan), where=(b != 0) & ~np.isnan(b))


def with_ratios(rows: pd.DataFrame) -> pd.DataFrame:
    """region_summary rows with its sums filled (0 where a region had none of them) and the ratios:
    plan_share (revenue / its plan), avg_deal, win_rate (won / closed), cpl (spend / leads) and
    sourced_share (marketing-sourced revenue / revenue). Built as one frame from numpy columns: a
    chain of pandas assigns costs ~10 ms here, more than the query."""
    col = {c: rows[c].to_numpy() for c in rows.columns}
    for c in COUNTS:
        col[c] = np.nan_to_num(col[c].astype("float64"), nan=0.0)
    col.update(plan_share=_ratio(col["revenue"], col["revenue_plan"]),
               avg_deal=_ratio(col["revenue"], col["deals_won"]),
               win_rate=_ratio(col["deals_won"], col["deals_won"] + col["deals_lost"]),
               cpl=_ratio(col["spend"], col["leads"]), sourced_share=_ratio(col["revenue_sourced"], col["revenue"]))
    return pd.DataFrame({c: rows[c] if c in rows and c not in COUNTS else v for c, v in col.items()},
                        index=rows.index)


def default_region(regions: pd.DataFrame) -> str:
    """The drill-down opens on the region with the most revenue among the known ones."""
    known = regions[~regions.unknown_region]
    return (known if not known.empty else regions).region.iloc[0]

