-- Deals by the day they were created, with what they won: the metric regional incrementality
-- compares (a flight's deals are created during it; they may close weeks later). Known regions only.
create or replace table mart_cohort_day as
select created_at::date as day, region, currency,
       count(*) as deals_created, count(*) filter (where status = 'won') as deals_won,
       coalesce(sum(amount) filter (where status = 'won'), 0)::decimal(18,2) as revenue_won
from deal_facts
where region in (select region from cfg_regions)
group by all
order by day;
