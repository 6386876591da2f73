"""The campaign impact page: the regional flights, one flight's panel, the estimate and its verdict."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from model import metrics
from model.filters import Filters
from model.views import fetch, latest_frame

METRICS = ("revenue", "won_deals", "leads")
PRE_DAYS, POST_DAYS = 364, 56      # a year before the flight, eight weeks after (for short histories)


def load(f: Filters, run, campaign: str | None = None, metric: str = "revenue") -> dict[str, pd.DataFrame]:
    p = f.params()
    out = fetch(run, {"flights": ("flights_list", p), "agreement": ("agreement", {}), "fresh": ("freshness", {})})
    out["latest"] = latest_frame(out["fresh"])
    flights = out["flights"]
    if flights.empty:
        return out
    row = flights[flights.campaign == campaign] if campaign else flights.head(1)
    row = row if not row.empty else flights.head(1)
    out["flight"] = row
    start, end = row.start_date.iloc[0], row.end_date.iloc[0]
    latest = pd.Timestamp(out["latest"].latest.iloc[0]).date()
    window = {"date_from": _d(start) - dt.timedelta(days=PRE_DAYS),
              "date_to": min(_d(end) + dt.timedelta(days=POST_DAYS), latest)}
    # the joint activities in the flight's regions, marked on its chart like on every time chart
    out.update(fetch(run, {"panel": ("flight_panel", {"metric": metric, **window}),
                           "activities": ("activities_in_period", {**window, "regions": list(row.regions.iloc[0]),
                                                                   "products": p["products"]})}))
    return out


def _d(x) -> dt.date:
    return pd.Timestamp(x).date()


def exposure(flights: pd.DataFrame) -> dict:
    """region -> [(start, end)] of every flight: controls exposed during the window are dropped."""
    out: dict = {}
    for f in flights.itertuples(index=False):
        for region in f.regions:
            out.setdefault(region, []).append((pd.Timestamp(f.start_date), pd.Timestamp(f.end_date)))
    return out


def estimate_args(d: dict) -> tuple:
    """What the estimate depends on, as plain hashable values (the page caches on them)."""
    row = d["flight"].iloc[0]
    others = d["flights"][d["flights"].campaign != row.campaign]
    exposed = tuple((r, s, e) for r, spans in exposure(others).items() for s, e in spans)
    return tuple(row.regions), pd.Timestamp(row.start_date), pd.Timestamp(row.end_date), exposed


def estimate(panel: pd.DataFrame, treated: tuple, start, end, exposed: tuple):
    """estimate_impact on one flight; `exposed` (region, start, end) spans drop controls in the window."""
    from analysis.impact import estimate_impact
    spans: dict = {}
    for region, s, e in exposed:
        spans.setdefault(region, []).append((s, e))
    return estimate_impact(panel, list(treated), start, end, exposed=spans)


def returns(result, spend: float) -> dict[str, float]:
    """The flight's incremental ROMI, (incremental revenue - spend) / spend, at the estimate and at its
    interval's ends, by the registry's formula: ROMI means the same here as on the Overview."""
    row = pd.DataFrame([{"estimate": result.incremental, "low": result.incremental_low,
                         "high": result.incremental_high, "spend": spend}])
    out = {}
    for end, key in (("estimate", "romi"), ("low", "romi_low"), ("high", "romi_high")):
        inputs = {end: "incremental_revenue", "spend": "flight_spend"}
        out[key] = float(metrics.formulas(row, inputs, {key: "incremental_romi"})[key].iloc[0])
    return out
