-- One row per channel path x converted x currency for deals closed from $date_from's month to $date_to's. Params: $date_from, $date_to.
-- Input for the Markov and Shapley models (analysis/attribution.py). Paths carry no region: the
-- data-driven models are fitted on the whole company. So that a page reads a few thousand rows,
-- not one per rare journey, a path seen for a single deal in the period is folded into its first
-- and last step ("a > … > b" becomes "a > b"): deals and value are kept, only the middle of rare
-- journeys is dropped.
with

closed as (
    select path, converted, currency, deals, value
    from attribution_paths
    where month between date_trunc('month', $date_from::date) and $date_to::date
),

by_path as (
    select path, converted, currency, sum(deals) as deals, sum(value) as value
    from closed
    group by all
),

folded as (
    select case when deals > 1 or len(string_split(path, ' > ')) <= 2 then path
                else string_split(path, ' > ')[1] || ' > ' || string_split(path, ' > ')[-1] end as path,
           converted, currency, deals, value
    from by_path
),

final as (
    select path, converted, currency, sum(deals) as deals, sum(value) as value
    from folded
    group by all
    order by currency, deals desc, path, converted
)

select * from final
