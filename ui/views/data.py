"""The Data page's tables: load history, rejects, cell warnings, data quality, CRM vs accounting, definitions."""
from __future__ import annotations

import pandas as pd

from analysis.attribution import settings
from ui import fmt
from ui.filters import Filters
from ui.i18n import t
from ui.views import fetch
from ui.views.contribution import rule_model

# The overview and the deck say so when values no rule matched carry more than this share of a
# table's rows or of won revenue (below it the figures stand; the Data page lists every value anyway).
UNRECOGNISED_ALERT = 0.02


def load(f: Filters, run, load_id: int | None = None, warn_load_id: int | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    agreed = settings()["model"]
    return fetch(run, {
        "differences": ("recon_differences_list", p), "recon": ("recon_by_region_month", p),
        # the period's revenue without attribution, as the Contribution page and the deck state it
        "unattributed": ("attribution_unattributed", {**p, "model": rule_model(agreed, agreed)}),
        "reasons": ("reject_reasons", {}), "history": ("load_history", {}),
        "rejects": ("rejects_of_load", {"load_id": load_id}),    # None: the newest load with rejects
        "warnings": ("cell_warnings_of_load", {"load_id": warn_load_id}),  # None: the newest with warnings
        "cells": ("dq_cells", {}), "won_no_amount": ("dq_won_no_amount", {}),
        "dq": ("dq_summary", {}), "unrecognised": ("dq_unrecognised", {}),
        "unrecognised_share": ("dq_unrecognised_share", {}),
        "campaigns": ("dq_unmapped_campaigns", {}), "agreement": ("agreement", {}),
        "channel_labels": ("channel_labels", {}), "fresh": ("freshness", {}),
    })


def recon_totals(recon: pd.DataFrame) -> pd.DataFrame:
    """Per currency: CRM won, accounting net of returns, and the difference over the period."""
    if recon.empty:
        return recon
    g = recon.groupby("currency")[["crm_won_amount", "sales_amount", "returns_amount", "difference",
                                   "crm_only", "accounting_only", "returns"]].sum()
    return g.reset_index()


def unrecognised_line(share: pd.DataFrame, cells: pd.DataFrame, lang: str,
                      threshold: float = UNRECOGNISED_ALERT) -> str | None:
    """One sentence naming each dimension whose unmatched values exceed `threshold` of a table's rows or
    of won revenue ("channel: 12 % of leads"), and won deals without an amount past the same share;
    None when nothing does. `share` is dq_unrecognised_share, `cells` dq_cells (whole warehouse)."""
    parts = []
    for r in share.itertuples():
        dim = t(f"dq.dimension.{r.dimension}", lang)
        if r.revenue_share is not None and r.revenue_share == r.revenue_share and r.revenue_share > threshold:
            parts.append(t("dq.part.revenue", lang, dimension=dim, share=_pct(r.revenue_share, lang)))
        if r.share is not None and r.share == r.share and r.share > threshold:
            parts.append(t("dq.part.rows", lang, dimension=dim, share=_pct(r.share, lang),
                           source=t(f"dq.of.{r.source}", lang)))
    if not cells.empty and cells.won_deals.iloc[0]:
        no_amount = int(cells.won_no_amount.iloc[0])
        if no_amount / int(cells.won_deals.iloc[0]) > threshold:
            parts.append(t("dq.part.no_amount", lang, share=_pct(no_amount / int(cells.won_deals.iloc[0]), lang),
                           n=fmt.number(no_amount, lang)))
    return t("dq.line", lang, parts="; ".join(parts)) if parts else None


def _pct(x: float, lang: str) -> str:
    return fmt.percent(x, lang, 0 if x >= 0.1 else 1)
