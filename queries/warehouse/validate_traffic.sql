-- Rejects traffic rows with no period: neither a date column nor a period in the report title.
update typed set reason = concat_ws('; ', typed.reason, 'no period: the row has no date and the report title names none')
from (select rn from staged where kind = 'data' and dup_rank = 1 and period_start is null
      and $period_start::varchar is null) s
where typed.rn = s.rn;
