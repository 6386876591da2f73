-- One row per region x month x plan metric (revenue, deals, leads, spend) with a regional plan line in
-- the period: owner, target, fact, share of plan. Revenue and spend in base currency; deals = deals
-- created; revenue = won deals by close date. target_to_date prorates each month's target to the days
-- the data covers (the latest day with any deal, lead or spend), so a month under way is compared
-- with its plan so far and a month ahead with nothing. Params: $date_from, $date_to, $regions, $products.
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
    from region_rows(date_trunc('month', $date_from::date), $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    group by all
),

latest as (
    select max(activity_latest) as day from mart_freshness
),

final as (
    select p.region, p.month, p.metric, p.owner, p.target::double as target,
           p.target::double * greatest(least(
               (date_diff('day', p.month, least(latest.day, $date_to::date)) + 1)
               / (date_diff('day', p.month, p.month + interval 1 month))::double, 1), 0) as target_to_date,
           coalesce(case p.metric when 'revenue' then f.revenue when 'deals' then f.deals
                                  when 'leads' then f.leads else f.spend end, 0)::double as fact
    from plan_rows p
    cross join latest
    left join facts f using (month, region)
)

select *, fact / nullif(target_to_date, 0) as plan_share from final order by metric, region, month
