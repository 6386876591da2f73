-- Each source's latest business date and row count, for the freshness line every page shows
-- (computed here once, not by a scan of 10M deals per page view).
create or replace table mart_freshness as
with sources as (
select 1 as ord, 'deals' as source, max(created_at)::date as latest, count(*) as row_count from deals
union all select 2, 'leads', max(created_at)::date, count(*) from leads
union all select 3, 'ad_spend', max(date), count(*) from ad_spend
union all select 4, 'sales', max(sale_date), count(*) from sales
union all select 5, 'traffic', max(period_end), count(*) from traffic
union all select 6, 'plan', max(month), count(*) from plan
)
-- loaded_at: the source's last load; activity_latest: the latest day with any deal, lead or spend (what
-- "so far" means for a run-rate)
select s.*, l.loaded_at,
       (select max(day) from mart_region_day) as activity_latest     -- deals, spend and leads
from sources s
left join (select entity as source, max(loaded_at) as loaded_at from loads group by entity) l using (source);
