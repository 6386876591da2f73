-- One row per day x region x channel x product x currency. Each measure is dated by its own event:
-- created_* by created_at, won_* and lost_* by closed_at.
create or replace table mart_deals_day as
with events as (
    select created_at::date as day, region, channel, product, currency,
           1 as deals_created, amount as amount_created, 0 as deals_won, 0 as revenue, 0 as revenue_base,
           0 as revenue_sourced, 0 as revenue_influenced, 0 as sourced_base, 0 as influenced_base, 0 as deals_lost,
           0 as deals_won_sourced, 0 as deals_won_priced
    from deal_facts
    union all
    select closed_at::date, region, channel, product, currency, 0, 0, 1, amount, amount_base,
           case when sourced then amount else 0 end, case when influenced then amount else 0 end,
           case when sourced then amount_base else 0 end, case when influenced then amount_base else 0 end, 0,
           case when sourced then 1 else 0 end, case when amount_base is not null then 1 else 0 end
    from deal_facts where status = 'won' and closed_at is not null
    union all
    select closed_at::date, region, channel, product, currency, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0
    from deal_facts where status = 'lost' and closed_at is not null
)
select day, region, channel, product, coalesce(currency, '(none)') as currency,
       sum(deals_created)::bigint as deals_created, sum(amount_created)::decimal(18,2) as amount_created,
       sum(deals_won)::bigint as deals_won, sum(revenue)::decimal(18,2) as revenue,
       sum(revenue_base)::decimal(18,2) as revenue_base,
       sum(revenue_sourced)::decimal(18,2) as revenue_sourced,
       sum(revenue_influenced)::decimal(18,2) as revenue_influenced,
       sum(sourced_base)::decimal(18,2) as sourced_base, sum(influenced_base)::decimal(18,2) as influenced_base,
       sum(deals_lost)::bigint as deals_lost, sum(deals_won_sourced)::bigint as deals_won_sourced,
       -- won deals whose revenue is known in the base currency (an amount, and a rate for its currency):
       -- the average deal divides by these, a won deal without an amount being revenue unknown, not zero
       sum(deals_won_priced)::bigint as deals_won_priced
from events
group by all
order by day;
