-- One row per distinct known currency text of the batch (temp view good) -> ISO code.
-- Run before merges of entities with a currency.
create or replace temp table lk_currency as
select d.raw, c.currency
from (select distinct currency as raw from good where currency is not null) d
join cfg_currencies c on c.key = norm_key(d.raw);
