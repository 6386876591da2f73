-- One row per manager of one region over the period's days: leads (by creation day) and first contact
-- within the SLA, deals won and lost (by close day), win rate, revenue (base currency). Whole months are
-- read by month, the days of a month the period cuts by day (as region_rows).
-- Params: $date_from, $date_to, $region.
with rows as (
    select manager, leads, contacted, within_sla, response_hours_sum, deals_won, deals_lost, revenue_base
    from mart_manager_month
    where month >= $date_from::date and last_day(month) <= $date_to::date and region = $region
    union all
    select manager, leads, contacted, within_sla, response_hours_sum, deals_won, deals_lost, revenue_base
    from mart_manager_day
    where day between $date_from::date and $date_to::date and region = $region
      and not (date_trunc('month', day) >= $date_from::date and last_day(day) <= $date_to::date)
),

final as (
    select manager, sum(leads) as leads, sum(within_sla) / nullif(sum(contacted), 0) as within_sla_share,
           sum(response_hours_sum) / nullif(sum(contacted), 0) as response_hours_mean,
           sum(deals_won) as deals_won, sum(deals_lost) as deals_lost,
           sum(deals_won) / nullif(sum(deals_won) + sum(deals_lost), 0) as win_rate,
           sum(revenue_base) as revenue
    from rows group by manager
)

select * from final order by revenue desc, manager
