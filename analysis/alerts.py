"""Alerts against planted truth: which planted anomalies an alert found, and which alerts no anomaly explains.

The alerts come from the warehouse's `alerts` table (queries/warehouse/steps/alert*.sql), the truth from the
demo's anomalies.json (etl/demo/anomalies.py). An alert finds an anomaly when it names the same place (the
region, the campaign, the export kind) and the days overlap; an alert of a kind the anomaly implies (`also`:
fewer leads for the same spend is also a higher cost per lead) is explained, neither found nor false.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

SLACK_DAYS = 7          # an alert may start this much before the planted day (a window's change point)


@dataclass(frozen=True)
class Score:
    planted: int
    found: int
    false_alerts: pd.DataFrame          # alerts no planted anomaly explains
    missed: list[dict]

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    def false_per_region_month(self) -> pd.Series:
        """False alerts per (region, month of detection); a company-wide alert counts under '(company)'."""
        f = self.false_alerts
        if f.empty:
            return pd.Series(dtype="int64")
        where = f["region"].fillna("(company)")
        month = pd.to_datetime(f["detected_on"]).dt.to_period("M")
        return f.groupby([where.rename("region"), month.rename("month")]).size()


def _same_place(alert: pd.Series, p: dict) -> bool:
    rule = alert["rule"]
    if rule in ("leads_down", "cpl_up", "sla_breach"):
        return alert["region"] == p["region"]
    if rule in ("spend_stopped", "spend_doubled"):
        # a campaign's own anomaly names it; a region's (cost per lead) reaches the region's campaigns
        return alert["campaign"] == p["campaign"] if p["campaign"] else alert["region"] == p["region"]
    if rule == "stale_export":
        kind, _, platform = str(p["subject"]).partition(":")
        return alert["subject"] == kind and (not platform or alert["platform"] == platform)
    return rule == "unrecognised"


def _same_days(alert: pd.Series, p: dict) -> bool:
    start, end = dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"])
    since, seen = pd.Timestamp(alert["since"]).date(), pd.Timestamp(alert["last_seen"]).date()
    window = int(alert["window_days"]) if pd.notna(alert["window_days"]) else 0
    return since <= end + dt.timedelta(days=window) and seen >= start - dt.timedelta(days=SLACK_DAYS) \
        and since >= start - dt.timedelta(days=SLACK_DAYS + window)


def score(alerts: pd.DataFrame, truth: list[dict]) -> Score:
    """Recall over the planted anomalies and the alerts none of them explains."""
    found, explained = set(), set()
    for i, p in enumerate(truth):
        for j, alert in alerts.iterrows():
            if not (_same_place(alert, p) and _same_days(alert, p)):
                continue
            if alert["rule"] == p["kind"]:
                found.add(i)
                explained.add(j)
            elif alert["rule"] in p["also"]:
                explained.add(j)
    false = alerts.loc[[j for j in alerts.index if j not in explained]]
    return Score(planted=len(truth), found=len(found), false_alerts=false,
                 missed=[p for i, p in enumerate(truth) if i not in found])
