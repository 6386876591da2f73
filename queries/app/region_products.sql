-- One row per product of one region in the period: won revenue (base), deals won and lost, and the won
-- deals whose revenue is known (the registry adds the average deal over those and the win rate,
-- model/catalog.py).
-- Params: $date_from, $date_to, $region, $products.
select product, sum(revenue_base) as revenue, sum(deals_won) as deals_won, sum(deals_lost) as deals_lost,
       sum(deals_won_priced) as deals_won_priced
from region_rows($date_from, $date_to)
where region = $region
  and (len($products) = 0 or list_contains($products, product))
group by product
having sum(deals_won) + sum(deals_lost) + sum(deals_created) > 0
order by revenue desc, product
