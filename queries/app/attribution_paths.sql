-- One row per channel path x converted x currency for deals closed from $date_from's month to $date_to's. Params: $date_from, $date_to.
-- Input for the Markov and Shapley models (analysis/attribution.py). Paths carry no region: the
-- data-driven models are fitted on the whole company.
with

closed as (
    select path, converted, currency, deals, value
    from attribution_paths
    where month between date_trunc('month', $date_from::date) and $date_to::date
),

final as (
    select path, converted, currency, sum(deals) as deals, sum(value) as value
    from closed
    group by all
    order by currency, deals desc, path, converted
)

select * from final
