-- The campaign rules, one row per campaign x rule x day the rule holds. Stopped: no spend for
-- spend_stopped_days days in a row (up to spend_stopped_max_days) after spending on most of the 28 days
-- before, and not at its planned end (campaigns.end_date). Doubled: the last spend_window_days cost at least spend_doubled_ratio times
-- the median week of the 8 before, every one of which spent (a new campaign is not "doubled").
create or replace temp table al_campaign_flags as
with w as (
    select *, row_number() over o as n,
           sum(cost) over ow as cost_w, sum(cost) over o7 as cost7,
           count(*) filter (where cost > 0) over o28 as spent28,
           max(day) over (partition by campaign, platform) as last_day
    from al_campaign_day
    window o as (partition by campaign, platform order by day),
           ow as (o rows between (select spend_window_days from cfg_alerts)::int - 1 preceding and current row),
           o7 as (o rows between 6 preceding and current row),
           o28 as (o rows between 27 preceding and current row)
),

-- the last day with spend so far, and on how many of the 28 days up to it the campaign spent
spent as (
    select *, max(case when cost > 0 then day end) over o as last_spend,
           last_value(case when cost > 0 then spent28 end ignore nulls) over o as spent28_then
    from w
    window o as (partition by campaign, platform order by day rows unbounded preceding)
),

weeks as (
    select a.campaign, a.platform, a.day, list(b.cost7) as cost_wk
    from w a
    cross join range(8) j(j)
    join w b on b.campaign = a.campaign and b.platform = a.platform
            and b.day = a.day - ((select spend_window_days from cfg_alerts) + 7 * j.j)::int
    group by all
    having count(*) = 8
),

stats as (
    select w.*, c.*, list_median(cost_wk) as week_usual, list_min(cost_wk) as week_low,
           list_max(cost_wk) as week_high, list_min(cost_wk) > 0 as established
    from spent w
    left join weeks using (campaign, platform, day)
    cross join cfg_alerts c
),

turns as (
    select *, arg_min(day, gap - 1e-6 * (day - date '2000-01-01')) over ow + 1 as up_since   -- ties: the last day
    from (select *, sum(cost - coalesce(week_usual, 0) / 7) over (partition by campaign, platform order by day
                                                                   rows unbounded preceding) as gap
          from stats)
    window ow as (partition by campaign, platform order by day
                  rows between (select spend_window_days from cfg_alerts)::int preceding and current row)
)

select 'spend_stopped' as rule, campaign, platform, region, channel, day,
       last_spend + 1 as since, cost_w as value,
       week_usual * spend_window_days / 7 as usual, week_low * spend_window_days / 7 as usual_low,
       week_high * spend_window_days / 7 as usual_high, null::double as threshold,
       spend_window_days as window_days, last_day as as_of
from turns
where day - last_spend >= spend_stopped_days
  and day - last_spend <= spend_stopped_max_days      -- a stop that old is the campaign's state, not news
  and spent28_then >= spend_active_share * 28
  and (end_date is null or end_date > last_spend)
union all
select 'spend_doubled', campaign, platform, region, channel, day, least(up_since, day), cost_w,
       week_usual * spend_window_days / 7, week_low * spend_window_days / 7, week_high * spend_window_days / 7,
       spend_doubled_ratio * week_usual * spend_window_days / 7, spend_window_days, last_day
from turns
where established and cost_w >= spend_doubled_ratio * week_usual * spend_window_days / 7;
