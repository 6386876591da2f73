-- One row per value (channel, region or status) an assignment changes: leads, deals, won deals and
-- won revenue in the base currency, before and after. Reads temp view vocab_units(kind, old, new,
-- status_old, status_new, amount_base): one row per lead and per deal, its value before and after.
with moved as (
    select * from vocab_units where old is distinct from new
),

touched as (
    select old as value from moved union select new from moved
),

before as (
    select old as value, count(*) filter (where kind = 'lead') as leads,
           count(*) filter (where kind = 'deal') as deals,
           count(*) filter (where kind = 'deal' and status_old = 'won') as won_deals,
           coalesce(sum(amount_base) filter (where kind = 'deal' and status_old = 'won'), 0) as won_revenue
    from vocab_units where old in (select value from touched)
    group by old
),

after as (
    select new as value, count(*) filter (where kind = 'lead') as leads,
           count(*) filter (where kind = 'deal') as deals,
           count(*) filter (where kind = 'deal' and status_new = 'won') as won_deals,
           coalesce(sum(amount_base) filter (where kind = 'deal' and status_new = 'won'), 0) as won_revenue
    from vocab_units where new in (select value from touched)
    group by new
),

final as (
    select t.value,
           coalesce(b.leads, 0) as leads_before, coalesce(a.leads, 0) as leads_after,
           coalesce(b.deals, 0) as deals_before, coalesce(a.deals, 0) as deals_after,
           coalesce(b.won_deals, 0) as won_deals_before, coalesce(a.won_deals, 0) as won_deals_after,
           coalesce(b.won_revenue, 0)::decimal(18,2) as won_revenue_before,
           coalesce(a.won_revenue, 0)::decimal(18,2) as won_revenue_after
    from touched t
    left join before b on b.value = t.value
    left join after a on a.value = t.value
)

select * from final order by leads_after - leads_before, deals_after - deals_before, value;
