-- One row per channel x currency under $model: attributed revenue, pipeline, deals, sourced/influenced revenue, spend, leads. Params: $model, $date_from, $date_to, $regions.
-- The period is whole months ($date_from's month to $date_to's): attribution_credit is monthly.
-- $regions is a list of region names; an empty list or null means all regions. Leads have no
-- currency: a channel's lead count repeats on each of its currency rows (never sum it across them).
with

credit as (
    select channel, currency, status, deals, revenue, pipeline, sourced_revenue, influenced_revenue
    from attribution_credit
    where model = $model
        and month between date_trunc('month', $date_from::date) and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

spend as (
    select channel, currency, cost
    from mart_spend_day
    where day >= date_trunc('month', $date_from::date)
        and day < date_trunc('month', $date_to::date) + interval 1 month
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

new_leads as (
    select channel, leads
    from mart_leads_day
    where day >= date_trunc('month', $date_from::date)
        and day < date_trunc('month', $date_to::date) + interval 1 month
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

credit_by_channel as (
    select
        channel,
        currency,
        sum(revenue) as revenue,
        sum(pipeline) as pipeline,
        coalesce(sum(deals) filter (where status = 'won'), 0) as won_deals,
        coalesce(sum(deals) filter (where status = 'open'), 0) as open_deals,
        sum(sourced_revenue) as sourced_revenue,
        sum(influenced_revenue) as influenced_revenue
    from credit
    group by all
),

spend_by_channel as (
    select channel, currency, sum(cost) as spend
    from spend
    group by all
),

leads_by_channel as (
    select channel, sum(leads) as leads
    from new_leads
    group by all
),

final as (
    select
        channel,
        currency,
        coalesce(credit_by_channel.revenue, 0) as revenue,
        coalesce(credit_by_channel.pipeline, 0) as pipeline,
        coalesce(credit_by_channel.won_deals, 0) as won_deals,
        coalesce(credit_by_channel.open_deals, 0) as open_deals,
        coalesce(credit_by_channel.sourced_revenue, 0) as sourced_revenue,
        coalesce(credit_by_channel.influenced_revenue, 0) as influenced_revenue,
        coalesce(spend_by_channel.spend, 0) as spend,
        coalesce(leads_by_channel.leads, 0) as leads
    from credit_by_channel
    -- a channel that spent and won nothing still shows: its ROMI is -100%
    full outer join spend_by_channel using (channel, currency)
    left join leads_by_channel using (channel)
    order by currency, revenue desc, channel
)

select * from final
