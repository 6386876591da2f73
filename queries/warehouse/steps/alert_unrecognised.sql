-- The unrecognised-values rule: leads whose channel or region no rule in data/ knows, per raw value and
-- day, and the days on which one value was on at least unrecognised_share of the window's leads.
-- Leads whose channel or region no rule in data/ recognised, per raw value and day (as dq_unrecognised
-- lists them: the channel under the first of utm_source, source, utm_medium the lead has), beside all
-- leads of the day; from the value's first day on.
create or replace temp table al_unrecognised_day as
with odd as (
    select created_at::date as day, 'channel' as dimension,
           case when utm_source is not null then 'utm_source' when source is not null then 'source'
                else 'utm_medium' end as field,
           coalesce(utm_source, source, utm_medium) as raw_value
    from leads
    where channel = 'unknown' and coalesce(utm_source, source, utm_medium) is not null
    union all
    select created_at::date, 'region', 'region', region
    from leads
    where region is not null and region not in (select region from cfg_regions)
),

counts as (
    select dimension, field, raw_value, day, count(*) as rows from odd group by all
),

totals as (
    select created_at::date as day, count(*) as leads from leads group by all
),

days as (
    select unnest(generate_series(min(day), max(day), interval 1 day))::date as day from totals
),

keys as (
    select dimension, field, raw_value, min(day) as first_seen
    from counts
    group by all
    having sum(rows) >= (select unrecognised_min_rows from cfg_alerts)
)

select k.dimension, k.field, k.raw_value, d.day, coalesce(c.rows, 0) as rows, coalesce(t.leads, 0) as leads
from keys k
join days d on d.day >= k.first_seen - 70      -- the weeks before it appeared: its usual share
left join counts c using (dimension, field, raw_value, day)
left join totals t on t.day = d.day
order by dimension, field, raw_value, day;

-- unrecognised values: over the window, at least unrecognised_share of the leads and min_rows of them
create or replace table alert_unrecognised_flags as
with w as (
    select *, sum(rows) over ow as rows_w, sum(leads) over ow as leads_w,
           sum(rows) over ob as rows_before, sum(leads) over ob as leads_before,
           min(case when rows > 0 then day end) over ow as first_in_window,
           max(day) over (partition by dimension, field, raw_value) as last_day
    from al_unrecognised_day
    window o as (partition by dimension, field, raw_value order by day),
           ow as (o rows between (select region_window_days from cfg_alerts)::int - 1 preceding and current row),
           ob as (o rows between (select region_window_days from cfg_alerts)::int + 55 preceding
                  and (select region_window_days from cfg_alerts)::int preceding)
)
select 'unrecognised' as rule, dimension || ' ' || field || ': ' || raw_value as subject, day,
       first_in_window as since, rows_w / leads_w as value, coalesce(rows_before / nullif(leads_before, 0), 0) as usual,
       unrecognised_share as threshold, region_window_days as window_days, last_day as as_of
from w
cross join cfg_alerts
where rows_w >= unrecognised_min_rows and rows_w >= unrecognised_share * leads_w;
