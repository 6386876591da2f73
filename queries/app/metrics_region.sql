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
-- region is chosen, else the chosen regions' lines. <metric>_plan_months (revenue, deals, leads, spend)
-- lists the months of the window that row's plan covers (model/metrics.py counts the days they cover: a
-- fact of the window is compared only with a plan of every day it counts). A region row's plan covers a
-- month it has a line for; the total row's, a month with the company line, or else a month every known
-- region with that metric's fact in the window has a line for (Moscow planned for November and Kazan for
-- December: the total's plan covers neither month). Params: $date_from, $date_to, $regions, $products.
-- One union and one aggregate: each row goes in once for its region and once for the total (unnest),
-- each plan line where it counts, and every measure is a plain sum. Its cost is DuckDB planning it, so
-- it stays a few scans and sums (the earlier shape, a CTE per part joined back, took ~25% longer).
with bounds as (
    select $date_from::date as a, $date_to::date as b,
           least(coalesce((select max(activity_latest) from mart_freshness), $date_to::date), $date_to::date) as l
),

plan_days as (
    select p.month, p.region, p.metric, p.target::double as target,
           month_part(p.month, a, b) as part_period, month_part(p.month, a, l) as part_to_date
    from plan p, bounds
    where p.month between date_trunc('month', a) and b
      and p.metric in ('revenue', 'deals', 'leads', 'spend')
      and (len($products) = 0 or p.product is null or list_contains($products, p.product))
),

plan_lines as (
    select unnest([region, null]) as region, unnest([false, true]) as is_total, region as line_region, metric, month,
           target * part_period as pp, target * part_to_date as pd,
           unnest([region is not null and (len($regions) = 0 or list_contains($regions, region)),
                   case when len($regions) > 0 then list_contains($regions, d.region)
                        else d.region is null or not exists (
                            select 1 from plan_days c where c.region is null and c.metric = d.metric and c.month = d.month) end]) as keep
    from plan_days d
),

parts as (
    select unnest([region, null]) as region, unnest([false, true]) as is_total,
           revenue_base, deals_won, deals_lost, deals_created, sourced_base, influenced_base,
           deals_won_sourced, cost_base, leads, qualified, null as open_deals, null as open_amount_base,
           null::double as revenue_plan_period, null::double as revenue_plan_to_date,
           null::double as deals_plan_period, null::double as deals_plan_to_date,
           null::double as leads_plan_period, null::double as leads_plan_to_date,
           null::double as spend_plan_period, null::double as spend_plan_to_date, deals_won_priced
    from region_rows($date_from, $date_to)
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or product is null or list_contains($products, product))
    union all
    select unnest([region, null]), unnest([false, true]), null, null, null, null, null, null, null, null, null, null,
           open_deals, open_amount_base, null, null, null, null, null, null, null, null, null
    from mart_pipeline
    where (len($regions) = 0 or list_contains($regions, region))
      and (len($products) = 0 or list_contains($products, product))
    union all
    select region, is_total, null, null, null, null, null, null, null, null, null, null, null, null,
           if(metric = 'revenue', pp, null), if(metric = 'revenue', pd, null),
           if(metric = 'deals', pp, null), if(metric = 'deals', pd, null),
           if(metric = 'leads', pp, null), if(metric = 'leads', pd, null),
           if(metric = 'spend', pp, null), if(metric = 'spend', pd, null), null
    from plan_lines where keep
    union all
    -- the total row exists whatever the period holds
    select null, true, null, null, null, null, null, null, null, null, null, null, null, null,
           null, null, null, null, null, null, null, null, null
),

agg as (
    select region, is_total, sum(revenue_base) as revenue, sum(deals_won) as deals_won,
           sum(deals_lost) as deals_lost, sum(deals_created) as deals_created, sum(sourced_base) as revenue_sourced,
           sum(influenced_base) as revenue_influenced, sum(deals_won_sourced) as deals_won_sourced,
           sum(cost_base) as spend, sum(leads) as leads, sum(qualified) as qualified,
           sum(open_deals) as open_deals, sum(open_amount_base) as open_pipeline,
           sum(revenue_plan_period) as revenue_plan_period, sum(revenue_plan_to_date) as revenue_plan_to_date,
           sum(deals_plan_period) as deals_plan_period, sum(deals_plan_to_date) as deals_plan_to_date,
           sum(leads_plan_period) as leads_plan_period, sum(leads_plan_to_date) as leads_plan_to_date,
           sum(spend_plan_period) as spend_plan_period, sum(spend_plan_to_date) as spend_plan_to_date,
           sum(deals_won_priced) as deals_won_priced
    from parts
    group by region, is_total
),

-- a known region with the plan metric's fact in the window (the total's plan must cover its days)
fact_regions as (
    select x.region, unnest(['revenue', 'deals', 'leads', 'spend']) as metric,
           unnest([x.revenue, x.deals_created, x.leads, x.spend]) as fact
    from agg x join cfg_regions c on c.region = x.region
    where not x.is_total
),

coverage as (
    select l.region, l.is_total,
           list_sort(list_distinct(list(l.month::date) filter (where l.metric = 'revenue'))) as revenue_plan_months,
           list_sort(list_distinct(list(l.month::date) filter (where l.metric = 'deals'))) as deals_plan_months,
           list_sort(list_distinct(list(l.month::date) filter (where l.metric = 'leads'))) as leads_plan_months,
           list_sort(list_distinct(list(l.month::date) filter (where l.metric = 'spend'))) as spend_plan_months
    from plan_lines l
    where l.keep and (not l.is_total or l.line_region is null or not exists (
        select 1 from fact_regions r
        where r.metric = l.metric and coalesce(r.fact, 0) <> 0 and not exists (
            select 1 from plan_lines o
            where o.keep and not o.is_total and o.region = r.region and o.metric = l.metric and o.month = l.month)))
    group by l.region, l.is_total
),

final as (
    select x.*, v.revenue_plan_months, v.deals_plan_months, v.leads_plan_months, v.spend_plan_months, coalesce(x.region = '(none)' or (not x.is_total and c.region is null), false) as unknown_region,
           b.a as window_from, b.b as window_to, b.l as data_to,
           -- no leads export loaded at all: the leads fact is unknown, not 0 (model/metrics.py derive)
           exists (select 1 from leads) as leads_known
    from agg x
    cross join bounds b
    left join coverage v on v.region is not distinct from x.region and v.is_total = x.is_total
    left join cfg_regions c on c.region = x.region
)

select * from final order by is_total, unknown_region, revenue desc nulls last, region
