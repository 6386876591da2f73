-- One row per owner: the period's activities (as in joint_plan_activities) counted and budgeted by status.
-- Params: $date_from, $date_to, $regions, $products, $owners (empty: all).
with acts as (    -- loaded activities and those entered in the app, an entry overriding its id
    select * exclude (load_id), 'file' as source from activities
    where activity_id not in (select activity_id from entered_activities)
    union all by name
    select * from entered_activities
),

chosen as (
    select owner, status, budget
    from acts
    where start_date <= $date_to and coalesce(end_date, start_date) >= $date_from
      and (len($regions) = 0 or region is null or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
      and (len($owners) = 0 or list_contains($owners, owner))
),

final as (
    select owner, count(*) as activities,
           count(*) filter (where status = 'planned') as planned,
           count(*) filter (where status = 'in_progress') as in_progress,
           count(*) filter (where status = 'done') as done,
           count(*) filter (where status = 'cancelled') as cancelled,
           coalesce(sum(budget) filter (where status = 'planned'), 0) as budget_planned,
           coalesce(sum(budget) filter (where status = 'in_progress'), 0) as budget_in_progress,
           coalesce(sum(budget) filter (where status = 'done'), 0) as budget_done,
           coalesce(sum(budget) filter (where status = 'cancelled'), 0) as budget_cancelled
    from chosen
    group by owner
)

select * from final order by owner
