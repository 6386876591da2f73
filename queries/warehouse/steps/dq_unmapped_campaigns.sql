-- Campaigns the Data page lists as unmapped: spend with no region or channel after exports and
-- data/campaign_rules.csv, and CRM utm values no ad export knows (by name or by platform ID).
create or replace table dq_unmapped_campaigns as
with spend as (
    select campaign, any_value(platform) as platform, currency,
           case when bool_or(region is null) and bool_or(channel = 'unknown') then 'region, channel'
                when bool_or(region is null) then 'region' else 'channel' end as missing,
           count(*) as rows, sum(cost) as cost
    from ad_spend where region is null or channel = 'unknown'
    group by campaign, currency
),
known as (
    select campaign from ad_spend union select campaign from campaigns
),
crm as (
    select d.utm_campaign as campaign, count(*) as rows,
           count(*) filter (where d.status = 'won') as won_deals
    from deals d anti join known k on k.campaign = d.utm_campaign
    where d.utm_campaign is not null
    group by d.utm_campaign
)
select 'ad_spend' as source, campaign, platform, missing, rows, cost, currency, null::bigint as won_deals
from spend
union all
select 'deals', campaign, null, 'no ad export', rows, null, null, won_deals from crm;
