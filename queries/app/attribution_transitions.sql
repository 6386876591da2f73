-- One row per from_state x to_state of closed deals' channel paths, deals closed from $date_from's month
-- to $date_to's, won value in the base currency. Params: $date_from, $date_to.
-- What the Markov model learns from (analysis/attribution.py: markov_credit): a first-order chain needs
-- only these counts, so the page reads at most (channels + 2)^2 rows whatever the number of deals
-- (attribution_transitions, queries/warehouse/steps/attribution_model_inputs.sql). Like the rule models'
-- weights, the chain is fitted on the whole company's journeys of the period's months (transitions
-- carry no region, product or day), and its credit then splits the period's attributed revenue exactly
-- as the rule models' does (models_side_by_side).
-- Changed from the former attribution_paths.sql: that query folded the middle of every path seen for a
-- single deal ("a > … > b" became "a > b") to stay at a few thousand rows, which changed the transitions
-- Markov learnt and the channel sets Shapley learnt. These counts come from the whole paths.
with

in_period as (
    select from_state, to_state, transitions, value_base
    from attribution_transitions
    where month between date_trunc('month', $date_from::date) and $date_to::date
),

final as (
    select from_state, to_state, (select base_currency from cfg_agreement) as currency,
           sum(transitions)::bigint as transitions, sum(value_base) as value
    from in_period
    group by all
    order by from_state, to_state
)

select * from final
