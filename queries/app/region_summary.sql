-- One row per region with any data in the period: revenue (base currency) and its plan, deals won/lost,
-- open pipeline now, ad spend, leads, marketing-sourced revenue; the ratios (% of plan, average deal,
-- win rate, CPL, sourced share) are ui.views.regions.with_ratios (the SQL's cost is its planning, not
-- its rows, so it stays a few sums).
-- Params: $date_from, $date_to, $regions, $products. '(none)' collects rows without a region.
with parts as (
    -- deals, spend and leads (leads rows have no product: a product filter keeps them), open pipeline
    -- now and the plan, one union and one aggregate (a region may appear in any of them)
    select region, revenue_base, deals_won, deals_lost, deals_created, sourced_base, influenced_base,
           deals_won_sourced, cost_base, leads, qualified, 0 as open_deals, 0 as open_amount_base,
           null::varchar as metric, null::double as target
    from region_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    union all
    select region, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, open_deals, open_amount_base, null, null
    from mart_pipeline
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or list_contains($products, product))
    union all
    select region, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, metric, target
    from plan
    where month between date_trunc('month', $date_from::date) and $date_to and region is not null
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
),

by_region as (
    select region, sum(revenue_base) as revenue, sum(deals_won) as deals_won, sum(deals_lost) as deals_lost,
           sum(deals_created) as deals_created, sum(sourced_base) as revenue_sourced,
           sum(influenced_base) as revenue_influenced, sum(deals_won_sourced) as deals_won_sourced,
           sum(cost_base) as spend, sum(leads) as leads, sum(qualified) as qualified,
           sum(open_deals) as open_deals, sum(open_amount_base) as open_pipeline,
           sum(target) filter (where metric = 'revenue') as revenue_plan,
           sum(target) filter (where metric = 'deals') as deals_plan,
           sum(target) filter (where metric = 'leads') as leads_plan,
           sum(target) filter (where metric = 'spend') as spend_plan
    from parts
    group by region
),

final as (
    select d.*, d.region = '(none)' or c.region is null as unknown_region
    from by_region d
    left join cfg_regions c on c.region = d.region
)

select * from final order by unknown_region, revenue desc, region
