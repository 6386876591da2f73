-- The first $rows looked-up values no rule in data/ matched (null: all, for the export), largest first
-- (won revenue, then rows), and how many there are (all_rows), so the page says what it does not list.
-- Params: $rows (the whole warehouse: a vocabulary is not a period's).
select dimension, source, field, raw_value, rows, deals, won_deals, won_revenue, amount, share, revenue_share,
       (select count(*) from dq_unrecognised) as all_rows
from dq_unrecognised
order by won_revenue desc nulls last, rows desc, dimension, source, raw_value
limit $rows
