-- The daily series the region and campaign rules judge (alert_region.sql, alert_campaign.sql): one row per
-- key x day, dense (a day with no rows is a zero), each up to the last day its own export covers, so a
-- late export is a stale alert, not a drop. Small: regions and campaigns by day, never rows of deals.

-- A region's new leads, the leads whose first contact missed the SLA (mart_leads_day counts a lead not
-- yet contacted as missed; a lead of an export without first contacts is not judged) and its running campaigns' spend in the base currency; the rest of the country's leads beside
-- it, so a national dip moves the expectation, not the verdict.
create or replace temp table al_region_day as
with bounds as (
    select min(day) as first_day, max(day) as last_day from mart_leads_day
),

days as (
    select unnest(generate_series(first_day, last_day, interval 1 day))::date as day from bounds
),

leads as (
    select day, region, sum(leads) as leads, sum(judged - within_sla) as breached
    from mart_leads_day
    group by all
),

-- cost per lead counts the spend of campaigns past their first 8 weeks + the window: a flight or a new
-- campaign is planned spend whose leads are still to come (the spend rules watch those from day one)
campaign_spend as (
    select day, region, campaign, sum(cost_base)::double as cost
    from mart_campaign_day
    where cost_base is not null
    group by all
),

spend as (
    select s.day, s.region, sum(s.cost) as cost
    from campaign_spend s
    join (select campaign, min(day) as first_day from campaign_spend group by all) f using (campaign)
    where s.day >= f.first_day + (56 + (select region_window_days from cfg_alerts))::int
    group by all
),

-- a region's spend is whole up to the day every platform that spent in the last 28 days has exported
spend_through as (
    select min(latest) as day
    from (select platform, max(date) as latest from ad_spend group by platform)
    where latest >= (select max(date) from ad_spend) - 28
),

-- canonical regions with any lead or spend (data/regions.csv may list many more)
regions as (
    select region from cfg_regions
    where region in (select region from leads) or region in (select region from campaign_spend)
),

grid as (
    select r.region, d.day, coalesce(l.leads, 0) as leads, coalesce(l.breached, 0) as breached,
           coalesce(s.cost, 0) as cost
    from regions r
    cross join days d
    left join leads l on l.region = r.region and l.day = d.day
    left join spend s on s.region = r.region and s.day = d.day
)

select *, sum(leads) over (partition by day) - leads as rest_leads, sum(cost) over (partition by day) - cost as rest_cost,
       day <= coalesce((select day from spend_through), date '1900-01-01') as spend_whole
from grid
order by region, day;

-- A campaign's spend per day (its regions summed, in its own currency) from its first day of spend to
-- the last day its platform exported; its planned end from campaigns. Its region is where the spend it sums
-- is: the one region of all its spend rows; the campaign file's when no spend row names one; none (a
-- company figure, withheld from a regional manager) when it spends in several regions, or in one and
-- without a region, whatever the campaign file says: the figure would hold the other regions' spend.
create or replace temp table al_campaign_day as
-- spend in the base currency at data/fx_rates.csv, as the marts count it (mart_spend_day.sql): a campaign
-- paid in EUR is judged and shown in the base currency, never its EUR figure under the base's sign
with spend as (
    select s.campaign, s.platform, s.date as day,
           sum(s.cost * case when s.currency = a.base_currency then 1 else fx.rate end)::double as cost
    from ad_spend s
    cross join cfg_agreement a
    asof left join cfg_fx fx on fx.currency = s.currency and s.date >= fx.valid_from
    where s.campaign is not null and s.platform is not null
    group by all
),

platform_through as (
    select platform, max(day) as last_day from spend group by all
),

keys as (
    select campaign, platform, min(date) as first_day, count(distinct region) as spend_regions,
           case when count(distinct region) = 1 and count(region) = count(*) then any_value(region) end
               as spend_region
    from ad_spend
    where campaign is not null and platform is not null
    group by all
),

info as (
    select campaign, platform, any_value(region) as region, any_value(channel) as channel, max(end_date) as end_date
    from campaigns
    group by all
),

grid as (
    select k.campaign, k.platform, if(k.spend_regions = 0, i.region, k.spend_region) as region, i.channel, i.end_date,
           unnest(generate_series(k.first_day, p.last_day, interval 1 day))::date as day
    from keys k
    join platform_through p using (platform)
    left join info i using (campaign, platform)
)

select g.*, coalesce(s.cost, 0) as cost
from grid g
left join spend s using (campaign, platform, day)
order by campaign, platform, day;
