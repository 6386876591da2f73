-- One row per currency x region: won deals whose amount the export did not give (or gave as text,
-- kept in cell_warnings). Their revenue is unknown, not zero. Params: none.
select currency, region, count(*) as deals
from deals
where status = 'won' and amount is null
group by all
order by deals desc, currency, region nulls last
