-- One row per channel set (the sorted distinct channels of a won deal's path) of deals won from
-- $date_from's month to $date_to's: the deals and their value in the base currency. Params: $date_from,
-- $date_to.
-- What the Shapley model learns from (analysis/attribution.py: shapley_credit): a coalition's worth v(S)
-- is the won deals (and value) whose channels all lie in S, so only the set matters, not the order;
-- at most 2^channels rows, a few hundred in practice (attribution_channel_sets,
-- queries/warehouse/steps/attribution_model_inputs.sql). Fitted on the whole company, as the Markov
-- chain is (attribution_transitions.sql).
-- Changed from the former attribution_paths.sql: the sets come from whole paths, no longer from paths
-- whose middle was folded away when a single deal took them.
with

in_period as (
    select channels, deals, value_base
    from attribution_channel_sets
    where month between date_trunc('month', $date_from::date) and $date_to::date
),

final as (
    select channels, (select base_currency from cfg_agreement) as currency,
           sum(deals)::bigint as deals, sum(value_base) as value
    from in_period
    group by all
    order by deals desc, channels
)

select * from final
