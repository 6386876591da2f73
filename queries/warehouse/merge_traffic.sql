-- One row per period x utm_source x utm_campaign. Params: $load_id, $period_start, $period_end.
-- A report without a date column covers the period named in its title lines.
create or replace temp table batch_out as
select
    coalesce(s.period_start::date, $period_start::date) as period_start,
    coalesce(s.period_end::date, s.period_start::date, $period_end::date) as period_end,
    lower(s.utm_source) as utm_source, campaign_key(s.utm_campaign) as utm_campaign,
    sum(s.visits)::bigint as visits, sum(s.visitors)::bigint as visitors, $load_id as load_id,
    count(*) as src_rows
from good s
group by 1, 2, 3, 4;

delete from traffic t using batch_out b
where t.period_start = b.period_start and t.period_end = b.period_end
  and t.utm_source is not distinct from b.utm_source and t.utm_campaign is not distinct from b.utm_campaign;

insert into traffic by name select * exclude (src_rows) from batch_out;

-- Row arithmetic, asserted by etl/load.py: rows inserted = good rows - rows summed into another row
-- of their period x source x campaign.
create or replace temp table merge_rows as
select (select coalesce(sum(src_rows), 0) - count(*) from batch_out) as rows_merged, 0 as rows_spread;
