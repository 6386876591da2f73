"""Joint plan: who does what, when and where; planned vs done per owner; the weeks' won revenue beside it."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from model.filters import Filters
from model.views import fetch

STATUSES = ("planned", "in_progress", "done", "cancelled")
# how solid an activity's bar is: done fully, planned/under way half, cancelled barely
OPACITY = {"done": 1.0, "in_progress": 0.75, "planned": 0.5, "cancelled": 0.2}


def load(f: Filters, run, on: dt.date | None = None, owners: tuple[str, ...] = (),
         region: str | None = None) -> dict[str, pd.DataFrame]:
    """`on` is today unless given (the next 30 days start there); `owners` filter the activities
    (empty: all); `region` narrows the chart (its activities and weekly sales) to one region (None:
    the sidebar's regions); the counts per owner and the next 30 days follow the sidebar."""
    p = {**f.params(), "owners": list(owners), "today": on or dt.date.today()}
    return fetch(run, {
        "weekly": ("won_revenue_by_week", {**p, "regions": [region] if region else p["regions"]}),
        "by_owner": ("joint_plan_by_owner", p),
        "next": ("joint_plan_next_30_days", p),
        # the chart's: the chosen region's activities (and company-wide ones) under its weekly sales
        "activities": ("joint_plan_activities", {**p, "regions": [region] if region else p["regions"]}),
        "agreement": ("agreement", {}),
        "fresh": ("freshness", {}),
    })


def bar_spans(activities: pd.DataFrame) -> pd.DataFrame:
    """Each activity's bar on a date axis: from its first day to the end of its last (dates inclusive),
    as plotly's horizontal bars take it: a base and a length in milliseconds."""
    start = pd.to_datetime(activities.start_date)
    end = pd.to_datetime(activities.end_date.where(activities.end_date.notna(), activities.start_date))
    days = (end - start).dt.days + 1
    return activities.assign(base=start.dt.strftime("%Y-%m-%d"), length_ms=days * 86_400_000,
                             opacity=[OPACITY.get(s, 0.5) for s in activities.status])


def weekly_sales_regions(sidebar: tuple[str, ...], available: list[str]) -> tuple[list[str | None], int]:
    """The weekly sales' region choices (None: all of the sidebar's) and the default: the first of the
    sidebar's regions when it names any, else all."""
    options = [None, *(sidebar or available)]
    return options, 1 if sidebar else 0
