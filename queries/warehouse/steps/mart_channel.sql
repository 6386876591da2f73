-- What a region's sources read (region_sources.sql), one table: leads by their creation day and
-- channel (no product: a product filter keeps them), won deals and their revenue by the close day and
-- the deal's channel, spend by its day and campaign's product. By day, then by month with the rows a
-- period reads, as mart_region: a year of sources costs a scan of its months, not of every day's deals.
create or replace table mart_channel_day as
with parts as (
    select day, region, channel, product, 0 as leads, 0 as qualified, deals_won, revenue_base, 0 as cost_base
    from mart_deals_day
    union all
    select day, region, channel, product, 0, 0, 0, 0, cost_base
    from mart_spend_day
    union all
    select day, region, channel, null, leads, qualified, 0, 0, 0
    from mart_leads_day
)
select day, region, channel, product, sum(leads)::bigint as leads, sum(qualified)::bigint as qualified,
       sum(deals_won)::bigint as deals_won, sum(revenue_base)::decimal(18,2) as revenue_base,
       sum(cost_base)::decimal(18,2) as cost_base
from parts
group by all
order by day;

create or replace table mart_channel_month as
select date_trunc('month', day)::date as month, region, channel, product,
       sum(leads)::bigint as leads, sum(qualified)::bigint as qualified, sum(deals_won)::bigint as deals_won,
       sum(revenue_base)::decimal(18,2) as revenue_base, sum(cost_base)::decimal(18,2) as cost_base
from mart_channel_day
group by all
order by month;

create or replace macro channel_rows(d_from, d_to) as table
    select * from mart_channel_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_channel_day
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_channel_day
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;
