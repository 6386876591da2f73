-- Campaign grain by day, for attribution's ROMI and CPL per campaign (attribution_by_campaign.sql):
-- spend in the base currency (spend_facts, converted as for mart_spend_day, product from the campaign)
-- and new leads (no product, as in mart_leads_day; leads without a campaign too, so a channel's rows
-- add up to its leads). Small: campaigns x days, plus leads by region and channel.
create or replace table mart_campaign_day as
with spend as (
    select day, region, channel, campaign, product, sum(cost_base) as cost_base
    from spend_facts
    group by all
),
leads as (
    select created_at::date as day, coalesce(region, '(none)') as region, channel, utm_campaign as campaign,
           count(*) as leads
    from leads group by all
)
select day, region, channel, campaign, product, cost_base, null::bigint as leads from spend
union all
select day, region, channel, campaign, null, null, leads from leads
order by day;

-- By month: a period's whole months cost a month's rows, not thirty days' (attribution_by_campaign over
-- a calendar year at 10M deals: 153,776 day rows, 5,976 month rows). A month's spend and lead rows of
-- one key (a lead row's product is null, as a spend row's whose campaign has none) add up into one row.
create or replace table mart_campaign_month as
select date_trunc('month', day)::date as month, region, channel, campaign, product,
       sum(cost_base) as cost_base, sum(leads) as leads
from mart_campaign_day
group by all
order by month;

-- A period's rows, as region_rows (mart_region.sql): whole months by month, the others by day.
create or replace macro campaign_rows(d_from, d_to) as table
    select * from mart_campaign_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    -- the first month's days, where the range covers that month in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_campaign_day
    where day between d_from::date and least(d_to::date, last_day(d_from::date))
      and (day(d_from::date) > 1 or last_day(d_from::date) > d_to::date)
    union all by name
    -- the last month's days, where it is a later month covered in part
    select date_trunc('month', day)::date as month, * exclude (day) from mart_campaign_day
    where day between date_trunc('month', d_to::date)::date and d_to::date
      and date_trunc('month', d_to::date) > date_trunc('month', d_from::date)
      and last_day(d_to::date) > d_to::date;
