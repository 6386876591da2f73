-- One row per activity. Params: $load_id. An activity without an ID is keyed by what, when, where.
create or replace temp table batch_out as
with src as (
    select
        coalesce(s.activity_id,
                 'a' || left(md5(concat_ws('|', s.title, s.start_date, s.region, s.owner)), 12)) as activity_id,
        po.owner, lower(s.activity_kind) as kind, s.title as title,
        coalesce(ra.region, s.region) as region, s.product as product,
        s.start_date::date as start_date, coalesce(s.end_date, s.start_date)::date as end_date,
        round(s.budget, 2)::decimal(18,2) as budget, s.responsible as responsible,
        coalesce(ast.status, lower(s.status)) as status, rn
    from good s
    left join cfg_region_alias ra on ra.key = region_key(s.region)
    left join cfg_owners po on po.key = norm_key(s.owner)
    left join cfg_activity_statuses ast on ast.key = norm_key(s.status)
)

select * exclude (rn), $load_id as load_id, count(*) over (partition by activity_id) as src_rows
from src
qualify row_number() over (partition by activity_id order by rn desc) = 1;

delete from activities where activity_id in (select activity_id from batch_out);

insert into activities by name select * exclude (src_rows) from batch_out;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - lines superseded by a later
-- line of their activity. src_rows counts lines after the lookups: a lookup that matched a line
-- twice breaks the equation.
create or replace temp table merge_rows as
select (select coalesce(sum(src_rows), 0) - count(*) from batch_out) as rows_merged, 0 as rows_spread;
