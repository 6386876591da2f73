-- One row per channel x currency: attributed revenue under each rule model side by side. Params: $date_from, $date_to, $regions.
-- Whole months, $regions as in attribution_by_channel.sql. Markov and Shapley columns are added in
-- pandas from attribution_paths.sql (analysis.attribution.models_side_by_side).
with

credit as (
    select model, channel, currency, status, deals, revenue
    from attribution_credit
    where month between date_trunc('month', $date_from::date) and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

final as (
    select
        channel,
        currency,
        sum(revenue) filter (where model = 'first_touch') as first_touch,
        sum(revenue) filter (where model = 'last_touch') as last_touch,
        sum(revenue) filter (where model = 'linear') as linear,
        sum(revenue) filter (where model = 'time_decay') as time_decay,
        sum(revenue) filter (where model = 'position_based') as position_based,
        sum(revenue) filter (where model = 'w_shaped') as w_shaped
    from credit
    group by all
    order by currency, channel
)

select * from final
