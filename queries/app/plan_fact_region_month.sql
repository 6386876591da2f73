-- One row per region x month x plan metric (revenue, deals, leads, spend) with a regional plan line in
-- the period: owner, target, fact, share of plan; the region x month grain of model/metrics.py, the
-- same bases as metrics_region (its rows add up to that query's region rows). Revenue and spend in
-- base currency; deals = deals created; revenue = won deals by close date. Facts count only the days
-- inside [$date_from, $date_to]; target is the month's plan prorated to its days inside the window
-- (basis "period"), target_to_date to its days inside the window up to the latest day with any deal,
-- lead or spend (basis "to date"): a month under way is compared with its plan so far, a month ahead
-- with nothing. A month without a plan line in a region that has one for the metric in the period
-- carries its fact with an empty target, so the region's months add up to its fact over the window.
-- Params: $date_from, $date_to, $regions, $products.
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

facts_long as (
    unpivot facts on revenue, deals, leads, spend into name metric value fact
),

planned as (
    -- the region x metric pairs with a plan line in the period: their months without a line still
    -- count their fact (target empty), so a region's row adds up to its fact over the whole window
    select distinct region, metric, owner from plan_rows
),

bounds as (
    select $date_from::date as a, $date_to::date as b,
           least(coalesce((select max(activity_latest) from mart_freshness), $date_to::date), $date_to::date) as l
),

final as (
    select k.region, k.month, k.metric, k.owner,
           p.target::double * month_part(p.month, a, b) as target,
           p.target::double * month_part(p.month, a, l) as target_to_date,
           -- no leads export loaded at all: the leads fact is unknown, not 0 (as model/metrics.py derive)
           case when k.metric = 'leads' and not exists (select 1 from leads) then null
                else coalesce(f.fact, 0)::double end as fact
    from (
        select region, month, metric, owner from plan_rows
        union
        select f.region, f.month, f.metric, pl.owner from facts_long f join planned pl using (region, metric)
    ) k
    cross join bounds
    left join plan_rows p using (region, month, metric)
    left join facts_long f using (region, month, metric)
)

select * from final order by metric, region, month
