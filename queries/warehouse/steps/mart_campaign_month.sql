-- Campaign grain by month, for attribution's ROMI and CPL per campaign: spend and new leads.
create or replace table mart_campaign_month as
with spend as (
    select date_trunc('month', date)::date as month, coalesce(region, '(none)') as region, channel, campaign,
           currency, sum(cost) as cost
    from ad_spend group by all
),
leads as (
    select date_trunc('month', created_at)::date as month, coalesce(region, '(none)') as region, channel,
           utm_campaign as campaign, count(*) as leads
    from leads where utm_campaign is not null group by all
)
select month, region, channel, campaign, currency, cost, null::bigint as leads from spend
union all
select month, region, channel, campaign, null, null, leads from leads
order by month;
