-- Two lines of one plan file that give the same month x region x product x metric two different targets
-- (regions and metrics compared as the merge reads them: an alias is its region). The merge would keep the
-- later one in silence; etl/load.py refuses the file naming the first such pair. Params: $off.
with src as (
    select s.month::date as month, coalesce(ra.region, s.region) as region, s.product,
           coalesce(pm.metric, s.metric) as metric, round(s.target, 2)::decimal(18,2) as target, s.rn
    from good s
    left join cfg_region_alias ra on ra.key = region_key(s.region)
    left join cfg_plan_metrics pm on pm.key = norm_key(s.metric)
)
select file_row(a.rn, $off), file_row(b.rn, $off), strftime(a.month, '%Y-%m'), a.region, a.product, a.metric,
       a.target::varchar, b.target::varchar
from src a join src b
  on a.month = b.month and a.region is not distinct from b.region and a.product is not distinct from b.product
 and a.metric = b.metric and a.rn < b.rn and a.target <> b.target
order by a.rn, b.rn
limit 1
