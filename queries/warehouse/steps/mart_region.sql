-- What regional views and the headline sum, one table: deals (by day x region x product x currency, a
-- tenth of mart_deals_day's rows), spend (by its campaign's product and currency) and leads, which carry
-- no product or currency (product and currency null: a product filter keeps them, see region_summary).
-- One scan then answers revenue, spend and leads for a period, so a year of 17 regions costs a few
-- milliseconds at 10M deals.
create or replace table mart_region_day as
with parts as (
    select day, region, product, currency, deals_created, deals_won, deals_lost, revenue, revenue_base,
           sourced_base, influenced_base, deals_won_sourced, 0 as cost_base, 0 as leads, 0 as qualified,
           deals_won_priced
    from mart_deals_day
    union all
    select day, region, product, currency, 0, 0, 0, 0, 0, 0, 0, 0, cost_base, 0, 0, 0
    from mart_spend_day
    union all
    select day, region, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, leads, qualified, 0
    from mart_leads_day
)
select day, region, product, currency, sum(deals_created)::bigint as deals_created,
       sum(deals_won)::bigint as deals_won, sum(deals_lost)::bigint as deals_lost,
       sum(revenue)::decimal(18,2) as revenue, sum(revenue_base)::decimal(18,2) as revenue_base,
       sum(sourced_base)::decimal(18,2) as sourced_base, sum(influenced_base)::decimal(18,2) as influenced_base,
       sum(deals_won_sourced)::bigint as deals_won_sourced, sum(cost_base)::decimal(18,2) as cost_base,
       sum(leads)::bigint as leads, sum(qualified)::bigint as qualified,
       sum(deals_won_priced)::bigint as deals_won_priced
from parts
group by all
order by day;

-- The same by month, and the rows a period reads: its whole months from mart_region_month, the days
-- of a month it covers only in part from mart_region_day. A period of any length then costs about the
-- same, a year of months or a custom range. Columns as mart_region_day's, with month for day.
create or replace table mart_region_month as
select date_trunc('month', day)::date as month, region, product, currency,
       sum(deals_created)::bigint as deals_created, sum(deals_won)::bigint as deals_won,
       sum(deals_lost)::bigint as deals_lost, sum(revenue)::decimal(18,2) as revenue,
       sum(revenue_base)::decimal(18,2) as revenue_base, sum(sourced_base)::decimal(18,2) as sourced_base,
       sum(influenced_base)::decimal(18,2) as influenced_base, sum(deals_won_sourced)::bigint as deals_won_sourced,
       sum(cost_base)::decimal(18,2) as cost_base, sum(leads)::bigint as leads, sum(qualified)::bigint as qualified,
       sum(deals_won_priced)::bigint as deals_won_priced
from mart_region_day
group by all
order by month;

-- A period's rows: its whole months from the month mart, and only the days of the (at most two) months
-- it covers in part from the day mart, each read by its own day range. The same shape serves
-- channel_rows, funnel_rows, manager_deals_rows and attribution_*_rows. (A single day range over the
-- whole period filtered by "not in a whole month" read every day of the period and dropped them:
-- attribution_channel_rows for 2025-12-01..2026-11-30 took 7.7 ms at 1M deals, 2.8 ms this way.)
create or replace macro region_rows(d_from, d_to) as table
    select * from mart_region_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_region_day
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_region_day
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;

-- The part of month m's plan that falls in the window [a, b]: its days inside the window over its days
-- (0 outside). Every plan figure on a basis (queries/app: metrics_region, plan_fact_region_month,
-- monthly_fact_plan, funnel_scorecard_month) prorates a month by this, with b the window's end ("period")
-- or the data's date ("to date").
create or replace macro month_part(m, a, b) as
    greatest(0, date_diff('day', greatest(m::date, a::date), least(last_day(m::date), b::date)) + 1)
        / day(last_day(m::date))::double;
