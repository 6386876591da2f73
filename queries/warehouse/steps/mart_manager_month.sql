-- Managers by month: their leads' first contact and their deals' outcomes.
create or replace table mart_manager_month as
with lead_side as (
    select date_trunc('month', day)::date as month, region, manager, count(*) as leads,
           count(*) filter (where contacted) as contacted,
           count(*) filter (where contacted and response_hours <= first_contact_hours) as within_sla,
           coalesce(sum(response_hours) filter (where contacted), 0) as response_hours_sum,
           quantile_cont(response_hours, 0.5) filter (where contacted) as response_hours_median,
           count(*) filter (where qualified) as qualified, count(*) filter (where converted) as converted
    from lead_facts group by all
),
deal_side as (
    select date_trunc('month', closed_at)::date as month, region, manager,
           count(*) filter (where status = 'won') as deals_won, count(*) filter (where status = 'lost') as deals_lost,
           coalesce(sum(amount_base) filter (where status = 'won'), 0) as revenue_base
    from deal_facts where closed_at is not null group by all
)
select month, region, manager,
       coalesce(leads, 0) as leads, coalesce(contacted, 0) as contacted, coalesce(within_sla, 0) as within_sla,
       coalesce(response_hours_sum, 0) as response_hours_sum, response_hours_median,
       coalesce(qualified, 0) as qualified, coalesce(converted, 0) as converted,
       coalesce(deals_won, 0) as deals_won, coalesce(deals_lost, 0) as deals_lost,
       coalesce(revenue_base, 0)::decimal(18,2) as revenue_base
from lead_side full join deal_side using (month, region, manager);

-- Managers' closed deals by the day they closed, with the deal's product: with mart_funnel_day's lead
-- side (by day too) the Regions drill-down's managers add up to the region's row for any range and
-- product filter, where mart_manager_month can only give whole months.
create or replace table mart_manager_deals_day as
select closed_at::date as day, region, manager, product,
       count(*) filter (where status = 'won') as deals_won, count(*) filter (where status = 'lost') as deals_lost,
       coalesce(sum(amount_base) filter (where status = 'won'), 0)::decimal(18,2) as revenue_base
from deal_facts
where closed_at is not null and status in ('won', 'lost')
group by all
order by day;
