-- One row per dimension x source x field x raw value no vocabulary rule matched (dq_unrecognised),
-- largest first: won revenue, then rows. Params: $dimension (null: every dimension).
select dimension, source, field, raw_value, rows, deals, won_deals, won_revenue, share, revenue_share
from dq_unrecognised
where $dimension is null or dimension = $dimension
order by won_revenue desc nulls last, rows desc, dimension, field, raw_value
