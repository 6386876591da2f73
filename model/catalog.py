"""Which registered metric each number column of each queries/app file is, and what the other queries list.

The runner reads a query only if it is here (model.runner.sql_of): a query that computes numbers names,
for each of its number columns, the metric in model/metrics.py it is (or the agreement value it repeats);
a query that lists rows people read (options, loads, rejects, activities as planned, data-quality
findings) says what it lists. So every number a page, the deck, an export or a CLI shows is a registered
metric with a definition and a basis, and tests/test_catalog.py checks each query's columns against this.

In `SOURCES`, "{metric}" in a metric key stands for the row's plan metric (plan_fact_region_month's long
format: revenue, deals, leads, spend), and AGREED marks a value copied from the agreements, not computed.
"""
from __future__ import annotations

AGREED = "agreement"

SOURCES: dict[str, dict[str, str]] = {
    "metrics_region": {c: c for c in (
        "revenue", "deals_won", "deals_lost", "deals_created", "revenue_sourced", "revenue_influenced",
        "deals_won_sourced", "deals_won_priced", "spend", "leads", "qualified", "open_deals", "open_pipeline",
        "revenue_plan_period", "revenue_plan_to_date", "deals_plan_period", "deals_plan_to_date",
        "leads_plan_period", "leads_plan_to_date", "spend_plan_period", "spend_plan_to_date")},
    "plan_fact_region_month": {"fact": "{fact}", "target": "{metric}_plan_period",
                               "target_to_date": "{metric}_plan_to_date"},
    "monthly_fact_plan": {"revenue": "revenue", "deals_won": "deals_won", "spend": "spend", "leads": "leads",
                          "revenue_plan": "revenue_plan_period", "spend_plan": "spend_plan_period",
                          "leads_plan": "leads_plan_period"},
    "kpi_deals": {"revenue": "revenue_in_currency", "revenue_base": "revenue", "deals_won": "deals_won",
                  "deals_lost": "deals_lost", "deals_created": "deals_created"},
    "won_revenue_by_week": {"revenue": "revenue", "deals_won": "deals_won"},
    "region_monthly": {"revenue": "revenue", "spend": "spend", "deals_won": "deals_won"},
    "region_managers": {"leads": "leads", "judged": "sla_judged", "contacted": "contacted", "within_sla": "within_sla",
                        "response_hours_sum": "response_hours_sum", "deals_won": "deals_won",
                        "deals_lost": "deals_lost", "revenue": "revenue"},
    "region_products": {"revenue": "revenue", "deals_won": "deals_won", "deals_lost": "deals_lost",
                        "deals_won_priced": "deals_won_priced"},
    "region_sources": {"leads": "leads", "qualified": "qualified", "won_deals": "deals_won", "revenue": "revenue",
                       "spend": "spend"},
    "attribution_unattributed": {"revenue": "revenue", "unattributed": "unattributed_revenue"},
    "funnel_breakdown": {"leads": "leads", "qualified": "qualified", "converted": "converted",
                         "won_leads": "won_leads", "won_deals": "cohort_won_deals",
                         "won_revenue_base": "cohort_revenue", "judged": "sla_judged", "contacted": "contacted",
                         "within_sla": "within_sla", "linked_leads": "linked_leads",
                         "response_hours_sum": "response_hours_sum"},
    "funnel_scorecard_month": {"leads": "leads", "leads_plan": "leads_plan_to_date", "qualified": "qualified",
                               "converted": "converted", "judged": "sla_judged", "contacted": "contacted",
                               "within_sla": "within_sla",
                               "min_qualified_share": AGREED, "min_lead_to_deal": AGREED,
                               "first_contact_hours": AGREED, "within_sla_target": AGREED},
    "attribution_by_channel": {"revenue": "attributed_revenue", "pipeline": "attributed_pipeline",
                               "won_deals": "attributed_deals", "open_deals": "attributed_open_deals",
                               "sourced_revenue": "revenue_sourced", "influenced_revenue": "revenue_influenced",
                               "spend": "spend", "leads": "leads",
                               **dict.fromkeys(("first_touch", "last_touch", "linear", "time_decay", "position_based",
                                                "w_shaped"), "attributed_revenue")},
    "attribution_by_campaign": {"revenue": "attributed_revenue", "pipeline": "attributed_pipeline",
                                "won_deals": "attributed_deals", "open_deals": "attributed_open_deals",
                                "spend": "spend", "leads": "leads"},
    "attribution_transitions": {"transitions": "path_transitions", "value": "path_won_value"},
    "attribution_channel_sets": {"deals": "channel_set_deals", "value": "channel_set_value"},
    "recon_by_region_month": {"crm_won_amount": "revenue_in_currency", "crm_won_deals": "deals_won",
                              "sales_amount": "accounting_sales", "returns_amount": "accounting_returns",
                              "difference": "recon_difference", "crm_only": "recon_crm_only",
                              "accounting_only": "recon_accounting_only", "returns": "recon_returns"},
    "flights_list": {"spend": "flight_spend", "share": "flight_spend_share"},
    "flight_panel": {"value": "panel_value"},
}

