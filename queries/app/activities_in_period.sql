-- One row per joint activity overlapping the period in the chosen regions (an activity without a region
-- is company-wide and always shown). Params: $date_from, $date_to, $regions, $products.
select activity_id, owner, kind, title, region, product, start_date, end_date, budget, responsible, status
from activities
where start_date <= $date_to and coalesce(end_date, start_date) >= $date_from
  and (len($regions) = 0 or region is null or list_contains($regions, region))
  and (len($products) = 0 or product is null or list_contains($products, product))
  and coalesce(status, '') <> 'cancelled'
order by start_date, activity_id
