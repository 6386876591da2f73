"""What each page reads, as functions of the filters: pages draw, views query.

`load(page, filters, run)` returns the page's frames; `run(name, params)` is ui.db.query in the app
and a timed, uncached runner in `python -m bench pages`, so the benchmark measures exactly the
queries a page issues.
"""
from __future__ import annotations

import importlib
from typing import Callable

import pandas as pd

from ui.filters import Filters

Runner = Callable[[str, dict], pd.DataFrame]
PAGES = ("overview", "regions", "plan_fact", "funnel", "joint_plan", "contribution", "impact", "data")


def load(page: str, f: Filters, run: Runner, **extra) -> dict[str, pd.DataFrame]:
    return importlib.import_module(f"ui.views.{page}").load(f, run, **extra)


def latest_frame(fresh: pd.DataFrame) -> pd.DataFrame:
    """One row, `latest`: the last day with any deal, lead or spend, from the freshness rows."""
    value = fresh.activity_latest.iloc[0] if not fresh.empty else None
    return pd.DataFrame({"latest": [value]})
