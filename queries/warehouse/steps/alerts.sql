-- Alerts: what changed, where, since when, the number beside its usual range, and who owns it. One row
-- per episode: the days a rule held for one key, gaps under a week joined, so a rule that flickers is
-- one alert. `is_open` when it still holds on the last day its data covers. Built after every load
-- (the Overview and `python -m etl alerts` read it); thresholds in data/alerts.toml (cfg_alerts).

create or replace table alerts as
with flags as (
    select rule, region, null as campaign, null as platform, null as channel, null as subject, day, since, value,
           usual, usual_low, usual_high, threshold, unit, window_days, as_of
    from alert_region_flags
    union all
    select rule, region, campaign, platform, channel, null, day, since, value, usual, usual_low, usual_high,
           threshold, 'money', window_days, as_of
    from alert_campaign_flags
    union all
    select rule, null, null, null, null, subject, day, since, value, usual, null, null, threshold, 'share',
           window_days, as_of
    from alert_unrecognised_flags
),

numbered as (
    select *, sum(case when gap is null or gap > 7 then 1 else 0 end) over k as episode
    from (select *, day - lag(day) over k as gap from flags
          window k as (partition by rule, region, campaign, platform, subject order by day))
    window k as (partition by rule, region, campaign, platform, subject order by day)
),

episodes as (
    select rule, region, campaign, platform, any_value(channel) as channel, subject, episode,
           min(since) as since, min(day) as detected_on, max(day) as last_seen, max(as_of) as as_of,
           arg_max(value, day) as value, arg_max(usual, day) as usual, arg_max(usual_low, day) as usual_low,
           arg_max(usual_high, day) as usual_high, arg_max(threshold, day) as threshold, any_value(unit) as unit,
           any_value(window_days) as window_days
    from numbered
    group by rule, region, campaign, platform, subject, episode
),

-- each kind of export's latest covered day against the freshest export the warehouse holds. A load's rows
-- date what it covers, unless its file states its period (title lines, file name, --period: loads.period_*):
-- then it covers that period up to the day it was loaded, rows or none, so a platform whose campaign ended
-- in July in a report to November is an ended flight, not an export gone quiet. A file that states nothing
-- covers, per platform or system, the days of that one's own rows.
dated as (
    select 'deals' as kind, source_system as subject, load_id, max(created_at)::date as latest
    from deals group by all
    union all select 'leads', source_system, load_id, max(created_at)::date from leads group by all
    union all select 'ad_spend', platform, load_id, max(date) from ad_spend group by all
    union all select 'sales', null, load_id, max(sale_date) from sales group by all
    union all select 'traffic', null, load_id, max(period_end) from traffic group by all
),

kinds as (
    select d.kind, d.subject,
           max(greatest(d.latest, case when l.period_from <> 'rows' then least(l.period_end, l.loaded_at::date) end))
               as latest
    from dated d
    left join loads l using (load_id)
    group by all
),

stale as (
    select 'stale_export' as rule, null as region, null as campaign, k.subject as platform, null as channel,
           k.kind as subject, 1 as episode, k.latest + 1 as since, k.latest + t.days::int + 1 as detected_on,
           r.as_of as last_seen, r.as_of, (r.as_of - k.latest)::double as value, 0::double as usual,
           null::double as usual_low, null::double as usual_high, t.days as threshold, 'days' as unit,
           null::double as window_days
    from kinds k
    cross join (select max(latest) as as_of from kinds) r
    cross join cfg_alerts c
    cross join lateral (select case k.kind when 'sales' then c.stale_sales else c.stale_days end as days) t
    where k.latest is not null and r.as_of - k.latest > t.days
),

sla_manager as (
    select region, episode, arg_max(manager, missed) as responsible
    from (select e.region, e.episode, m.manager, sum(m.missed) as missed
          from episodes e
          join alert_missed_contacts m on m.region = e.region and m.day between e.since and e.last_seen
          where e.rule = 'sla_breach'
          group by all)
    group by all
),

final as (
    select e.*, sm.responsible from episodes e
    left join sla_manager sm on e.rule = 'sla_breach' and sm.region = e.region and sm.episode = e.episode
    union all by name
    select *, null as responsible from stale
)

select md5(concat_ws('|', rule, region, campaign, platform, subject, since)) as alert_id, rule,
       case when rule in ('spend_stopped', 'spend_doubled', 'cpl_up', 'leads_down') then 'marketing'
            when rule = 'sla_breach' then 'sales' else 'data_admin' end as owner,
       responsible, region, campaign, platform, channel, subject, since, detected_on, last_seen,
       last_seen >= as_of as is_open, as_of, value, usual, usual_low, usual_high, threshold, unit,
       window_days::int as window_days
from final
order by is_open desc, detected_on desc, rule, region, campaign;