# The formula columns the runner adds to a query's rows ({column: formula metric}), computed by the
# registry from the query's own columns above: SQL sums, the registry divides, so a ratio is defined
# once (tests/test_catalog.py fails on a SOURCES column that maps to a formula metric).
DERIVED: dict[str, dict[str, str]] = {
    "plan_fact_region_month": {"plan_share": "{metric}_vs_plan_to_date"},
    "region_managers": {"within_sla_share": "within_sla_share", "response_hours_mean": "response_hours_mean",
                        "win_rate": "win_rate"},
    "region_products": {"avg_deal": "avg_deal", "win_rate": "win_rate"},
    "region_sources": {"qualified_share": "qualified_share", "revenue_per_lead": "revenue_per_lead", "cpl": "cpl"},
    "attribution_unattributed": {"share": "unattributed_share"},
    # the funnel's steps, each from the one before, and lead quality by channel; first contact
    "funnel_breakdown": {"to_qualified": "qualified_share", "to_deal": "qualified_to_deal", "to_won": "deal_to_won",
                         "lead_to_won": "lead_to_won", "qualified_share": "qualified_share", "win_rate": "deal_to_won",
                         "revenue_per_lead": "cohort_revenue_per_lead", "share": "within_sla_share",
                         "mean_hours": "response_hours_mean"},
    "funnel_scorecard_month": {"qualified_share": "qualified_share", "sla_share": "within_sla_share",
                               "lead_to_deal": "lead_to_deal"},
    "attribution_by_channel": {"romi": "attributed_romi", "cpl": "cpl"},
    "attribution_by_campaign": {"romi": "attributed_romi", "cpl": "cpl"},
}

# Queries that list rows (no business metric in them), and what they list.
LISTINGS: dict[str, str] = {
    "agreement": "the signed-off base currency and SLA targets",
    "build_meta": "the build's config hash, time, agreements text and version",
    "warehouse_built_at": "when the warehouse file was built",
    "warehouse_mode": "whether the warehouse is the demo company alone (no sign-in)",
    "warehouse_status": "whether the warehouse holds deals",
    "freshness": "each source's latest date and row count",
    "filter_options": "regions and products to filter by",
    "region_default": "the region the Regions drill-down opens on (the most revenue among known regions)",
    "channel_labels": "channels, their owners and labels",
    "activity_owners": "who owns activities",
    "activities_in_period": "activities as planned, with their budgets as entered",
    "joint_plan_activities": "activities as planned, with their budgets as entered",
    "joint_plan_by_owner": "activities per owner as planned, with their budgets as entered",
    "joint_plan_next_30_days": "activities of the next 30 days as planned",
    "plan_lines": "plan lines as entered (targets of the period's whole months, by owner and level)",
    "load_history": "loaded files and their row counts",
    "rejects_of_load": "rejected rows of a load, with the reason",
    "reject_reasons": "reject reasons and their row counts",
    "cell_warnings_of_load": "unreadable cells of a load, with the reason",
    "recon_differences_list": "deals and accounting documents that do not match, line by line (the largest, or "
                              "all), and how many lines there are",
    "dq_summary": "data-quality counts (rows without a source or region)",
    "dq_cells": "data-quality counts (cells left empty, won deals without an amount)",
    "dq_won_no_amount": "won deals without an amount, by currency and region",
    "dq_unrecognised": "values no rule matched, with the rows and revenue behind them",
    "dq_unrecognised_share": "the share of rows and revenue with values no rule matched",
    "dq_unmapped_campaigns": "campaign keys without a campaign row",
    "vocab_unrecognised": "values the vocabulary step offers to map",
    "alerts_open": "open alerts with the number and the usual range each rule judged (data/alerts.toml)",
    "alerts_list": "alert episodes with the number and the usual range each rule judged (data/alerts.toml)",
}


def declared(name: str) -> bool:
    """True when queries/app/<name>.sql is a metric source or a listing here."""
    return name in SOURCES or name in LISTINGS

# How each query is restricted for a user who sees only some regions (model/access.py defines the rules;
# the runner refuses a restricted user any query missing here: default deny). tests/test_access_matrix.py
# checks every query's SQL names the parameter its rule restricts.
ACCESS: dict[str, str] = {
    # the sign-in gate's one question before anyone is signed in: is this the demo company alone?
    "warehouse_mode": "anonymous",
    # no regional data: config, the build's record, labels, who owns activities
    **dict.fromkeys(("agreement", "build_meta", "warehouse_built_at", "channel_labels", "activity_owners"),
                    "public"),
    # whether there is data, and when each source's latest row is: a restricted user gets 1/0, not counts
    **dict.fromkeys(("warehouse_status", "freshness"), "presence"),
    "filter_options": "options",
    # $regions intersected with the user's regions (activities without a region are company-wide plans
    # every region works under, shown to all)
    **dict.fromkeys(("metrics_region", "region_default", "monthly_fact_plan", "kpi_deals", "won_revenue_by_week",
                     "plan_fact_region_month", "funnel_breakdown", "funnel_scorecard_month",
                     "attribution_by_channel", "attribution_by_campaign", "attribution_unattributed",
                     "recon_by_region_month", "recon_differences_list", "activities_in_period",
                     "joint_plan_activities", "joint_plan_by_owner", "joint_plan_next_30_days"), "regions"),
    "plan_lines": "plan_lines",
    # alerts of the user's regions; those with no region (a federal campaign, an export, a raw value) are
    # company-wide figures, withheld from a restricted user
    **dict.fromkeys(("alerts_open", "alerts_list"), "regional"),
    # one region's drill-down: the region must be the user's
    **dict.fromkeys(("region_monthly", "region_managers", "region_products", "region_sources"), "region"),
    "dq_won_no_amount": "rows",
    "flights_list": "flights",
    "flight_panel": "panel",
    # the whole company's paths (Markov, Shapley are fitted on them), loads, raw rejected rows and cells,
    # data-quality figures of the whole warehouse: company totals, no region to cut them by
    **dict.fromkeys(("attribution_transitions", "attribution_channel_sets", "load_history", "rejects_of_load",
                     "reject_reasons", "cell_warnings_of_load", "dq_summary", "dq_cells", "dq_unrecognised",
                     "dq_unrecognised_share", "dq_unmapped_campaigns", "vocab_unrecognised"), "company"),
}
