-- The region rules, one row per region x rule x day the rule holds: leads down, cost per lead up, first
-- contact breached. Each compares the region's last W days (cfg_alerts.region_window_days) with its own
-- 8 weeks before them, as weekly totals so the weekday pattern cancels; the usual level is the mean of
-- those weeks without the highest and the lowest (one odd week moves nothing). Leads and cost per lead
-- move with the rest of the country (a national dip or the New Year holidays are no regional alert).
-- Counts are judged as Poisson (binomial for the SLA), the level's own error included, so a small
-- region's ordinary wobble is no drop. `since`: the day the cumulative gap to the usual level turned.
create or replace temp table al_region_flags as
with w as (
    select *, sum(leads) over ow as leads_w, sum(rest_leads) over ow as rest_w, sum(cost) over ow as cost_w,
           sum(rest_cost) over ow as rest_cost_w, sum(breached) over ow as breached_w,
           sum(leads) over o7 as leads7, sum(rest_leads) over o7 as rest7, sum(cost) over o7 as cost7,
           sum(rest_cost) over o7 as rest_cost7, sum(breached) over o7 as breached7
    from al_region_day
    window o as (partition by region order by day),
           ow as (o rows between (select region_window_days from cfg_alerts)::int - 1 preceding and current row),
           o7 as (o rows between 6 preceding and current row)
),

weeks as (
    select a.region, a.day, list(b.leads7) as leads_wk, list(b.rest7) as rest_wk, list(b.cost7) as cost_wk,
           list(b.rest_cost7) as rest_cost_wk, list(b.breached7) as breached_wk,
           list(b.cost7 / nullif(b.leads7, 0)) as cpl_wk, list(b.breached7 / nullif(b.leads7, 0)) as share_wk
    from w a
    cross join range(8) j(j)
    join w b on b.region = a.region
            and b.day = a.day - ((select region_window_days from cfg_alerts) + 7 * j.j)::int
    group by a.region, a.day
    having count(*) = 8
),

stats as (
    select w.region, w.day, w.leads, w.cost, w.breached, w.leads_w, w.cost_w, w.breached_w, w.spend_whole,
           c.*, c.region_window_days / 7 as k, 1 + c.region_window_days / 56 as level_error,
           (list_sum(leads_wk) - list_max(leads_wk) - list_min(leads_wk)) / 6 as leads_level,
           (list_sum(rest_wk) - list_max(rest_wk) - list_min(rest_wk)) / 6 as rest_level,
           list_min(leads_wk) as leads_low, list_max(leads_wk) as leads_high, w.rest_w,
           list_sum(cost_wk) / nullif(list_sum(leads_wk), 0) as cpl_usual,
           list_min(cpl_wk) as cpl_low, list_max(cpl_wk) as cpl_high,
           (rest_w / nullif(rest_cost_w, 0)) / nullif(list_sum(rest_wk) / nullif(list_sum(rest_cost_wk), 0), 0)
               as rest_yield,
           list_sum(breached_wk) / nullif(list_sum(leads_wk), 0) as share_usual,
           list_min(share_wk) as share_low, list_max(share_wk) as share_high,
           max(w.day) over (partition by w.region) as last_day,
           max(case when w.spend_whole then w.day end) over (partition by w.region) as spend_last_day
    from w
    join weeks using (region, day)
    cross join cfg_alerts c
),

expected as (
    select *, leads_level * k * rest_w / nullif(rest_level * k, 0) as leads_expected,
           cost_w / nullif(cpl_usual, 0) * coalesce(rest_yield, 1) as leads_for_cost,
           least(greatest(share_usual, 0.02), 0.98) as p0
    from stats
),

-- cumulative gaps to the usual level (leads short, spend not bought back by leads, contacts missed)
gaps as (
    select *,
           sum(leads - leads_expected / region_window_days) over o as leads_gap,
           sum(cost - coalesce(cpl_usual, 0) * leads) over o as cpl_gap,
           sum(breached - coalesce(share_usual, 0) * leads) over o as sla_gap,
           1e-6 * (day - date '2000-01-01') as tie     -- a flat stretch turns on its last day
    from expected
    window o as (partition by region order by day rows unbounded preceding)
),

turns as (
    select *,
           arg_max(day, leads_gap + tie) over ow + 1 as leads_since,
           arg_min(day, cpl_gap - tie) over ow + 1 as cpl_since,
           arg_min(day, sla_gap - tie) over ow + 1 as sla_since,
           leads_expected >= region_min_leads
               and leads_w <= (1 - region_leads_drop) * leads_expected
               and 2 * (sqrt(leads_w + 0.375) - sqrt(leads_expected + 0.375)) / sqrt(level_error) <= -region_z
               as leads_down
    from gaps
    window ow as (partition by region order by day
                  rows between (select region_window_days from cfg_alerts)::int preceding and current row)
),

judged as (
    select *, bool_or(leads_down) over (partition by region order by day
                                        rows between (select region_window_days from cfg_alerts)::int preceding
                                        and current row) as leads_fell
    from turns
)

select 'leads_down' as rule, region, day, least(leads_since, day) as since, leads_w::double as value,
       leads_expected as usual, leads_low * k as usual_low, leads_high * k as usual_high,
       (1 - region_leads_drop) * leads_expected as threshold, 'leads' as unit,
       region_window_days as window_days, last_day as as_of
from judged
where leads_down
union all
select 'cpl_up', region, day, least(cpl_since, day), cost_w / nullif(leads_w, 0), cpl_usual, cpl_low, cpl_high,
       region_cpl_ratio * cpl_usual, 'cost_per_lead', region_window_days, spend_last_day
from judged
-- spend the leads did not follow; leads that fell on their own (in the window) are the leads_down alert
where spend_whole and not leads_fell and leads_for_cost >= region_min_leads
  and leads_w * region_cpl_ratio <= leads_for_cost
  and 2 * (sqrt(leads_w + 0.375) - sqrt(leads_for_cost + 0.375)) / sqrt(level_error) <= -region_z
union all
-- judged sla_lag_days late: a lead younger than that may still be called within its deadline
select 'sla_breach', region, day + sla_lag_days::int, least(sla_since, day), breached_w / leads_w, share_usual,
       share_low, share_high, 1 - sla_within_target, 'share', region_window_days, last_day
from judged
where day <= last_day - sla_lag_days::int
  and leads_w >= region_min_leads
  and breached_w / leads_w > 1 - sla_within_target
  and breached_w / leads_w >= share_usual + sla_margin
  and (breached_w - leads_w * p0) / sqrt(leads_w * p0 * (1 - p0) * level_error) >= region_z;
