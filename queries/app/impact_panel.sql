-- One row per known region x day from $date_from to $date_to: won revenue in $currency of deals by created_at date (0 when none). Params: $currency, $date_from, $date_to.
with

regions as (
    select region from cfg_regions
),

won_deals as (
    -- a region outside cfg_regions is dirty text, not a place we can compare: left out of the panel
    select region, created_at::date as date, amount
    from deals
    where status = 'won'
        and currency = $currency
        and amount is not null
        and created_at::date between $date_from and $date_to
        and region in (select region from regions)
),

days as (
    select unnest(generate_series($date_from::date, $date_to::date, interval 1 day))::date as date
),

by_day as (
    select region, date, sum(amount) as value
    from won_deals
    group by all
),

final as (
    select regions.region, days.date, coalesce(by_day.value, 0)::double as value
    from regions
    cross join days
    left join by_day using (region, date)
    order by regions.region, days.date
)

select * from final
