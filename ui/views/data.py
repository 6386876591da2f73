"""The Data page's tables: load history, rejects, data quality, CRM vs accounting, definitions."""
from __future__ import annotations

import pandas as pd

from ui.filters import Filters


def load(f: Filters, run, load_id: int | None = None) -> dict[str, pd.DataFrame]:
    p = f.params()
    out = {
        "history": run("load_history", {}), "reasons": run("reject_reasons", {}),
        "dq": run("dq_summary", {}), "regions": run("dq_unknown_regions", {}),
        "channels": run("dq_unknown_channels", {}), "stages": run("dq_unknown_stages", {}),
        "campaigns": run("dq_unmapped_campaigns", {}), "recon": run("recon_by_region_month", p),
        "differences": run("recon_differences_list", p), "agreement": run("agreement", {}),
        "channel_labels": run("channel_labels", {}), "fresh": run("freshness", {}),
    }
    if load_id is None and not out["history"].empty:
        with_rejects = out["history"][out["history"].rows_rejected > 0]
        load_id = int((with_rejects if not with_rejects.empty else out["history"]).load_id.iloc[0])
    if load_id is not None:
        out["rejects"] = run("rejects_of_load", {"load_id": load_id})
    return out


def recon_totals(recon: pd.DataFrame) -> pd.DataFrame:
    """Per currency: CRM won, accounting net of returns, and the difference over the period."""
    if recon.empty:
        return recon
    g = recon.groupby("currency")[["crm_won_amount", "sales_amount", "returns_amount", "difference",
                                   "crm_only", "accounting_only", "returns"]].sum()
    return g.reset_index()
