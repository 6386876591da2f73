-- One row per manager of one region over the period's days: leads, their first contacts and those within
-- the SLA, deals won and lost, revenue (base currency); the registry adds the shares (model/catalog.py).
-- Params: $date_from, $date_to, $region, $products.
-- Deals by their close and the product filter as metrics_region.sql counts them, so the managers' won
-- deals and revenue add up to the region's row; leads (no product) by their creation.
-- Both sides read whole months from month tables and only the days of cut months by day.
with parts as (
    select manager, leads, judged, contacted, within_sla, response_hours_sum, 0 as deals_won, 0 as deals_lost,
           0 as revenue_base
    from funnel_rows($date_from, $date_to)
    where region = $region
    union all
    select manager, 0, 0, 0, 0, 0, deals_won, deals_lost, revenue_base
    from manager_deals_rows($date_from, $date_to)
    where region = $region
      and (len($products) = 0 or list_contains($products, product))
),

final as (
    select manager, sum(leads) as leads, sum(judged) as judged, sum(contacted) as contacted, sum(within_sla) as within_sla,
           sum(response_hours_sum) as response_hours_sum, sum(deals_won) as deals_won,
           sum(deals_lost) as deals_lost, sum(revenue_base) as revenue
    from parts group by manager
)

select * from final order by revenue desc, manager
