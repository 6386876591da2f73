-- One row per channel x currency under $model: attributed revenue, pipeline, deals, sourced/influenced revenue, spend, leads;
-- and the revenue every rule model credits it, side by side (first_touch ... w_shaped; Markov and Shapley are
-- added in pandas from attribution_paths.sql by analysis.attribution.models_side_by_side). One scan of the
-- credit serves both. Params: $model, $date_from, $date_to, $regions.
-- The period is whole months ($date_from's month to $date_to's): attribution_channel_month is monthly.
-- $regions is a list of region names; an empty list or null means all regions. Leads have no
-- currency: a channel's lead count repeats on each of its currency rows (never sum it across them).
with

credit as (
    select model, channel, currency, won_deals, open_deals, revenue, pipeline, sourced_revenue, influenced_revenue
    from attribution_channel_month
    where month between date_trunc('month', $date_from::date) and $date_to::date
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
        sum(revenue) filter (where model = $model) as revenue,
        sum(pipeline) filter (where model = $model) as pipeline,
        coalesce(sum(won_deals) filter (where model = $model), 0) as won_deals,
        coalesce(sum(open_deals) filter (where model = $model), 0) as open_deals,
        sum(sourced_revenue) filter (where model = $model) as sourced_revenue,
        sum(influenced_revenue) filter (where model = $model) as influenced_revenue,
        sum(revenue) filter (where model = 'first_touch') as first_touch,
        sum(revenue) filter (where model = 'last_touch') as last_touch,
        sum(revenue) filter (where model = 'linear') as linear,
        sum(revenue) filter (where model = 'time_decay') as time_decay,
        sum(revenue) filter (where model = 'position_based') as position_based,
        sum(revenue) filter (where model = 'w_shaped') as w_shaped
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
        coalesce(leads_by_channel.leads, 0) as leads,
        first_touch, last_touch, linear, time_decay, position_based, w_shaped
    from credit_by_channel
    -- a channel that spent and won nothing still shows: its ROMI is -100%
    full outer join spend_by_channel using (channel, currency)
    left join leads_by_channel using (channel)
    order by currency, revenue desc, channel
)

select * from final
