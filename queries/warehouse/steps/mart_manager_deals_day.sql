-- Managers' closed deals by the day they closed, with the deal's product: with mart_funnel_day's lead
-- side (by day too) the Regions drill-down's managers add up to the region's row for any range and
-- product filter, where a monthly table could only give whole months.
create or replace table mart_manager_deals_day as
select closed_at::date as day, region, manager, product,
       count(*) filter (where status = 'won') as deals_won, count(*) filter (where status = 'lost') as deals_lost,
       coalesce(sum(amount_base) filter (where status = 'won'), 0)::decimal(18,2) as revenue_base
from deal_facts
where closed_at is not null and status in ('won', 'lost')
group by all
order by day;
