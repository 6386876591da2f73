-- One row per manager of one region over the period's months: leads and first contact within the SLA,
-- deals won and lost, win rate, revenue (base currency). Params: $date_from, $date_to, $region.
with rows as (
    select * from mart_manager_month
    where month between date_trunc('month', $date_from::date) and $date_to and region = $region
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
