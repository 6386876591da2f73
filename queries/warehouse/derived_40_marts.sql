-- Aggregate tables the pages read (queries/app/*.sql), rebuilt at every build. Their size follows
-- days x regions x channels x products, not the number of deals, so pages cost about the same at
-- 10M deals as at 10k. Day marts are written in day order, so a period filter reads only the row
-- groups of its days (DuckDB's min/max zonemaps). Money stays in its currency; *_base columns convert it into the agreed
-- base currency through data/fx_rates.csv (null when a currency has no rate), for plan vs fact.

-- Per deal: its first marketing-relevant facts from the touchpoints (by lead or by deal ID).
create or replace temp table deal_touch as
with touches as (
    select d.deal_id, t.touch_at, t.channel
    from deals d join touchpoints t on t.lead_id = d.lead_id
    where t.touch_at <= coalesce(d.closed_at, timestamp '9999-12-31')
    union all
    select d.deal_id, t.touch_at, t.channel
    from deals d join touchpoints t on t.deal_id = d.deal_id
    where t.lead_id is distinct from d.lead_id and t.touch_at <= coalesce(d.closed_at, timestamp '9999-12-31')
)
select t.deal_id, arg_min(t.channel, t.touch_at) as first_channel,
       bool_or(c.owner = 'marketing') as marketing_touch
from touches t left join cfg_channels c on c.channel = t.channel
group by t.deal_id;

create or replace temp table deal_facts as
select d.deal_id, d.lead_id, d.created_at, d.closed_at, d.status, d.amount, d.currency,
       coalesce(d.region, '(none)') as region, d.channel, coalesce(d.product, '(none)') as product,
       coalesce(d.manager, '(none)') as manager, d.stage,
       -- sourced: the first touch is a marketing channel (no touches: the deal's own channel is)
       coalesce(fc.owner, dc.owner) = 'marketing' as sourced,
       coalesce(dt.marketing_touch, false) or dc.owner = 'marketing' as influenced,
       d.amount * case when d.currency = a.base_currency then 1 else fx.rate end as amount_base
from deals d
cross join cfg_agreement a
left join deal_touch dt using (deal_id)
left join cfg_channels fc on fc.channel = dt.first_channel
left join cfg_channels dc on dc.channel = d.channel
asof left join cfg_fx fx on fx.currency = d.currency and coalesce(d.closed_at, d.created_at)::date >= fx.valid_from;

-- One row per day x region x channel x product x currency. Each measure is dated by its own event:
-- created_* by created_at, won_* and lost_* by closed_at.
create or replace table mart_deals_day as
with events as (
    select created_at::date as day, region, channel, product, currency,
           1 as deals_created, amount as amount_created, 0 as deals_won, 0 as revenue, 0 as revenue_base,
           0 as revenue_sourced, 0 as revenue_influenced, 0 as sourced_base, 0 as influenced_base, 0 as deals_lost,
           0 as deals_won_sourced
    from deal_facts
    union all
    select closed_at::date, region, channel, product, currency, 0, 0, 1, amount, amount_base,
           case when sourced then amount else 0 end, case when influenced then amount else 0 end,
           case when sourced then amount_base else 0 end, case when influenced then amount_base else 0 end, 0,
           case when sourced then 1 else 0 end
    from deal_facts where status = 'won' and closed_at is not null
    union all
    select closed_at::date, region, channel, product, currency, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
    from deal_facts where status = 'lost' and closed_at is not null
)
select day, region, channel, product, coalesce(currency, '(none)') as currency,
       sum(deals_created)::bigint as deals_created, sum(amount_created)::decimal(18,2) as amount_created,
       sum(deals_won)::bigint as deals_won, sum(revenue)::decimal(18,2) as revenue,
       sum(revenue_base)::decimal(18,2) as revenue_base,
       sum(revenue_sourced)::decimal(18,2) as revenue_sourced,
       sum(revenue_influenced)::decimal(18,2) as revenue_influenced,
       sum(sourced_base)::decimal(18,2) as sourced_base, sum(influenced_base)::decimal(18,2) as influenced_base,
       sum(deals_lost)::bigint as deals_lost, sum(deals_won_sourced)::bigint as deals_won_sourced
from events
group by all
order by day;

-- Open deals as of the build: the pipeline by where it stands now.
create or replace table mart_pipeline as
select region, channel, product, coalesce(currency, '(none)') as currency, coalesce(stage, '(none)') as stage,
       count(*) as open_deals, coalesce(sum(amount), 0)::decimal(18,2) as open_amount,
       coalesce(sum(amount_base), 0)::decimal(18,2) as open_amount_base
from deal_facts where status = 'open'
group by all;

-- Leads by creation day: volume, quality, the sales side's first contact against the agreed SLA,
-- and what their deals won (base currency: one lead's deals may be in several currencies).
create or replace temp table lead_facts as
with lead_deals as (
    select lead_id, count(*) as deals, count(*) filter (where status = 'won') as won,
           sum(amount_base) filter (where status = 'won') as won_base
    from deal_facts
    where lead_id is not null
    group by lead_id
)
select l.lead_id, l.created_at::date as day, coalesce(l.region, '(none)') as region, l.channel,
       coalesce(l.manager, '(none)') as manager, l.status,
       l.status in ('qualified', 'converted') or ld.deals > 0 as qualified,
       l.status = 'converted' or l.deal_id is not null or ld.deals > 0 as converted,
       l.status = 'junk' as junk,
       l.first_contact_at is not null and l.first_contact_at >= l.created_at as contacted,
       (work_minutes(l.first_contact_at, a.day_start, a.day_end, a.working_days)
        - work_minutes(l.created_at, a.day_start, a.day_end, a.working_days)) / 60.0 as response_hours,
       a.first_contact_hours,
       coalesce(ld.won, 0) as won_deals, coalesce(ld.won_base, 0) as won_base
from leads l
cross join cfg_agreement a
left join lead_deals ld using (lead_id);

create or replace table mart_leads_day as
select day, region, channel, count(*) as leads,
       count(*) filter (where qualified) as qualified, count(*) filter (where converted) as converted,
       count(*) filter (where junk) as junk, count(*) filter (where contacted) as contacted,
       count(*) filter (where contacted and response_hours <= first_contact_hours) as within_sla,
       coalesce(sum(response_hours) filter (where contacted), 0) as response_hours_sum,
       sum(won_deals)::bigint as won_deals, coalesce(sum(won_base), 0)::decimal(18,2) as won_revenue_base
from lead_facts
group by all
order by day;

-- Managers by month: their leads' first contact and their deals' outcomes.
create or replace table mart_manager_month as
with lead_side as (
    select date_trunc('month', day)::date as month, region, manager, count(*) as leads,
           count(*) filter (where contacted) as contacted,
           count(*) filter (where contacted and response_hours <= first_contact_hours) as within_sla,
           coalesce(sum(response_hours) filter (where contacted), 0) as response_hours_sum,
           quantile_cont(response_hours, 0.5) filter (where contacted) as response_hours_median,
           count(*) filter (where qualified) as qualified, count(*) filter (where converted) as converted
    from lead_facts group by all
),
deal_side as (
    select date_trunc('month', closed_at)::date as month, region, manager,
           count(*) filter (where status = 'won') as deals_won, count(*) filter (where status = 'lost') as deals_lost,
           coalesce(sum(amount_base) filter (where status = 'won'), 0) as revenue_base
    from deal_facts where closed_at is not null group by all
)
select month, region, manager,
       coalesce(leads, 0) as leads, coalesce(contacted, 0) as contacted, coalesce(within_sla, 0) as within_sla,
       coalesce(response_hours_sum, 0) as response_hours_sum, response_hours_median,
       coalesce(qualified, 0) as qualified, coalesce(converted, 0) as converted,
       coalesce(deals_won, 0) as deals_won, coalesce(deals_lost, 0) as deals_lost,
       coalesce(revenue_base, 0)::decimal(18,2) as revenue_base
from lead_side full join deal_side using (month, region, manager);

-- Managers' closed deals by the day they closed, with the deal's product: with mart_funnel_day's lead
-- side (by day too) the Regions drill-down's managers add up to the region's row for any range and
-- product filter, where mart_manager_month can only give whole months.
create or replace table mart_manager_deals_day as
select closed_at::date as day, region, manager, product,
       count(*) filter (where status = 'won') as deals_won, count(*) filter (where status = 'lost') as deals_lost,
       coalesce(sum(amount_base) filter (where status = 'won'), 0)::decimal(18,2) as revenue_base
from deal_facts
where closed_at is not null and status in ('won', 'lost')
group by all
order by day;

-- Spend by day x region x channel x product (the campaign's product), in its currency and in base.
create or replace table mart_spend_day as
select s.date as day, coalesce(s.region, '(none)') as region, s.channel, coalesce(c.product, '(none)') as product,
       s.currency, sum(s.cost)::decimal(18,2) as cost,
       sum(s.cost * case when s.currency = a.base_currency then 1 else fx.rate end)::decimal(18,2) as cost_base,
       sum(s.clicks)::bigint as clicks, sum(s.impressions)::bigint as impressions
from ad_spend s
cross join cfg_agreement a
left join (select campaign, platform, any_value(product) as product from campaigns group by all) c
  on c.campaign = s.campaign and c.platform = s.platform
asof left join cfg_fx fx on fx.currency = s.currency and s.date >= fx.valid_from
group by all
order by day;

-- What regional views and the headline sum, one table: deals (by day x region x product x currency, a
-- tenth of mart_deals_day's rows), spend (by its campaign's product and currency) and leads, which carry
-- no product or currency (product and currency null: a product filter keeps them, see region_summary).
-- One scan then answers revenue, spend and leads for a period, so a year of 17 regions costs a few
-- milliseconds at 10M deals.
create or replace table mart_region_day as
with parts as (
    select day, region, product, currency, deals_created, deals_won, deals_lost, revenue, revenue_base,
           sourced_base, influenced_base, deals_won_sourced, 0 as cost_base, 0 as leads, 0 as qualified
    from mart_deals_day
    union all
    select day, region, product, currency, 0, 0, 0, 0, 0, 0, 0, 0, cost_base, 0, 0
    from mart_spend_day
    union all
    select day, region, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, leads, qualified
    from mart_leads_day
)
select day, region, product, currency, sum(deals_created)::bigint as deals_created,
       sum(deals_won)::bigint as deals_won, sum(deals_lost)::bigint as deals_lost,
       sum(revenue)::decimal(18,2) as revenue, sum(revenue_base)::decimal(18,2) as revenue_base,
       sum(sourced_base)::decimal(18,2) as sourced_base, sum(influenced_base)::decimal(18,2) as influenced_base,
       sum(deals_won_sourced)::bigint as deals_won_sourced, sum(cost_base)::decimal(18,2) as cost_base,
       sum(leads)::bigint as leads, sum(qualified)::bigint as qualified
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
       sum(cost_base)::decimal(18,2) as cost_base, sum(leads)::bigint as leads, sum(qualified)::bigint as qualified
from mart_region_day
group by all
order by month;

create or replace macro region_rows(d_from, d_to) as table
    select * from mart_region_month
    where month >= d_from::date and last_day(month) <= d_to::date
    union all by name
    select date_trunc('month', day)::date as month, * exclude (day) from mart_region_day
    where day between d_from::date and d_to::date
      and not (date_trunc('month', day) >= d_from::date and last_day(day) <= d_to::date);

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

-- Campaign grain by day, for attribution's ROMI and CPL per campaign (attribution_by_campaign.sql):
-- spend in the base currency (as mart_spend_day converts it, product from the campaign) and new leads
-- (no product, as in mart_leads_day; leads without a campaign too, so a channel's rows add up to its
-- leads). Small: campaigns x days, plus leads by region and channel.
create or replace table mart_campaign_day as
with spend as (
    select s.date as day, coalesce(s.region, '(none)') as region, s.channel, s.campaign,
           coalesce(c.product, '(none)') as product,
           sum(s.cost * case when s.currency = a.base_currency then 1 else fx.rate end) as cost_base
    from ad_spend s
    cross join cfg_agreement a
    left join (select campaign, platform, any_value(product) as product from campaigns group by all) c
      on c.campaign = s.campaign and c.platform = s.platform
    asof left join cfg_fx fx on fx.currency = s.currency and s.date >= fx.valid_from
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

-- Deals by the day they were created, with what they won: the metric regional incrementality
-- compares (a flight's deals are created during it; they may close weeks later). Known regions only.
create or replace table mart_cohort_day as
select created_at::date as day, region, currency,
       count(*) as deals_created, count(*) filter (where status = 'won') as deals_won,
       coalesce(sum(amount) filter (where status = 'won'), 0)::decimal(18,2) as revenue_won
from deal_facts
where region in (select region from cfg_regions)
group by all
order by day;

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
