-- One row per looked-up value no rule in data/ matched, largest first (won revenue, then rows).
-- Params: none (the whole warehouse: a vocabulary is not a period's).
select dimension, source, field, raw_value, rows, deals, won_deals, won_revenue, amount, share, revenue_share
from dq_unrecognised
order by won_revenue desc nulls last, rows desc, dimension, source, raw_value
limit 1000
