-- One row per currency x region: won deals whose amount the export did not give (or gave as text,
-- kept in cell_warnings); their revenue is unknown, not zero. Computed at build. Params: none.
select currency, region, deals
from dq_won_no_amount
order by deals desc, currency, region nulls last
