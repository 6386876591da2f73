-- One row per currency: won revenue (in it and in base), won, lost and created deals in the period (each
-- by its own date). Params: $date_from, $date_to, $regions, $products.
select currency, sum(revenue) as revenue, sum(revenue_base) as revenue_base,
       sum(deals_won) as deals_won, sum(deals_lost) as deals_lost, sum(deals_created) as deals_created
from region_rows($date_from, $date_to)
where (len($regions) = 0 or list_contains($regions, region))
  and (len($products) = 0 or list_contains($products, product))
group by currency
having sum(deals_won) + sum(deals_lost) + sum(deals_created) > 0
order by revenue_base desc nulls last, currency
