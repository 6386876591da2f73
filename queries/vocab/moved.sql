-- One row: how many leads and deals an assignment moves, the won deals and won revenue (base currency)
-- among them, and the values they leave. Reads temp view vocab_units.
select count(*) filter (where kind = 'lead') as leads,
       count(*) filter (where kind = 'deal') as deals,
       count(*) filter (where kind = 'deal' and (status_old = 'won' or status_new = 'won')) as won_deals,
       coalesce(sum(amount_base) filter (where kind = 'deal' and (status_old = 'won' or status_new = 'won')), 0)::decimal(18,2) as won_revenue,
       coalesce(list(distinct old order by old) filter (where old is not null), []) as before
from vocab_units
where old is distinct from new;
