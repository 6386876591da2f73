-- One row per month x region x product x metric. Params: $load_id. Latest export wins.
-- Empty region / product mean the whole company / all products.
create or replace temp table batch_out as
with src as (
    select
        s.month::date as month, coalesce(ra.region, s.region) as region,
        s.product as product, pm.metric, round(s.target, 2)::decimal(18,2) as target,
        coalesce(po.owner, case when pm.metric in ('leads', 'spend', 'mql', 'sql') then 'marketing'
                                else 'sales' end) as owner,
        rn
    from good s
    left join cfg_region_alias ra on ra.key = region_key(s.region)
    left join cfg_plan_metrics pm on pm.key = norm_key(s.metric)
    left join cfg_owners po on po.key = norm_key(s.owner)
)

select month, region, product, metric, target, owner, $load_id as load_id,
       count(*) over (partition by month, region, product, metric) as src_rows
from src
qualify row_number() over (partition by month, region, product, metric order by rn desc) = 1;

delete from plan p using batch_out b
where p.month = b.month and p.region is not distinct from b.region
  and p.product is not distinct from b.product and p.metric = b.metric;

insert into plan by name select * exclude (src_rows) from batch_out;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - lines superseded by a later
-- line of their key. src_rows counts lines after the lookups: a lookup that matched a line twice
-- breaks the equation.
create or replace temp table merge_rows as
select (select coalesce(sum(src_rows), 0) - count(*) from batch_out) as rows_merged, 0 as rows_spread;
