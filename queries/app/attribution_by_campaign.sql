-- One row per channel x campaign under $model, in the base currency: attributed revenue, pipeline,
-- deals, spend, leads. Params: $model, $date_from, $date_to, $regions, $products.
-- Exact days and filters as in attribution_by_channel.sql, so a channel's campaigns add up to its row
-- there. Touches, spend and leads without a campaign are one row with a null campaign under their
-- channel (leads without a utm_campaign count there). Spend is null where no spend row is loaded for the
-- campaign in the period (the registry then leaves ROMI and CPL missing): unknown, not zero. A channel
-- 'unknown' is the channel 'unattributed', as in attribution_by_channel.sql: one row per missing channel.
with

-- credit, spend and leads in one union and one aggregate: group by treats the null campaign as one
-- key, where a join would drop it
parts as (
    select if(channel = 'unknown', 'unattributed', channel) as channel, campaign, revenue_base, pipeline_base,
           won_deals, open_deals, null as spend, 0 as leads
    from attribution_campaign_rows($date_from, $date_to)
    where credited_to(model, $model)
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
        and (len(coalesce($products::varchar[], [])) = 0 or list_contains($products::varchar[], product))
    union all
    select if(channel = 'unknown', 'unattributed', channel), campaign, 0, 0, 0, 0, cost_base, coalesce(leads, 0)
    from campaign_rows($date_from, $date_to)
    where (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
        -- spend rows carry their campaign's product; lead rows none, so a product filter keeps them
        and (len(coalesce($products::varchar[], [])) = 0 or product is null
             or list_contains($products::varchar[], product))
),

by_campaign as (
    select
        channel,
        campaign,
        sum(revenue_base) as revenue,
        sum(pipeline_base) as pipeline,
        sum(won_deals) as won_deals,
        sum(open_deals) as open_deals,
        sum(spend) as spend,
        sum(leads)::bigint as leads
    from parts
    group by channel, campaign
),

final as (
    select channel, campaign, (select base_currency from cfg_agreement) as currency, * exclude (channel, campaign)
    from by_campaign
    order by revenue desc, channel, campaign nulls last
)

select * from final
