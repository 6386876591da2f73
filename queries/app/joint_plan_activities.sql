-- One row per activity overlapping the period, any status, in the chosen regions (an activity without a
-- region is company-wide and always shown), products and owners. Params: $date_from, $date_to, $regions,
-- $products, $owners (empty: all).
with acts as (    -- loaded activities (source 'file') and those entered in the app ('app'), an entry overriding its id
    select * exclude (load_id), 'file' as source from activities
    where activity_id not in (select activity_id from entered_activities)
    union all by name
    select * from entered_activities
)

select activity_id, owner, kind, title, region, product, start_date, coalesce(end_date, start_date) as end_date,
       budget, responsible, status, source
from acts
where start_date <= $date_to and coalesce(end_date, start_date) >= $date_from
  and (len($regions) = 0 or region is null or list_contains($regions, region))
  and (len($products) = 0 or product is null or list_contains($products, product))
  and (len($owners) = 0 or list_contains($owners, owner))
order by start_date, activity_id
