-- One row per channel path x converted for deals closed from $date_from's month to $date_to's, won value
-- in the base currency. Params: $date_from, $date_to.
-- What the Markov and Shapley models learn from (analysis/attribution.py): they are fitted on the whole
-- company's journeys of the period's months (paths carry no region, product or day), and their shares
-- then split the period's attributed revenue exactly as the rule models' do (models_side_by_side).
-- So that a page reads a few thousand rows, not one per rare journey, a path seen for a single deal
-- in the period is folded into its first and last step ("a > … > b" becomes "a > b"): deals and value
-- are kept, only the middle of rare journeys is dropped.
with

closed as (
    select path, converted, deals, value_base as value
    from attribution_paths
    where month between date_trunc('month', $date_from::date) and $date_to::date
),

by_path as (
    select path, converted, sum(deals) as deals, sum(value) as value
    from closed
    group by all
),

folded as (
    select case when deals > 1 or len(string_split(path, ' > ')) <= 2 then path
                else string_split(path, ' > ')[1] || ' > ' || string_split(path, ' > ')[-1] end as path,
           converted, deals, value
    from by_path
),

final as (
    select path, converted, (select base_currency from cfg_agreement) as currency,
           sum(deals) as deals, sum(value) as value
    from folded
    group by all
    order by deals desc, path, converted
)

select * from final
