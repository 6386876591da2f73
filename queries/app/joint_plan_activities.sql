-- One row per activity overlapping the period, any status, in the chosen regions (an activity without a
-- region is company-wide and always shown), products and owners. Params: $date_from, $date_to, $regions,
-- $products, $owners (empty: all).
select activity_id, owner, kind, title, region, product, start_date, coalesce(end_date, start_date) as end_date,
       budget, responsible, status
from activities
where start_date <= $date_to and coalesce(end_date, start_date) >= $date_from
  and (len($regions) = 0 or region is null or list_contains($regions, region))
  and (len($products) = 0 or product is null or list_contains($products, product))
  and (len($owners) = 0 or list_contains($owners, owner))
order by start_date, activity_id
