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
