"""Regional flights found in ad spend: campaigns concentrated in a few regions for a bounded window."""
from __future__ import annotations

import pandas as pd


def find_flights(spend: pd.DataFrame, *, share: float = 0.8, max_region_share: float = 0.5,
                 max_days: int = 91, n_regions: int | None = None) -> pd.DataFrame:
    """Campaigns with >= `share` of their spend in <= `max_region_share` of the regions, run <= `max_days`.

    spend: one row per campaign x region x date (columns campaign, region, date, cost), aggregated in
    SQL by the caller; a row without a region (a federal campaign) counts towards the total only.
    Returns campaign, regions (the fewest regions holding `share` of the spend), start and end (first
    and last day with spend in them), spend (theirs) and share.
    """
    df = spend.assign(date=pd.to_datetime(spend["date"]), cost=spend["cost"].astype(float))
    n_regions = n_regions or df["region"].nunique()
    rows = [_flight(name, g, share, max_region_share * n_regions, max_days) for name, g in df.groupby("campaign")]
    cols = ["campaign", "regions", "start", "end", "spend", "share"]
    return pd.DataFrame([r for r in rows if r], columns=cols).sort_values("start", ignore_index=True)


def _flight(name, g: pd.DataFrame, share: float, max_regions: float, max_days: int) -> dict | None:
    total = g["cost"].sum()
    if total <= 0:
        return None
    by_region = g.dropna(subset=["region"]).groupby("region")["cost"].sum().sort_values(ascending=False)
    k = int((by_region.cumsum() < share * total).sum()) + 1
    if k > len(by_region) or k > max_regions:
        return None
    regions = sorted(by_region.index[:k])
    days = g[g["region"].isin(regions) & (g["cost"] > 0)]["date"]
    if (days.max() - days.min()).days + 1 > max_days:
        return None
    spent = float(by_region.iloc[:k].sum())
    return {"campaign": name, "regions": regions, "start": days.min(), "end": days.max(),
            "spend": spent, "share": spent / total}


def exposure_map(flights: pd.DataFrame) -> dict:
    """region -> [(start, end), ...] of the flights it was in: the `exposed` argument of estimate_impact."""
    out: dict = {}
    for f in flights.itertuples(index=False):
        for region in f.regions:
            out.setdefault(region, []).append((f.start, f.end))
    return out
