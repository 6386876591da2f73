-- One row per source (deals, leads, ad_spend, sales, traffic, plan): latest date, rows, last load, and
-- the latest day with any deal, lead or spend (the same on every row: what "so far" means for a
-- run-rate). Computed at build (mart_freshness). Params: none.
select source, latest, row_count, loaded_at, activity_latest
from mart_freshness
order by ord
