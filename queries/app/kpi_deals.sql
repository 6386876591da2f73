-- One row per currency: won revenue, won deals, marketing-sourced and -influenced revenue, lost deals,
-- created deals in the period (each by its own date). Params: $date_from, $date_to, $regions, $products.
with facts as (
    select * from mart_deals_day
    where day between $date_from and $date_to
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or list_contains($products, product))
),

final as (
    select currency, sum(revenue) as revenue, sum(revenue_base) as revenue_base,
           sum(deals_won) as deals_won, sum(deals_lost) as deals_lost, sum(deals_created) as deals_created,
           sum(revenue_sourced) as revenue_sourced, sum(revenue_influenced) as revenue_influenced
    from facts
    group by currency
    having sum(deals_won) + sum(deals_lost) + sum(deals_created) > 0
)

select * from final order by revenue_base desc nulls last, currency
