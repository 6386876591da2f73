-- One row per distinct known currency text of the batch (temp view good) -> ISO code.
-- Run before merges of entities with a currency. One row per raw text by construction (group by
-- raw), so a merge's left join never adds a row, whatever cfg_currencies holds.
create or replace temp table lk_currency as
select d.raw, min(c.currency) as currency
from (select distinct currency as raw from good where currency is not null) d
join cfg_currencies c on c.key = norm_key(d.raw)
group by d.raw;
