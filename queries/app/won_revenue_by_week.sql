-- One row per ISO week (Monday) touching the period: won revenue in the base currency and won deals, by
-- close date within the period. Params: $date_from, $date_to, $regions, $products.
with won as (
    select date_trunc('week', day)::date as week, sum(revenue_base) as revenue, sum(deals_won)::bigint as deals_won
    from mart_deals_day
    where day between $date_from and $date_to and deals_won > 0
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or list_contains($products, product))
    group by all
),

weeks as (
    select unnest(generate_series(date_trunc('week', $date_from::date), $date_to::date, interval 1 week))::date as week
),

final as (
    -- double: a chart series (exact sums are on the overview)
    select w.week, coalesce(won.revenue, 0)::double as revenue, coalesce(won.deals_won, 0) as deals_won
    from weeks w left join won using (week)
)

select * from final order by week
