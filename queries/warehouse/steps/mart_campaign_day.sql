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
