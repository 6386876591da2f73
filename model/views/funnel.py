"""Funnel and SLA: leads to won by channel/region/manager, lead quality, first contact, the joint scorecard."""
from __future__ import annotations

import pandas as pd

from model import metrics
from model.filters import Filters
from model.views import fetch

BREAKDOWNS = ("channel", "region", "manager")
STEPS = ("leads", "qualified", "converted", "won_leads")
SHARES = ("to_qualified", "to_deal", "to_won", "lead_to_won")
SLA = ("share", "mean_hours")
SOURCE = "funnel_breakdown"


def load(f: Filters, run) -> dict[str, pd.DataFrame]:
    p = f.params()
    out = fetch(run, {"breakdown": ("funnel_breakdown", p),    # with the manager x region SLA rows
                      "scorecard": ("funnel_scorecard_month", p),
                      "agreement": ("agreement", {}), "fresh": ("freshness", {})})
    rows = out["breakdown"]
    pairs = rows.breakdown == "manager_region"
    sla_cols = ["manager", "region", "leads", "judged", "contacted", "within_sla", "response_hours_sum", "share",
                "mean_hours"]
    out["breakdown"] = rows[~pairs].reset_index(drop=True)
    out["sla"] = rows.loc[pairs, sla_cols].sort_values(["manager", "region"], ignore_index=True)
    return out


def conversions(rows: pd.DataFrame, only: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Each step's conversion from the one before and lead to won overall, and the other shares
    model/catalog.py declares for funnel_breakdown, recomputed by the registry from the rows' counts (a
    total or a summed row gets its ratio of sums, never an average of ratios)."""
    return metrics.with_formulas(SOURCE, rows, only)


def breakdown(d: dict, by: str, lang: str) -> pd.DataFrame:
    """The funnel by one breakdown, largest first, with a label in the UI language and a total row last."""
    rows = d["breakdown"]
    rows = rows[rows.breakdown == by].assign(label=lambda r: r[f"label_{lang}"])
    cols = ["label", *STEPS, "linked_leads"]
    # a step unknown on every row (no lead linked to a deal) is unknown in the total too, not 0
    total = pd.DataFrame([{"label": None, **{s: rows[s].sum(min_count=1) if len(rows) else 0 for s in STEPS},
                           "linked_leads": rows.linked_leads.max()}])
    return conversions(pd.concat([rows[cols], total], ignore_index=True), SHARES)


def top_and_rest(rows: pd.DataFrame, top: int, rest_label: str) -> pd.DataFrame:
    """The `top` largest values by leads, the others summed into one row (for a readable chart), which names
    how many it holds in its label (`rest_label` formats {n}) and which in `members` (the chart's hover); a
    table beside the chart lists every value. Column `members` is empty for the rows of one value."""
    rows = rows.sort_values("leads", ascending=False, kind="stable").assign(members="")
    if len(rows) <= top + 1:
        return rows
    rest = rows.iloc[top:]
    folded = {"label": rest_label.format(n=len(rest)), **{s: rest[s].sum() for s in STEPS},
              "members": ", ".join(str(v) for v in rest.label)}
    return pd.concat([rows.iloc[:top], pd.DataFrame([folded])], ignore_index=True)


def quality(d: dict, lang: str) -> pd.DataFrame:
    """Lead quality by channel: qualified share, win rate (won among leads with a deal), revenue per lead."""
    rows = d["breakdown"]
    rows = rows[rows.breakdown == "channel"]
    return pd.DataFrame({
        "label": rows[f"label_{lang}"], "owner": rows.channel_owner, "leads": rows.leads,
        "qualified_share": rows.qualified_share, "win_rate": rows.win_rate,
        "revenue": rows.won_revenue_base, "revenue_per_lead": rows.revenue_per_lead,
    }).reset_index(drop=True)


def sla(d: dict, target_share: float) -> pd.DataFrame:
    """First contact by manager and region: the share of all leads contacted within the agreed working
    hours (a lead nobody contacted counts as not within), mean working hours over contacted leads."""
    rows = conversions(d["sla"], SLA)
    return rows.assign(met=[None if pd.isna(s) else bool(s >= target_share) for s in rows.share])


def sla_top(s: pd.DataFrame, top: int) -> pd.DataFrame:
    """The chart's rows of sla(): the `top` manager x region pairs by leads (most first), the others
    summed into one last row (manager and region None, `pairs` saying how many) with its share of
    leads in time recomputed from the sums; `pairs` is 1 on the named rows."""
    rows = s.sort_values(["leads", "manager", "region"], ascending=[False, True, True], kind="stable")
    head = rows.head(top).assign(pairs=1)
    if len(rows) <= top + 1:
        return rows.assign(pairs=1).reset_index(drop=True)
    rest = rows.iloc[top:]
    sums = {c: rest[c].sum() for c in ("leads", "judged", "contacted", "within_sla")}
    tail = conversions(pd.DataFrame([{"manager": None, "region": None, **sums, "pairs": len(rest)}]), ("share",))
    cols = ["manager", "region", "leads", "contacted", "within_sla", "share", "pairs"]
    return pd.concat([head[cols], tail[cols]], ignore_index=True)


def sla_target_share(d: dict) -> float:
    return float(d["scorecard"].within_sla_target.iloc[0])


def _met(fact, target):
    return None if fact is None or pd.isna(fact) or target is None or pd.isna(target) else bool(fact >= target)


def scorecard(d: dict) -> pd.DataFrame:
    """Per month, each commitment's fact, target and met (True/False, None when there is nothing to judge)."""
    m = d["scorecard"]
    out = pd.DataFrame({"month": m.month, "leads": m.leads, "leads_plan": m.leads_plan,
                        "qualified_share": m.qualified_share, "sla_share": m.sla_share,
                        "lead_to_deal": m.lead_to_deal, "min_qualified_share": m.min_qualified_share,
                        "sla_target": m.within_sla_target, "min_lead_to_deal": m.min_lead_to_deal})
    out["leads_met"] = [_met(a, b) for a, b in zip(out.leads, out.leads_plan, strict=True)]
    out["qualified_met"] = [_met(a, b) for a, b in zip(out.qualified_share, out.min_qualified_share, strict=True)]
    out["sla_met"] = [_met(a, b) for a, b in zip(out.sla_share, out.sla_target, strict=True)]
    out["lead_to_deal_met"] = [_met(a, b) for a, b in zip(out.lead_to_deal, out.min_lead_to_deal, strict=True)]
    return out
