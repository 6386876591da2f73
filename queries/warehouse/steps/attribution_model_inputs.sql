-- What the data-driven models are fitted from (analysis/attribution.py: markov_credit, shapley_credit),
-- at sizes that do not grow with the deals: attribution_paths taken apart into the only counts each
-- model needs, so a page reads at most (channels + 2)^2 transitions and one row per channel set.
-- Both keep attribution_paths' currency and month (the month the deal closed), so a period sums them.
-- Paths are read whole: their step cap (max_path_steps) and lookback window are already applied.

-- A first-order Markov chain: one row per from_state x to_state x currency x month. States are
-- '(start)', each channel, '(conversion)' (won) and '(null)' (lost); `transitions` counts the steps
-- deals' paths take (a deal that takes one twice counts twice); `value` (and `value_base`) is the won
-- value of the deals whose path ends on the transition, so it is 0 off the transitions into conversion.
create or replace table attribution_transitions as
with
states as (
    select
        ['(start)'] || string_split(path, ' > ')
            || [case when converted then '(conversion)' else '(null)' end] as s,
        currency, month, deals, value, value_base
    from attribution_paths
),
steps as (
    select *, unnest(range(1, len(s))) as i
    from states
)
select
    s[i] as from_state,
    s[i + 1] as to_state,
    currency,
    month,
    sum(deals)::bigint as transitions,
    coalesce(sum(value) filter (where s[i + 1] = '(conversion)'), 0) as value,
    coalesce(sum(value_base) filter (where s[i + 1] = '(conversion)'), 0) as value_base
from steps
group by all;

-- Shapley's coalition worth v(S) sums, over the won deals whose channels all lie in S, their count and
-- value: one row per channel set (a won path's distinct channels, sorted) x currency x month.
create or replace table attribution_channel_sets as
select
    list_sort(list_distinct(string_split(path, ' > '))) as channels,
    currency,
    month,
    sum(deals)::bigint as deals,
    sum(value) as value,
    sum(value_base) as value_base
from attribution_paths
where converted
group by all;
