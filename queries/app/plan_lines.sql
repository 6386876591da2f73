-- One row per plan line kind in the period: metric x owner x level ('company' lines without a region,
-- 'regions' lines summed), with the target. Params: $date_from, $date_to, $regions, $products.
select metric, owner, case when region is null then 'company' else 'regions' end as level,
       count(distinct region) as regions, sum(target)::double as target
from plan
where month between date_trunc('month', $date_from::date) and $date_to
  and (region is null or len($regions) = 0 or list_contains($regions, region))
  and (len($products) = 0 or product is null or list_contains($products, product))
group by all
order by metric, level, owner
