-- One row per currency: ad spend, in its currency and in base, clicks. Params: $date_from, $date_to,
-- $regions, $products (a campaign's product; spend of campaigns without one is out under a product filter).
select currency, sum(cost) as cost, sum(cost_base) as cost_base, sum(clicks) as clicks
from mart_spend_day
where day between $date_from and $date_to
  and (len($regions) = 0 or list_contains($regions, region))
  and (len($products) = 0 or list_contains($products, product))
group by currency
order by cost_base desc nulls last
