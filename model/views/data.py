"""The Data page's tables: load history, rejects, cell warnings, data quality, CRM vs accounting, definitions."""
from __future__ import annotations

import pandas as pd

from model import agreements
from model.filters import Filters
from model.views import fetch
from model.views.contribution import rule_model

# Rows on screen: the reconciliation's largest lines, a load's rejected rows and unreadable cells. The
# page says how many there are, and each table's export reads them all (the same query with rows null).
RECON_ROWS, LOAD_ROWS, DQ_ROWS = 500, 10_000, 1_000


# The page's tabs and the tables each shows: a tab's queries run when it is open (the page opens on the first
# of its tabs, history for everyone but data_admin, whose first tab is loading files); agreement and freshness
# always. A tab not listed here (loading, vocabulary, definitions, audit) reads nothing of this view; None
# reads every table, the deck's data-quality slide among them (its lines of unrecognised values).
TABS = {"history": ("history", "rejects", "reasons", "warnings"),
        "quality": ("unattributed", "cells", "won_no_amount", "dq", "unrecognised", "campaigns"),
        "recon": ("differences", "recon"), "terms": ("channel_labels",)}
ALWAYS = ("agreement", "fresh")
DEFAULT_TAB = "history"
# `python -m bench pages` measures the page opened on each other tab too (a view's STATES: load's keywords)
STATES = {f"tab={tab}": {"tab": tab} for tab in TABS if tab != DEFAULT_TAB}


def load(f: Filters, run, load_id: int | None = None, warn_load_id: int | None = None,
         tab: str | None = DEFAULT_TAB) -> dict[str, pd.DataFrame]:
    p = f.params()

    def run_job(name: str, params: dict) -> pd.DataFrame:
        # the agreed model (build_meta) is read in the worker that runs the query needing it, so the
        # page's other queries do not wait for it
        if name == "attribution_unattributed":
            agreed = agreements.attribution(run)["model"]
            params = {**params, "model": rule_model(agreed, agreed)}
        return run(name, params)

    jobs = {
        # the period's revenue without attribution, as the Contribution page and the deck state it
        "unattributed": ("attribution_unattributed", p),
        "differences": ("recon_differences_list", {**p, "rows": RECON_ROWS}), "recon": ("recon_by_region_month", p),
        "reasons": ("reject_reasons", {}), "history": ("load_history", {}),
        "rejects": ("rejects_of_load", {"load_id": load_id, "rows": LOAD_ROWS}),   # None: the newest with rejects
        "warnings": ("cell_warnings_of_load", {"load_id": warn_load_id, "rows": LOAD_ROWS}),  # or with warnings
        "cells": ("dq_cells", {}), "won_no_amount": ("dq_won_no_amount", {}),
        "dq": ("dq_summary", {}), "unrecognised": ("dq_unrecognised", {"rows": DQ_ROWS}),
        "unrecognised_share": ("dq_unrecognised_share", {}),
        "campaigns": ("dq_unmapped_campaigns", {"rows": DQ_ROWS}), "agreement": ("agreement", {}),
        "channel_labels": ("channel_labels", {}), "fresh": ("freshness", {}),
    }
    wanted = set(jobs) if tab is None else {*TABS.get(tab, ()), *ALWAYS}
    return fetch(run_job, {key: job for key, job in jobs.items() if key in wanted})


def has_accounting(fresh: pd.DataFrame) -> bool:
    """Whether any accounting (sales) rows are loaded: without them the reconciliation compares nothing."""
    return bool((fresh.loc[fresh.source == "sales", "row_count"] > 0).any())


def recon_totals(recon: pd.DataFrame) -> pd.DataFrame:
    """Per currency: CRM won, accounting net of returns, and the difference over the period (the sums of
    recon_by_region_month's rows, every one of them: that query has no limit)."""
    if recon.empty:
        return recon
    g = recon.groupby("currency")[["crm_won_amount", "sales_amount", "returns_amount", "difference",
                                   "crm_only", "accounting_only", "returns"]].sum()
    return g.reset_index()
