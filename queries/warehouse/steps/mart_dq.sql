-- Warehouse-wide data-quality figures the Data page states (no parameters: computed once here).
create or replace table mart_dq as
with deals as (
    select sum(deals_created) as deals, sum(deals_created) filter (where channel = 'unknown') as no_source,
           sum(revenue_base) as revenue, sum(revenue_base) filter (where channel = 'unknown') as revenue_no_source,
           sum(revenue_base) filter (where region = '(none)' or region not in (select region from cfg_regions))
               as revenue_unknown_region
    from mart_deals_day
)
select deals, coalesce(no_source, 0) as no_source, no_source / nullif(deals, 0) as no_source_share,
       coalesce(revenue_no_source, 0) / nullif(revenue, 0) as revenue_no_source_share,
       coalesce(revenue_unknown_region, 0) / nullif(revenue, 0) as revenue_unknown_region_share,
       (select count(*) from rejects) as rejected_rows
from deals;
