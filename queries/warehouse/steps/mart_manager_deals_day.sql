-- Managers' closed deals by the day they closed, with the deal's product (and by month below): with
-- funnel_rows for the lead side, the Regions drill-down's managers add up to the region's row for any
-- range and product filter, whole months read from the month table and only cut months by day.
create or replace table mart_manager_deals_day as
select closed_at::date as day, region, manager, product,
       count(*) filter (where status = 'won') as deals_won, count(*) filter (where status = 'lost') as deals_lost,
       coalesce(sum(amount_base) filter (where status = 'won'), 0)::decimal(18,2) as revenue_base
from deal_facts
where closed_at is not null and status in ('won', 'lost')
group by all
order by day;

-- By month, and the rows a period reads (whole months by month, partial months by day), as region_rows:
-- with funnel_rows for the lead side, a year of a region's managers reads months, not every day.
create or replace table mart_manager_deals_month as
select date_trunc('month', day)::date as month, region, manager, product,
       sum(deals_won)::bigint as deals_won, sum(deals_lost)::bigint as deals_lost,
       sum(revenue_base)::decimal(18,2) as revenue_base
from mart_manager_deals_day
group by all
order by month;

create or replace macro manager_deals_rows(d_from, d_to) as table
    select * from mart_manager_deals_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_manager_deals_day
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_manager_deals_day
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;
