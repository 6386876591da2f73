-- One row: the latest day with any deal, lead or spend (what "so far" means for a run-rate). Params: none.
select greatest(
    (select max(day) from mart_deals_day), (select max(day) from mart_leads_day),
    (select max(day) from mart_spend_day)) as latest
