-- One row per dimension x source table: the share of the table's rows (and of won revenue) whose
-- value no rule matched, with the count of distinct values and the (up to) three values behind most
-- of it, by won revenue then rows, so a line that reports the share can name them. Params: none.
select dimension, source, count(*) as values, sum(rows)::bigint as rows, sum(share) as share,
       sum(revenue_share) as revenue_share,
       list(raw_value order by won_revenue desc nulls last, rows desc, raw_value)[1:3] as top_values
from dq_unrecognised
group by dimension, source
order by greatest(coalesce(sum(revenue_share), 0), coalesce(sum(share), 0)) desc, dimension, source
