"""The campaign impact page: the regional flights, one flight's panel, the estimate and its verdict."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ui.filters import Filters

METRICS = ("revenue", "won_deals", "leads")
PRE_DAYS, POST_DAYS = 364, 56      # a year before the flight, eight weeks after (for short histories)


def load(f: Filters, run, campaign: str | None = None, metric: str = "revenue") -> dict[str, pd.DataFrame]:
    p = f.params()
    out = {"agreement": run("agreement", {}), "flights": run("flights_list", p), "latest": run("data_latest", {}),
           "fresh": run("freshness", {})}
    flights = out["flights"]
    if flights.empty:
        return out
    row = flights[flights.campaign == campaign] if campaign else flights.head(1)
    row = row if not row.empty else flights.head(1)
    out["flight"] = row
    start, end = row.start_date.iloc[0], row.end_date.iloc[0]
    latest = pd.Timestamp(out["latest"].latest.iloc[0]).date()
    out["panel"] = run("flight_panel", {"metric": metric, "date_from": _d(start) - dt.timedelta(days=PRE_DAYS),
                                        "date_to": min(_d(end) + dt.timedelta(days=POST_DAYS), latest)})
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


def estimate(d: dict, metric: str):
    """estimate_impact on the chosen flight, with the other flights' regions as exposure."""
    from analysis.impact import estimate_impact
    row = d["flight"].iloc[0]
    others = d["flights"][d["flights"].campaign != row.campaign]
    return estimate_impact(d["panel"], list(row.regions), pd.Timestamp(row.start_date), pd.Timestamp(row.end_date),
                           exposed=exposure(others))


def verdict(r, metric: str, t, money) -> str:
    """One plain sentence from the result: significant gain, significant loss, or not told apart from zero."""
    low, high = money(r.incremental_low), money(r.incremental_high)
    what = t(f"impact.what.{metric}")
    if r.incremental_low > 0:
        return t("impact.verdict.up", low=low, high=high, what=what)
    if r.incremental_high < 0:
        return t("impact.verdict.down", low=low, high=high, what=what)
    return t("impact.verdict.none", low=low, high=high, what=what)
