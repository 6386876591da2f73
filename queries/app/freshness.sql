-- One row per source (deals, leads, ad_spend, sales, traffic, plan): latest date, rows, last load, and
-- the latest day with any deal, lead or spend (the same on every row: what "so far" means for a
-- run-rate). Params: none.
with loads_by_entity as (
    select entity as source, max(loaded_at) as loaded_at from loads group by entity
)

select f.source, f.latest, f.row_count, l.loaded_at, f.activity_latest
from mart_freshness f
left join loads_by_entity l using (source)
order by f.ord
