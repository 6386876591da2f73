-- One row per source (channel) of one region in the period: leads created and those qualified;
-- deals won and their revenue (base currency), dated by the close and attributed to the deal's own
-- channel (or its lead's, derived_05), so the rows add up to the region's row of metrics_region.sql,
-- deals without any source under 'unknown'; ad spend (the registry adds the shares, revenue per lead and
-- CPL: model/catalog.py); the channel's owner
-- and labels from data/channels.csv. Params: $date_from, $date_to, $region, $products.
-- Leads carry no product (a product filter keeps them); spend takes its campaign's product.
with parts as (
    -- mart_channel: leads, won deals and spend by channel, whole months by month, cut months by day
    select channel, leads, qualified, deals_won as won_deals, revenue_base as revenue, cost_base as spend
    from channel_rows($date_from, $date_to)
    where region = $region
      and (len($products) = 0 or product is null or list_contains($products, product))
),

by_channel as (
    select channel, sum(leads) as leads, sum(qualified) as qualified, sum(won_deals) as won_deals,
           sum(revenue) as revenue, sum(spend) as spend
    from parts
    group by channel
    having sum(leads) + sum(won_deals) + sum(spend) > 0
),

final as (
    select b.channel, coalesce(c.owner, 'unknown') as owner, c.label_ru, c.label_en,
           b.leads, b.qualified, b.won_deals, b.revenue, b.spend
    from by_channel b
    left join cfg_channels c on c.channel = b.channel
)

select * from final order by won_deals desc, leads desc, channel
