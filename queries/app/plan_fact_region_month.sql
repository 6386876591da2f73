-- One row per region x month x plan metric (revenue, deals, leads, spend) with a regional plan line in
-- the period: owner, target, fact, share of plan; the region x month grain of model/metrics.py, the
-- same bases as metrics_region (its rows add up to that query's region rows). Revenue and spend in
-- base currency; deals = deals created; revenue = won deals by close date. Facts count only the days
-- inside [$date_from, $date_to]; target is the month's plan prorated to its days inside the window
-- (basis "period"), target_to_date to its days inside the window up to the latest day with any deal,
-- lead or spend (basis "to date"): a month under way is compared with its plan so far, a month ahead
-- with nothing. Params: $date_from, $date_to, $regions, $products.
with plan_rows as (
    select month, region, metric, any_value(owner) as owner, sum(target) as target
    from plan
    where month between date_trunc('month', $date_from::date) and $date_to and region is not null
      and metric in ('revenue', 'deals', 'leads', 'spend')
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    group by all
),

facts as (
    -- revenue, deals and spend under the product filter; leads (no product) always
    select month, region,
           sum(revenue_base) as revenue, sum(deals_created) as deals, sum(leads) as leads, sum(cost_base) as spend
    from region_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    group by all
),

bounds as (
    select $date_from::date as a, $date_to::date as b,
           least(coalesce((select max(activity_latest) from mart_freshness), $date_to::date), $date_to::date) as l
),

final as (
    select p.region, p.month, p.metric, p.owner,
           p.target::double * greatest(0, date_diff('day', greatest(p.month, a), least(last_day(p.month), b)) + 1)
               / day(last_day(p.month)) as target,
           p.target::double * greatest(0, date_diff('day', greatest(p.month, a), least(last_day(p.month), l)) + 1)
               / day(last_day(p.month)) as target_to_date,
           coalesce(case p.metric when 'revenue' then f.revenue when 'deals' then f.deals
                                  when 'leads' then f.leads else f.spend end, 0)::double as fact
    from plan_rows p
    cross join bounds
    left join facts f using (month, region)
)

select *, fact / nullif(target_to_date, 0) as plan_share from final order by metric, region, month
