-- One row per month of the period for one region: won revenue and ad spend (base currency), deals won.
-- Params: $date_from, $date_to, $region, $products.
with fact as (
    select month, sum(revenue_base) as revenue, sum(deals_won) as deals_won,
           sum(cost_base) as spend
    from region_rows($date_from, $date_to)
    where region = $region
      and (len($products) = 0 or list_contains($products, product))
    group by all
),

months as (
    select unnest(generate_series(date_trunc('month', $date_from::date), $date_to::date, interval 1 month))::date as month
),

final as (
    select m.month, coalesce(f.revenue, 0)::double as revenue, coalesce(f.spend, 0)::double as spend,
           coalesce(f.deals_won, 0) as deals_won
    from months m left join fact f using (month)
)

select * from final order by month
