-- One row per month of the period: won revenue (base currency), revenue plan, ad spend (base), leads,
-- leads plan. Facts count the days inside [$date_from, $date_to]; a month's plan is prorated to its days
-- inside the window (basis "period", as metrics_region), so a cut month is compared like with like.
-- Plan lines chosen as metrics_region's total. Params: $date_from, $date_to, $regions, $products.
with fact as (
    -- revenue and spend under the product filter, leads (rows without a product) always
    select month, sum(revenue_base) as revenue, sum(deals_won) as deals_won,
           sum(cost_base) as spend, sum(leads) as leads
    from region_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    group by all
),

plan_rows as (
    select * replace (target::double * month_part(month, $date_from, $date_to) as target)
    from plan
    where month between date_trunc('month', $date_from::date) and $date_to
      and (len($products) = 0 or product is null or list_contains($products, product))
),

plan_chosen as (
    select p.* from plan_rows p
    where case when len($regions) > 0 then list_contains($regions, p.region)
               else p.region is null or not exists (
                   select 1 from plan_rows c where c.region is null and c.metric = p.metric and c.month = p.month) end
),

plan_month as (
    select month, sum(target) filter (where metric = 'revenue') as revenue_plan,
           sum(target) filter (where metric = 'leads') as leads_plan,
           sum(target) filter (where metric = 'spend') as spend_plan
    from plan_chosen group by month
),

months as (
    select unnest(generate_series(date_trunc('month', $date_from::date), $date_to::date, interval 1 month))::date as month
),

final as (
    -- doubles: chart series (exact sums are in kpi_* and metrics_region)
    select m.month, coalesce(f.revenue, 0)::double as revenue, coalesce(f.deals_won, 0) as deals_won,
           p.revenue_plan::double as revenue_plan, coalesce(f.spend, 0)::double as spend,
           p.spend_plan::double as spend_plan, coalesce(f.leads, 0) as leads, p.leads_plan::double as leads_plan
    from months m
    left join fact f using (month)
    left join plan_month p using (month)
)

select * from final order by month
