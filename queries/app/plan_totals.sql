-- One row per metric x owner: the plan's target for the period's months. Params: $date_from, $date_to,
-- $regions, $products. Without a region filter the company line is used where the plan has one
-- (region empty), else the regions' lines summed; with one, the chosen regions' lines.
with months as (
    select * from plan
    where month between date_trunc('month', $date_from::date) and $date_to
      and (len($products) = 0 or product is null or list_contains($products, product))
),

company as (
    select metric, month from months where region is null group by all
),

chosen as (
    select m.* from months m
    where case when len($regions) > 0 then list_contains($regions, m.region)
               else m.region is null
                    or not exists (select 1 from company c where c.metric = m.metric and c.month = m.month) end
),

final as (
    select metric, owner, sum(target) as target from chosen group by all
)

select * from final order by metric, owner
