-- The metric registry's base figures (model/metrics.py): one row per region with any data or plan in
-- the period, and one total row (region NULL, is_total). Money in the base currency.
-- Facts count exactly the days [$date_from, $date_to]: revenue and won/lost deals by their close date,
-- created deals and leads by their creation date, spend by its day. Open pipeline is now.
-- Plan on three bases, each month's target prorated by its days inside the window:
--   *_plan_period  : the window [$date_from, $date_to] (a whole month counts whole, 15.02-10.05 counts
--                    14/28 of February, March, April and 10/31 of May);
--   *_plan_to_date : the window cut at the latest day with any deal, lead or spend (the data's date),
--                    so a period under way is compared with its plan so far.
-- The total row's plan is the company line where the plan has one for that metric and month and no
-- region is chosen, else the chosen regions' lines. Params: $date_from, $date_to, $regions, $products.
with bounds as (
    select $date_from::date as a, $date_to::date as b,
           least(coalesce((select max(activity_latest) from mart_freshness), $date_to::date), $date_to::date) as l
),

facts as materialized (
    -- leads rows have no product: a product filter keeps them
    select region, sum(revenue_base) as revenue, sum(deals_won) as deals_won, sum(deals_lost) as deals_lost,
           sum(deals_created) as deals_created, sum(sourced_base) as revenue_sourced,
           sum(influenced_base) as revenue_influenced, sum(deals_won_sourced) as deals_won_sourced,
           sum(cost_base) as spend, sum(leads) as leads, sum(qualified) as qualified
    from region_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    group by region
),

pipeline as materialized (
    select region, sum(open_deals) as open_deals, sum(open_amount_base) as open_pipeline
    from mart_pipeline
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or list_contains($products, product))
    group by region
),

plan_days as materialized (
    select p.month, p.region, p.metric, p.target::double as target,
           month_part(p.month, a, b) as part_period, month_part(p.month, a, l) as part_to_date
    from plan p, bounds
    where p.month between date_trunc('month', a) and b
      and p.metric in ('revenue', 'deals', 'leads', 'spend')
      and (len($products) = 0 or p.product is null or list_contains($products, p.product))
),

plan_chosen as (
    -- the lines a total reads: the chosen regions', or with no region chosen the company line where
    -- there is one for the metric and month, else every region's
    select d.* from plan_days d
    where case when len($regions) > 0 then list_contains($regions, d.region)
               else d.region is null or not exists (
                   select 1 from plan_days c where c.region is null and c.metric = d.metric and c.month = d.month) end
),

plan_pivot as materialized (
    select region, is_total,
           sum(target * part_period) filter (where metric = 'revenue') as revenue_plan_period,
           sum(target * part_to_date) filter (where metric = 'revenue') as revenue_plan_to_date,
           sum(target * part_period) filter (where metric = 'deals') as deals_plan_period,
           sum(target * part_to_date) filter (where metric = 'deals') as deals_plan_to_date,
           sum(target * part_period) filter (where metric = 'leads') as leads_plan_period,
           sum(target * part_to_date) filter (where metric = 'leads') as leads_plan_to_date,
           sum(target * part_period) filter (where metric = 'spend') as spend_plan_period,
           sum(target * part_to_date) filter (where metric = 'spend') as spend_plan_to_date
    from (
        select region, false as is_total, metric, target, part_period, part_to_date from plan_days
        where region is not null and (len($regions) = 0 or list_contains($regions, region))
        union all
        select null, true, metric, target, part_period, part_to_date from plan_chosen
    )
    group by region, is_total
),

region_rows_all as (
    select region, false as is_total from facts
    union select region, false from pipeline
    union select region, false from plan_pivot where not is_total
),

by_region as (
    select r.region, false as is_total, f.* exclude (region), p.open_deals, p.open_pipeline,
           pp.* exclude (region, is_total)
    from region_rows_all r
    left join facts f using (region)
    left join pipeline p using (region)
    left join plan_pivot pp on pp.region = r.region and not pp.is_total
),

fact_total as (
    select sum(revenue) as revenue, sum(deals_won) as deals_won, sum(deals_lost) as deals_lost,
           sum(deals_created) as deals_created, sum(revenue_sourced) as revenue_sourced,
           sum(revenue_influenced) as revenue_influenced, sum(deals_won_sourced) as deals_won_sourced,
           sum(spend) as spend, sum(leads) as leads, sum(qualified) as qualified
    from facts
),

pipeline_total as (
    select sum(open_deals) as open_deals, sum(open_pipeline) as open_pipeline from pipeline
),

total as (
    -- one aggregate of each part, not one subquery per column (each would plan the region rows again)
    select null::varchar as region, true as is_total, f.*, p.*, pp.* exclude (region, is_total)
    from fact_total f
    cross join pipeline_total p
    left join plan_pivot pp on pp.is_total
),

final as (
    select x.*, coalesce(x.region = '(none)' or (not x.is_total and c.region is null), false) as unknown_region,
           b.a as window_from, b.b as window_to, b.l as data_to
    from (select * from by_region union all by name select * from total) x
    cross join bounds b
    left join cfg_regions c on c.region = x.region
)

select * from final order by is_total, unknown_region, revenue desc nulls last, region
