-- One row per channel under $model, in the base currency: attributed revenue, pipeline, deals,
-- sourced/influenced revenue, spend, leads; and the revenue every rule model credits it, side by side
-- (first_touch ... w_shaped; Markov and Shapley are added in pandas from attribution_transitions.sql and
-- attribution_channel_sets.sql by analysis.attribution.models_side_by_side). One scan of the credit serves both.
-- Params: $model, $date_from, $date_to, $regions, $products.
-- The period is exact days: revenue is the won deals closed from $date_from to $date_to (the
-- Overview's revenue, so every model's credits add up to it), pipeline the open deals created in it.
-- $regions / $products are lists of names; an empty list or null means all. Leads carry no product
-- (a product filter keeps them), spend takes its campaign's product, as in region_summary.sql. Spend is
-- null for a channel with no spend row loaded in the period (direct sales, SEO; an ad platform whose export
-- has not arrived): unknown, not zero, as the Overview's and the deck's figures treat it.
-- A missing channel is one row, 'unattributed': the deals credited to no channel, the touches, leads and
-- spend whose channel is 'unknown' (attribution_unattributed.sql states the same revenue).
with

-- credit, spend and leads in one union and one aggregate: a channel may appear in any of them (one
-- that spent and won nothing still shows, its ROMI -100%)
parts as (
    select model, if(channel = 'unknown', 'unattributed', channel) as channel, revenue_base, pipeline_base,
           won_deals, open_deals, sourced_base, influenced_base,
           null as spend, 0 as leads
    from attribution_channel_rows($date_from, $date_to)
    where (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
        and (len(coalesce($products::varchar[], [])) = 0 or list_contains($products::varchar[], product))
    union all
    select null, if(channel = 'unknown', 'unattributed', channel), 0, 0, 0, 0, 0, 0, cost_base, 0
    from mart_spend_day
    where day between $date_from::date and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
        and (len(coalesce($products::varchar[], [])) = 0 or list_contains($products::varchar[], product))
    union all
    select null, if(channel = 'unknown', 'unattributed', channel), 0, 0, 0, 0, 0, 0, null, leads
    from mart_leads_day
    where day between $date_from::date and $date_to::date
        and (len(coalesce($regions::varchar[], [])) = 0 or list_contains($regions::varchar[], region))
),

-- per model and channel first (plain sums over the period's rows), the models side by side after,
-- over those few rows: filtered sums over every row of the period cost twice as much
by_model as (
    select
        model, channel,
        credited_to(model, $model) as chosen,     -- its own rows and the '*' rows (credited_to)
        sum(revenue_base) as revenue_base, sum(pipeline_base) as pipeline_base, sum(won_deals) as won_deals,
        sum(open_deals) as open_deals, sum(sourced_base) as sourced_base, sum(influenced_base) as influenced_base,
        sum(spend) as spend, sum(leads) as leads
    from parts
    group by model, channel
),

by_channel as (
    select
        channel,
        coalesce(sum(revenue_base) filter (where chosen), 0) as revenue,
        coalesce(sum(pipeline_base) filter (where chosen), 0) as pipeline,
        coalesce(sum(won_deals) filter (where chosen), 0) as won_deals,
        coalesce(sum(open_deals) filter (where chosen), 0) as open_deals,
        coalesce(sum(sourced_base) filter (where chosen), 0) as sourced_revenue,
        coalesce(sum(influenced_base) filter (where chosen), 0) as influenced_revenue,
        sum(spend) as spend,
        coalesce(sum(leads), 0)::bigint as leads,
        -- each a rule model by name, so its own rows and the '*' rows without credited_to's check (six
        -- more subqueries to plan took the query from 13.4 to 16.7 ms at 10M deals)
        sum(revenue_base) filter (where model in ('first_touch', '*')) as first_touch,
        sum(revenue_base) filter (where model in ('last_touch', '*')) as last_touch,
        sum(revenue_base) filter (where model in ('linear', '*')) as linear,
        sum(revenue_base) filter (where model in ('time_decay', '*')) as time_decay,
        sum(revenue_base) filter (where model in ('position_based', '*')) as position_based,
        sum(revenue_base) filter (where model in ('w_shaped', '*')) as w_shaped
    from by_model
    group by channel
),

final as (
    select channel, (select base_currency from cfg_agreement) as currency, * exclude (channel)
    from by_channel
    order by revenue desc, channel
)

select * from final
