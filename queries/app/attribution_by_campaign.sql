-- One row per channel x campaign x currency under $model: attributed revenue, pipeline, deals, spend, leads. Params: $model, $date_from, $date_to, $regions.
-- Whole months, $regions as in attribution_by_channel.sql. Touches without a campaign show as a
-- null campaign under their channel. Leads are counted by their utm_campaign and repeat on each
-- currency row of the campaign.
with

credit as (
    select channel, campaign, currency, status, deals, revenue, pipeline
    from attribution_credit
    where model = $model
        and month between date_trunc('month', $date_from::date) and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

spend as (
    select channel, campaign, currency, cost
    from mart_campaign_month
    where cost is not null
        and month between date_trunc('month', $date_from::date) and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

new_leads as (
    select campaign, leads
    from mart_campaign_month
    where leads is not null
        and month between date_trunc('month', $date_from::date) and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

credit_by_campaign as (
    select
        channel,
        campaign,
        currency,
        sum(revenue) as revenue,
        sum(pipeline) as pipeline,
        coalesce(sum(deals) filter (where status = 'won'), 0) as won_deals,
        coalesce(sum(deals) filter (where status = 'open'), 0) as open_deals
    from credit
    group by all
),

spend_by_campaign as (
    select channel, campaign, currency, sum(cost) as spend
    from spend
    group by all
),

leads_by_campaign as (
    select campaign, sum(leads) as leads
    from new_leads
    group by all
),

final as (
    select
        channel,
        campaign,
        currency,
        coalesce(credit_by_campaign.revenue, 0) as revenue,
        coalesce(credit_by_campaign.pipeline, 0) as pipeline,
        coalesce(credit_by_campaign.won_deals, 0) as won_deals,
        coalesce(credit_by_campaign.open_deals, 0) as open_deals,
        coalesce(spend_by_campaign.spend, 0) as spend,
        coalesce(leads_by_campaign.leads, 0) as leads
    from credit_by_campaign
    full outer join spend_by_campaign using (channel, campaign, currency)
    left join leads_by_campaign using (campaign)
    order by currency, revenue desc, channel, campaign
)

select * from final
