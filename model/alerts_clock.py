"""The alert only the clock raises: no export loaded for N days ([stale] load_days in data/alerts.toml).

The build's rules (queries/warehouse/steps/alert*.sql) compare exports with each other and run on every
load, so a warehouse nobody loads into would never say it is going stale. This rule is checked whenever
alerts are read (the Overview, `python -m etl alerts`, every digest run) against today's date, from the
freshness the build recorded; it concerns the whole warehouse, so only users who see company totals get it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from etl import config
from model.runner import Runner

RULE = "no_load"


def no_load(run: Runner, today: dt.date, days: float | None = None) -> pd.DataFrame:
    """One open alert row (alerts_open's columns) when the newest load is `days` or more days before
    `today`; no rows otherwise (or when nothing was ever loaded: the empty-warehouse guide says so)."""
    days = config.alert_settings()["stale_load_days"] if days is None else days
    loaded = pd.to_datetime(run("freshness", {}).loaded_at).dropna()
    if loaded.empty:
        return pd.DataFrame()
    last = loaded.max().date()
    behind = (today - last).days
    if behind < days:
        return pd.DataFrame()
    return pd.DataFrame([{
        "rule": RULE, "owner": "data_admin", "responsible": None, "region": None, "campaign": None,
        "platform": None, "channel": None, "subject": "load", "since": pd.Timestamp(last),
        "detected_on": pd.Timestamp(today), "last_seen": pd.Timestamp(today), "is_open": True,
        "as_of": pd.Timestamp(today), "value": float(behind), "usual": None, "usual_low": None,
        "usual_high": None, "threshold": float(days), "unit": "days", "window_days": None}])


def with_clock(rows: pd.DataFrame, run: Runner, today: dt.date, company: bool) -> pd.DataFrame:
    """`rows` (alerts_open or alerts_list) with the clock's alert first, for users who see company totals."""
    extra = no_load(run, today) if company else pd.DataFrame()
    if extra.empty:
        return rows
    return pd.concat([extra[[c for c in rows.columns if c in extra.columns]], rows], ignore_index=True)
